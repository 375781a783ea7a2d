"""Revenue models against the generator's ground truth (issue 7).

``truth_mrr_monthly`` holds every billing customer's MRR at each month end, in minor units of
its billing currency and in USD at the month-end FX rate rounded to the cent; ``truth_people``
the churn milestone (the end of the account's last subscription when nothing is active after
it). Billing customers map to warehouse accounts through the identity graph
(``int_account_identifiers_resolved``, identifier type ``stripe_customer_id``); the sample
company has one billing customer per account.

Measured at ``small`` scale, seed 7 (the shared ``small_clean_warehouse``); the figures are
printed (``-s``).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

# truth MRR per warehouse account and month (one billing customer per account)
TRUTH_BY_ACCOUNT = """
    select
        resolved.account_id,
        truth.customer_id,
        truth.month_end,
        truth.currency,
        truth.mrr_minor,
        truth.mrr_usd
    from truth_mrr_monthly as truth
    left join intermediate.int_account_identifiers_resolved as resolved
        on resolved.identifier_type = 'stripe_customer_id'
        and resolved.identifier_value = truth.customer_id
"""

# movement of each truth customer-month, derived from truth alone (months with MRR + churn months)
TRUTH_MOVEMENTS = """
    with months as (
        select distinct month_end from truth_mrr_monthly
    ),
    customers as (
        select customer_id, min(month_end) as first_month_end from truth_mrr_monthly group by customer_id
    ),
    grid as (
        select customers.customer_id, customers.first_month_end, months.month_end,
            coalesce(truth.mrr_minor, 0) as mrr_minor
        from customers
        inner join months on months.month_end >= customers.first_month_end
        left join truth_mrr_monthly as truth
            on truth.customer_id = customers.customer_id and truth.month_end = months.month_end
    ),
    lagged as (
        select *, coalesce(lag(mrr_minor) over (partition by customer_id order by month_end), 0) as previous_minor
        from grid
    )
    select
        customer_id,
        month_end,
        case
            when previous_minor = 0 and mrr_minor > 0 then
                case when month_end = first_month_end then 'new' else 'reactivation' end
            when previous_minor > 0 and mrr_minor = 0 then 'churn'
            when mrr_minor > previous_minor then 'expansion'
            when mrr_minor < previous_minor then 'contraction'
            else 'unchanged'
        end as movement_type
    from lagged
    where mrr_minor > 0 or previous_minor > 0
"""


def test_mrr_matches_truth_to_the_cent(small_clean_warehouse):
    """Every account-month with MRR in truth is in fct_mrr with the same MRR, in minor units and in USD."""
    wh = small_clean_warehouse
    rows, unmapped, missing, extra, minor_diff, usd_diff = wh.query(f"""
        with truth as ({TRUTH_BY_ACCOUNT}),
        mrr as (select * from marts.fct_mrr where is_active)
        select
            count(*),
            count(*) filter (where truth.customer_id is not null and truth.account_id is null),
            count(*) filter (where mrr.account_id is null),
            count(*) filter (where truth.customer_id is null),
            count(*) filter (where mrr.mrr * 100 != truth.mrr_minor or mrr.currency_code != truth.currency),
            count(*) filter (where abs(mrr.mrr_reporting - truth.mrr_usd) >= 0.005)
        from truth
        full outer join mrr
            on mrr.account_id = truth.account_id
            and mrr.month_end_date = truth.month_end
    """)[0]
    print(
        f"\nfct_mrr vs truth: {rows} account-months, {missing} missing, {extra} extra, "
        f"{minor_diff} differ in the billing currency, {usd_diff} in USD"
    )
    assert rows > 5000
    assert (unmapped, missing, extra, minor_diff, usd_diff) == (0, 0, 0, 0, 0)


def test_monthly_mrr_totals_match_truth(small_clean_warehouse):
    """Total MRR per month (kpi_revenue_monthly) equals truth's to the cent, every month."""
    wh = small_clean_warehouse
    months, truth_months, max_diff, total = wh.query("""
        with truth as (
            select month_end, sum(mrr_usd) as mrr_usd, count(*) as customers
            from truth_mrr_monthly
            group by month_end
        )
        select
            count(*),
            count(truth.month_end),
            max(abs(kpi.mrr_reporting - coalesce(truth.mrr_usd, 0))),
            sum(kpi.mrr_reporting)
        from marts.kpi_revenue_monthly as kpi
        full outer join truth
            on truth.month_end = kpi.month_end_date
    """)[0]
    customers_differ = wh.one("""
        select count(*)
        from marts.kpi_revenue_monthly as kpi
        inner join (select month_end, count(*) as n from truth_mrr_monthly group by month_end) as truth
            on truth.month_end = kpi.month_end_date
        where kpi.customers != truth.n
    """)
    print(f"\nMRR per month vs truth: {months} months, max |difference| {max_diff:.6f} USD, sum of monthly MRR {total}")
    assert months == truth_months > 24
    assert max_diff < 0.005
    assert customers_differ == 0


