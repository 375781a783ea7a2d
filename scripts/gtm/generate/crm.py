"""The market and the sales motion: accounts, reps, people, leads, opportunities.

All arrays are NumPy, one element per entity; times are epoch seconds (UTC) and
``NEVER`` marks a milestone that did not happen within history.
"""

from __future__ import annotations

from types import SimpleNamespace as NS

import numpy as np

from gtm.generate import vocab as V
from gtm.generate.core import DAY, HOUR, MINUTE, Ctx, categorical, growth_times

NEVER = np.int64(2**62)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# ----------------------------------------------------------------------------- accounts


def make_accounts(ctx: Ctx) -> NS:
    rng = ctx.rng("accounts")
    n = ctx.scale.accounts
    industry = categorical(rng, V.INDUSTRY_WEIGHTS, n)
    employees = np.clip(np.round(rng.lognormal(np.log(90), 1.5, n)), 3, 120_000).astype(np.int64)
    revenue = np.round(employees * rng.lognormal(np.log(170_000), 0.45, n), -3)
    country = categorical(rng, V.COUNTRY_WEIGHTS, n)
    segment = np.select([employees >= 1000, employees >= 150], [2, 1], 0)
    # ideal customer profile fit in [0, 1]: size sweet spot, industry, a little noise
    size_fit = np.clip((np.log10(employees) - 1.0) / 2.6, 0, 1)
    fit = np.clip(0.45 * size_fit + np.asarray(V.INDUSTRY_FIT)[industry] + 0.35 + rng.normal(0, 0.12, n), 0, 1)
    # unique names: a permutation of word pairs, a counter once pairs run out
    n_pairs = len(V.COMPANY_WORDS_A) * len(V.COMPANY_WORDS_B)
    pair = rng.permutation(max(n_pairs, n))[:n] % n_pairs if n <= n_pairs else np.arange(n) % n_pairs
    cycle = np.arange(n) // n_pairs
    word_a = pair % len(V.COMPANY_WORDS_A)
    word_b = pair // len(V.COMPANY_WORDS_A)
    suffix = rng.integers(0, len(V.COMPANY_SUFFIX), n)
    # about a third of the market is already in the CRM (imported target accounts) before it engages
    in_crm_early = rng.random(n) < 0.35
    early_created = ctx.t0 - 400 * DAY + (rng.random(n) * (ctx.t1 - ctx.t0 + 300 * DAY)).astype(np.int64)
    return NS(
        n=n,
        industry=industry,
        employees=employees,
        revenue=revenue,
        country=country,
        segment=segment,
        fit=fit,
        word_a=word_a,
        word_b=word_b,
        cycle=cycle,
        suffix=suffix,
        currency=np.asarray([c[2] for c in V.COUNTRIES])[country],
        in_crm_early=in_crm_early,
        early_created=np.where(in_crm_early, early_created, NEVER),
    )


# ----------------------------------------------------------------------------- reps


