"""Opportunities, stage history, quotas and the pipeline forecast on the real pipeline.

Uses the shared ``small_clean_warehouse`` build (seed 7) and compares the sales marts with the
generator's truth (``truth_opportunities``: amount in USD at the close-date rate, outcome, close
date; ``truth_people``: each person's account and first touch) and with recomputations straight
from the raw CRM tables (``salesforce.opportunity``, ``salesforce.opportunity_history``), which
no dbt model touches here.
"""

from __future__ import annotations

from decimal import Decimal
from statistics import median

import pytest

pytestmark = pytest.mark.integration

# fiscal quarter start (February fiscal year) of a date column, by month arithmetic
FISCAL_QUARTER_START = "cast(date_trunc('month', {col}) - to_months(((month({col}) - 2 + 12) % 3)) as date)"


def _truth_quarter(col: str) -> str:
    return FISCAL_QUARTER_START.format(col=col)


def test_bookings_per_fiscal_quarter_equal_truth_to_the_cent(small_clean_warehouse):
    wh = small_clean_warehouse
    truth = dict(
        wh.query(f"""
            select {_truth_quarter("close_date")} as quarter, sum(cast(amount_usd as decimal(18, 2)))
            from truth_opportunities
            where is_won
            group by 1
        """)
    )
    attainment = dict(
        wh.query("""
            select fiscal_quarter_start_date, sum(bookings_amount)
            from marts.fct_quota_attainment
            group by 1
            having sum(bookings_amount) != 0
        """)
    )
    forecast = dict(
        wh.query("""
            select fiscal_quarter_start_date, bookings_amount
            from marts.kpi_pipeline_forecast
            where rollup_level = 'total' and bookings_amount != 0
        """)
    )
    assert len(truth) >= 10
    assert attainment == truth
    assert forecast == truth
    # the rep rows add up to the team rows and to the company row
    mismatched = wh.one("""
        select count(*)
        from (
            select fiscal_quarter_start_date
            from (
                select fiscal_quarter_start_date, rollup_level, sum(bookings_amount) as bookings
                from marts.kpi_pipeline_forecast
                group by 1, 2
            )
            group by 1
            having min(bookings) != max(bookings)
        )
    """)
    assert mismatched == 0
    total = sum(truth.values(), Decimal(0))
    print(f"\nbookings: {len(truth)} fiscal quarters, {total:,.2f} USD, equal to truth to the cent")


def test_every_opportunity_matches_truth(small_clean_warehouse):
    wh = small_clean_warehouse
    rows = wh.one("""
        select count(*)
        from marts.fct_opportunities as warehouse
        inner join truth_opportunities as truth using (opportunity_id)
        where
            warehouse.is_closed = truth.is_closed
            and warehouse.is_won = truth.is_won
            and warehouse.close_date = truth.close_date
            and warehouse.amount = cast(truth.amount as decimal(18, 2))
            and warehouse.currency_code = truth.currency
            and (not truth.is_won or warehouse.amount_reporting = cast(truth.amount_usd as decimal(18, 2)))
            -- lost deals: within a cent (the truth rounds exact half-cent ties to even, staging away from zero)
            and (not truth.is_closed or abs(warehouse.amount_reporting - truth.amount_usd) <= 0.01)
    """)
    assert (
        rows
        == wh.one("select count(*) from truth_opportunities")
        == wh.one("select count(*) from marts.fct_opportunities")
    )


def test_win_rate_deal_size_and_cycle_match_independent_recomputation(small_clean_warehouse):
    wh = small_clean_warehouse
    # win rate and deal size from the truth; the cycle from the raw stage log (the close instant)
    expected = {
        quarter: (won, lost, deal)
        for quarter, won, lost, deal in wh.query(f"""
            select
                {_truth_quarter("close_date")},
                count(*) filter (where is_won),
                count(*) filter (where not is_won),
                sum(amount_usd) filter (where is_won) / count(*) filter (where is_won)
            from truth_opportunities
            where is_closed
            group by 1
        """)
    }
    cycles: dict = {}
    for quarter, days in wh.query(f"""
        with closing as (
            select opportunity_id, min(created_date) as closed_at
            from salesforce.opportunity_history
            where stage_name = 'Closed Won'
            group by 1
        )
        select {_truth_quarter("opportunity.close_date")}, epoch(closing.closed_at - opportunity.created_date) / 86400
        from salesforce.opportunity
        inner join closing on opportunity.id = closing.opportunity_id
    """):
        cycles.setdefault(quarter, []).append(days)
    actual = wh.query("""
        select fiscal_quarter_start_date, won_count, lost_count, win_rate, average_deal_size,
            sales_cycle_days_mean, sales_cycle_days_median
        from marts.kpi_pipeline_forecast
        where rollup_level = 'total' and won_count + lost_count > 0
    """)
    assert {row[0] for row in actual} == set(expected)
    for quarter, won, lost, win_rate, deal, cycle_mean, cycle_median in actual:
        true_won, true_lost, true_deal = expected[quarter]
        assert (won, lost) == (true_won, true_lost), quarter
        assert win_rate == pytest.approx(true_won / (true_won + true_lost), abs=1e-12)
        if true_won:
            assert deal == pytest.approx(true_deal, abs=1e-6)
            assert cycle_median == pytest.approx(median(cycles[quarter]), abs=1e-6)
            assert cycle_mean == pytest.approx(sum(cycles[quarter]) / len(cycles[quarter]), abs=1e-6)
    # fct_quota_attainment's rep rows agree with the company row
    per_rep = dict(
        wh.query("""
            select fiscal_quarter_start_date, sum(won_count) / sum(won_count + lost_count)
            from marts.fct_quota_attainment
            group by 1
            having sum(won_count + lost_count) > 0
        """)
    )
    assert per_rep == pytest.approx({q: w / (w + lo) for q, (w, lo, _) in expected.items()})