def test_movement_identity_every_month(small_clean_warehouse):
    """start + new + expansion + reactivation − contraction − churn = end, every month, to the cent."""
    wh = small_clean_warehouse
    months, broken, broken_rows, fx_total = wh.query("""
        with kpi as (
            select
                *,
                coalesce(lag(mrr_reporting) over (order by month_start_date), 0) as previous_month_mrr
            from marts.kpi_revenue_monthly
        )
        select
            count(*),
            count(*) filter (where starting_mrr_reporting + new_mrr_reporting + expansion_mrr_reporting
                + reactivation_mrr_reporting - contraction_mrr_reporting - churned_mrr_reporting
                != mrr_reporting
                or previous_mrr_reporting + fx_revaluation_reporting != starting_mrr_reporting
                or previous_mrr_reporting != previous_month_mrr),
            (select count(*) from marts.fct_mrr
             where start_mrr_reporting + new_mrr_reporting + expansion_mrr_reporting + reactivation_mrr_reporting
                - contraction_mrr_reporting - churned_mrr_reporting != mrr_reporting),
            sum(fx_revaluation_reporting)
        from kpi
    """)[0]
    print(
        f"\nmovement identity: {months} months, {broken} broken; {broken_rows} broken fct_mrr rows; "
        f"FX revaluation over the period {fx_total} USD"
    )
    assert months > 24
    assert broken == 0
    assert broken_rows == 0


def test_movement_types_match_truth(small_clean_warehouse):
    """The movement of every customer-month equals the one derived from truth's MRR series."""
    wh = small_clean_warehouse
    rows = wh.query(f"""
        with truth as ({TRUTH_MOVEMENTS}),
        truth_accounts as (
            select resolved.account_id, truth.month_end, truth.movement_type
            from truth
            inner join intermediate.int_account_identifiers_resolved as resolved
                on resolved.identifier_type = 'stripe_customer_id'
                and resolved.identifier_value = truth.customer_id
        )
        select
            coalesce(mrr.movement_type, truth_accounts.movement_type) as movement_type,
            count(truth_accounts.account_id) as in_truth,
            count(mrr.account_id) as in_warehouse,
            count(*) filter (where mrr.movement_type = truth_accounts.movement_type) as agree
        from truth_accounts
        full outer join marts.fct_mrr as mrr
            on mrr.account_id = truth_accounts.account_id
            and mrr.month_end_date = truth_accounts.month_end
        group by 1
        order by 1
    """)
    print("\nmovements (type, truth, warehouse, agree): " + ", ".join(map(str, rows)))
    counts = {movement: (in_truth, in_warehouse, agree) for movement, in_truth, in_warehouse, agree in rows}
    assert set(counts) == {"new", "expansion", "contraction", "churn", "reactivation", "unchanged"}
    for movement, (in_truth, in_warehouse, agree) in counts.items():
        assert in_truth == in_warehouse == agree, movement
    assert counts["reactivation"][0] > 0 and counts["churn"][0] > 0


def test_months_contiguous(small_clean_warehouse):
    """No duplicate or skipped month per account, except between a churn and a reactivation."""
    wh = small_clean_warehouse
    duplicates, gaps, unexplained = wh.query("""
        with rows as (
            select
                account_id, month_start_date, movement_type,
                lag(month_start_date) over (partition by account_id order by month_start_date) as previous_month,
                lag(movement_type) over (partition by account_id order by month_start_date) as previous_movement
            from marts.fct_mrr
        )
        select
            (select count(*) - count(distinct (account_id, month_start_date)) from marts.fct_mrr),
            count(*) filter (where previous_month < month_start_date - interval 1 month),
            count(*) filter (where previous_month < month_start_date - interval 1 month
                and not (movement_type = 'reactivation' and previous_movement = 'churn'))
        from rows
    """)[0]
    print(f"\ncontiguity: {duplicates} duplicate months, {gaps} gaps (all churn -> reactivation: {unexplained == 0})")
    assert duplicates == 0
    assert unexplained == 0


def test_churn_milestone_matches_truth(small_clean_warehouse):
    """int_account_churn.churned_at equals truth's churn of the account, for every customer and person."""
    wh = small_clean_warehouse
    customers, churned, agree = wh.query("""
        with truth as (
            select accounts.stripe_customer_id, max(people.churned_at) as churned_at
            from truth_accounts as accounts
            inner join truth_people as people using (account_key)
            where accounts.stripe_customer_id is not null
            group by accounts.stripe_customer_id
        ),
        warehouse as (
            select resolved.identifier_value as customer_id, churn.churned_at
            from intermediate.int_account_churn as churn
            inner join intermediate.int_account_identifiers_resolved as resolved
                on resolved.account_id = churn.account_id
                and resolved.identifier_type = 'stripe_customer_id'
        )
        select
            count(*),
            count(truth.churned_at),
            count(*) filter (where truth.churned_at is not distinct from warehouse.churned_at)
        from truth
        full outer join warehouse
            on warehouse.customer_id = truth.stripe_customer_id
    """)[0]
    people, people_agree = wh.query("""
        select
            count(*),
            count(*) filter (where people.churned_at is not distinct from churn.churned_at)
        from truth_people as people
        inner join truth_accounts as accounts using (account_key)
        inner join intermediate.int_account_identifiers_resolved as resolved
            on resolved.identifier_type = 'stripe_customer_id'
            and resolved.identifier_value = accounts.stripe_customer_id
        left join intermediate.int_account_churn as churn
            on churn.account_id = resolved.account_id
    """)[0]
    print(
        f"\nchurn: {customers} customers, {churned} churned in truth, {agree} agree; "
        f"{people} people of customers, {people_agree} agree"
    )
    assert churned > 10
    assert agree == customers
    assert people_agree == people > 0


