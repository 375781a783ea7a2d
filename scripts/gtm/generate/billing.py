"""Billing: won accounts become Stripe customers whose subscriptions grow, shrink, churn and come back.

Changes take effect at billing anniversaries (monthly plans every month, annual plans at
renewal), so a subscription's price and quantity are constant within a billing period and
MRR is exact in minor units: monthly plans bill seats × monthly price; annual prices are
multiples of 12 by construction (vocab.ANNUAL_DISCOUNT), so annual / 12 is exact too.
"""

from __future__ import annotations

from types import SimpleNamespace as NS

import numpy as np

from gtm.generate.core import DAY, HOUR, Ctx
from gtm.generate.crm import NEVER


def add_months(ts: np.ndarray, k: np.ndarray | int) -> np.ndarray:
    """Epoch seconds plus k calendar months (day of month must be <= 28, which billing guarantees)."""
    day = (ts // DAY).astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    dom = day - month.astype("datetime64[D]")
    new_day = (month + np.asarray(k)).astype("datetime64[D]") + dom
    return new_day.astype("datetime64[s]").astype(np.int64) + ts % DAY


def make_billing(ctx: Ctx, acc: NS, opp: NS) -> NS:
    rng = ctx.rng("billing")
    won = np.flatnonzero(opp.won & (opp.close < ctx.t1))
    won = won[np.unique(opp.account[won], return_index=True)[1]]  # one customer per account (first win)
    n_cust = len(won)
    start = opp.close[won] + rng.integers(0, 6, n_cust) * DAY
    start = start - start % DAY + 9 * HOUR + rng.integers(0, 8 * 3600, n_cust)
    # anniversaries need a day of month <= 28: later starts move to the 1st of the next month
    day = (start // DAY).astype("datetime64[D]")
    dom = (day - day.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    next_first = (day.astype("datetime64[M]") + 1).astype("datetime64[D]").astype("datetime64[s]").astype(np.int64)
    start = np.where(dom > 28, next_first + start % DAY, start)
    start = np.minimum(start, ctx.t1 - HOUR)
    cust = NS(
        n=n_cust,
        account=opp.account[won],
        opp=won,
        currency=opp.currency[won],
        plan=opp.plan[won],
        annual=opp.annual[won],
        created=start - rng.integers(5, 120, n_cust) * 60,
        has_metadata=rng.random(n_cust) < 0.85,
        fit=acc.fit[opp.account[won]],
    )
    first = _simulate(ctx, rng, np.arange(n_cust), start, opp.seats[won], cust)
    # reactivation: a fifth of churned customers come back with a new subscription months later
    churned = np.flatnonzero(first.churned_at < ctx.t1)
    back = churned[rng.random(len(churned)) < 0.2]
    restart = first.churned_at[back] + rng.integers(60, 240, len(back)) * DAY
    day = (restart // DAY).astype("datetime64[D]")
    dom = (day - day.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    restart = restart - np.maximum(dom - 28, 0) * DAY
    ok = restart < ctx.t1 - DAY
    back, restart = back[ok], restart[ok]
    seats_back = np.maximum(3, np.round(first.final_seats[back] * rng.uniform(0.7, 1.1, len(back)))).astype(np.int64)
    second = _simulate(ctx, rng, first.sub_customer[back], restart, seats_back, cust, sub_offset=first.n_subs)
    subs = _concat(first.subs, second.subs)
    versions = _concat(first.versions, second.versions)
    invoices = _concat(first.invoices, second.invoices)
    return NS(cust=cust, subs=subs, versions=versions, invoices=invoices)


def _concat(a: NS, b: NS) -> NS:
    return NS(**{k: np.concatenate([getattr(a, k), getattr(b, k)]) for k in vars(a)})


def _simulate(ctx: Ctx, rng, customer: np.ndarray, start: np.ndarray, seats: np.ndarray, cust: NS, sub_offset=0) -> NS:
    """Run subscriptions month by month; returns subscriptions, versions (type 2) and invoices."""
    n = len(customer)
    sub = np.arange(n)
    annual = cust.annual[customer]
    fit = cust.fit[customer]
    cur_seats = seats.astype(np.int64).copy()
    alive = np.ones(n, bool)
    churned_at = np.full(n, NEVER, dtype=np.int64)
    v_sub, v_start, v_seats, v_status, v_cape, v_canceled, v_ended = (
        [sub],
        [start],
        [cur_seats.copy()],
        [np.zeros(n, np.int8)],
        [np.zeros(n, bool)],
        [np.full(n, NEVER)],
        [np.full(n, NEVER)],
    )
    i_sub, i_start, i_seats, i_months = [sub], [start], [cur_seats.copy()], [np.where(annual, 12, 1)]
    for m in range(1, 12 * 4 + 1):
        anniv = add_months(start, m)
        billing_day = alive & (anniv < ctx.t1) & (~annual | (m % 12 == 0))
        if not billing_day.any() and (add_months(start, m) >= ctx.t1).all():
            break
        idx = np.flatnonzero(billing_day)
        u = rng.random(len(idx))
        f = fit[idx]
        yearly = annual[idx]
        p_churn = np.where(yearly, 0.06 + 0.16 * (1 - f), 0.008 + 0.022 * (1 - f))
        p_expand = np.where(yearly, 0.25 + 0.2 * f, 0.02 + 0.03 * f)
        p_contract = np.where(yearly, 0.1, 0.012)
        churn = u < p_churn
        expand = ~churn & (u < p_churn + p_expand)
        contract = ~churn & ~expand & (u < p_churn + p_expand + p_contract)
        old = cur_seats[idx]
        new = np.where(expand, np.ceil(old * rng.uniform(1.08, 1.6, len(idx))), old)
        new = np.where(contract, np.maximum(3, np.floor(old * rng.uniform(0.6, 0.92, len(idx)))), new).astype(np.int64)
        changed = (new != old) & ~churn
        ch = idx[changed]
        cur_seats[ch] = new[changed]
        v_sub.append(ch)
        v_start.append(anniv[ch])
        v_seats.append(new[changed])
        v_status.append(np.zeros(len(ch), np.int8))
        v_cape.append(np.zeros(len(ch), bool))
        v_canceled.append(np.full(len(ch), NEVER))
        v_ended.append(np.full(len(ch), NEVER))
        # churn: cancelled some days before the anniversary (cancel at period end), ended at the anniversary
        cx = idx[churn]
        notice = np.maximum(anniv[cx] - rng.integers(3, 21, len(cx)) * DAY, v_start_last(v_sub, v_start, cx) + HOUR)
        for status, when, cape in ((0, notice, True), (1, anniv[cx], False)):
            v_sub.append(cx)
            v_start.append(when)
            v_seats.append(cur_seats[cx])
            v_status.append(np.full(len(cx), status, np.int8))
            v_cape.append(np.full(len(cx), cape))
            v_canceled.append(notice)
            v_ended.append(anniv[cx] if status == 1 else np.full(len(cx), NEVER))
        churned_at[cx] = anniv[cx]
        alive[cx] = False
        cont = idx[~churn]
        i_sub.append(cont)
        i_start.append(anniv[cont])
        i_seats.append(cur_seats[cont])
        i_months.append(np.where(annual[cont], 12, 1))
    versions = NS(
        sub=np.concatenate(v_sub) + sub_offset,
        start=np.concatenate(v_start),
        seats=np.concatenate(v_seats),
        status=np.concatenate(v_status),
        cancel_at_period_end=np.concatenate(v_cape),
        canceled_at=np.concatenate(v_canceled),
        ended_at=np.concatenate(v_ended),
    )
    order = np.lexsort((versions.start, versions.sub))
    versions = NS(**{k: v[order] for k, v in vars(versions).items()})
    invoices = NS(
        sub=np.concatenate(i_sub) + sub_offset,
        start=np.concatenate(i_start),
        seats=np.concatenate(i_seats),
        months=np.concatenate(i_months),
    )
    subs = NS(customer=customer, start=start, annual=annual, first_seats=seats.astype(np.int64), churned_at=churned_at)
    return NS(
        subs=subs,
        versions=versions,
        invoices=invoices,
        churned_at=churned_at,
        final_seats=cur_seats,
        sub_customer=customer,
        n_subs=n,
    )


def v_start_last(v_sub: list, v_start: list, which: np.ndarray) -> np.ndarray:
    """Start of the latest version so far of each subscription in ``which`` (keeps versions ordered)."""
    subs = np.concatenate(v_sub)
    starts = np.concatenate(v_start)
    last = np.full(subs.max() + 1 if len(subs) else 1, -(2**62), dtype=np.int64)
    np.maximum.at(last, subs, starts)
    return last[which]