def test_stage_durations_add_up(small_clean_warehouse):
    wh = small_clean_warehouse
    closed, bad, worst = wh.query("""
        with summed as (
            select opportunity_id, sum(coalesce(days_in_stage, 0)) as days
            from marts.fct_opportunity_stage_history
            group by 1
        )
        select
            count(*),
            count(*) filter (where abs(summed.days - opportunities.days_to_close) > 1e-9),
            max(abs(summed.days - epoch(opportunities.closed_at - opportunities.created_at) / 86400))
        from marts.fct_opportunities as opportunities
        inner join summed using (opportunity_id)
        where opportunities.is_closed
    """)[0]
    assert closed == wh.one("select count(*) from truth_opportunities where is_closed")
    assert bad == 0
    assert worst < 1e-9
    # the closed stage is entered on the true close date; every stage ends where the next begins
    assert (
        wh.one("""
        select count(*)
        from marts.fct_opportunity_stage_history as history
        inner join truth_opportunities as truth using (opportunity_id)
        where history.is_terminal_stage and history.entered_date != truth.close_date
    """)
        == 0
    )
    assert (
        wh.one("""
        select count(*)
        from marts.fct_opportunity_stage_history as this_stage
        inner join marts.fct_opportunity_stage_history as next_stage
            on this_stage.opportunity_id = next_stage.opportunity_id
            and next_stage.stage_sequence = this_stage.stage_sequence + 1
        where this_stage.exited_at != next_stage.entered_at
    """)
        == 0
    )


def test_marketing_sourced_matches_truth(small_clean_warehouse):
    """Marketing- vs sales-sourced (account's first touch before creation) against the true first touches."""
    wh = small_clean_warehouse
    total, agree = wh.query("""
        with true_firsts as (
            select
                opportunities.opportunity_id,
                people.first_touch_channel,
                row_number() over (
                    partition by opportunities.opportunity_id order by people.first_touch_at, people.person_id
                ) as touch_rank
            from truth_opportunities as opportunities
            inner join truth_people as people
                on people.account_key = opportunities.account_key
                and people.first_touch_at < opportunities.created_at
        )
        select
            count(*),
            count(*) filter (
                where (coalesce(true_firsts.first_touch_channel, 'sales_outbound') != 'sales_outbound')
                    = warehouse.is_marketing_sourced
            )
        from marts.fct_opportunities as warehouse
        left join true_firsts
            on warehouse.opportunity_id = true_firsts.opportunity_id
            and true_firsts.touch_rank = 1
    """)[0]
    print(f"\nmarketing- vs sales-sourced: {agree} of {total} opportunities agree with truth ({agree / total:.1%})")
    assert agree / total >= 0.97


def test_forecast_backtest(small_clean_warehouse):
    """The weighted forecast made at the start of each of the last 4 completed quarters vs the actual bookings."""
    wh = small_clean_warehouse
    rows = wh.query("""
        select fiscal_quarter_label, bookings_to_date_amount, weighted_forecast_amount, projected_bookings_amount,
            crm_projected_bookings_amount, bookings_amount, forecast_error_pct, crm_forecast_error_pct,
            open_pipeline_count, forecast_made_at, fiscal_quarter_start_date
        from marts.kpi_pipeline_forecast
        where rollup_level = 'total' and is_quarter_complete
        order by fiscal_quarter_start_date desc
        limit 4
    """)
    assert len(rows) == 4
    print("\nbacktest of the weighted forecast made at quarter start (company total, USD):")
    errors, crm_errors = [], []
    for label, to_date, weighted, projected, crm, actual, error, crm_error, n_open, made_at, start in reversed(rows):
        assert made_at.date() == start and to_date == 0
        assert projected == to_date + weighted
        assert error == pytest.approx(float(projected - actual) / float(actual), abs=1e-6)
        errors.append(abs(error))
        crm_errors.append(abs(crm_error))
        print(
            f"  {label}: {n_open} open deals, weighted forecast {projected:>14,.2f}, CRM-probability {crm:>14,.2f},"
            f" actual {actual:>14,.2f}, error {error:+.1%} (CRM {crm_error:+.1%})"
        )
    mape = sum(errors) / len(errors)
    crm_mape = sum(crm_errors) / len(crm_errors)
    print(f"  MAPE over the last 4 completed fiscal quarters: {mape:.1%} (CRM-probability forecast: {crm_mape:.1%})")
    assert 0 <= mape < 1
    # the rate behind each stage learns from no later than the forecast instant
    assert (
        wh.one("""
        select count(*)
        from intermediate.int_stage_win_rates as rates
        inner join intermediate.int_forecast_quarters as quarters using (fiscal_quarter_start_date)
        where rates.rate_window_end_at > quarters.forecast_made_at
            or rates.rate_window_end_at > cast(quarters.fiscal_quarter_start_date as timestamp)
    """)
        == 0
    )


def test_quota_attainment_matches_quota_sheet(small_clean_warehouse):
    wh = small_clean_warehouse
    quota_rows, quota_total = wh.query(
        "select count(*), sum(quota_amount) from marts.fct_quota_attainment where has_quota"
    )[0]
    raw_rows, raw_total = wh.query("select count(*), sum(cast(quota_amount as decimal(18, 2))) from sales_ops.quota")[0]
    assert (quota_rows, quota_total) == (raw_rows, raw_total)
    # every opportunity owner is a rep of dim_sales_reps with role ae
    assert (
        wh.one("""
        select count(*) from marts.fct_opportunities as opportunities
        left join marts.dim_sales_reps as reps using (sales_rep_id)
        where reps.sales_role is distinct from 'ae'
    """)
        == 0
    )
