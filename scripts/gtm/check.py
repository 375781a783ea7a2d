"""`gtm check`: output checks of a built warehouse, beyond dbt's tests.

Every check reads the warehouse through a read-only DuckDB connection and gives findings of
three severities: ``ok``, ``warning`` (worth a look, does not stop a publish) and ``error``
(the warehouse must not be published; ``gtm check`` exits with EXIT_CHECK_FAILED).

* **reconciliation** — ``dq_source_reconciliation``: every raw row is staged, deduplicated,
  soft-deleted or quarantined (``unaccounted_rows`` = 0), and its ``raw_rows`` equal the rows
  of the raw table itself.
* **totals** — ad spend agrees in ``fct_ad_spend_daily`` and ``kpi_gtm_monthly``; bookings
  agree across ``fct_opportunities`` (won ``amount_reporting``),
  ``fct_quota_attainment`` (``bookings_amount``) and ``kpi_gtm_monthly`` (channel ``all``);
  ``fct_attribution`` hands out exactly the won revenue and pipeline of its opportunities under
  every attribution model; the MRR movement identity holds row by row in ``fct_mrr``
  (start + new + expansion + reactivation − contraction − churn = MRR) and month by month in
  ``kpi_revenue_monthly``.
* **freshness** — per source, the newest ``loaded_at`` value (contract.py) against the var
  ``as_of_date``: older than ``warn_days`` → warning, older than ``error_days`` → error.
* **volume** — monthly leads, web sessions and ad spend: a month more than ``factor`` times
  above (or below 1/``factor`` of) the median of the ``trailing_months`` before it → warning.

A mart that is not in the warehouse (a model not built yet, a source switched off) gives a
warning naming it, not an error.
"""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from gtm import contract
from gtm.errors import BadInputError
from gtm.paths import AS_OF_ENV, PROJECT_ROOT

OK, WARNING, ERROR = "ok", "warning", "error"
CENT = Decimal("0.005")
ATTRIBUTION_MODELS = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay")


@dataclass(frozen=True)
class Finding:
    check: str  # reconciliation | totals | freshness | volume
    severity: str  # ok | warning | error
    subject: str
    message: str


@dataclass
class CheckOptions:
    as_of: date | None = None  # default: var as_of_date of dbt_project.yml
    anomaly_factor: float = 3.0
    trailing_months: int = 6
    min_history_months: int = 3
    freshness_warn_days: int = 2
    freshness_error_days: int = 7
    max_future_days: int = 30  # as the var max_future_days


@dataclass
class CheckReport:
    database: Path
    as_of: date
    findings: list[Finding] = field(default_factory=list)

    def add(self, check: str, severity: str, subject: str, message: str) -> None:
        self.findings.append(Finding(check, severity, subject, message))

    def of(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]

    @property
    def ok(self) -> bool:
        return not self.of(ERROR)

    def summary(self) -> str:
        return f"{len(self.of(ERROR))} error(s), {len(self.of(WARNING))} warning(s), {len(self.of(OK))} check(s) passed"

    def format(self, verbose: bool = False) -> str:
        lines = [f"gtm check: {self.database} (as_of_date {self.as_of})"]
        marks = {ERROR: "ERROR", WARNING: "WARN ", OK: "ok   "}
        for check in ("reconciliation", "totals", "freshness", "volume"):
            items = [f for f in self.findings if f.check == check]
            if not items:
                continue
            lines.append(f"\n{check}")
            for f in items:
                if f.severity == OK and not verbose:
                    continue
                lines.append(f"  {marks[f.severity]} {f.subject}: {f.message}")
            passed = sum(1 for f in items if f.severity == OK)
            if passed and not verbose:
                lines.append(f"  ok    {passed} check(s) passed")
        lines.append(f"\n{self.summary()}")
        if not self.ok:
            lines.append(
                "Errors mean the warehouse must not be published (gtm run does not publish it): fix the source "
                "data or the models named above, then run again."
            )
        return "\n".join(lines)


# --------------------------------------------------------------------------- helpers


