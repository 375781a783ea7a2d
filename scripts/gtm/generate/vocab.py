"""Word lists and fixed catalogues of the sample company (Lumen Metrics, a B2B SaaS vendor)."""

from __future__ import annotations

COMPANY_DOMAIN = "lumenmetrics.io"
SITE = f"https://www.{COMPANY_DOMAIN}"

FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph "
    "Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark Margaret "
    "Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa "
    "George Deborah Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Amy Jacob "
    "Kathleen Gary Angela Nicholas Shirley Eric Brenda Jonathan Emma Stephen Anna Larry Pamela Justin Nicole Scott "
    "Samantha Brandon Katherine Benjamin Christine Samuel Helen Gregory Debra Alexander Rachel Patrick Carolyn Frank "
    "Janet Raymond Maria Jack Olivia Dennis Heather Jerry Catherine Tyler Diane Aaron Julie Jose Victoria Adam Joyce "
    "Nathan Lauren Henry Kelly Zachary Christina Douglas Ruth Peter Joan Kyle Virginia Noah Judith Ethan Evelyn "
    "Jeremy Hannah Walter Andrea Christian Megan Keith Cheryl Roger Jacqueline Terry Madison Austin Teresa Sean "
    "Sophia Gerald Martha Carl Sara Harold Gloria Dylan Janice Arthur Kathryn Lawrence Ann Jordan Isabella Jesse "
    "Lukas Sofia Mateo Camille Lars Ingrid Pierre Chloe Hans Greta Luca Giulia Ahmed Fatima Raj Priya Wei Mei Kenji "
    "Yuki Omar Leila Ivan Olga Diego Lucia"
).split()

LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson "
    "Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell "
    "Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris "
    "Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward "
    "Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders "
    "Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes "
    "Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West "
    "Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison "
    "Mueller Schmidt Schneider Fischer Weber Meyer Wagner Becker Dubois Moreau Laurent Bernard Rossi Russo Ferrari "
    "Jansen DeVries Berg Lindqvist Nilsson Kowalski Novak Horvat Sato Suzuki Takahashi Chen Wang Li Zhang Singh Kumar "
    "Sharma Khan Ali"
).split()

COMPANY_WORDS_A = (
    "Acme Apex Arbor Atlas Aurora Beacon Birch Blue Bold Bright Canyon Cedar Clear Cobalt Copper Core Crest Delta "
    "Eagle Echo Ember Evergreen Falcon Fern First Forge Fox Frontier Garnet Global Golden Granite Harbor Hawk Helix "
    "Horizon Indigo Iron Jade Juniper Keystone Lake Lantern Liberty Lime Lunar Maple Meridian Metro Mosaic Nimbus "
    "North Nova Oak Ocean Onyx Orbit Pacific Peak Pine Pioneer Pixel Polar Prime Quartz Quest Radiant Red Ridge River "
    "Rock Sage Silver Sky Solar Spark Spruce Star Sterling Stone Summit Sun Swift Terra Tide Titan True Union Urban "
    "Vector Vertex Vista Wave West Willow Zen"
).split()
COMPANY_WORDS_B = (
    "Analytics Apps Bank Bio Brands Capital Care Cloud Commerce Computing Consulting Data Design Devices Digital "
    "Dynamics Energy Engineering Finance Foods Freight Goods Group Health Holdings Industries Insights Labs Learning "
    "Logistics Machines Media Medical Metrics Mobility Networks Partners Payments Pharma Platforms Power Retail "
    "Robotics Security Services Software Solutions Systems Technologies Telecom Travel Ventures Vision Works"
).split()
COMPANY_SUFFIX = ("Inc", "LLC", "Ltd", "GmbH", "Corp", "Co")

INDUSTRIES = (
    "Software",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Media",
    "Professional Services",
    "Logistics",
    "Telecommunications",
)
INDUSTRY_WEIGHTS = (18, 12, 10, 12, 10, 6, 7, 12, 7, 6)
INDUSTRY_FIT = (0.35, 0.3, 0.15, 0.0, 0.05, -0.2, 0.0, 0.1, -0.05, 0.1)

# country, region, billing currency index (0 USD, 1 EUR, 2 GBP), tld
COUNTRIES = (
    ("United States", "North America", 0, "com"),
    ("Canada", "North America", 0, "ca"),
    ("United Kingdom", "EMEA", 2, "co.uk"),
    ("Germany", "EMEA", 1, "de"),
    ("France", "EMEA", 1, "fr"),
    ("Netherlands", "EMEA", 1, "nl"),
    ("Spain", "EMEA", 1, "es"),
    ("Sweden", "EMEA", 1, "se"),
    ("Australia", "APAC", 0, "com.au"),
    ("India", "APAC", 0, "in"),
)
COUNTRY_WEIGHTS = (44, 6, 12, 10, 7, 4, 3, 3, 6, 5)
CURRENCIES = ("USD", "EUR", "GBP")

