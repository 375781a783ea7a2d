"""Web tracking: visits (sessions) of known people and anonymous visitors, expanded to Segment page views.

Sessions are planned in NumPy (who, when, which channel and campaign, landing page, how
many pages, the gap between pages); DuckDB expands them to page views and formats every
string, chunk by chunk, straight into Parquet part files. Randomness inside SQL comes
from ``hash()`` of the session id, the page ordinal and the seed, so it is deterministic.

Sessions of one device are at least 31 minutes apart and pages within a session less than
30 minutes apart, so the generator's sessions are exactly what a 30-minute inactivity
rule recovers (truth/web_sessions).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace as NS

import duckdb
import numpy as np
import pyarrow as pa

from gtm.generate import vocab as V
from gtm.generate.core import DAY, HOUR, MINUTE, Ctx, categorical, segment_sizes
from gtm.generate.crm import NEVER
from gtm.generate.marketing import assign_ad_campaign

# referrer vocabulary (index = ref code); -1 = none
REFERRERS = (
    V.ORGANIC_SEARCH_REFERRERS
    + V.ORGANIC_SOCIAL_REFERRERS
    + V.REFERRAL_REFERRERS
    + tuple(f"https://www.{p}.com/" for p in V.PARTNERS)
    + tuple(V.PAID_REFERRER[p] for p in V.AD_PLATFORMS)
)
_REF_OFFSET = {
    "organic_search": 0,
    "organic_social": len(V.ORGANIC_SEARCH_REFERRERS),
    "referral": len(V.ORGANIC_SEARCH_REFERRERS) + len(V.ORGANIC_SOCIAL_REFERRERS),
}
_PARTNER_REF = len(V.ORGANIC_SEARCH_REFERRERS) + len(V.ORGANIC_SOCIAL_REFERRERS) + len(V.REFERRAL_REFERRERS)
_PAID_REF = _PARTNER_REF + len(V.PARTNERS)

SESSION_FIELDS = (
    "session_id",
    "visitor",
    "person",
    "start",
    "n_pages",
    "gap",
    "channel",
    "platform",
    "ad_campaign",
    "email_campaign",
    "partner",
    "ref",
    "landing",
    "bot",
)


def _sessions(**kw) -> NS:
    n = len(kw["start"])
    defaults = dict(person=-1, platform=-1, ad_campaign=-1, email_campaign=-1, partner=-1, ref=-1, bot=0)
    out = {}
    for f in SESSION_FIELDS:
        if f == "session_id":
            continue
        v = kw.get(f, defaults.get(f))
        out[f] = np.full(n, v, dtype=np.int64) if np.isscalar(v) else np.asarray(v, dtype=np.int64)
    return NS(**out)


def plan_shape(rng: np.random.Generator, channel: np.ndarray, first_visit: np.ndarray) -> tuple[np.ndarray, ...]:
    """Landing page, page count and page gap per session, by channel."""
    n = len(channel)
    blog = np.asarray([V.PAGE_INDEX[p] for p in V.BLOG_SLUGS])
    landing = blog[rng.integers(0, len(blog), n)]  # organic: content
    paid = (channel == V.CH["paid_search"]) | (channel == V.CH["paid_social"])
    paid_landing = np.asarray([V.PAGE_INDEX[p] for p in ("/product", "/demo", "/pricing", "/")])
    landing = np.where(paid, paid_landing[categorical(rng, (45, 20, 15, 20), n)], landing)
    home_or_docs = np.where(rng.random(n) < 0.7, V.PAGE_INDEX["/"], V.PAGE_INDEX["/docs/getting-started"])
    landing = np.where(channel == V.CH["direct"], home_or_docs, landing)
    landing = np.where(channel == V.CH["partner"], V.PAGE_INDEX["/integrations"], landing)
    landing = np.where((channel == V.CH["referral"]) & (rng.random(n) < 0.5), V.PAGE_INDEX["/"], landing)
    bounce_p = np.where(paid, 0.5, np.where(first_visit, 0.45, 0.35))
    n_pages = np.where(rng.random(n) < bounce_p, 1, 2 + rng.geometric(0.3, n) - 1)
    n_pages = np.minimum(n_pages, 30)
    gap = np.clip(rng.lognormal(np.log(55), 0.8, n), 5, 15 * 60).astype(np.int64)
    return landing, n_pages, gap


def _referrer(rng, channel: np.ndarray, platform: np.ndarray, partner: np.ndarray) -> np.ndarray:
    n = len(channel)
    ref = np.full(n, -1)
    for name, off in _REF_OFFSET.items():
        size = {"organic_search": 3, "organic_social": 3, "referral": len(V.REFERRAL_REFERRERS)}[name]
        ref = np.where(channel == V.CH[name], off + rng.integers(0, size, n), ref)
    ref = np.where(channel == V.CH["partner"], _PARTNER_REF + partner, ref)
    ref = np.where(platform >= 0, _PAID_REF + platform, ref)
    return ref


def _channel_details(rng, ads: NS, channel: np.ndarray, platform: np.ndarray, start: np.ndarray):
    """Paid platform and ad campaign for paid sessions, partner for partner sessions."""
    n = len(channel)
    need_platform = (channel == V.CH["paid_search"]) & (platform < 0)
    platform = np.where(need_platform, 0, platform)
    need_social = (channel == V.CH["paid_social"]) & (platform < 0)
    platform = np.where(need_social, 1 + (rng.random(n) < 0.45), platform)
    platform = np.where((channel == V.CH["paid_search"]) | (channel == V.CH["paid_social"]), platform, -1)
    ad_campaign = assign_ad_campaign(rng, ads, platform, start)
    partner = np.where(channel == V.CH["partner"], rng.integers(0, len(V.PARTNERS), n), -1)
    return platform, ad_campaign, partner


# ----------------------------------------------------------------------------- known people


def person_sessions(ctx: Ctx, people: NS, life: NS, email: NS, ads: NS) -> tuple[NS, NS]:
    """Sessions of known people on their devices, and the device table (identification times)."""
    rng = ctx.rng("person_sessions")
    dev_parent, dev_ord = segment_sizes(people.n_devices)
    dev_offset = np.cumsum(people.n_devices) - people.n_devices
    inbound = people.motion == 0

    # 1. pre-identification visits of inbound people: the first one is the first touch
    pre_n = np.where(inbound, life.pre_sessions, 0)
    pp, pord = segment_sizes(pre_n)
    span = np.maximum(life.identify[pp] - life.first_touch[pp] - 5 * MINUTE, 0)
    frac = np.where(pre_n[pp] > 1, pord / np.maximum(pre_n[pp] - 1, 1), 0.0)
    pre_start = life.first_touch[pp] + (frac * span).astype(np.int64)
    mix = categorical(rng, (40, 25, 35), len(pp))  # direct, organic search, same channel again
    pre_channel = np.select(
        [pord == 0, mix == 0, mix == 1],
        [people.channel[pp], V.CH["direct"], V.CH["organic_search"]],
        people.channel[pp],
    )
    pre_platform = np.where(pre_channel == people.channel[pp], people.paid_platform[pp], -1)
    other_dev = (people.n_devices[pp] > 1) & (pord > 0) & (pord < pre_n[pp] - 1) & (rng.random(len(pp)) < 0.25)
    extra = 1 + rng.integers(0, 1 << 30, len(pp)) % np.maximum(people.n_devices[pp] - 1, 1)
    pre_dev = dev_offset[pp] + np.where(other_dev, extra, 0)
    # 2. later visits of everybody known (returning prospects, customers), after lead creation
    known = life.lead_created < ctx.t1
    post_n = np.where(known, rng.poisson(0.8 + 7 * people.engagement), 0)
    qp, qord = segment_sizes(post_n)
    gaps = (rng.exponential(12, len(qp)) * DAY).astype(np.int64) + HOUR
    starts_idx = np.cumsum(post_n) - post_n
    cs = np.cumsum(gaps)
    first = np.repeat(starts_idx, post_n)
    post_start = life.lead_created[qp] + HOUR + cs - (cs[first] - gaps[first])
    post_channel = np.asarray(
        [V.CH[c] for c in ("direct", "organic_search", "paid_search", "paid_social", "referral", "organic_social")]
    )[categorical(rng, (38, 26, 12, 9, 8, 7), len(qp))]
    post_dev = dev_offset[qp] + rng.integers(0, 1 << 30, len(qp)) % people.n_devices[qp]
    # 3. email clicks start a session on one of the person's devices
    ev = email.events
    clicks = ev.type == 3
    cp = ev.person[clicks]
    click_dev = dev_offset[cp] + rng.integers(0, 1 << 30, len(cp)) % people.n_devices[cp]

    person = np.concatenate([pp, qp, cp])
    start = np.concatenate([pre_start, post_start, ev.time[clicks] + rng.integers(2, 40, len(cp))])
    channel = np.concatenate([pre_channel, post_channel, np.full(len(cp), V.CH["email"])])
    platform = np.concatenate([pre_platform, np.full(len(qp), -1), np.full(len(cp), -1)])
    device = np.concatenate([pre_dev, post_dev, click_dev])
    email_campaign = np.concatenate([np.full(len(pp) + len(qp), -1), ev.campaign[clicks]])
    first_visit = np.concatenate([pord == 0, np.zeros(len(qp) + len(cp), bool)])
    keep = start < ctx.t1 - HOUR
    person, start, channel, platform, device, email_campaign, first_visit = (
        a[keep] for a in (person, start, channel, platform, device, email_campaign, first_visit)
    )
    platform, ad_campaign, partner = _channel_details(rng, ads, channel, platform, start)
    landing, n_pages, gap = plan_shape(rng, channel, first_visit)
    sessions = _sessions(
        visitor=device,
        person=person,
        start=start,
        n_pages=n_pages,
        gap=gap,
        channel=channel,
        platform=platform,
        ad_campaign=ad_campaign,
        email_campaign=email_campaign,
        partner=partner,
        ref=_referrer(rng, channel, platform, partner),
        landing=landing,
    )
    sessions = separate(sessions, ctx.t1)

    # devices: identification time (identify call) and whether it ever happens
    identified = np.full(len(dev_parent), NEVER, dtype=np.int64)
    first_dev_session = np.full(len(dev_parent), NEVER, dtype=np.int64)
    np.minimum.at(first_dev_session, sessions.visitor, sessions.start)
    inbound_dev0 = inbound[dev_parent] & (dev_ord == 0)
    identified = np.where(inbound_dev0, life.identify[dev_parent], identified)
    # other devices (and the web devices of event/outbound people) identify at their first visit after lead
    # creation with some probability: a login, a form, an email link
    after = np.full(len(dev_parent), NEVER, dtype=np.int64)
    s_after = sessions.start >= life.lead_created[sessions.person]
    np.minimum.at(after, sessions.visitor[s_after], sessions.start[s_after] + 30)
    maybe = ~inbound_dev0 & (after < ctx.t1) & (rng.random(len(dev_parent)) < 0.65)
    identified = np.where(maybe, after, identified)
    devices = NS(
        person=dev_parent,
        ordinal=dev_ord,
        identified=identified,
        first_session=first_dev_session,
        ua=rng.integers(0, len(V.USER_AGENTS), len(dev_parent)),
        ip=_not_office(rng.integers(1 << 24, 223 << 24, len(dev_parent))),
    )
    return sessions, devices


def _not_office(ip):
    return np.where((ip >> 16) == (10 << 8) + 20, ip + (1 << 24), ip)


def separate(s: NS, t1: int) -> NS:
    """Sort by device and time; push a session that starts within 31 minutes of the previous one's end."""
    order = np.lexsort((s.start, s.visitor))
    s = NS(**{k: v[order] for k, v in vars(s).items()})
    max_len = (s.n_pages - 1) * (s.gap * 14 // 10) + 1
    for _ in range(50):
        same = np.r_[False, s.visitor[1:] == s.visitor[:-1]]
        prev_end = np.r_[0, s.start[:-1] + max_len[:-1]]
        clash = same & (s.start < prev_end + 31 * MINUTE)
        if not clash.any():
            break
        s.start = np.where(clash, prev_end + 31 * MINUTE + 1, s.start)
    keep = s.start < t1 - HOUR
    return NS(**{k: v[keep] for k, v in vars(s).items()})


# ----------------------------------------------------------------------------- anonymous visitors


def anonymous_sessions(ctx: Ctx, ads: NS, lo: int, hi: int, visitor_offset: int) -> tuple[NS, NS]:
    """Sessions of anonymous visitors lo..hi (a chunk), and their device rows."""
    rng = ctx.rng(f"anonymous:{lo}")
    n = hi - lo
    first = ctx.t0 + (np.sqrt(rng.random(n)) * (ctx.t1 - ctx.t0 - DAY)).astype(np.int64)
    first = first - first % DAY + (np.clip(rng.normal(14.5, 3.6, n), 0, 23.9) * HOUR).astype(np.int64)
    n_sess = np.minimum(1 + rng.geometric(0.55, n) - 1, 25)
    par, ordn = segment_sizes(n_sess)
    gaps = np.where(ordn == 0, 0, (rng.exponential(9, len(par)) * DAY).astype(np.int64) + HOUR)
    cs = np.cumsum(gaps)
    starts_idx = np.cumsum(n_sess) - n_sess
    start = first[par] + cs - np.repeat(cs[starts_idx], n_sess)
    chans = ("paid_search", "paid_social", "organic_search", "organic_social", "referral", "direct", "partner")
    channel = np.asarray([V.CH[c] for c in chans])[categorical(rng, (17, 17, 30, 8, 7, 19, 2), len(par))]
    platform, ad_campaign, partner = _channel_details(rng, ads, channel, np.full(len(par), -1), start)
    landing, n_pages, gap = plan_shape(rng, channel, ordn == 0)
    sessions = _sessions(
        visitor=visitor_offset + par,
        start=start,
        n_pages=n_pages,
        gap=gap,
        channel=channel,
        platform=platform,
        ad_campaign=ad_campaign,
        partner=partner,
        ref=_referrer(rng, channel, platform, partner),
        landing=landing,
    )
    sessions = separate(sessions, ctx.t1)
    devices = NS(ua=rng.integers(0, len(V.USER_AGENTS), n), ip=_not_office(rng.integers(1 << 24, 223 << 24, n)))
    return sessions, devices


# ----------------------------------------------------------------------------- SQL expansion


def _sql_list(values) -> str:
    def lit(v):
        if v is None:
            return "NULL"
        if isinstance(v, str):
            return "'" + v.replace("'", "''") + "'"
        return str(int(v))

    return "[" + ", ".join(lit(v) for v in values) + "]"


def slug(name: str) -> str:
    """How campaign names appear in utm_campaign: lower case, ' - ' -> '_', spaces -> '-'."""
    return name.lower().replace(" - ", "_").replace(" ", "-")


class PageWriter:
    """Expands session chunks into segment.pages (+ CTA tracks) part files with DuckDB."""

    def __init__(
        self, ctx: Ctx, ads: NS, email: NS, pages_dir: Path, tracks_dir: Path, truth_dir: Path, faults_dir: Path
    ):
        self.ctx = ctx
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone='UTC'")
        self.con.execute("SET preserve_insertion_order=true")
        self.con.execute("SET enable_progress_bar=false")
        self.con.execute("SET memory_limit='3GB'")  # a chunk's page rows; spills beyond
        self.pages_dir, self.tracks_dir, self.truth_dir = pages_dir, tracks_dir, truth_dir
        self.faults_dir = faults_dir
        for d in (pages_dir, tracks_dir, truth_dir, faults_dir):
            d.mkdir(parents=True, exist_ok=True)
        self.part = 0
        self.rows_pages = 0
        self.rows_tracks = 0
        self.landed = np.zeros((ads.n, ctx.days), dtype=np.int64)
        weights = np.asarray([p[2] for p in V.PAGES])
        slots = np.repeat(np.arange(len(V.PAGES)), np.round(weights / weights.sum() * 1000).astype(int))
        self.pick = _sql_list(slots.tolist())
        self.paths = _sql_list([p[0] for p in V.PAGES])
        self.titles = _sql_list([p[1] for p in V.PAGES])
        self.refs = _sql_list(REFERRERS)
        self.ad_names = _sql_list([slug(n) for n in ads.name])
        self.email_names = _sql_list(
            [
                slug(f"{V.EMAIL_CAMPAIGN_KINDS[k]} - {np.datetime64(int(t // DAY), 'D')}")
                for k, t in zip(email.kind, email.send_times, strict=True)
            ]
        )
        self.uas = _sql_list(V.USER_AGENTS + V.BOT_USER_AGENTS)
        self.partners = _sql_list(V.PARTNERS)
        self.terms = _sql_list(V.SEARCH_TERMS)
        self.channels = _sql_list(V.CHANNELS)

    def write(self, sessions: NS, visitors: pa.Table, first_session_id: int, dirty_rate: float) -> int:
        """Write one chunk; ``visitors`` has visitor, anonymous_id, user_id, identified_from, ua, ip, person_key."""
        n = len(sessions.start)
        if n == 0:
            return 0
        paid = sessions.ad_campaign >= 0
        day = (sessions.start[paid] - self.ctx.t0) // DAY
        np.add.at(self.landed, (sessions.ad_campaign[paid], day), 1)
        arrow = pa.table({k: getattr(sessions, k) for k in SESSION_FIELDS if k != "session_id"})
        arrow = arrow.append_column("session_id", pa.array(first_session_id + np.arange(n), pa.int64()))
        con = self.con
        con.register("sessions_in", arrow)
        con.register("visitors_in", visitors)
        seed = self.ctx.seed
        part = f"part-{self.part:05d}.parquet"
        site = V.SITE
        expanded_sql = f"""
            with s as (
                select s.*, v.anonymous_id, v.user_id, v.identified_from, v.ua, v.ip, v.person_key
                from sessions_in as s join visitors_in as v on s.visitor = v.visitor
            ),
            p as (select *, unnest(range(n_pages)) as k from s),
            h as (
                select *,
                    hash(session_id, k, {seed}) as h1,
                    hash(session_id, k - 1, {seed}) as h0
                from p
            )
            select
                'ajs-' || lower(to_hex(h1)) as id,
                anonymous_id,
                case when start + k * gap + case when k > 0 then ((h1 >> 20) % (gap * 8 // 10 + 1))::bigint
                     - gap * 4 // 10 else 0 end >= identified_from then user_id end as user_id,
                make_timestamp(
                    (start + k * gap + case when k > 0 then ((h1 >> 20) % (gap * 8 // 10 + 1))::bigint - gap * 4 // 10
                     else 0 end) * 1000000 + (h1 % 1000)::bigint * 1000
                ) as ts,
                case when k = 0 then landing else list_extract({self.pick}, (h1 % 1000)::int + 1) end as page,
                case when k = 1 then landing
                     when k > 1 then list_extract({self.pick}, (h0 % 1000)::int + 1) end as prev_page,
                k, session_id, channel, platform, ad_campaign, email_campaign, partner, ref, ua, ip, bot,
                person_key, h1
            from h
        """
        utm_source = f"""case when platform >= 0 then list_extract(['google', 'linkedin', 'facebook'], platform + 1)
                              when email_campaign >= 0 then 'hubspot'
                              when partner >= 0 then list_extract({self.partners}, partner + 1) end"""
        utm_medium = """case when platform = 0 then 'cpc' when platform > 0 then 'paid_social'
                             when email_campaign >= 0 then 'email' when partner >= 0 then 'partner' end"""
        utm_name = f"""case when ad_campaign >= 0 then list_extract({self.ad_names}, ad_campaign + 1)
                            when email_campaign >= 0 then list_extract({self.email_names}, email_campaign + 1)
                            when partner >= 0 then 'partner-referral' end"""
        utm_content = "case when ad_campaign >= 0 then 'ad-' || (session_id % 4 + 1)::varchar end"
        utm_term = f"case when platform = 0 then list_extract({self.terms}, (session_id % 8)::int + 1) end"
        con.execute(f"""
            create or replace temp table page_rows as
            with expanded as ({expanded_sql})
            select
                id, anonymous_id, user_id, ts as "timestamp",
                ts + to_milliseconds(((h1 >> 40) % 2500)::bigint) as received_at,
                '{site}' || list_extract({self.paths}, page + 1)
                    || case when k = 0 and {utm_source} is not null then
                        '?utm_source=' || {utm_source} || '&utm_medium=' || {utm_medium}
                        || '&utm_campaign=' || {utm_name}
                        || coalesce('&utm_content=' || {utm_content}, '')
                        || coalesce('&utm_term=' || replace({utm_term}, ' ', '+'), '')
                       else '' end as url,
                list_extract({self.paths}, page + 1) as path,
                list_extract({self.titles}, page + 1) as title,
                case when k = 0 then list_extract({self.refs}, ref + 1)
                     else '{site}' || list_extract({self.paths}, prev_page + 1) end as referrer,
                case when k = 0 then {utm_source} end as context_campaign_source,
                case when k = 0 then {utm_medium} end as context_campaign_medium,
                case when k = 0 then {utm_name} end as context_campaign_name,
                case when k = 0 then {utm_content} end as context_campaign_content,
                case when k = 0 then {utm_term} end as context_campaign_term,
                list_extract({self.uas}, ua + 1) as context_user_agent,
                ip as context_ip,
                date_trunc('hour', ts + to_milliseconds(((h1 >> 40) % 2500)::bigint)) + interval 1 hour as uuid_ts,
                bot, h1, session_id, channel, person_key
            from expanded
        """)
        cols = (
            'id, anonymous_id, user_id, "timestamp", received_at, url, path, title, referrer, '
            "context_campaign_source, context_campaign_medium, context_campaign_name, context_campaign_content, "
            "context_campaign_term, context_user_agent, context_ip, uuid_ts"
        )
        # duplicate deliveries of the same message (dirty data): a later uuid_ts, everything else equal
        dup_cut = int(dirty_rate * 0.2 * 2**32)
        pages = con.execute(f"""
            copy (
                select {cols} from page_rows
                union all
                select {cols.replace("uuid_ts", "uuid_ts + interval 1 day as uuid_ts")} from page_rows
                where bot = 0 and (h1 >> 8) % 4294967296 < {dup_cut}
            ) to '{self.pages_dir / part}' (format parquet, compression snappy)
        """).fetchone()[0]
        con.execute(f"""
            copy (
                select id as row_key, 'duplicate_event' as fault from page_rows
                where bot = 0 and (h1 >> 8) % 4294967296 < {dup_cut}
                union all select id, case when bot = 1 then 'bot_traffic' else 'internal_traffic' end
                from page_rows where bot > 0
            ) to '{self.faults_dir / part}' (format parquet)
        """)
        # CTA clicks: 3% of human page views also send a track event
        tracks = con.execute(f"""
            copy (
                select 'ajs-' || lower(to_hex(hash(h1, 7))) as id, anonymous_id, user_id,
                       'cta_clicked' as event, 'CTA Clicked' as event_text,
                       "timestamp" + interval 4 second as "timestamp", received_at + interval 4 second as received_at,
                       url as context_page_url, path as context_page_path, context_user_agent,
                       uuid_ts as uuid_ts
                from page_rows where bot = 0 and h1 % 100 < 3 and path <> '/demo'
            ) to '{self.tracks_dir / part}' (format parquet, compression snappy)
        """).fetchone()[0]
        # truth: one row per session (humans only)
        con.execute(f"""
            copy (
                select session_id, any_value(anonymous_id) as anonymous_id, any_value(person_key) as person_id,
                       min("timestamp") as started_at, max("timestamp") as ended_at,
                       list_extract({self.channels}, any_value(channel) + 1) as channel,
                       count(*) as pageviews
                from page_rows where bot = 0 group by session_id order by session_id
            ) to '{self.truth_dir / ("sessions-" + part)}' (format parquet)
        """)
        con.execute("drop table page_rows")
        con.unregister("sessions_in")
        con.unregister("visitors_in")
        self.part += 1
        self.rows_pages += pages
        self.rows_tracks += tracks
        return n