def project_as_of() -> date:
    """The build's as_of_date when not given: environment variable GTM_AS_OF_DATE, else var
    as_of_date_default of dbt_project.yml (as macro as_of_date() picks it without --vars)."""
    import yaml  # dbt's own dependency

    value = os.environ.get(AS_OF_ENV, "").strip()
    if not value:
        data = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())
        value = str(data["vars"]["as_of_date_default"])
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInputError(f"{AS_OF_ENV} must be a date as YYYY-MM-DD, got {value!r}") from None


class Warehouse:
    """Name lookups and queries over a read-only connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        rows = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "UNION ALL SELECT schema_name, view_name FROM duckdb_views() "
            "WHERE database_name = current_database() AND NOT internal"
        ).fetchall()
        self._by_name: dict[str, list[str]] = {}
        for schema, name in rows:
            self._by_name.setdefault(name, []).append(schema)

    def relation(self, name: str, schema_hint: str = "marts") -> str | None:
        """ "schema"."name" of a model (the schema containing ``schema_hint`` preferred), or None."""
        schemas = self._by_name.get(name, [])
        if not schemas:
            return None
        schemas = sorted(schemas, key=lambda s: (schema_hint not in s, s))
        return f'"{schemas[0]}"."{name}"'

    def raw(self, source: str, table: str) -> str | None:
        return f'"{source}"."{table}"' if source in self._by_name.get(table, []) else None

    def columns(self, relation: str) -> list[str]:
        return [r[0] for r in self.con.execute(f"DESCRIBE {relation}").fetchall()]

    def rows(self, sql: str, *params) -> list[tuple]:
        return self.con.execute(sql, list(params)).fetchall()

    def one(self, sql: str, *params):
        return self.con.execute(sql, list(params)).fetchone()[0]


def _money(value) -> str:
    return "NULL" if value is None else f"{Decimal(value):,.2f}"


def _dec(value) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))


def _missing(report: CheckReport, check: str, model: str) -> None:
    report.add(check, WARNING, model, "not in this warehouse (model not built); check skipped")


# --------------------------------------------------------------------------- reconciliation


def check_reconciliation(w: Warehouse, report: CheckReport) -> None:
    rel = w.relation("dq_source_reconciliation")
    if rel is None:
        report.add("reconciliation", ERROR, "dq_source_reconciliation", "missing: the build did not create it")
        return
    rows = w.rows(
        f"SELECT source_name, table_name, is_enabled, raw_rows, staged_rows, duplicate_rows, soft_deleted_rows, "
        f"quarantined_rows, unaccounted_rows FROM {rel} ORDER BY 1, 2"
    )
    bad = [r for r in rows if r[2] and (r[8] or 0) != 0]
    for r in bad:
        report.add(
            "reconciliation",
            ERROR,
            f"{r[0]}.{r[1]}",
            f"{r[8]:,} raw row(s) unaccounted for (raw {r[3]:,} = staged {r[4]:,} + duplicates {r[5]:,} "
            f"+ soft-deleted {r[6]:,} + quarantined {r[7]:,} does not hold)",
        )
    mismatched = 0
    for source, table, enabled, raw_rows, *_ in rows:
        actual_rel = w.raw(source, table)
        if not enabled or actual_rel is None:
            continue
        actual = w.one(f"SELECT count(*) FROM {actual_rel}")
        if actual != raw_rows:
            mismatched += 1
            report.add(
                "reconciliation",
                ERROR,
                f"{source}.{table}",
                f"dq_source_reconciliation counts {raw_rows:,} raw rows, the raw table holds {actual:,}",
            )
    if not bad and not mismatched:
        enabled = [r for r in rows if r[2]]
        total = sum(r[3] or 0 for r in enabled)
        quarantined = sum(r[7] or 0 for r in enabled)
        report.add(
            "reconciliation",
            OK,
            "raw rows",
            f"all {total:,} raw rows of {len(enabled)} tables accounted for ({quarantined:,} quarantined)",
        )


# --------------------------------------------------------------------------- totals


def _kpi_bookings_column(w: Warehouse, rel: str) -> str | None:
    cols = w.columns(rel)
    for name in ("bookings_reporting", "bookings_amount", "bookings_amount_reporting", "bookings"):
        if name in cols:
            return name
    candidates = [c for c in cols if c.startswith("bookings")]
    return candidates[0] if len(candidates) == 1 else None


def _agree(report: CheckReport, subject: str, values: dict[str, Decimal]) -> None:
    base_name, base = next(iter(values.items()))
    off = {k: v for k, v in values.items() if abs(v - base) > CENT}
    shown = ", ".join(f"{k} {_money(v)}" for k, v in values.items())
    if off:
        report.add("totals", ERROR, subject, f"disagree: {shown}")
    else:
        report.add("totals", OK, subject, f"{_money(base)} in {len(values)} marts ({', '.join(values)})")


def check_bookings(w: Warehouse, report: CheckReport) -> None:
    opps = w.relation("fct_opportunities")
    if opps is None:
        report.add("totals", ERROR, "fct_opportunities", "missing: the build did not create it")
        return
    values = {
        "fct_opportunities": _dec(w.one(f"SELECT sum(amount_reporting) FROM {opps} WHERE is_won")),
    }
    quota = w.relation("fct_quota_attainment")
    if quota is None:
        _missing(report, "totals", "fct_quota_attainment")
    else:
        values["fct_quota_attainment"] = _dec(w.one(f"SELECT sum(bookings_amount) FROM {quota}"))
    kpi = w.relation("kpi_gtm_monthly")
    if kpi is None:
        _missing(report, "totals", "kpi_gtm_monthly")
    else:
        column = _kpi_bookings_column(w, kpi)
        if column is None:
            report.add("totals", ERROR, "kpi_gtm_monthly", "has no bookings column (bookings_amount)")
        else:
            values["kpi_gtm_monthly"] = _dec(w.one(f"SELECT sum({column}) FROM {kpi} WHERE channel = 'all'"))
    _agree(report, "bookings (won amount, reporting currency)", values)


def check_spend(w: Warehouse, report: CheckReport) -> None:
    """Ad spend: fct_ad_spend_daily = kpi_gtm_monthly (channel all), up to as_of_date."""
    spend = w.relation("fct_ad_spend_daily")
    kpi = w.relation("kpi_gtm_monthly")
    if spend is None or kpi is None or "spend_reporting" not in w.columns(kpi):
        return  # reported as missing by the other checks
    values = {
        "fct_ad_spend_daily": _dec(
            w.one(f"SELECT sum(spend_reporting) FROM {spend} WHERE date_day <= ?", report.as_of)
        ),
        "kpi_gtm_monthly": _dec(
            w.one(
                f"SELECT sum(spend_reporting) FROM {kpi} WHERE channel = 'all' AND month_start_date <= ?",
                report.as_of,
            )
        ),
    }
    _agree(report, "ad spend (reporting currency)", values)


def check_attribution(w: Warehouse, report: CheckReport) -> None:
    rel = w.relation("fct_attribution")
    if rel is None:
        _missing(report, "totals", "fct_attribution")
        return
    # One amount per opportunity (every row of an opportunity carries its won and pipeline amounts).
    per_opp = (
        f"SELECT opportunity_id, max(won_amount) AS won_amount, max(pipeline_amount) AS pipeline_amount "
        f"FROM {rel} GROUP BY opportunity_id"
    )
    won, pipeline = w.rows(f"SELECT sum(won_amount), sum(pipeline_amount) FROM ({per_opp})")[0]
    sums = ", ".join(
        f"sum(attributed_revenue_{m}), sum(attributed_pipeline_{m}), sum(credit_{m})" for m in ATTRIBUTION_MODELS
    )
    got = w.rows(f"SELECT count(DISTINCT opportunity_id), {sums} FROM {rel}")[0]
    opportunities = got[0]
    bad = []
    for i, m in enumerate(ATTRIBUTION_MODELS):
        revenue, pipe, credit = got[1 + 3 * i : 4 + 3 * i]
        if abs(_dec(revenue) - _dec(won)) > CENT:
            bad.append(f"{m}: attributed revenue {_money(revenue)} ≠ won {_money(won)}")
        if abs(_dec(pipe) - _dec(pipeline)) > CENT:
            bad.append(f"{m}: attributed pipeline {_money(pipe)} ≠ pipeline {_money(pipeline)}")
        if credit is not None and abs(float(credit) - opportunities) > 1e-6 * max(1, opportunities):
            bad.append(f"{m}: credits sum to {float(credit):,.4f}, not one per opportunity ({opportunities:,})")
    if bad:
        report.add("totals", ERROR, "fct_attribution", "; ".join(bad))
    else:
        report.add(
            "totals",
            OK,
            "attributed = total revenue",
            f"{_money(won)} won / {_money(pipeline)} pipeline over {opportunities:,} opportunities, "
            f"all {len(ATTRIBUTION_MODELS)} models",
        )
    opps = w.relation("fct_opportunities")
    if opps is not None:
        won_total = _dec(w.one(f"SELECT sum(amount_reporting) FROM {opps} WHERE is_won"))
        if abs(won_total - _dec(won)) > CENT:
            report.add(
                "totals",
                WARNING,
                "attribution coverage",
                f"fct_attribution covers {_money(won)} of the {_money(won_total)} won in fct_opportunities",
            )


def check_mrr(w: Warehouse, report: CheckReport) -> None:
    rel = w.relation("fct_mrr")
    if rel is None:
        _missing(report, "totals", "fct_mrr")
        return
    movement = (
        "start_mrr_reporting + new_mrr_reporting + expansion_mrr_reporting + reactivation_mrr_reporting "
        "- contraction_mrr_reporting - churned_mrr_reporting"
    )
    rows, bad, example = w.rows(
        f"SELECT count(*), count(*) FILTER (WHERE abs(mrr_reporting - ({movement})) > 0.005 "
        f"OR abs(start_mrr_reporting - (previous_mrr_reporting + fx_revaluation_reporting)) > 0.005), "
        f"min(account_id || ' ' || month_start_date) FILTER (WHERE abs(mrr_reporting - ({movement})) > 0.005) "
        f"FROM {rel}"
    )[0]
    if bad:
        report.add("totals", ERROR, "MRR identity (fct_mrr)", f"{bad:,} of {rows:,} rows break it, e.g. {example}")
    else:
        report.add("totals", OK, "MRR identity (fct_mrr)", f"start + movements = MRR on all {rows:,} rows")
    kpi = w.relation("kpi_revenue_monthly")
    if kpi is None:
        return
    months, bad_months = w.rows(
        f"SELECT count(*), count(*) FILTER (WHERE abs(mrr_reporting - (starting_mrr_reporting + net_new_mrr_reporting))"
        f" > 0.005) FROM {kpi}"
    )[0]
    totals = w.rows(
        f"SELECT count(*) FROM (SELECT month_start_date, sum(mrr_reporting) AS mrr FROM {rel} GROUP BY 1) f "
        f"JOIN {kpi} k USING (month_start_date) WHERE abs(f.mrr - k.mrr_reporting) > 0.005"
    )[0][0]
    if bad_months or totals:
        report.add(
            "totals",
            ERROR,
            "MRR identity (kpi_revenue_monthly)",
            f"{bad_months} month(s) where starting + net new ≠ MRR, {totals} month(s) where MRR ≠ sum of fct_mrr",
        )
    else:
        report.add("totals", OK, "MRR identity (kpi_revenue_monthly)", f"holds in all {months} months")


# --------------------------------------------------------------------------- freshness


def check_freshness(w: Warehouse, report: CheckReport, options: CheckOptions) -> None:
    enabled = {}
    rec = w.relation("dq_source_reconciliation")
    if rec is not None:
        for source, is_enabled in w.rows(f"SELECT source_name, bool_or(is_enabled) FROM {rec} GROUP BY 1"):
            enabled[source] = is_enabled
    end = report.as_of + timedelta(days=1)
    for source in contract.SOURCES:
        if not enabled.get(source, True):
            report.add("freshness", OK, source, "switched off (var), not checked")
            continue
        parts = []
        for t in contract.tables_of(source):
            rel = w.raw(source, t.name)
            if rel is not None and t.loaded_at in w.columns(rel):
                parts.append(f'SELECT max(CAST("{t.loaded_at}" AS TIMESTAMP)) AS m FROM {rel}')
        if not parts:
            report.add("freshness", WARNING, source, "no raw tables loaded")
            continue
        # values past as_of_date + max_future_days are quarantined by staging, not "fresh"
        horizon = end + timedelta(days=options.max_future_days)
        latest = w.one(f"SELECT max(m) FROM ({' UNION ALL '.join(parts)}) WHERE m < ?", horizon)
        if latest is None:
            report.add("freshness", WARNING, source, "no loaded_at values")
            continue
        lag_days = (end - latest.date()).days - 1 if latest.date() < end else 0
        message = f"newest row synced {latest:%Y-%m-%d %H:%M}, {lag_days} day(s) before the end of as_of_date"
        if lag_days > options.freshness_error_days:
            report.add("freshness", ERROR, source, message + f" (error after {options.freshness_error_days})")
        elif lag_days > options.freshness_warn_days:
            report.add("freshness", WARNING, source, message + f" (warn after {options.freshness_warn_days})")
        else:
            report.add("freshness", OK, source, message)


# --------------------------------------------------------------------------- volume


def volume_series(w: Warehouse, as_of: date) -> dict[str, list[tuple[date, float]]]:
    """Monthly leads, web sessions and ad spend (reporting currency), complete months up to as_of_date."""
    queries = {
        "leads": ("fct_leads", "lead_created_at", "count(*)"),
        "sessions": ("fct_web_sessions", "session_date", "count(*)"),
        "ad spend": ("fct_ad_spend_daily", "date_day", "sum(spend_reporting)"),
    }
    last = as_of if (as_of + timedelta(days=1)).day == 1 else as_of.replace(day=1) - timedelta(days=1)
    out: dict[str, list[tuple[date, float]]] = {}
    for label, (model, column, measure) in queries.items():
        rel = w.relation(model)
        if rel is None:
            continue
        rows = w.rows(
            f"SELECT CAST(date_trunc('month', {column}) AS DATE) AS m, {measure} FROM {rel} "
            f"WHERE {column} IS NOT NULL AND CAST({column} AS DATE) <= ? GROUP BY 1 ORDER BY 1",
            last,
        )
        out[label] = [(m, float(v or 0)) for m, v in rows]
    return out


def anomalies(
    series: list[tuple[date, float]], factor: float, trailing: int, min_history: int
) -> list[tuple[date, float, float]]:
    """(month, value, trailing median) of months more than ``factor`` away from the median of the months before."""
    found = []
    for i, (month, value) in enumerate(series):
        history = [v for _, v in series[max(0, i - trailing) : i]]
        if len(history) < min_history:
            continue
        median = statistics.median(history)
        if median <= 0:
            continue
        if value > median * factor or value < median / factor:
            found.append((month, value, median))
    return found


def check_volume(w: Warehouse, report: CheckReport, options: CheckOptions) -> None:
    series = volume_series(w, report.as_of)
    for label, model in (("leads", "fct_leads"), ("sessions", "fct_web_sessions"), ("ad spend", "fct_ad_spend_daily")):
        if label not in series:
            _missing(report, "volume", model)
            continue
        flagged = anomalies(series[label], options.anomaly_factor, options.trailing_months, options.min_history_months)
        for month, value, median in flagged:
            report.add(
                "volume",
                WARNING,
                f"{label} {month:%Y-%m}",
                f"{value:,.0f} is {value / median:.2f}× the trailing {options.trailing_months}-month median "
                f"{median:,.0f} (factor {options.anomaly_factor:g})",
            )
        if not flagged:
            report.add(
                "volume",
                OK,
                label,
                f"{len(series[label])} months within {options.anomaly_factor:g}× of the trailing median",
            )


# --------------------------------------------------------------------------- entry point


def run_checks(database: Path, options: CheckOptions | None = None) -> CheckReport:
    """Run every check against ``database`` (opened read-only) and return the report."""
    options = options or CheckOptions()
    database = Path(database)
    if not database.is_file():
        raise BadInputError(f"warehouse {database} does not exist: run gtm run (or gtm load and gtm build) first")
    report = CheckReport(database=database, as_of=options.as_of or project_as_of())
    con = duckdb.connect(str(database), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        w = Warehouse(con)
        check_reconciliation(w, report)
        check_bookings(w, report)
        check_spend(w, report)
        check_attribution(w, report)
        check_mrr(w, report)
        check_freshness(w, report, options)
        check_volume(w, report, options)
    finally:
        con.close()
    return report