FREE_MAIL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "proton.me")

SENIORITIES = ("C-Level", "VP", "Director", "Manager", "Individual Contributor")
SENIORITY_WEIGHTS = (5, 10, 20, 30, 35)
SENIORITY_EFFECT = (0.45, 0.35, 0.2, 0.0, -0.3)
DEPARTMENTS = ("Marketing", "Sales", "Operations", "Finance", "Engineering", "IT", "Data")
# title templates per seniority; {d} = department
TITLE_TEMPLATES = (
    ("Chief {d} Officer", "CEO", "COO", "CTO"),
    ("VP of {d}", "Vice President, {d}", "SVP {d}", "VP {d}"),
    ("Director of {d}", "{d} Director", "Senior Director, {d}", "Head of {d}"),
    ("{d} Manager", "Senior {d} Manager", "{d} Lead", "Manager, {d}"),
    ("{d} Analyst", "{d} Specialist", "{d} Associate", "{d} Coordinator"),
)

# Channel taxonomy (KPIS.md); the warehouse's channel seed must agree with these names.
CHANNELS = (
    "paid_search",
    "paid_social",
    "organic_search",
    "organic_social",
    "email",
    "referral",
    "direct",
    "events",
    "partner",
    "sales_outbound",
)
CH = {name: i for i, name in enumerate(CHANNELS)}
# How good a channel's leads are (multiplies conversion odds); partner and referral best, Meta worst.
CHANNEL_QUALITY = {
    "paid_search": 1.0,
    "paid_social": 0.8,
    "organic_search": 0.9,
    "organic_social": 0.7,
    "email": 1.0,
    "referral": 1.4,
    "direct": 1.1,
    "events": 1.25,
    "partner": 1.6,
    "sales_outbound": 0.85,
}
META_QUALITY = 0.55  # Meta's paid-social leads are weaker than LinkedIn's

AD_PLATFORMS = ("google_ads", "linkedin_ads", "facebook_ads")
PLATFORM_CURRENCY = {"google_ads": "USD", "linkedin_ads": "USD", "facebook_ads": "EUR"}
# always-on campaign slots per platform (a new campaign replaces the previous one every few months)
AD_SLOTS = {
    "google_ads": ("Brand", "Competitor", "Generic - Analytics", "Generic - Reporting"),
    "linkedin_ads": ("ABM - Enterprise", "Lead Gen - Ebook", "Thought Leadership"),
    "facebook_ads": ("Retargeting", "Lookalike - Customers", "Awareness - Video"),
}
AD_SLOT_WEIGHTS = {
    "google_ads": (30, 15, 35, 20),
    "linkedin_ads": (40, 40, 20),
    "facebook_ads": (45, 30, 25),
}
CPC = {"google_ads": 4.2, "linkedin_ads": 8.5, "facebook_ads": 1.6}  # median cost per click, account currency
CTR = {"google_ads": 0.045, "linkedin_ads": 0.006, "facebook_ads": 0.011}
UTM_SOURCE = {"google_ads": "google", "linkedin_ads": "linkedin", "facebook_ads": "facebook"}
UTM_MEDIUM = {"google_ads": "cpc", "linkedin_ads": "paid_social", "facebook_ads": "paid_social"}
SEARCH_TERMS = (
    "product analytics",
    "saas metrics",
    "revenue dashboard",
    "b2b analytics",
    "kpi software",
    "marketing attribution",
    "funnel analytics",
    "lumen metrics",
)

ORGANIC_SEARCH_REFERRERS = ("https://www.google.com/", "https://www.bing.com/", "https://duckduckgo.com/")
ORGANIC_SOCIAL_REFERRERS = ("https://www.linkedin.com/", "https://t.co/", "https://www.reddit.com/")
REFERRAL_REFERRERS = (
    "https://www.g2.com/products/lumen-metrics/reviews",
    "https://www.capterra.com/p/lumen",
    "https://news.ycombinator.com/",
    "https://medium.com/@analytics/top-tools",
    "https://www.producthunt.com/posts/lumen-metrics",
)
PARTNERS = ("northbridge-consulting", "datawise-partners", "cloudreach-alliance", "revops-collective")
PAID_REFERRER = {
    "google_ads": "https://www.google.com/",
    "linkedin_ads": "https://www.linkedin.com/",
    "facebook_ads": "https://www.facebook.com/",
}

USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",  # noqa: E501
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Edg/120.0 Safari/537.36",
)
BOT_USER_AGENTS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "python-requests/2.31.0",
    "HeadlessChrome/120.0 (X11; Linux x86_64)",
)
INTERNAL_IP_PREFIX = "10.20."

