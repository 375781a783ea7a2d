"""Marketing and sales touches: CRM campaigns, email, ad campaigns and stats, sales activities."""

from __future__ import annotations

from types import SimpleNamespace as NS

import numpy as np

from gtm.generate import vocab as V
from gtm.generate.core import DAY, HOUR, MINUTE, Ctx, segment_sizes, sort_order
from gtm.generate.crm import NEVER

# ----------------------------------------------------------------------------- CRM campaigns


def make_crm_campaigns(ctx: Ctx) -> NS:
    """Webinars twice a month, trade shows every two months, partner programmes all along."""
    rng = ctx.rng("crm_campaigns")
    webinar = np.arange(ctx.t0 + 10 * DAY, ctx.t1 - 5 * DAY, 15 * DAY)
    show = np.arange(ctx.t0 + 30 * DAY, ctx.t1 - 5 * DAY, 61 * DAY)
    partner = np.full(len(V.PARTNERS), ctx.t0 - 30 * DAY)
    start = np.concatenate([webinar, show, partner])
    kind = np.concatenate([np.zeros(len(webinar), int), np.ones(len(show), int), np.full(len(partner), 2)])
    end = np.where(kind == 1, start + 2 * DAY, np.where(kind == 2, ctx.t1 + 365 * DAY, start))
    cost = np.where(kind == 0, rng.uniform(1500, 6000, len(start)), rng.uniform(15000, 80000, len(start)))
    cost = np.where(kind == 2, rng.uniform(20000, 50000, len(start)), cost).round(2)
    # people who first meet us at an event: trade shows draw more than webinars
    weight = np.select([kind == 0, kind == 1], [1.0, 3.0], 0.0)
    return NS(n=len(start), start=start, end=end, kind=kind, cost=cost, weight=weight)


def webinar_registrations(ctx: Ctx, people: NS, life: NS, camps: NS) -> NS:
    """Known people who register for a later webinar (a campaign member), half of whom attend."""
    rng = ctx.rng("webinar_registrations")
    known = np.flatnonzero((life.lead_created < ctx.t1) & (rng.random(people.n) < 0.1 + 0.3 * people.engagement))
    webinars = np.flatnonzero(camps.kind == 0)
    wstart = camps.start[webinars]
    nxt = np.searchsorted(wstart, life.lead_created[known], side="right") + rng.integers(0, 6, len(known))
    ok = nxt < len(webinars)
    known, nxt = known[ok], nxt[ok]
    attended = rng.random(len(known)) < 0.55
    registered = wstart[nxt] - rng.integers(2, 14, len(known)) * DAY
    registered = np.maximum(registered, life.lead_created[known] + HOUR)
    return NS(
        person=known,
        campaign=webinars[nxt],
        attended=attended,
        registered=registered,
        attended_at=wstart[nxt] + 15 * HOUR,
    )


# ----------------------------------------------------------------------------- email