def test_nrr_grr_match_truth(small_clean_warehouse):
    """Trailing-12-month NRR / GRR recomputed from truth's MRR (constant currency at the month's rate)."""
    wh = small_clean_warehouse
    months, max_nrr_diff, max_grr_diff, last_nrr, last_grr = wh.query("""
        with truth as (
            select customer_id, month_end, currency, mrr_minor / 100 as mrr from truth_mrr_monthly
        ),
        rates as (
            select month_start_date, currency_code, fx_rate_to_reporting from intermediate.int_fx_rates_month_end
        ),
        pairs as (
            select
                date_trunc('month', months.month_end) as month_start_date,
                sum(round(base.mrr * rates.fx_rate_to_reporting, 2)) as base,
                sum(round(coalesce(now_.mrr, 0) * rates.fx_rate_to_reporting, 2)) as retained,
                sum(round(least(coalesce(now_.mrr, 0), base.mrr) * rates.fx_rate_to_reporting, 2)) as gross
            from truth as base
            inner join (select distinct month_end from truth) as months
                on months.month_end = last_day(base.month_end + interval 12 month)
            left join truth as now_
                on now_.customer_id = base.customer_id and now_.month_end = months.month_end
            inner join rates
                on rates.currency_code = base.currency
                and rates.month_start_date = date_trunc('month', months.month_end)
            group by 1
        )
        select
            count(*),
            max(abs(kpi.nrr_trailing_12m - pairs.retained / pairs.base)),
            max(abs(kpi.grr_trailing_12m - pairs.gross / pairs.base)),
            arg_max(kpi.nrr_trailing_12m, kpi.month_start_date),
            arg_max(kpi.grr_trailing_12m, kpi.month_start_date)
        from marts.kpi_revenue_monthly as kpi
        inner join pairs
            on pairs.month_start_date = kpi.month_start_date
    """)[0]
    print(
        f"\nNRR/GRR (12 months) vs truth: {months} months, max |difference| NRR {max_nrr_diff:.2e}, "
        f"GRR {max_grr_diff:.2e}; at as_of NRR {last_nrr:.4f}, GRR {last_grr:.4f}"
    )
    assert months >= 12
    assert max_nrr_diff < 1e-9 and max_grr_diff < 1e-9
    assert 0 < last_grr <= 1 and last_grr <= last_nrr


def test_retention_cohorts_by_true_first_touch_channel(small_clean_warehouse):
    """Cohort sizes per first-touch channel match truth (the channel of the account's earliest-touched person)."""
    wh = small_clean_warehouse
    accounts, agree = wh.query("""
        with truth as (
            select
                accounts.stripe_customer_id,
                arg_min(people.first_touch_channel, (people.first_touch_at, people.person_id)) as channel
            from truth_accounts as accounts
            inner join truth_people as people using (account_key)
            where accounts.stripe_customer_id is not null and people.first_touch_at is not null
            group by accounts.stripe_customer_id
        ),
        cohort_accounts as (
            select resolved.identifier_value as customer_id, journey.first_touch_channel
            from marts.fct_mrr as mrr
            inner join intermediate.int_account_identifiers_resolved as resolved
                on resolved.account_id = mrr.account_id and resolved.identifier_type = 'stripe_customer_id'
            left join marts.fct_account_journey as journey on journey.account_id = mrr.account_id
            where mrr.movement_type = 'new'
        )
        select count(*), count(*) filter (where truth.channel = cohort_accounts.first_touch_channel)
        from cohort_accounts
        inner join truth on truth.stripe_customer_id = cohort_accounts.customer_id
    """)[0]
    cohort_total, all_total = wh.query("""
        select
            sum(cohort_customers) filter (where first_touch_channel != 'all'),
            sum(cohort_customers) filter (where first_touch_channel = 'all')
        from marts.kpi_retention_cohorts
        where months_since_acquisition = 0
    """)[0]
    print(
        f"\ncohort channels: {agree} of {accounts} customers on their true first-touch channel; "
        f"{all_total} customers in cohorts"
    )
    assert cohort_total == all_total == wh.one("select count(distinct customer_id) from truth_mrr_monthly")
    assert agree >= 0.97 * accounts