BLOG_SLUGS = tuple(
    f"/blog/{s}"
    for s in (
        "what-is-nrr",
        "saas-metrics-guide",
        "cac-payback",
        "pipeline-coverage",
        "attribution-models",
        "lead-scoring-101",
        "funnel-benchmarks",
        "revops-stack",
        "mrr-movements",
        "board-reporting",
        "sales-velocity",
        "churn-signals",
        "icp-definition",
        "abm-playbook",
        "forecasting-basics",
        "marketing-roi",
        "data-warehouse-for-gtm",
        "dbt-for-revops",
        "quota-setting",
        "win-loss-analysis",
    )
)
DOCS_SLUGS = tuple(
    f"/docs/{s}"
    for s in (
        "getting-started",
        "connectors",
        "dashboards",
        "alerts",
        "api",
        "sso",
        "permissions",
        "metrics-layer",
        "exports",
        "billing",
    )
)
# (path, title, weight as a later page of a session)
PAGES = (
    (
        ("/", "Lumen Metrics - Revenue analytics for B2B", 14),
        ("/product", "Product | Lumen Metrics", 12),
        ("/pricing", "Pricing | Lumen Metrics", 9),
        ("/customers", "Customers | Lumen Metrics", 6),
        ("/about", "About us | Lumen Metrics", 3),
        ("/integrations", "Integrations | Lumen Metrics", 5),
        ("/demo", "Book a demo | Lumen Metrics", 3),
        ("/contact", "Contact | Lumen Metrics", 2),
        ("/webinars", "Webinars | Lumen Metrics", 2),
        ("/signup", "Start free trial | Lumen Metrics", 2),
    )
    + tuple((p, p.split("/")[-1].replace("-", " ").title() + " | Lumen Metrics blog", 1.2) for p in BLOG_SLUGS)
    + tuple((p, p.split("/")[-1].replace("-", " ").title() + " | Lumen Metrics docs", 1.0) for p in DOCS_SLUGS)
)
PAGE_INDEX = {p[0]: i for i, p in enumerate(PAGES)}

# Forms: (form title, path, form id, is high intent)
FORMS = (
    ("Demo Request", "/demo", "f1a7c3e2-0000-4000-8000-000000000001", True),
    ("Content Download", "/blog/saas-metrics-guide", "f1a7c3e2-0000-4000-8000-000000000002", False),
    ("Newsletter Signup", "/blog/what-is-nrr", "f1a7c3e2-0000-4000-8000-000000000003", False),
    ("Webinar Registration", "/webinars", "f1a7c3e2-0000-4000-8000-000000000004", False),
    ("Free Trial Signup", "/signup", "f1a7c3e2-0000-4000-8000-000000000005", False),
    ("Contact Us", "/contact", "f1a7c3e2-0000-4000-8000-000000000006", True),
)
FORM_WEIGHTS = (14, 36, 18, 12, 14, 6)

HS_SOURCE = {
    "paid_search": "PAID_SEARCH",
    "paid_social": "PAID_SOCIAL",
    "organic_search": "ORGANIC_SEARCH",
    "organic_social": "SOCIAL_MEDIA",
    "email": "EMAIL_MARKETING",
    "referral": "REFERRALS",
    "direct": "DIRECT_TRAFFIC",
    "events": "OFFLINE",
    "partner": "REFERRALS",
    "sales_outbound": "OFFLINE",
}
LEAD_SOURCE = {
    "paid_search": "Paid Search",
    "paid_social": "Paid Social",
    "organic_search": "Organic Search",
    "organic_social": "Social",
    "email": "Email",
    "referral": "Referral",
    "direct": "Web",
    "events": "Event",
    "partner": "Partner",
    "sales_outbound": "Outbound",
}

STAGES = ("Prospecting", "Qualification", "Demo", "Proposal", "Negotiation", "Closed Won", "Closed Lost")
STAGE_PROBABILITY = (10, 20, 40, 60, 80, 100, 0)
FORECAST_CATEGORY = ("Pipeline", "Pipeline", "Pipeline", "Best Case", "Commit", "Closed", "Omitted")
LOSS_REASONS = ("Price", "Competitor", "No Decision", "Timing", "Product Fit")
UNQUALIFIED_REASONS = (
    "No Budget",
    "Not Decision Maker",
    "No Need",
    "Bad Timing",
    "Competitor Customer",
    "Unresponsive",
)

PLANS = ("Starter", "Professional", "Enterprise")
# monthly list price per seat in minor units, per currency (USD, EUR, GBP)
PLAN_MONTHLY = ((2500, 2300, 2000), (4500, 4200, 3600), (7500, 6900, 6000))
ANNUAL_DISCOUNT = 0.85

EMAIL_CAMPAIGN_KINDS = ("Newsletter", "Product Update", "Webinar Invite", "Nurture - Guide", "Case Study")

TEAMS = ("SMB", "Mid-Market", "Enterprise")