def make_email(ctx: Ctx, people: NS, life: NS) -> NS:
    """Marketing emails to HubSpot contacts; opens, clicks (which start web sessions), bounces, unsubscribes."""
    rng = ctx.rng("email")
    send_times = np.arange(ctx.t0 + 3 * DAY + 14 * HOUR, ctx.t1 - DAY, int(7.6 * DAY))
    n_camp = len(send_times)
    kind = np.arange(n_camp) % len(V.EMAIL_CAMPAIGN_KINDS)
    contacts = np.flatnonzero(life.in_hubspot)
    created = life.hubspot_created[contacts]
    engagement = people.engagement[contacts]
    unsubscribed = np.full(len(contacts), NEVER, dtype=np.int64)
    bounced_hard = np.zeros(len(contacts), bool)
    ev_type, ev_time, ev_person, ev_camp = [], [], [], []
    # event type codes: 0 SENT 1 DELIVERED 2 OPEN 3 CLICK 4 BOUNCE 5 UNSUBSCRIBE
    for c, t in enumerate(send_times):
        eligible = np.flatnonzero((created < t) & (unsubscribed > t) & ~bounced_hard)
        rec = eligible[rng.random(len(eligible)) < 0.22]
        k = len(rec)
        sent = t + rng.integers(0, 2 * HOUR, k)
        bounce = rng.random(k) < 0.025
        bounced_hard[rec[bounce & (rng.random(k) < 0.5)]] = True
        delivered = sent + rng.integers(1, 30, k)
        e = engagement[rec]
        opened = ~bounce & (rng.random(k) < 0.1 + 0.4 * e)
        open_t = delivered + (rng.exponential(8, k) * HOUR).astype(np.int64)
        reopen = opened & (rng.random(k) < 0.3)
        reopen_t = open_t + (rng.exponential(1.5, k) * DAY).astype(np.int64)
        clicked = opened & (rng.random(k) < 0.08 + 0.25 * e)
        click_t = open_t + rng.integers(5, 120, k)
        unsub = opened & ~clicked & (rng.random(k) < 0.012)
        unsub_t = open_t + rng.integers(20, 300, k)
        unsubscribed[rec[unsub]] = unsub_t[unsub]
        for code, mask, when in (
            (0, np.ones(k, bool), sent),
            (4, bounce, delivered),
            (1, ~bounce, delivered),
            (2, opened, open_t),
            (2, reopen, reopen_t),
            (3, clicked, click_t),
            (5, unsub, unsub_t),
        ):
            keep = mask & (when < ctx.t1)
            ev_type.append(np.full(keep.sum(), code, np.int8))
            ev_time.append(when[keep])
            ev_person.append(contacts[rec[keep]])
            ev_camp.append(np.full(keep.sum(), c))
    ev = NS(
        type=np.concatenate(ev_type),
        time=np.concatenate(ev_time),
        person=np.concatenate(ev_person),
        campaign=np.concatenate(ev_camp),
    )
    order = sort_order(ev.time, ev.type)
    ev = NS(**{k: v[order] for k, v in vars(ev).items()})
    return NS(n_campaigns=n_camp, send_times=send_times, kind=kind, events=ev)


# ----------------------------------------------------------------------------- ads


