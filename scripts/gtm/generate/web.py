"""Web tracking: visits (sessions) of known people and anonymous visitors, expanded to Segment page views.

Sessions are planned in NumPy (who, when, which channel and campaign, landing page, how
many pages, the gap between pages); :class:`PageWriter` expands them to page views, chunk
by chunk, in NumPy and writes Parquet part files with pyarrow, strings of few distinct values
as dictionary columns. Randomness per page view comes from a hash of the session id, the page
ordinal and the seed, so a chunk's files depend on nothing else (see ``generate.parallel``).

Sessions of one device are at least 31 minutes apart and pages within a session less than
30 minutes apart, so the generator's sessions are exactly what a 30-minute inactivity
rule recovers (truth/web_sessions).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace as NS

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gtm.generate import vocab as V
from gtm.generate.core import (
    DAY,
    HOUR,
    MINUTE,
    Ctx,
    bits,
    categorical,
    hex64,
    ip_strings,
    mix64,
    salt,
    segment_sizes,
    sort_order,
)
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
    """Sort by device and time; push a session that starts within 31 minutes of the previous one's end.

    Each round pushes every clashing session at once (from the previous round's starts); only sessions whose
    predecessor moved in a round can clash in the next, so later rounds look at those alone."""
    dv = np.diff(s.visitor)
    if not ((dv > 0) | ((dv == 0) & (np.diff(s.start) >= 0))).all():
        order = sort_order(s.visitor, s.start)
        s = NS(**{k: v[order] for k, v in vars(s).items()})
    n = len(s.start)
    max_len = (s.n_pages - 1) * (s.gap * 14 // 10) + 1
    start = s.start.copy()
    same = np.r_[False, s.visitor[1:] == s.visitor[:-1]]
    candidates = np.flatnonzero(same)
    for _ in range(50):
        prev_end = start[candidates - 1] + max_len[candidates - 1]
        clash = start[candidates] < prev_end + 31 * MINUTE
        if not clash.any():
            break
        moved = candidates[clash]
        start[moved] = prev_end[clash] + 31 * MINUTE + 1
        candidates = moved[moved + 1 < n] + 1
        candidates = candidates[same[candidates]]
    s.start = start
    keep = start < t1 - HOUR
    if keep.all():
        return s
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


# ----------------------------------------------------------------------------- expansion to page views


def slug(name: str) -> str:
    """How campaign names appear in utm_campaign: lower case, ' - ' -> '_', spaces -> '-'."""
    return name.lower().replace(" - ", "_").replace(" ", "-")


def vocabulary(values) -> tuple[pa.Array, np.ndarray]:
    """Distinct strings (a dictionary for Arrow dictionary arrays) and each value's position in it."""
    values = list(values)
    distinct = list(dict.fromkeys(values))
    where = {v: i for i, v in enumerate(distinct)}
    return pa.array(distinct, pa.string()), np.asarray([where[v] for v in values], dtype=np.int64)


def encoded(index: np.ndarray, dictionary: pa.Array, null: np.ndarray | None = None) -> pa.DictionaryArray:
    """Strings by position in ``dictionary`` (no string is copied per row); NULL where ``null`` (or index < 0)."""
    index = np.asarray(index)
    invalid = index < 0 if null is None else (null | (index < 0))
    validity = None
    if invalid.any():
        validity = pa.py_buffer(np.packbits(~invalid, bitorder="little"))
    idx = np.ascontiguousarray(index, dtype=np.int32)
    indices = pa.Array.from_buffers(pa.int32(), len(idx), [validity, pa.py_buffer(idx)])
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def _at(where: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """An int32 array of n zeros with ``values`` at positions ``where`` (-1 where values are negative)."""
    out = np.zeros(n, dtype=np.int32)
    out[where] = values
    return out


# columns of page and track part files written without a dictionary (every value is different)
PLAIN_COLUMNS = ("id", "timestamp", "received_at", "uuid_ts")
# columns that are never NULL (written as required: no definition levels to encode)
REQUIRED_COLUMNS = (
    "id", "anonymous_id", "timestamp", "received_at", "url", "path", "title", "event", "event_text",
    "context_page_url", "context_page_path", "context_user_agent", "context_ip", "uuid_ts",
)  # fmt: skip
US = 1_000_000


def write_encoded(table: pa.Table, path: Path, plain: tuple[str, ...] = ()) -> None:
    """Write a table whose string columns are dictionary arrays: the writer stores their dictionaries and indices
    as they are (no per-row hashing or string copies); readers see plain VARCHAR columns. Message ids (random hex,
    incompressible) are stored uncompressed, everything else with lz4, the cheapest codec that still pays off
    here; statistics only for the timestamps."""
    schema = pa.schema([f.with_nullable(f.name not in REQUIRED_COLUMNS) for f in table.schema])
    pq.write_table(
        pa.Table.from_arrays(table.columns, schema=schema),
        path,
        compression={c: "none" if c == "id" else "lz4" for c in table.column_names},
        row_group_size=max(table.num_rows, 1),
        use_dictionary=[c for c in table.column_names if c not in PLAIN_COLUMNS + plain],
        dictionary_pagesize_limit=1 << 30,
        write_statistics=[c for c in PLAIN_COLUMNS if c != "id"],
        store_schema=False,
    )


class PageWriter:
    """Expands session chunks into segment.pages (+ CTA tracks) part files, vectorised in NumPy and Arrow.

    Randomness per page view comes from a 64-bit hash of (session id, page ordinal) salted with the seed, so a
    chunk's output depends only on its sessions, visitors and first session id, not on which process writes it.
    The hash is a bijection, so message ids (its hex digits) are unique. Strings of few distinct values (pages,
    referrers, UTM parameters, user agents) and per-visitor strings (anonymous id, IP, user id) are written as
    dictionary-encoded columns: only ids and timestamps are materialised per row.
    """

    def __init__(
        self, ctx: Ctx, ads: NS, email_names: list[str], pages_dir: Path, tracks_dir: Path, truth_dir: Path,
        faults_dir: Path,
    ):  # fmt: skip
        self.ctx = ctx
        self.pages_dir, self.tracks_dir, self.truth_dir = pages_dir, tracks_dir, truth_dir
        self.faults_dir = faults_dir
        for d in (pages_dir, tracks_dir, truth_dir, faults_dir):
            d.mkdir(parents=True, exist_ok=True)
        self.rows_pages = 0
        self.rows_tracks = 0
        self.landed = np.zeros((ads.n, ctx.days), dtype=np.int64)
        self.salt = salt(ctx.seed, "pages")
        weights = np.asarray([p[2] for p in V.PAGES])
        self.slots = np.repeat(np.arange(len(V.PAGES)), np.round(weights / weights.sum() * 1000).astype(int))
        n_pages = len(V.PAGES)
        site_paths = [V.SITE + p[0] for p in V.PAGES]
        self.n_pages = n_pages
        self.paths = pa.array([p[0] for p in V.PAGES], pa.string())
        self.titles = pa.array([p[1] for p in V.PAGES], pa.string())
        self.site_paths = pa.array(site_paths, pa.string())
        self.demo = V.PAGE_INDEX["/demo"]
        # referrer: the referring site of a landing page view, the previous page of the session otherwise
        self.referrers, ref_code = vocabulary(list(REFERRERS) + site_paths)
        self.ref_code = ref_code[: len(REFERRERS)]
        self.prev_code = ref_code[len(REFERRERS) :]
        # UTM parameters (landing page views of paid, email and partner sessions)
        self.sources, self.source_code = vocabulary(["google", "linkedin", "facebook", "hubspot", *V.PARTNERS])
        self.mediums, self.medium_code = vocabulary(["cpc", "paid_social", "email", "partner"])
        self.n_ads = ads.n
        self.names, self.name_code = vocabulary(
            [slug(n) for n in ads.name] + [slug(n) for n in email_names] + ["partner-referral"]
        )
        self.contents, _ = vocabulary([f"ad-{i}" for i in range(1, 5)])
        self.terms, self.term_code = vocabulary(V.SEARCH_TERMS)
        self.url_terms = pa.array([t.replace(" ", "+") for t in V.SEARCH_TERMS], pa.string())
        self.uas = pa.array(V.USER_AGENTS + V.BOT_USER_AGENTS, pa.string())
        self.channels = pa.array(V.CHANNELS, pa.string())
        self.events = pa.array(["cta_clicked"], pa.string())
        self.event_texts = pa.array(["CTA Clicked"], pa.string())

    def _utm(self, s: NS, session_id: np.ndarray) -> NS:
        """Per session: codes (-1 = none) of utm source, medium, campaign, content and term."""
        partner = s.partner >= 0
        email = s.email_campaign >= 0
        source = np.where(
            s.platform >= 0,
            s.platform,
            np.where(email, 3, np.where(partner, 4 + np.maximum(s.partner, 0), -1)),
        )
        source = np.where(source >= 0, self.source_code[np.maximum(source, 0)], -1)
        medium = np.where(s.platform == 0, 0, np.where(s.platform > 0, 1, np.where(email, 2, np.where(partner, 3, -1))))
        medium = np.where(medium >= 0, self.medium_code[np.maximum(medium, 0)], -1)
        name = np.where(
            s.ad_campaign >= 0,
            s.ad_campaign,
            np.where(email, self.n_ads + s.email_campaign, np.where(partner, len(self.name_code) - 1, -1)),
        )
        name = np.where(name >= 0, self.name_code[np.maximum(name, 0)], -1)
        content = np.where(s.ad_campaign >= 0, session_id % 4, -1)
        term = np.where(s.platform == 0, self.term_code[session_id % len(V.SEARCH_TERMS)], -1)
        return NS(source=source, medium=medium, name=name, content=content, term=term)

    def _landing_urls(self, s: NS, utm: NS) -> tuple[pa.Array, np.ndarray]:
        """URL dictionary (site pages, then the distinct landing URLs with UTM parameters of this chunk) and each
        session's landing URL code in it."""
        has = utm.source >= 0
        code = np.where(has, -1, s.landing)
        if not has.any():
            return self.site_paths, code
        parts = (s.landing, utm.source, utm.medium, utm.name, utm.content, utm.term)
        key = np.zeros(int(has.sum()), dtype=np.int64)
        for part, size in zip(parts, (self.n_pages, len(self.sources), len(self.mediums), len(self.names), 4,
                                      len(self.terms)), strict=True):  # fmt: skip
            key = key * (size + 1) + part[has] + 1
        distinct, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        rows = np.flatnonzero(has)[first]
        content = utm.content[rows]
        term = utm.term[rows]
        url = pc.binary_join_element_wise(
            self.site_paths.take(pa.array(s.landing[rows])),
            "?utm_source=",
            self.sources.take(pa.array(utm.source[rows])),
            "&utm_medium=",
            self.mediums.take(pa.array(utm.medium[rows])),
            "&utm_campaign=",
            self.names.take(pa.array(utm.name[rows])),
            pc.if_else(
                pa.array(content >= 0),
                pc.binary_join_element_wise("&utm_content=", self.contents.take(pa.array(np.maximum(content, 0))), ""),
                "",
            ),
            pc.if_else(
                pa.array(term >= 0),
                pc.binary_join_element_wise("&utm_term=", self.url_terms.take(pa.array(np.maximum(term, 0))), ""),
                "",
            ),
            "",
        )
        code[has] = self.n_pages + inverse.reshape(-1)
        del distinct
        return pa.concat_arrays([self.site_paths, url]), code

    def write(self, sessions: NS, visitors: NS, first_session_id: int, dirty_rate: float, part: int) -> int:
        """Write one chunk as part file ``part``. ``visitors`` (see :func:`visitor_table`) holds every visitor of
        the chunk's sessions, sorted by visitor number."""
        s = sessions
        n = len(s.start)
        if n == 0:
            return 0
        if s.n_pages.max() > 32:
            raise ValueError("a session has more than 32 page views")
        paid = s.ad_campaign >= 0
        np.add.at(self.landed, (s.ad_campaign[paid], (s.start[paid] - self.ctx.t0) // DAY), 1)
        session_id = first_session_id + np.arange(n, dtype=np.int64)
        # the chunk's visitors, as positions into a slice of the visitor table
        pos = np.searchsorted(visitors.visitor, s.visitor)
        lo, hi = int(pos.min()), int(pos.max()) + 1
        pos -= lo
        vis = NS(**{k: v[lo:hi] for k, v in vars(visitors).items() if k not in ("user_ids", "person_keys")})
        ips, ip_code = np.unique(vis.ip, return_inverse=True)
        ip_dict = ip_strings(ips)
        user_dict, user_code = _compact(vis.user, visitors.user_ids)
        utm = self._utm(s, session_id)
        urls, landing_url = self._landing_urls(s, utm)

        # page views: row r is page k of session r's; per-session values are repeated, not gathered
        n_pages = s.n_pages
        rows = int(n_pages.sum())
        first_row = np.cumsum(n_pages) - n_pages
        last_row = first_row + n_pages - 1

        def each(values: np.ndarray) -> np.ndarray:
            return np.repeat(values, n_pages)

        k = np.arange(rows, dtype=np.int64) - each(first_row)
        h1 = mix64(each(session_id * 32) + k, self.salt)
        h2 = mix64(h1, self.salt ^ 0x5BD1E995)
        gap = each(s.gap)
        # pages after the landing one come gap seconds apart, +-40% (never closer than 20% of gap)
        jitter = bits(h1, 20, 20, each(s.gap * 8 // 10 + 1)) - each(s.gap * 4 // 10)
        jitter[first_row] = 0
        sec = each(s.start) + k * gap + jitter
        ts_us = sec * US + bits(h1, 0, 20, 1000) * 1000
        received_us = ts_us + bits(h2, 0, 20, 2500) * 1000
        uuid_us = received_us - received_us % (3600 * US) + 3600 * US
        page = self.slots[bits(h1, 40, 20, len(self.slots))]
        page[first_row] = s.landing
        prev = np.empty_like(page)  # previous page of the session (the landing page's is never read)
        prev[1:] = page[:-1]
        prev[0] = 0
        referrer = self.prev_code[prev]
        referrer[first_row] = np.where(s.ref >= 0, self.ref_code[s.ref], -1)
        url_code = page.copy()
        url_code[first_row] = landing_url
        v = each(pos.astype(np.int32))
        bot = each(s.bot)
        landing_only = np.ones(rows, dtype=bool)  # NULL except on landing page views
        landing_only[first_row] = False
        campaign = {
            col: encoded(_at(first_row, getattr(utm, key), rows), d, landing_only)
            for col, key, d in (
                ("context_campaign_source", "source", self.sources),
                ("context_campaign_medium", "medium", self.mediums),
                ("context_campaign_name", "name", self.names),
                ("context_campaign_content", "content", self.contents),
                ("context_campaign_term", "term", self.terms),
            )
        }
        anonymous_id = encoded(v, vis.anonymous_id)
        if (vis.user >= 0).any():  # known people: the user id once the device is identified
            user_id = encoded(user_code[v], user_dict, sec < vis.identified_from[v])
        else:
            user_id = encoded(np.full(rows, -1, dtype=np.int32), user_dict)
        url = encoded(url_code, urls)
        path = encoded(page, self.paths)
        ua = encoded(each(vis.ua[pos]), self.uas)
        cols = {
            "id": hex64("ajs-", h1),
            "anonymous_id": anonymous_id,
            "user_id": user_id,
            "timestamp": _ts(ts_us),
            "received_at": _ts(received_us),
            "url": url,
            "path": path,
            "title": encoded(page, self.titles),
            "referrer": encoded(referrer, self.referrers),
            **campaign,
            "context_user_agent": ua,
            "context_ip": encoded(each(ip_code[pos]), ip_dict),
            "uuid_ts": _ts(uuid_us),
        }
        pages = pa.table(cols)
        name = f"part-{part:05d}.parquet"
        # duplicate deliveries of the same message (dirty data): a later uuid_ts, everything else equal
        dup_cut = int(dirty_rate * 0.2 * 2**32)
        dup = np.flatnonzero((bot == 0) & (bits(h2, 20, 32) < dup_cut)) if dup_cut else np.zeros(0, int)
        if len(dup):
            again = pages.take(pa.array(dup))
            i = again.schema.get_field_index("uuid_ts")
            again = again.set_column(i, "uuid_ts", _ts(uuid_us[dup] + 86_400 * US))
            pages = pa.concat_tables([pages, again])
        write_encoded(pages, self.pages_dir / name)
        flagged = np.flatnonzero(bot > 0)
        pq.write_table(
            pa.table(
                {
                    "row_key": pa.concat_arrays([hex64("ajs-", h1[dup]), hex64("ajs-", h1[flagged])]),
                    "fault": encoded(
                        np.concatenate([np.zeros(len(dup), np.int64), bot[flagged]]),
                        pa.array(["duplicate_event", "bot_traffic", "internal_traffic"]),
                    ).cast(pa.string()),
                }
            ),
            self.faults_dir / name,
        )
        # CTA clicks: 3% of human page views (except the demo page) also send a track event
        cta = np.flatnonzero((bot == 0) & (bits(h2, 52, 12, 100) < 3) & (page != self.demo))
        take = pa.array(cta)
        tracks = pa.table(
            {
                "id": hex64("ajs-", mix64(h1[cta], self.salt ^ 0x2545F491)),
                "anonymous_id": _decoded(anonymous_id.take(take)),  # few rows: plain strings, small dictionaries
                "user_id": _decoded(user_id.take(take)),
                "event": encoded(np.zeros(len(cta), np.int64), self.events),
                "event_text": encoded(np.zeros(len(cta), np.int64), self.event_texts),
                "timestamp": _ts(ts_us[cta] + 4 * US),
                "received_at": _ts(received_us[cta] + 4 * US),
                "context_page_url": _decoded(url.take(take)),
                "context_page_path": path.take(take),
                "context_user_agent": ua.take(take),
                "uuid_ts": _ts(uuid_us[cta]),
            }
        )
        write_encoded(tracks, self.tracks_dir / name, plain=("anonymous_id",))
        # truth: one row per session (humans only), in session id order
        human = np.flatnonzero(s.bot == 0)
        person_dict, person_code = _compact(vis.person, visitors.person_keys)
        truth = pa.table(
            {
                "session_id": pa.array(session_id[human], pa.int64()),
                "anonymous_id": vis.anonymous_id.take(pa.array(pos[human])),
                "person_id": encoded(person_code[pos[human]], person_dict),
                "started_at": _ts(ts_us[first_row[human]]),  # page times increase within a session
                "ended_at": _ts(ts_us[last_row[human]]),
                "channel": encoded(s.channel[human], self.channels),
                "pageviews": pa.array(n_pages[human], pa.int64()),
            }
        )
        pq.write_table(
            truth,
            self.truth_dir / f"sessions-{name}",
            compression="lz4",
            use_dictionary=["person_id", "channel"],
            store_schema=False,
        )
        self.rows_pages += pages.num_rows
        self.rows_tracks += tracks.num_rows
        return n


def _compact(index: np.ndarray, values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The values an index (-1: none) refers to, without the others, and the index into them."""
    if not (index >= 0).any():
        return pa.array([], values.type), index
    used, code = np.unique(index, return_inverse=True)  # -1 sorts first
    return values.take(pa.array(used[used >= 0])), np.where(index >= 0, code - (used[0] < 0), -1)


def _decoded(arr: pa.Array) -> pa.Array:
    return arr.cast(arr.type.value_type) if pa.types.is_dictionary(arr.type) else arr


def _ts(us: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(us, dtype=np.int64), pa.int64()).view(pa.timestamp("us"))


def visitor_table(
    visitor: np.ndarray,
    anonymous_id: pa.Array,
    ua: np.ndarray,
    ip: np.ndarray,
    identified_from: np.ndarray | None = None,
    user: np.ndarray | None = None,
    user_ids: pa.Array | None = None,
    person: np.ndarray | None = None,
    person_keys: pa.Array | None = None,
) -> NS:
    """The visitors of a chunk for :meth:`PageWriter.write`: visitor numbers (ascending), their anonymous ids,
    user agent codes, IPs (integers), identification times (NEVER: anonymous), user (index into ``user_ids``;
    -1: none) and person (index into ``person_keys``; -1: anonymous)."""
    n = len(visitor)
    order_ok = n < 2 or bool((np.diff(visitor) > 0).all())
    if not order_ok:
        raise ValueError("visitors must be sorted by visitor number")
    none = np.full(n, -1, dtype=np.int64)
    return NS(
        visitor=np.asarray(visitor, dtype=np.int64),
        anonymous_id=anonymous_id,
        ua=np.asarray(ua, dtype=np.int64),
        ip=np.asarray(ip, dtype=np.int64),
        identified_from=np.full(n, NEVER, dtype=np.int64) if identified_from is None else identified_from,
        user=none if user is None else user,
        user_ids=pa.array([""], pa.string()) if user_ids is None else user_ids,
        person=none if person is None else person,
        person_keys=pa.array([""], pa.string()) if person_keys is None else person_keys,
    )
