"""The semantic layer (MetricFlow, models/semantic/) and the KPI tables agree (issue 8, acceptance 2).

On the shared ``small_clean_warehouse`` (seed 7), ``mf query`` runs as a user runs it — a
subprocess in a dbt project whose ``target/semantic_manifest.json`` comes from ``dbt parse``
— with ``GTM_DUCKDB_PATH`` pointing at that warehouse. MetricFlow always reads the manifest
from ``<project>/target/``, so the test parses into a scratch project (symlinks to this repo's
dbt files) and never touches the repo's own target/.

Compared, for every month of ``kpi_gtm_monthly`` (channel = 'all'): spend, leads, MQLs, SQLs,
opportunities, pipeline, marketing-sourced pipeline, won deals, bookings, sessions, new
customers exactly (decimals to the cent, counts to the unit), and win rate, CPL, cost per MQL,
CTR, average deal size, email open rate, ROAS, paid CAC and blended CAC to 1e-9 relative.
CAC is compared twice: per month against ``kpi_gtm_monthly.paid_cac`` / ``blended_cac``, and per
fiscal quarter (``metric_time__fiscal_quarter``, the time spine's custom granularity) against
``kpi_unit_economics.paid_cac`` / ``blended_cac`` / ``arpa`` of the 'all' rows. A third test
recomputes the KPI table from the underlying marts with independent SQL, month × channel.
"""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gtm.paths import PROJECT_ROOT

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent

# metric name in the semantic layer -> column of kpi_gtm_monthly ('all' rows)
ADDITIVE = {
    "ad_spend": "spend_reporting",
    "leads": "leads",
    "mqls": "mqls",
    "sqls": "sqls",
    "opportunities": "opportunities",
    "pipeline": "pipeline_reporting",
    "marketing_sourced_pipeline": "marketing_sourced_pipeline_reporting",
    "won_deals": "won_deals",
    "bookings": "bookings_reporting",
    "sessions": "sessions",
    "new_customers": "new_customers",
    "paid_new_customers": "paid_new_customers",
}
RATIOS = {
    "win_rate": "win_rate",
    "cost_per_lead": "cost_per_lead",
    "cost_per_mql": "cost_per_mql",
    "click_through_rate": "click_through_rate",
    "average_deal_size": "average_deal_size",
    "email_open_rate": "email_open_rate",
    "roas_linear": "roas_linear",
    "roas_first_touch": "roas_first_touch",
    "paid_cac": "paid_cac",
    "blended_cac": "blended_cac",
}
QUARTERLY = {"paid_cac": "paid_cac", "blended_cac": "blended_cac", "arpa": "arpa"}


def _number(text: str) -> Decimal | None:
    return None if text in ("", "None", "nan") else Decimal(text)


