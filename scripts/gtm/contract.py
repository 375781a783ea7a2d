"""The raw source contract: every raw table, its columns and types, as loaders land them.

This module is the single definition used by the generator (what it writes), the
loader (what it validates) and the sources YAML check (what dbt declares). Table and
column names follow Fivetran-style connectors (snake_case API names,
``_fivetran_synced``, ``is_deleted`` / ``_fivetran_deleted``); Segment tables follow
Segment's warehouse schema (``id`` is the message id, ``uuid_ts`` the load time).

Types are DuckDB type names. ``required`` columns must exist in a user's export;
optional columns may be missing (staging tolerates that) and are added as NULLs by the
loader so downstream SQL can rely on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

VARCHAR = "VARCHAR"
BIGINT = "BIGINT"
DOUBLE = "DOUBLE"
BOOLEAN = "BOOLEAN"
TIMESTAMP = "TIMESTAMP"
DATE = "DATE"

# Type families the loader accepts for a declared type (a CSV may infer INTEGER for
# BIGINT, a Parquet file may carry TIMESTAMP WITH TIME ZONE, and so on).
TYPE_FAMILIES: dict[str, tuple[str, ...]] = {
    VARCHAR: ("VARCHAR",),
    BIGINT: ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER"),
    DOUBLE: ("DOUBLE", "FLOAT", "DECIMAL", "BIGINT", "INTEGER", "SMALLINT", "HUGEINT"),
    BOOLEAN: ("BOOLEAN",),
    TIMESTAMP: ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"),
    DATE: ("DATE",),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = True
    description: str = ""


@dataclass(frozen=True)
class Table:
    source: str
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    loaded_at: str  # column used for source freshness
    soft_delete: str | None = None  # is_deleted / _fivetran_deleted, when the table has one
    extra: dict = field(default_factory=dict)
    # an event stream delivered at least once (Segment, HubSpot email events): repeated keys are
    # normal there, so its key carries a source not_null test but no source unique test (which
    # would warn on every real load and, as a parent of the base model, hold the largest model
    # back in `dbt build`); dq_source_reconciliation.duplicate_rows counts the repeats and the
    # staging model's unique test checks the deduplicated keys
    at_least_once: bool = False

    @property
    def fqn(self) -> str:
        return f"{self.source}.{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.fqn} has no column {name}")


def _c(name: str, type_: str, required: bool = True, description: str = "") -> Column:
    return Column(name, type_, required, description)


def _fivetran(deleted: str = "is_deleted") -> tuple[Column, ...]:
    return (
        _c(deleted, BOOLEAN, description="Soft-delete flag set by the source or the connector."),
        _c("_fivetran_synced", TIMESTAMP, description="When the connector last wrote this row (UTC)."),
    )


_SYNCED = _c("_fivetran_synced", TIMESTAMP, description="When the connector last wrote this row (UTC).")

TABLES: tuple[Table, ...] = (
    # ------------------------------------------------------------------ salesforce
    Table(
        "salesforce", "account", "CRM accounts (companies).",
        (
            _c("id", VARCHAR), _c("name", VARCHAR), _c("website", VARCHAR, False),
            _c("industry", VARCHAR, False), _c("number_of_employees", BIGINT, False),
            _c("annual_revenue", DOUBLE, False), _c("billing_country", VARCHAR, False),
            _c("type", VARCHAR, False), _c("owner_id", VARCHAR, False),
            _c("created_date", TIMESTAMP), *_fivetran(),
        ),
        ("id",), "_fivetran_synced", "is_deleted",
    ),
    Table(
        "salesforce", "contact", "CRM contacts: people on accounts, usually created by lead conversion.",
        (
            _c("id", VARCHAR), _c("account_id", VARCHAR, False), _c("first_name", VARCHAR, False),
            _c("last_name", VARCHAR, False), _c("email", VARCHAR, False), _c("title", VARCHAR, False),
            _c("phone", VARCHAR, False), _c("lead_source", VARCHAR, False), _c("owner_id", VARCHAR, False),
            _c("created_date", TIMESTAMP), *_fivetran(),
        ),
        ("id",), "_fivetran_synced", "is_deleted",
    ),
    Table(
        "salesforce", "lead", "CRM leads: inbound (synced from the marketing automation) and outbound (SDR-created).",
        (
            _c("id", VARCHAR), _c("first_name", VARCHAR, False), _c("last_name", VARCHAR, False),
            _c("email", VARCHAR, False), _c("company", VARCHAR, False), _c("title", VARCHAR, False),
            _c("phone", VARCHAR, False), _c("industry", VARCHAR, False),
            _c("number_of_employees", BIGINT, False), _c("country", VARCHAR, False),
            _c("lead_source", VARCHAR, False), _c("status", VARCHAR), _c("unqualified_reason_c", VARCHAR, False),
            _c("owner_id", VARCHAR, False),
            _c("is_converted", BOOLEAN), _c("converted_date", DATE, False),
            _c("converted_account_id", VARCHAR, False), _c("converted_contact_id", VARCHAR, False),
            _c("converted_opportunity_id", VARCHAR, False), _c("created_date", TIMESTAMP), *_fivetran(),
        ),
        ("id",), "_fivetran_synced", "is_deleted",
    ),
    Table(
        "salesforce", "lead_history", "Field history of leads (status and owner changes), one row per change.",
        (
            _c("id", VARCHAR), _c("lead_id", VARCHAR), _c("field", VARCHAR), _c("old_value", VARCHAR, False),
            _c("new_value", VARCHAR, False), _c("created_by_id", VARCHAR, False),
            _c("created_date", TIMESTAMP), *_fivetran(),
        ),
        ("id",), "_fivetran_synced", "is_deleted",
    ),
    Table(
        "salesforce", "opportunity", "CRM opportunities (current state).",
        (
            _c("id", VARCHAR), _c("account_id", VARCHAR), _c("name", VARCHAR, False),
            _c("type", VARCHAR, False), _c("stage_name", VARCHAR), _c("amount", DOUBLE, False),
            _c("currency_iso_code", VARCHAR, False), _c("probability", DOUBLE, False),
            _c("forecast_category", VARCHAR, False), _c("close_date", DATE), _c("is_closed", BOOLEAN),
            _c("is_won", BOOLEAN), _c("loss_reason_c", VARCHAR, False), _c("lead_source", VARCHAR, False),
            _c("campaign_id", VARCHAR, False), _c("owner_id", VARCHAR, False),
            _c("created_date", TIMESTAMP), *_fivetran(),
        ),
        ("id",), "_fivetran_synced", "is_deleted",
    ),
    Table(
        "salesforce", "opportunity_history", "Opportunity stage log: one row each time stage, amount or close date changes.",
        (
            _c("id", VARCHAR), _c("opportunity_id", VARCHAR), _c("stage_name", VARCHAR),
            _c("amount", DOUBLE, False), _c("probability", DOUBLE, False), _c("close_date", DATE, False),
            _c("created_by_id", VARCHAR, False), _c("created_date", TIMESTAMP), *_fivetran(),
        ),
        ("id",), "_fivetran_synced", "is_deleted",
    ),
    Table(
        "salesforce", "campaign", "CRM campaigns: webinars, events, trade shows, partner programmes.",
        (
            _c("id", VARCHAR), _c("name", VARCHAR), _c("type", VARCHAR, False), _c("status", VARCHAR, False),
            _c("start_date", DATE, False), _c("end_date", DATE, False), _c("is_active", BOOLEAN, False),
            _c("budgeted_cost", DOUBLE, False), _c("actual_cost", DOUBLE, False),
            _c("created_date", TIMESTAMP), *_fivetran(),
        ),
        ("id",), "_fivetran_synced", "is_deleted",
    ),
    Table(
        "salesforce", "campaign_member", "Members of CRM campaigns (a lead or a contact), with response status.",
        (
            _c("id", VARCHAR), _c("campaign_id", VARCHAR), _c("lead_id", VARCHAR, False),
            _c("contact_id", VARCHAR, False), _c("status", VARCHAR, False), _c("has_responded", BOOLEAN, False),
            _c("first_responded_date", DATE, False), _c("created_date", TIMESTAMP), *_fivetran(),
        ),
        ("id",), "_fivetran_synced", "is_deleted",
    ),
    Table(
        "salesforce", "user", "CRM users: sales reps, managers, marketers and integration users.",
        (
            _c("id", VARCHAR), _c("name", VARCHAR), _c("first_name", VARCHAR, False),
            _c("last_name", VARCHAR, False), _c("email", VARCHAR, False), _c("title", VARCHAR, False),
            _c("department", VARCHAR, False), _c("user_role_id", VARCHAR, False),
            _c("manager_id", VARCHAR, False), _c("is_active", BOOLEAN), _c("created_date", TIMESTAMP),
            *_fivetran("_fivetran_deleted"),
        ),
        ("id",), "_fivetran_synced", "_fivetran_deleted",
    ),
    Table(
        "salesforce", "user_role", "CRM role hierarchy.",
        (
            _c("id", VARCHAR), _c("name", VARCHAR), _c("parent_role_id", VARCHAR, False),
            _c("developer_name", VARCHAR, False), *_fivetran("_fivetran_deleted"),
        ),
        ("id",), "_fivetran_synced", "_fivetran_deleted",
    ),
    Table(
        "salesforce", "task", "CRM tasks: calls and emails logged by reps (who_id = lead or contact, what_id = opportunity).",
        (
            _c("id", VARCHAR), _c("who_id", VARCHAR, False), _c("what_id", VARCHAR, False),
            _c("account_id", VARCHAR, False), _c("owner_id", VARCHAR), _c("subject", VARCHAR, False),
            _c("type", VARCHAR, False), _c("task_subtype", VARCHAR, False), _c("status", VARCHAR, False),
            _c("activity_date", DATE, False), _c("created_date", TIMESTAMP), *_fivetran(),
        ),
        ("id",), "_fivetran_synced", "is_deleted",
    ),
    Table(
        "salesforce", "event", "CRM calendar events: meetings and demos.",
        (
            _c("id", VARCHAR), _c("who_id", VARCHAR, False), _c("what_id", VARCHAR, False),
            _c("account_id", VARCHAR, False), _c("owner_id", VARCHAR), _c("subject", VARCHAR, False),
            _c("type", VARCHAR, False), _c("start_date_time", TIMESTAMP), _c("end_date_time", TIMESTAMP, False),
            _c("duration_in_minutes", BIGINT, False), _c("created_date", TIMESTAMP), *_fivetran(),
        ),
        ("id",), "_fivetran_synced", "is_deleted",
    ),
    # --------------------------------------------------------------------- hubspot
    Table(
        "hubspot", "contact", "Marketing-automation contacts with their properties.",
        (
            _c("id", BIGINT), _c("property_email", VARCHAR, False), _c("property_firstname", VARCHAR, False),
            _c("property_lastname", VARCHAR, False), _c("property_company", VARCHAR, False),
            _c("property_jobtitle", VARCHAR, False), _c("property_lifecyclestage", VARCHAR, False),
            _c("property_hs_analytics_source", VARCHAR, False),
            _c("property_hs_analytics_source_data_1", VARCHAR, False),
            _c("property_hs_lifecyclestage_marketingqualifiedlead_date", TIMESTAMP, False),
            _c("property_createdate", TIMESTAMP), *_fivetran("_fivetran_deleted"),
        ),
        ("id",), "_fivetran_synced", "_fivetran_deleted",
    ),
    Table(
        "hubspot", "contact_property_history", "History of contact property values (lifecycle stage and others).",
        (
            _c("contact_id", BIGINT), _c("name", VARCHAR), _c("value", VARCHAR, False),
            _c("timestamp", TIMESTAMP), _c("source", VARCHAR, False), _SYNCED,
        ),
        ("contact_id", "name", "timestamp"), "_fivetran_synced",
    ),
    Table(
        "hubspot", "email_campaign", "Marketing email campaigns.",
        (
            _c("id", BIGINT), _c("app_name", VARCHAR, False), _c("name", VARCHAR), _c("subject", VARCHAR, False),
            _c("type", VARCHAR, False), _c("content_id", BIGINT, False), _SYNCED,
        ),
        ("id",), "_fivetran_synced",
    ),
    Table(
        "hubspot", "email_event", "Email events (SENT, DELIVERED, OPEN, CLICK, BOUNCE, UNSUBSCRIBE …) per recipient.",
        (
            _c("id", VARCHAR), _c("type", VARCHAR), _c("created", TIMESTAMP), _c("recipient", VARCHAR),
            _c("email_campaign_id", BIGINT), _c("sent_by_id", VARCHAR, False), _c("url", VARCHAR, False),
            _SYNCED,
        ),
        ("id",), "_fivetran_synced",
        at_least_once=True,
    ),
    Table(
        "hubspot", "contact_form_submission", "Form submissions by contacts.",
        (
            _c("conversion_id", VARCHAR), _c("contact_id", BIGINT), _c("form_id", VARCHAR),
            _c("title", VARCHAR, False), _c("page_url", VARCHAR, False), _c("timestamp", TIMESTAMP), _SYNCED,
        ),
        ("conversion_id",), "_fivetran_synced",
    ),
    # ------------------------------------------------------------------ ad platforms
    Table(
        "google_ads", "account_history", "Google Ads accounts (customer) history, with account currency.",
        (
            _c("id", BIGINT), _c("updated_at", TIMESTAMP), _c("descriptive_name", VARCHAR, False),
            _c("currency_code", VARCHAR), _c("time_zone", VARCHAR, False), _SYNCED,
        ),
        ("id", "updated_at"), "_fivetran_synced",
    ),
    Table(
        "google_ads", "campaign_history", "Google Ads campaign versions.",
        (
            _c("id", BIGINT), _c("updated_at", TIMESTAMP), _c("customer_id", BIGINT), _c("name", VARCHAR),
            _c("status", VARCHAR, False), _c("advertising_channel_type", VARCHAR, False),
            _c("start_date", DATE, False), _c("end_date", DATE, False), _SYNCED,
        ),
        ("id", "updated_at"), "_fivetran_synced",
    ),
    Table(
        "google_ads", "campaign_stats", "Google Ads daily campaign stats, cost in micros of the account currency.",
        (
            _c("id", BIGINT), _c("date", DATE), _c("customer_id", BIGINT), _c("cost_micros", BIGINT),
            _c("impressions", BIGINT), _c("clicks", BIGINT), _c("conversions", DOUBLE, False),
            _c("conversions_value", DOUBLE, False), _SYNCED,
        ),
        ("id", "date"), "_fivetran_synced",
    ),
    Table(
        "linkedin_ads", "account_history", "LinkedIn Ads accounts history, with account currency.",
        (
            _c("id", BIGINT), _c("last_modified_time", TIMESTAMP), _c("name", VARCHAR, False),
            _c("currency", VARCHAR), _c("status", VARCHAR, False), _SYNCED,
        ),
        ("id", "last_modified_time"), "_fivetran_synced",
    ),
    Table(
        "linkedin_ads", "campaign_history", "LinkedIn Ads campaign versions.",
        (
            _c("id", BIGINT), _c("last_modified_time", TIMESTAMP), _c("account_id", BIGINT), _c("name", VARCHAR),
            _c("status", VARCHAR, False), _c("type", VARCHAR, False), _c("cost_type", VARCHAR, False),
            _c("created_time", TIMESTAMP, False), _SYNCED,
        ),
        ("id", "last_modified_time"), "_fivetran_synced",
    ),
    Table(
        "linkedin_ads", "ad_analytics_by_campaign", "LinkedIn Ads daily campaign analytics, cost in the account currency.",
        (
            _c("campaign_id", BIGINT), _c("day", DATE), _c("cost_in_local_currency", DOUBLE),
            _c("impressions", BIGINT), _c("clicks", BIGINT), _c("external_website_conversions", BIGINT, False),
            _SYNCED,
        ),
        ("campaign_id", "day"), "_fivetran_synced",
    ),
    Table(
        "facebook_ads", "account_history", "Meta (Facebook) Ads accounts history, with account currency.",
        (
            _c("id", BIGINT), _c("_fivetran_id", VARCHAR, False), _c("name", VARCHAR, False),
            _c("currency", VARCHAR), _c("account_status", VARCHAR, False), _c("updated_time", TIMESTAMP), _SYNCED,
        ),
        ("id", "updated_time"), "_fivetran_synced",
    ),
    Table(
        "facebook_ads", "campaign_history", "Meta Ads campaign versions.",
        (
            _c("id", BIGINT), _c("updated_time", TIMESTAMP), _c("account_id", BIGINT), _c("name", VARCHAR),
            _c("status", VARCHAR, False), _c("objective", VARCHAR, False), _c("start_time", TIMESTAMP, False),
            _c("stop_time", TIMESTAMP, False), _SYNCED,
        ),
        ("id", "updated_time"), "_fivetran_synced",
    ),
    Table(
        "facebook_ads", "basic_campaign", "Meta Ads daily campaign report (prebuilt BASIC_CAMPAIGN), spend in the account currency.",
        (
            _c("campaign_id", BIGINT), _c("date", DATE), _c("account_id", BIGINT), _c("spend", DOUBLE),
            _c("impressions", BIGINT), _c("inline_link_clicks", BIGINT), _c("reach", BIGINT, False), _SYNCED,
        ),
        ("campaign_id", "date"), "_fivetran_synced",
    ),
    # --------------------------------------------------------------------- segment
    Table(
        "segment", "pages", "Segment page views (id is the message id).",
        (
            _c("id", VARCHAR), _c("anonymous_id", VARCHAR), _c("user_id", VARCHAR, False),
            _c("timestamp", TIMESTAMP), _c("received_at", TIMESTAMP), _c("url", VARCHAR), _c("path", VARCHAR, False),
            _c("title", VARCHAR, False), _c("referrer", VARCHAR, False),
            _c("context_campaign_source", VARCHAR, False), _c("context_campaign_medium", VARCHAR, False),
            _c("context_campaign_name", VARCHAR, False), _c("context_campaign_content", VARCHAR, False),
            _c("context_campaign_term", VARCHAR, False), _c("context_user_agent", VARCHAR, False),
            _c("context_ip", VARCHAR, False), _c("uuid_ts", TIMESTAMP),
        ),
        ("id",), "uuid_ts",
        at_least_once=True,
    ),
    Table(
        "segment", "tracks", "Segment track events (form submitted, demo requested, signed up …).",
        (
            _c("id", VARCHAR), _c("anonymous_id", VARCHAR), _c("user_id", VARCHAR, False), _c("event", VARCHAR),
            _c("event_text", VARCHAR, False), _c("timestamp", TIMESTAMP), _c("received_at", TIMESTAMP),
            _c("context_page_url", VARCHAR, False), _c("context_page_path", VARCHAR, False),
            _c("context_user_agent", VARCHAR, False), _c("uuid_ts", TIMESTAMP),
        ),
        ("id",), "uuid_ts",
        at_least_once=True,
    ),
    Table(
        "segment", "identifies", "Segment identify calls: anonymous id ↔ user id, with email traits.",
        (
            _c("id", VARCHAR), _c("anonymous_id", VARCHAR, False), _c("user_id", VARCHAR, False),
            _c("email", VARCHAR, False), _c("first_name", VARCHAR, False), _c("last_name", VARCHAR, False),
            _c("company", VARCHAR, False), _c("timestamp", TIMESTAMP), _c("received_at", TIMESTAMP),
            _c("context_user_agent", VARCHAR, False), _c("uuid_ts", TIMESTAMP),
        ),
        ("id",), "uuid_ts",
        at_least_once=True,
    ),
    # ---------------------------------------------------------------------- stripe
    Table(
        "stripe", "customer", "Billing customers (metadata holds the CRM account id when sales set it).",
        (
            _c("id", VARCHAR), _c("email", VARCHAR, False), _c("name", VARCHAR, False),
            _c("description", VARCHAR, False), _c("currency", VARCHAR, False), _c("metadata", VARCHAR, False),
            _c("created", TIMESTAMP), _c("delinquent", BOOLEAN, False), *_fivetran(),
        ),
        ("id",), "_fivetran_synced", "is_deleted",
    ),
    Table(
        "stripe", "price", "Prices (plan × billing interval × currency).",
        (
            _c("id", VARCHAR), _c("product_id", VARCHAR, False), _c("nickname", VARCHAR, False),
            _c("currency", VARCHAR), _c("unit_amount", BIGINT), _c("recurring_interval", VARCHAR),
            _c("recurring_interval_count", BIGINT, False), _c("active", BOOLEAN, False), _c("created", TIMESTAMP),
            *_fivetran(),
        ),
        ("id",), "_fivetran_synced", "is_deleted",
    ),
    Table(
        "stripe", "subscription_history",
        "Subscription versions (type 2: _fivetran_start/_fivetran_end): a new version on every plan, quantity or status change.",
        (
            _c("id", VARCHAR), _c("_fivetran_start", TIMESTAMP), _c("_fivetran_end", TIMESTAMP, False),
            _c("_fivetran_active", BOOLEAN), _c("customer_id", VARCHAR), _c("status", VARCHAR),
            _c("plan_id", VARCHAR, False), _c("quantity", BIGINT, False), _c("start_date", TIMESTAMP),
            _c("current_period_start", TIMESTAMP, False), _c("current_period_end", TIMESTAMP, False),
            _c("cancel_at_period_end", BOOLEAN, False), _c("canceled_at", TIMESTAMP, False),
            _c("ended_at", TIMESTAMP, False), _c("created", TIMESTAMP), _c("metadata", VARCHAR, False), _SYNCED,
        ),
        ("id", "_fivetran_start"), "_fivetran_synced",
    ),
    Table(
        "stripe", "subscription_item", "Items of subscriptions (current price and quantity).",
        (
            _c("id", VARCHAR), _c("subscription_id", VARCHAR), _c("price_id", VARCHAR),
            _c("quantity", BIGINT), _c("created", TIMESTAMP), *_fivetran(),
        ),
        ("id",), "_fivetran_synced", "is_deleted",
    ),
    Table(
        "stripe", "invoice", "Invoices (one per billing period of a subscription).",
        (
            _c("id", VARCHAR), _c("customer_id", VARCHAR), _c("subscription_id", VARCHAR, False),
            _c("number", VARCHAR, False), _c("status", VARCHAR), _c("currency", VARCHAR), _c("subtotal", BIGINT),
            _c("total", BIGINT), _c("amount_paid", BIGINT, False), _c("period_start", TIMESTAMP, False),
            _c("period_end", TIMESTAMP, False), _c("created", TIMESTAMP), _c("due_date", TIMESTAMP, False),
            *_fivetran(),
        ),
        ("id",), "_fivetran_synced", "is_deleted",
    ),
    Table(
        "stripe", "invoice_line_item", "Lines of invoices (amounts in minor units of the invoice currency).",
        (
            _c("id", VARCHAR), _c("invoice_id", VARCHAR), _c("subscription_id", VARCHAR, False),
            _c("price_id", VARCHAR, False), _c("description", VARCHAR, False), _c("amount", BIGINT),
            _c("currency", VARCHAR), _c("quantity", BIGINT, False), _c("period_start", TIMESTAMP, False),
            _c("period_end", TIMESTAMP, False), _c("proration", BOOLEAN, False), _SYNCED,
        ),
        ("id",), "_fivetran_synced",
    ),
    # ------------------------------------------------------------------- sales_ops
    Table(
        "sales_ops", "quota", "Sales quotas per rep and fiscal quarter (a synced spreadsheet).",
        (
            _c("_row", BIGINT), _c("rep_id", VARCHAR), _c("fiscal_year", BIGINT), _c("fiscal_quarter", BIGINT),
            _c("quota_amount", DOUBLE), _c("currency_code", VARCHAR), _SYNCED,
        ),
        ("_row",), "_fivetran_synced",
    ),
    Table(
        "sales_ops", "gtm_cost", "Monthly non-media go-to-market costs per team and category (a synced spreadsheet).",
        (
            _c("_row", BIGINT), _c("month", DATE), _c("team", VARCHAR), _c("category", VARCHAR),
            _c("amount", DOUBLE), _c("currency_code", VARCHAR), _SYNCED,
        ),
        ("_row",), "_fivetran_synced",
    ),
    # --------------------------------------------------------------------- finance
    Table(
        "finance", "fx_rate", "Daily FX rates: 1 unit of from_currency in to_currency.",
        (
            _c("rate_date", DATE), _c("from_currency", VARCHAR), _c("to_currency", VARCHAR),
            _c("rate", DOUBLE), _SYNCED,
        ),
        ("rate_date", "from_currency", "to_currency"), "_fivetran_synced",
    ),
)

SOURCES: tuple[str, ...] = tuple(dict.fromkeys(t.source for t in TABLES))
TABLES_BY_FQN: dict[str, Table] = {t.fqn: t for t in TABLES}
# Only the CRM is mandatory; every other source can be switched off with a dbt var.
REQUIRED_SOURCES: tuple[str, ...] = ("salesforce",)


def table(fqn: str) -> Table:
    try:
        return TABLES_BY_FQN[fqn]
    except KeyError:
        raise KeyError(f"unknown raw table {fqn!r}; known: {', '.join(sorted(TABLES_BY_FQN))}") from None


def tables_of(source: str) -> list[Table]:
    return [t for t in TABLES if t.source == source]