def make_ad_campaigns(ctx: Ctx) -> NS:
    """Always-on slots per platform; each slot runs a sequence of campaigns of 3-8 months."""
    rng = ctx.rng("ad_campaigns")
    rows = {k: [] for k in ("platform", "slot", "start", "end", "name")}
    for p, platform in enumerate(V.AD_PLATFORMS):
        for s, slot in enumerate(V.AD_SLOTS[platform]):
            t = ctx.t0 - int(rng.integers(0, 60)) * DAY
            while t < ctx.t1:
                length = int(rng.integers(90, 240)) * DAY
                month = np.datetime64(int(t // DAY), "D").astype("datetime64[M]")
                rows["platform"].append(p)
                rows["slot"].append(s)
                rows["start"].append(t)
                rows["end"].append(t + length)
                rows["name"].append(f"{slot} - {month}")
                t += length
    out = NS(**{k: np.asarray(v) for k, v in rows.items()})
    out.n = len(out.start)
    base = {"google_ads": 20_000_000_000, "linkedin_ads": 500_000_000, "facebook_ads": 23_850_000_000_000}
    out.ext_id = np.asarray([base[V.AD_PLATFORMS[p]] for p in out.platform]) + rng.permutation(out.n) * 7919 + 101
    return out


def assign_ad_campaign(rng: np.random.Generator, ads: NS, platform: np.ndarray, when: np.ndarray) -> np.ndarray:
    """The campaign behind a paid click: a slot by weight, then the slot's campaign running at that time."""
    out = np.full(len(when), -1)
    for p, name in enumerate(V.AD_PLATFORMS):
        items = np.flatnonzero(platform == p)
        if len(items) == 0:
            continue
        slots = np.asarray(V.AD_SLOT_WEIGHTS[name], float)
        slot = rng.choice(len(slots), size=len(items), p=slots / slots.sum())
        for s in range(len(slots)):
            camp = np.flatnonzero((ads.platform == p) & (ads.slot == s))
            sel = items[slot == s]
            k = np.clip(np.searchsorted(ads.start[camp], when[sel], side="right") - 1, 0, len(camp) - 1)
            out[sel] = camp[k]
    return out


def ad_stats(ctx: Ctx, ads: NS, sessions_per_campaign_day: np.ndarray) -> NS:
    """Daily stats per campaign, consistent with the paid sessions it drove (clicks >= landed sessions)."""
    rng = ctx.rng("ad_stats")
    days = ctx.days
    camp, day = np.nonzero(np.ones((ads.n, days), bool))
    t = ctx.t0 + day * DAY
    active = (t >= ads.start[camp] - ads.start[camp] % DAY) & (t < ads.end[camp])
    camp, day = camp[active], day[active]
    landed = sessions_per_campaign_day[camp, day]
    platform = ads.platform[camp]
    landing_rate = rng.uniform(0.78, 0.95, len(camp))
    clicks = np.ceil(landed / landing_rate).astype(np.int64) + rng.poisson(0.3, len(camp))
    ctr = np.asarray([V.CTR[p] for p in V.AD_PLATFORMS])[platform] * rng.lognormal(0, 0.25, len(camp))
    impressions = np.round(clicks / ctr + rng.poisson(40, len(camp))).astype(np.int64)
    cpc = np.asarray([V.CPC[p] for p in V.AD_PLATFORMS])[platform] * rng.lognormal(0, 0.3, len(camp))
    spend = np.round(clicks * cpc, 2)
    conversions = rng.binomial(clicks, 0.04)
    return NS(campaign=camp, day=day, clicks=clicks, impressions=impressions, spend=spend, conversions=conversions)


# ----------------------------------------------------------------------------- sales activities


def sales_activities(ctx: Ctx, people: NS, life: NS, opp: NS) -> NS:
    """SDR calls and emails on leads being worked; AE meetings, calls and emails on opportunities."""
    rng = ctx.rng("activities")
    t1 = ctx.t1
    worked = np.flatnonzero(life.sal < NEVER)
    outbound = people.motion[worked] == 2
    n_tasks = 1 + rng.poisson(np.where(outbound, 4.0, 2.2))
    end = np.minimum.reduce([life.sql[worked], life.unqualified[worked], life.nurture[worked]])
    end = np.minimum(np.where(end < NEVER, end, life.sal[worked] + 45 * DAY), t1)
    parent, ordinal = segment_sizes(n_tasks)
    gaps = np.where(ordinal == 0, 0, (rng.exponential(2.5, len(parent)) * DAY).astype(np.int64))
    start_idx = np.cumsum(n_tasks) - n_tasks
    csum = np.cumsum(gaps)
    when = life.sal[worked][parent] + csum - np.repeat(csum[start_idx], n_tasks)
    keep = (ordinal == 0) | (when < end[parent])
    sdr_person = worked[parent][keep]
    sdr = NS(
        person=sdr_person,
        time=when[keep],
        owner=life.sdr[sdr_person],
        kind=np.where(rng.random(keep.sum()) < 0.6, 0, 1),
        first=ordinal[keep] == 0,
    )
    # AE activity over the life of each opportunity
    stop = np.minimum(opp.close, t1)
    span = np.maximum(stop - opp.created, HOUR)
    n_meet = 1 + rng.poisson(span / (15 * DAY))
    mp, _ = segment_sizes(n_meet)
    meet_t = opp.created[mp] + (rng.random(len(mp)) * span[mp]).astype(np.int64)
    meet_t = np.maximum(meet_t - meet_t % (30 * MINUTE), opp.created[mp])  # on the half hour, never before the opp
    n_call = rng.poisson(span / (8 * DAY))
    cp, _ = segment_sizes(n_call)
    call_t = opp.created[cp] + (rng.random(len(cp)) * span[cp]).astype(np.int64)
    meetings = NS(opp=mp, time=meet_t, duration=rng.choice([30, 45, 60], len(mp)), demo=rng.random(len(mp)) < 0.35)
    ae_tasks = NS(opp=cp, time=call_t, kind=np.where(rng.random(len(cp)) < 0.5, 0, 1))
    return NS(sdr=sdr, meetings=meetings, ae_tasks=ae_tasks)