def _same_ratio(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


@pytest.fixture(scope="module")
def mf(small_clean_warehouse, tmp_path_factory):
    """A function running `mf query` against the small warehouse; returns {period start: {metric: value}}."""
    project = tmp_path_factory.mktemp("mf_project")
    for name in ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "analyses", "tests"):
        if (PROJECT_ROOT / name).exists():
            (project / name).symlink_to(PROJECT_ROOT / name)
    env = {
        **os.environ,
        "GTM_DUCKDB_PATH": str(small_clean_warehouse.database),
        "GTM_TEMP_DIR": str(project / "tmp"),
        "DBT_TARGET_PATH": str(project / "target"),
        "DBT_LOG_PATH": str(project / "logs"),
        "DBT_PROJECT_DIR": str(project),
        "DBT_PROFILES_DIR": str(project),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    parse = subprocess.run(
        [str(BIN / "dbt"), "parse", "--quiet"], cwd=project, env=env, capture_output=True, text=True, timeout=600
    )
    assert parse.returncode == 0, parse.stdout + parse.stderr
    assert (project / "target" / "semantic_manifest.json").exists()

    def query(metrics: list[str], group_by: str) -> dict[date, dict[str, Decimal | None]]:
        out = project / f"{group_by}.csv"
        command = [str(BIN / "mf"), "query", "--metrics", ",".join(metrics), "--group-by", group_by]
        result = subprocess.run(
            [*command, "--csv", str(out), "--quiet"], cwd=project, env=env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0 and out.exists(), result.stdout + result.stderr
        with out.open(newline="") as f:
            rows = list(csv.DictReader(f))
        return {
            date.fromisoformat(row[group_by][:10]): {m: _number(row[m]) for m in metrics}
            for row in rows
            if row[group_by]  # the NULL period: leads that never became MQLs / SQLs
        }

    return query


def test_mf_query_matches_kpi_gtm_monthly(mf, small_clean_warehouse):
    """For every month, mf query returns the numbers of kpi_gtm_monthly's 'all' row."""
    metrics = [*ADDITIVE, *RATIOS]
    from_mf = mf(metrics, "metric_time__month")
    columns = [*ADDITIVE.values(), *RATIOS.values()]
    kpi = {
        row[0]: dict(zip(columns, row[1:], strict=True))
        for row in small_clean_warehouse.query(
            f"select month_start_date, {', '.join(columns)} from marts.kpi_gtm_monthly where channel = 'all'"
        )
    }
    assert len(kpi) >= 24, "expected two years of months at small scale"
    mismatches = []
    for month, row in sorted(kpi.items()):
        got = from_mf.get(month, {})
        for metric, column in ADDITIVE.items():
            value = got.get(metric) or 0
            if Decimal(value) != Decimal(row[column]):
                mismatches.append((month, metric, value, row[column]))
        for metric, column in RATIOS.items():
            if not _same_ratio(got.get(metric), row[column]):
                mismatches.append((month, metric, got.get(metric), row[column]))
    assert not mismatches, f"{len(mismatches)} differences, first: {mismatches[:10]}"
    # months MetricFlow sees outside the table (e.g. expected close dates of open deals) hold nothing
    for month in set(from_mf) - set(kpi):
        assert all(not from_mf[month].get(m) for m in ADDITIVE), (month, from_mf[month])
    totals = {m: sum(Decimal(r[c]) for r in kpi.values()) for m, c in ADDITIVE.items()}
    print(f"\n{len(kpi)} months equal; totals: " + ", ".join(f"{m} {v}" for m, v in totals.items()))


def test_mf_cac_by_fiscal_quarter_matches_kpi_unit_economics(mf, small_clean_warehouse):
    """Paid / blended CAC and ARPA per fiscal quarter: mf query = kpi_unit_economics ('all' rows)."""
    from_mf = mf(list(QUARTERLY), "metric_time__fiscal_quarter")
    rows = small_clean_warehouse.query(
        f"select fiscal_quarter_start_date, {', '.join(QUARTERLY.values())} "
        "from marts.kpi_unit_economics where channel = 'all' order by 1"
    )
    assert len(rows) >= 8
    checked = 0
    for quarter, *values in rows:
        for (metric, _column), expected in zip(QUARTERLY.items(), values, strict=True):
            got = from_mf.get(quarter, {}).get(metric)
            assert _same_ratio(got, expected), (quarter, metric, got, expected)
            checked += expected is not None
    assert checked >= 2 * len(rows)  # most quarters have a blended CAC and an ARPA
    print(f"\n{len(rows)} fiscal quarters, {checked} non-NULL CAC / ARPA values equal")


# Independent recomputation of kpi_gtm_monthly from the public marts (DuckDB SQL, month × channel).
RECOMPUTED = """
with
ch as (select channel, is_paid from marts.dim_channels),
facts as (
    select date_trunc('month', date_day) as m, coalesce(channel, 'unknown') as channel,
        spend_reporting as spend, clicks, impressions,
        0 as sessions, 0 as leads, 0 as mqls, 0 as opps, 0 as pipeline, 0 as won, 0 as lost, 0 as bookings,
        0 as delivered, 0 as opened, 0 as new_customers
    from marts.fct_ad_spend_daily
    union all
    select date_trunc('month', started_at), coalesce(channel, 'unknown'), 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    from marts.fct_web_sessions
    union all
    select date_trunc('month', lead_created_at), coalesce(first_touch_channel, 'unknown'),
        0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0
    from marts.fct_leads where lead_created_at is not null
    union all
    select date_trunc('month', mql_at), coalesce(first_touch_channel, 'unknown'),
        0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0
    from marts.fct_leads where mql_at is not null
    union all
    select date_trunc('month', created_at), coalesce(first_touch_channel, 'unknown'),
        0, 0, 0, 0, 0, 0, 1, coalesce(amount_reporting, 0), 0, 0, 0, 0, 0, 0
    from marts.fct_opportunities
    union all
    select date_trunc('month', close_date), coalesce(first_touch_channel, 'unknown'), 0, 0, 0, 0, 0, 0, 0, 0,
        case when is_won then 1 else 0 end, case when is_won then 0 else 1 end,
        case when is_won then coalesce(amount_reporting, 0) else 0 end, 0, 0, 0
    from marts.fct_opportunities where is_closed
    union all
    select date_trunc('month', sent_at), 'email', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        case when is_delivered then 1 else 0 end, case when is_delivered and is_opened then 1 else 0 end, 0
    from marts.fct_email_engagement
    union all
    select m.month_start_date, coalesce(j.first_touch_channel, 'unknown'), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
    from marts.fct_mrr as m left join marts.fct_account_journey as j using (account_id)
    where m.movement_type = 'new'
),
both_levels as (
    select * from facts
    union all
    select m, 'all', spend, clicks, impressions, sessions, leads, mqls, opps, pipeline, won, lost, bookings,
        delivered, opened, new_customers
    from facts
)
select
    cast(m as date) as month_start_date, channel,
    sum(spend) as spend, sum(clicks) as clicks, sum(sessions) as sessions, sum(leads) as leads,
    sum(mqls) as mqls, sum(opps) as opportunities, sum(pipeline) as pipeline, sum(won) as won,
    sum(bookings) as bookings, sum(new_customers) as new_customers,
    sum(won) / nullif(sum(won) + sum(lost), 0) as win_rate,
    sum(opened) / nullif(sum(delivered), 0) as open_rate,
    sum(clicks) / nullif(sum(impressions), 0) as ctr
from both_levels
group by all
"""
COMPARED = [
    ("spend_reporting", "spend"),
    ("clicks", "clicks"),
    ("sessions", "sessions"),
    ("leads", "leads"),
    ("mqls", "mqls"),
    ("opportunities", "opportunities"),
    ("pipeline_reporting", "pipeline"),
    ("won_deals", "won"),
    ("bookings_reporting", "bookings"),
    ("new_customers", "new_customers"),
    ("win_rate", "win_rate"),
    ("email_open_rate", "open_rate"),
    ("click_through_rate", "ctr"),
]


def test_kpi_gtm_monthly_equals_recomputation_from_marts(small_clean_warehouse):
    """Every month × channel row of kpi_gtm_monthly equals an independent recomputation from the marts."""
    wh = small_clean_warehouse
    kpi_columns = ", ".join(f"kpi.{k}" for k, _ in COMPARED)
    expected_columns = ", ".join(f"r.{e}" for _, e in COMPARED)
    rows = wh.query(f"""
        with r as ({RECOMPUTED})
        select kpi.month_start_date, kpi.channel, r.month_start_date is not null, {kpi_columns}, {expected_columns}
        from marts.kpi_gtm_monthly as kpi
        left join r on r.month_start_date = kpi.month_start_date and r.channel = kpi.channel
    """)
    n = len(COMPARED)
    mismatches = []
    for month, channel, has_facts, *values in rows:
        for (column, _), got, want in zip(COMPARED, values[:n], values[n:], strict=True):
            if column in ("win_rate", "email_open_rate", "click_through_rate"):
                ok = _same_ratio(got, want)
            else:
                ok = got == (want if has_facts else 0)
            if not ok:
                mismatches.append((month, channel, column, got, want))
    assert not mismatches, f"{len(mismatches)} differences, first: {mismatches[:10]}"
    # no fact falls outside the table's months and channels
    missing = wh.one(f"""
        with r as ({RECOMPUTED})
        select count(*) from r
        left join marts.kpi_gtm_monthly as kpi on r.month_start_date = kpi.month_start_date and r.channel = kpi.channel
        where kpi.month_start_date is null
    """)
    assert missing == 0
    bookings = wh.one("select sum(bookings_reporting) from marts.kpi_gtm_monthly where channel = 'all'")
    assert bookings == wh.one("select sum(bookings_amount) from marts.fct_quota_attainment")
    print(f"\n{len(rows)} month × channel rows equal; bookings {bookings}")