def make_reps(ctx: Ctx) -> NS:
    """CRM users: sales leadership, AE teams per segment, SDRs, marketers and an integration user."""
    rng = ctx.rng("reps")
    n_ae_team = np.maximum(2, np.round(ctx.scale.accounts / np.array([400.0, 500.0, 700.0]))).astype(int)
    n_sdr = max(2, ctx.scale.accounts // 500)
    # role codes: 0 VP Sales, 1 sales manager, 2 AE, 3 SDR manager, 4 SDR, 5 marketing, 6 integration
    role, team = [0], [-1]
    for t in range(3):
        role += [1] + [2] * n_ae_team[t]
        team += [t] + [t] * n_ae_team[t]
    role += [3] + [4] * n_sdr + [5, 5, 5, 6]
    team += [-1] * (1 + n_sdr + 4)
    role, team = np.array(role), np.array(team)
    n = len(role)
    hire = ctx.t0 - rng.integers(30, 900, n) * DAY
    # a third of reps join during history, some leave: realistic turnover
    late = (rng.random(n) < 0.33) & np.isin(role, (2, 4))
    hire = np.where(late, ctx.t0 + (rng.random(n) * (ctx.t1 - ctx.t0) * 0.8).astype(np.int64), hire)
    leaves = (rng.random(n) < 0.18) & np.isin(role, (2, 4))
    leave = np.where(leaves, hire + rng.integers(240, 700, n) * DAY, NEVER)
    leave = np.where(leave < ctx.t1 - 30 * DAY, leave, NEVER)
    manager = np.full(n, -1)
    for t in range(3):
        mgr = np.flatnonzero((role == 1) & (team == t))[0]
        manager[(role == 2) & (team == t)] = mgr
    manager[role == 1] = 0
    manager[role == 3] = 0
    manager[role == 4] = np.flatnonzero(role == 3)[0]
    skill = np.where(role == 2, rng.lognormal(0, 0.35, n), 1.0)
    first = rng.integers(0, len(V.FIRST_NAMES), n)
    last = rng.integers(0, len(V.LAST_NAMES), n)
    return NS(n=n, role=role, team=team, hire=hire, leave=leave, manager=manager, skill=skill, first=first, last=last)


def pick_active(rng: np.random.Generator, reps: NS, when: np.ndarray, pool_mask_per_item) -> np.ndarray:
    """Pick, for each item, a rep from its pool who is employed at ``when`` (vectorised rejection sampling).

    ``pool_mask_per_item`` is a list of (item mask, rep pool indices); items whose pool has nobody
    active at the time fall back to the longest-serving rep of the pool.
    """
    out = np.full(len(when), -1)
    for items, pool in pool_mask_per_item:
        idx = np.flatnonzero(items)
        for _ in range(30):
            if len(idx) == 0:
                break
            cand = pool[rng.integers(0, len(pool), len(idx))]
            ok = (reps.hire[cand] <= when[idx]) & (when[idx] < reps.leave[cand])
            out[idx[ok]] = cand[ok]
            idx = idx[~ok]
        if len(idx):
            out[idx] = pool[np.argmin(reps.hire[pool])]
    return out


# ----------------------------------------------------------------------------- people


def make_people(ctx: Ctx, acc: NS) -> NS:
    rng = ctx.rng("people")
    n = ctx.scale.people
    weight = np.sqrt(acc.employees.astype(float))
    account = rng.choice(acc.n, size=n, p=weight / weight.sum())
    free_mail = rng.random(n) < 0.1
    seniority = categorical(rng, V.SENIORITY_WEIGHTS, n)
    department = rng.integers(0, len(V.DEPARTMENTS), n)
    title_variant = rng.integers(0, 4, n)
    first = rng.integers(0, len(V.FIRST_NAMES), n)
    last = rng.integers(0, len(V.LAST_NAMES), n)
    free_domain = rng.integers(0, len(V.FREE_MAIL_DOMAINS), n)
    # motion: how the person enters the funnel
    motion_p = np.array([0.72, 0.1, 0.18])  # 0 inbound web, 1 events, 2 sales outbound
    motion = categorical(rng, motion_p, n)
    motion = np.where(free_mail & (motion == 2), 0, motion)  # SDRs prospect company emails only
    # first-touch channel of inbound people
    web_channels = ("paid_search", "paid_social", "organic_search", "organic_social", "referral", "direct", "partner")
    web_weights = (19, 19, 25, 7, 9, 13, 8)
    web_ch = np.asarray([V.CH[c] for c in web_channels])[categorical(rng, web_weights, n)]
    channel = np.select([motion == 1, motion == 2], [V.CH["events"], V.CH["sales_outbound"]], web_ch)
    paid_platform = np.where(
        channel == V.CH["paid_search"], 0, np.where(channel == V.CH["paid_social"], 1 + (rng.random(n) < 0.45), -1)
    )  # 0 google, 1 linkedin, 2 meta
    quality = np.asarray([V.CHANNEL_QUALITY[c] for c in V.CHANNELS])[channel]
    quality = np.where(paid_platform == 2, V.META_QUALITY, quality)
    engagement = rng.beta(2.0, 3.0, n)
    # latent propensity to buy: fit, seniority, channel quality, engagement, noise
    z = (
        2.6 * (acc.fit[account] - 0.55)
        + np.asarray(V.SENIORITY_EFFECT)[seniority]
        + np.log(quality)
        + 0.8 * (engagement - 0.4)
        + rng.normal(0, 0.45, n)
    )
    first_touch = growth_times(rng, n, ctx.t0, ctx.t1 - 20 * DAY)
    n_devices = 1 + (rng.random(n) < 0.35) + (rng.random(n) < 0.1)
    return NS(
        n=n,
        account=account,
        free_mail=free_mail,
        seniority=seniority,
        department=department,
        title_variant=title_variant,
        first=first,
        last=last,
        free_domain=free_domain,
        motion=motion,
        channel=channel,
        paid_platform=paid_platform,
        quality=quality,
        engagement=engagement,
        z=z,
        first_touch=first_touch,
        n_devices=n_devices,
    )


# ----------------------------------------------------------------------------- lifecycle


def lifecycle(ctx: Ctx, people: NS, reps: NS, events_campaigns: NS) -> NS:
    """Identification, lead creation, MAP MQL, sales acceptance and qualification of every person."""
    rng = ctx.rng("lifecycle")
    n = people.n
    t1 = ctx.t1
    inbound = people.motion == 0
    event = people.motion == 1
    outbound = people.motion == 2

    # events motion: the first touch is attendance at a CRM event/webinar campaign
    camp = events_campaigns
    pick = rng.choice(len(camp.start), size=n, p=camp.weight / camp.weight.sum())
    event_time = camp.start[pick] + (rng.random(n) * 6 * HOUR).astype(np.int64) + 13 * HOUR
    first_touch = np.where(event, event_time, people.first_touch)
    event_campaign = np.where(event, pick, -1)

    # inbound: a few anonymous visits, then a form fill identifies the visitor (lead creation)
    pre_sessions = 1 + rng.geometric(0.5, n) - 1
    pre_span = (rng.exponential(5.0, n) * (pre_sessions - 1) * DAY).astype(np.int64)
    form = categorical(rng, V.FORM_WEIGHTS, n)
    demo_boost = sigmoid(people.z) > rng.random(n) * 2.2  # high intent people request demos more
    form = np.where(demo_boost & (rng.random(n) < 0.35), 0, form)
    identify = np.where(inbound, first_touch + pre_span + (rng.random(n) * 20 * MINUTE).astype(np.int64), NEVER)
    identify = np.where(event, event_time + rng.integers(1, 4, n) * DAY + 10 * HOUR, identify)  # list import
    identify = np.where(identify < t1 - HOUR, identify, NEVER)  # not identified within history: no lead yet
    in_hubspot = (inbound | event) & (identify < NEVER)
    hubspot_created = np.where(in_hubspot, identify, NEVER)
    sf_lead_created = np.select(
        [in_hubspot, outbound], [identify + rng.integers(2, 40, n) * MINUTE, first_touch - 5 * MINUTE], NEVER
    )
    sf_lead_created = np.where(sf_lead_created < NEVER, np.minimum(sf_lead_created, t1 - 1), NEVER)
    lead_created = np.minimum(hubspot_created, sf_lead_created)

    # MAP's own MQL: demo/contact request immediately; otherwise engagement over the following weeks
    high_intent = inbound & np.asarray([f[3] for f in V.FORMS])[form]
    p_mql = sigmoid(-0.6 + 1.6 * people.z + 1.2 * people.engagement)
    later_mql = in_hubspot & ~high_intent & (rng.random(n) < p_mql)
    map_mql = np.where(high_intent, identify, NEVER)
    map_mql = np.where(later_mql, identify + (rng.exponential(14, n) * DAY).astype(np.int64) + HOUR, map_mql)
    map_mql = np.where(map_mql < t1, map_mql, NEVER)

    # sales acceptance: SDR works MQLs (speed to lead lognormal, median ~3h), outbound from the first touch
    speed = (rng.lognormal(np.log(3.0), 1.45, n) * HOUR).astype(np.int64)
    worked_mql = (map_mql < NEVER) & (rng.random(n) < 0.95)
    worked_other = in_hubspot & (map_mql == NEVER) & (rng.random(n) < 0.08)
    sal = np.where(worked_mql, map_mql + speed, NEVER)
    sal = np.where(worked_other, lead_created + (rng.exponential(30, n) * DAY).astype(np.int64), sal)
    sal = np.where(outbound, first_touch, sal)
    sal = np.where(in_hubspot & (sal < NEVER), np.maximum(sal, sf_lead_created + 2 * MINUTE), sal)
    sal = np.where(sal < t1, sal, NEVER)
    worked = sal < NEVER

    # qualification: propensity, intent and channel quality decide SQL vs unqualified / nurture
    p_sql = sigmoid(-0.9 + 1.5 * people.z + 0.9 * high_intent - 0.6 * outbound)
    qualifies = worked & (rng.random(n) < p_sql)
    decide = sal + (rng.lognormal(np.log(6), 0.7, n) * DAY).astype(np.int64)
    sql = np.where(qualifies & (decide < t1), decide, NEVER)
    disq = worked & ~qualifies & (decide < t1)
    unqualified = np.where(disq & (rng.random(n) < 0.7), decide, NEVER)
    nurture = np.where(disq & (unqualified == NEVER), decide, NEVER)
    unq_reason = np.where(unqualified < NEVER, rng.integers(0, len(V.UNQUALIFIED_REASONS), n), -1)

    # owners: SDR assigned when the lead is worked (outbound: the prospecting SDR)
    sdr_pool = np.flatnonzero(reps.role == 4)
    sdr = pick_active(rng, reps, np.where(worked, sal, lead_created), [(np.ones(n, bool), sdr_pool)])
    return NS(
        first_touch=first_touch,
        event_campaign=event_campaign,
        pre_sessions=pre_sessions,
        form=form,
        identify=identify,
        in_hubspot=in_hubspot,
        hubspot_created=hubspot_created,
        sf_lead_created=sf_lead_created,
        lead_created=lead_created,
        map_mql=map_mql,
        sal=sal,
        sql=sql,
        unqualified=unqualified,
        unq_reason=unq_reason,
        nurture=nurture,
        sdr=sdr,
        high_intent=high_intent,
    )


def opportunities(ctx: Ctx, acc: NS, people: NS, life: NS, reps: NS) -> NS:
    """Convert SQLs: one open opportunity per account at a time; later SQLs of a busy account attach to it."""
    rng = ctx.rng("opportunities")
    t1 = ctx.t1
    sql_people = np.flatnonzero(life.sql < NEVER)
    order = np.lexsort((life.sql[sql_people], people.account[sql_people]))
    sql_people = sql_people[order]
    s_acc = people.account[sql_people]
    s_time = life.sql[sql_people]
    busy_until = np.full(acc.n, -1, dtype=np.int64)
    customer_since = np.full(acc.n, NEVER, dtype=np.int64)
    processed = np.zeros(len(sql_people), bool)
    opp_person, opp_rounds = [], []
    person_opp = np.full(people.n, -1)  # the opportunity a person's conversion created
    while True:
        open_ = ~processed & (s_time > busy_until[s_acc])
        if not open_.any():
            break
        cand = np.flatnonzero(open_)
        first_of_acc = cand[np.unique(s_acc[cand], return_index=True)[1]]
        creators = first_of_acc[s_time[first_of_acc] < customer_since[s_acc[first_of_acc]]]
        # SQLs after the account became a customer convert to contacts without an opportunity
        late = first_of_acc[s_time[first_of_acc] >= customer_since[s_acc[first_of_acc]]]
        processed[late] = True
        if len(creators) == 0:
            continue
        o = _opportunity_outcomes(ctx, rng, acc, people, reps, sql_people[creators], s_time[creators])
        base = sum(len(r.person) for r in opp_rounds)
        person_opp[sql_people[creators]] = base + np.arange(len(creators))
        opp_rounds.append(o)
        busy_until[s_acc[creators]] = o.close
        won_acc = s_acc[creators][o.won & (o.close < t1)]
        customer_since[won_acc] = np.minimum(customer_since[won_acc], o.close[o.won & (o.close < t1)])
        processed[creators] = True
        # SQLs of the same account while the new opportunity is open attach to it
        attach = ~processed & (s_time <= busy_until[s_acc])
        processed |= attach
        opp_person.append(creators)
    opp = NS(**{k: np.concatenate([getattr(r, k) for r in opp_rounds]) for k in vars(opp_rounds[0])})
    opp.n = len(opp.person)
    return NS(opp=opp, person_opp=person_opp, customer_since=customer_since)


def _opportunity_outcomes(ctx: Ctx, rng, acc: NS, people: NS, reps: NS, person: np.ndarray, created: np.ndarray) -> NS:
    n = len(person)
    a = people.account[person]
    seg = acc.segment[a]
    cur = acc.currency[a]
    seats = np.clip(np.round(acc.employees[a] * rng.uniform(0.03, 0.22, n)), 5, 3000).astype(np.int64)
    annual = rng.random(n) < np.array([0.25, 0.5, 0.8])[seg]
    monthly_price = np.asarray(V.PLAN_MONTHLY)[seg, cur]
    annual_price = 12 * np.round(monthly_price * V.ANNUAL_DISCOUNT).astype(np.int64)
    per_month = np.where(annual, annual_price // 12, monthly_price)
    amount_minor = seats * per_month * 12  # annual contract value in minor units
    owner_pools = [(seg == t, np.flatnonzero((reps.role == 2) & (reps.team == t))) for t in range(3)]
    owner = pick_active(rng, reps, created, owner_pools)
    z = people.z[person]
    p_win = sigmoid(-1.6 + 1.25 * z + 0.9 * np.log(reps.skill[owner]) - 0.15 * seg)
    won = rng.random(n) < p_win
    usd_size = amount_minor / 100.0
    median_days = 24 * (np.maximum(usd_size, 1000) / 15_000) ** 0.33
    cycle = np.clip(rng.lognormal(np.log(median_days), 0.45, n), 7, 400)
    cycle = np.where(won, cycle, cycle * rng.uniform(0.4, 1.0, n))
    close = created + (cycle * DAY).astype(np.int64)
    # quarter-end push: won deals closing early in a fiscal quarter are often pulled into the previous one
    close = _quarter_end_push(ctx, rng, created, close, won)
    max_stage = np.where(won, 4, rng.integers(0, 5, n))
    lost_reason = np.where(~won, rng.integers(0, len(V.LOSS_REASONS), n), -1)
    # stage entry times: stage 0 at creation, the others spread over the cycle
    k = 5
    cuts = np.sort(rng.random((n, k - 1)), axis=1) * 0.9 + 0.02
    entry = np.empty((n, k), dtype=np.int64)
    entry[:, 0] = created
    entry[:, 1:] = created[:, None] + (cuts * (close - created)[:, None]).astype(np.int64)
    entry = np.where(np.arange(k)[None, :] <= max_stage[:, None], entry, NEVER)
    return NS(
        person=person,
        account=a,
        created=created,
        close=close,
        won=won,
        seats=seats,
        annual=annual,
        plan=seg,
        currency=cur,
        per_month=per_month,
        amount_minor=amount_minor,
        owner=owner,
        max_stage=max_stage,
        lost_reason=lost_reason,
        entry=entry,
    )


def fiscal_quarter_start_months(ctx: Ctx, start_month: int = 2) -> np.ndarray:
    """First day (epoch seconds) of every fiscal quarter overlapping history and a year beyond."""
    starts = []
    for year in range(ctx.as_of.year - 4, ctx.as_of.year + 2):
        for q in range(4):
            m = start_month - 1 + 3 * q
            y, m = year + m // 12, m % 12 + 1
            starts.append(np.datetime64(f"{y:04d}-{m:02d}-01").astype("datetime64[s]").astype(np.int64))
    return np.array(sorted(starts), dtype=np.int64)


def _quarter_end_push(ctx: Ctx, rng, created: np.ndarray, close: np.ndarray, won: np.ndarray) -> np.ndarray:
    starts = fiscal_quarter_start_months(ctx)
    q = np.searchsorted(starts, close, side="right") - 1
    into_quarter = close - starts[q]
    pulled = starts[q] - rng.integers(1, 5, len(close)) * DAY + 15 * HOUR
    push = won & (into_quarter < 15 * DAY) & (rng.random(len(close)) < 0.5) & (pulled > created + 5 * DAY)
    return np.where(push, pulled, close)
