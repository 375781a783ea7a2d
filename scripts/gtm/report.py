"""`gtm report`: one self-contained HTML file for the weekly GTM review.

Everything is inline: CSS in a <style> element, charts as SVG drawn here in Python. No
scripts, web fonts, images or links to other files, so the report opens offline, in a mail
attachment or on a wiki as it is. Every number comes from the warehouse's KPI tables through
one read-only DuckDB connection; each plotted or printed value carries ``data-metric`` and
``data-value`` attributes (full precision) so tests and scripts can read the numbers back.

Sections: headline KPIs, the funnel from awareness to purchase (fct_account_journey, with
lead-level totals from kpi_funnel_cohorts), KPI trends (pipeline, bookings, CAC, win rate,
NRR), spend and ROAS by channel under every attribution model (fct_ad_spend_daily,
fct_attribution), lead quality by channel and score band (kpi_lead_source_quality), forecast vs
quota (kpi_pipeline_forecast) and a data-quality summary (gtm check, dq_* tables).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from gtm.check import ATTRIBUTION_MODELS, CheckOptions, Warehouse, project_as_of, run_checks
from gtm.errors import BadInputError

PALETTE = ("#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#84cc16", "#ec4899", "#64748b")
TREND_TITLES = {"pipeline": "Pipeline created", "bookings": "Bookings", "cac": "Blended CAC", "win_rate": "Win rate"}
FUNNEL_STAGES = (
    ("first_touch", "Awareness (first touch)"),
    ("lead_created", "Lead"),
    ("mql", "MQL"),
    ("sal", "SAL"),
    ("sql", "SQL"),
    ("opportunity_created", "Opportunity"),
    ("proposal", "Proposal"),
    ("won", "Purchase (won)"),
)


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def num(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def attr_value(value) -> str:
    """Full-precision value for data-value (empty for NULL)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    return str(value)


def money(value) -> str:
    v = num(value)
    if v is None:
        return "–"
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= limit:
            return f"${v / limit:,.1f}{suffix}"
    return f"${v:,.0f}"


def pct(value) -> str:
    v = num(value)
    return "–" if v is None else f"{v * 100:.1f}%"


def count(value) -> str:
    v = num(value)
    return "–" if v is None else f"{v:,.0f}"


def ratio(value) -> str:
    v = num(value)
    return "–" if v is None else f"{v:.2f}×"


FORMATS = {"money": money, "pct": pct, "count": count, "ratio": ratio}


def data_attrs(metric: str, value, **extra) -> str:
    parts = [f'data-metric="{esc(metric)}"', f'data-value="{esc(attr_value(value))}"']
    parts += [f'data-{k.replace("_", "-")}="{esc(v)}"' for k, v in extra.items()]
    return " ".join(parts)


# --------------------------------------------------------------------------- SVG charts


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * 10**exponent
        if top >= value:
            return top
    return 10 ** (exponent + 1)


def _svg_open(name: str, width: int, height: int, title: str) -> str:
    return (
        f'<svg class="chart-svg" data-chart="{esc(name)}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{esc(title)}" xmlns="http://www.w3.org/2000/svg">'
    )


def _y_axis(left: int, top: int, plot_w: int, plot_h: int, lo: float, hi: float, fmt) -> list[str]:
    out = []
    for i in range(5):
        v = lo + (hi - lo) * i / 4
        y = top + plot_h - plot_h * i / 4
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">{esc(fmt(v))}</text>')
    return out


def line_chart(
    name: str, title: str, periods: list[str], series: dict[str, list], metric: str, fmt: str, width: int = 560
) -> str:
    """Lines over periods; every point a circle with data-metric / data-period / data-series / data-value."""
    height, left, right, top, bottom = 230, 64, 12, 14, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [num(v) for vs in series.values() for v in vs if num(v) is not None]
    if not periods or not values:
        return _empty(name, title, width, height)
    lo = min(0.0, min(values))
    hi = _nice_max(max(values)) if max(values) > 0 else 1.0
    f = FORMATS[fmt]
    parts = [_svg_open(name, width, height, title), *_y_axis(left, top, plot_w, plot_h, lo, hi, f)]
    n = len(periods)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - plot_h * (v - lo) / (hi - lo)

    every = max(1, math.ceil(n / 8))
    for i, p in enumerate(periods):
        if (i % every == 0 and n - 1 - i >= every) or i == n - 1:
            anchor = "end" if i == n - 1 and n > 1 else "middle"
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 16}" class="tick" text-anchor="{anchor}">{esc(p)}</text>'
            )
    for k, (label, vs) in enumerate(series.items()):
        color = PALETTE[k % len(PALETTE)]
        points = [(x(i), y(num(v))) for i, v in enumerate(vs) if num(v) is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for i, v in enumerate(vs):
            if num(v) is None:
                continue
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(num(v)):.1f}" r="2.6" fill="{color}" '
                f"{data_attrs(metric, v, period=periods[i], series=label)}>"
                f"<title>{esc(label)} {esc(periods[i])}: {esc(f(v))}</title></circle>"
            )
    parts.append("</svg>")
    legend = _legend(list(series)) if len(series) > 1 else ""
    return _figure(name, title, "".join(parts) + legend)


def bar_chart(name: str, title: str, items: list[tuple[str, object]], metric: str, fmt: str, width: int = 560) -> str:
    """Horizontal bars with value labels."""
    row, left, right = 26, 150, 90
    height = max(60, row * len(items) + 16)
    values = [num(v) or 0.0 for _, v in items]
    if not items or max(values, default=0) <= 0:
        return _empty(name, title, width, 80)
    hi = max(values)
    f = FORMATS[fmt]
    parts = [_svg_open(name, width, height, title)]
    for i, (label, v) in enumerate(items):
        y = 8 + i * row
        w = (width - left - right) * (num(v) or 0.0) / hi
        parts.append(f'<text x="{left - 8}" y="{y + 15}" class="label" text-anchor="end">{esc(label)}</text>')
        parts.append(
            f'<rect x="{left}" y="{y}" width="{max(w, 1):.1f}" height="{row - 8}" rx="2" '
            f'fill="{PALETTE[i % len(PALETTE)]}" {data_attrs(metric, v, category=label)}>'
            f"<title>{esc(label)}: {esc(f(v))}</title></rect>"
        )
        parts.append(f'<text x="{left + w + 6:.1f}" y="{y + 15}" class="value">{esc(f(v))}</text>')
    parts.append("</svg>")
    return _figure(name, title, "".join(parts))


def grouped_bar_chart(
    name: str,
    title: str,
    categories: list[str],
    series: dict[str, list],
    metric: str,
    fmt: str,
    width: int = 760,
) -> str:
    """Vertical bars: one group per category, one bar per series (e.g. attribution model)."""
    height, left, right, top, bottom = 260, 64, 12, 14, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [num(v) for vs in series.values() for v in vs if num(v) is not None]
    if not categories or not values or max(values) <= 0:
        return _empty(name, title, width, 80)
    hi = _nice_max(max(values))
    f = FORMATS[fmt]
    parts = [_svg_open(name, width, height, title), *_y_axis(left, top, plot_w, plot_h, 0.0, hi, f)]
    group_w = plot_w / len(categories)
    bar_w = group_w * 0.8 / max(1, len(series))
    for c, category in enumerate(categories):
        gx = left + c * group_w + group_w * 0.1
        parts.append(
            f'<text x="{left + (c + 0.5) * group_w:.1f}" y="{height - bottom + 16}" class="tick" '
            f'text-anchor="middle">{esc(category)}</text>'
        )
        for k, (label, vs) in enumerate(series.items()):
            v = num(vs[c])
            if v is None:
                continue
            h = plot_h * max(v, 0.0) / hi
            parts.append(
                f'<rect x="{gx + k * bar_w:.1f}" y="{top + plot_h - h:.1f}" width="{max(bar_w - 1, 1):.1f}" '
                f'height="{max(h, 0.5):.1f}" fill="{PALETTE[k % len(PALETTE)]}" '
                f"{data_attrs(metric, vs[c], category=category, series=label)}>"
                f"<title>{esc(category)} · {esc(label)}: {esc(f(vs[c]))}</title></rect>"
            )
    parts.append("</svg>")
    return _figure(name, title, "".join(parts) + _legend(list(series)))


def funnel_chart(name: str, title: str, stages: list[tuple[str, str, int]], width: int = 760) -> str:
    """Centered funnel bars with counts, step conversion and conversion from the top."""
    row, left = 34, 170
    height = row * len(stages) + 12
    top_count = stages[0][2] if stages else 0
    if not stages or not top_count:
        return _empty(name, title, width, 80)
    plot_w = width - left - 220
    parts = [_svg_open(name, width, height, title)]
    previous = None
    for i, (key, label, n) in enumerate(stages):
        y = 6 + i * row
        w = plot_w * n / top_count
        x = left + (plot_w - w) / 2
        step = n / previous if previous else None
        overall = n / top_count
        parts.append(f'<text x="{left - 8}" y="{y + 19}" class="label" text-anchor="end">{esc(label)}</text>')
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{max(w, 1):.1f}" height="{row - 6}" rx="3" '
            f'fill="{PALETTE[0]}" fill-opacity="{1 - i * 0.08:.2f}" {data_attrs("funnel." + key, n)}>'
            f"<title>{esc(label)}: {n:,}</title></rect>"
        )
        parts.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{y + 19}" class="bar-text" text-anchor="middle">{n:,}</text>'
        )
        conv = (
            f"<tspan {data_attrs('funnel_step_rate.' + key, step)}>{pct(step)} of previous</tspan>"
            if step is not None
            else "100%"
        )
        parts.append(
            f'<text x="{left + plot_w + 10}" y="{y + 19}" class="value">{conv} · '
            f"<tspan {data_attrs('funnel_overall_rate.' + key, overall)}>{pct(overall)} of top</tspan></text>"
        )
        previous = n
    parts.append("</svg>")
    return _figure(name, title, "".join(parts))


def heatmap(
    name: str, title: str, rows: list[str], cols: list[str], cells: dict[tuple[str, str], tuple], metric: str
) -> str:
    """Rows × columns of rate cells (value, leads); colour by rate."""
    cell_w, cell_h, left, top = 110, 30, 130, 26
    width, height = left + cell_w * len(cols) + 10, top + cell_h * len(rows) + 8
    if not rows or not cols:
        return _empty(name, title, 560, 80)
    rates = [num(v[0]) for v in cells.values() if num(v[0]) is not None]
    hi = max(rates, default=0) or 1.0
    parts = [_svg_open(name, width, height, title)]
    for j, col in enumerate(cols):
        parts.append(
            f'<text x="{left + (j + 0.5) * cell_w:.1f}" y="{top - 8}" class="label" text-anchor="middle">'
            f"band {esc(col)}</text>"
        )
    for i, row_label in enumerate(rows):
        y = top + i * cell_h
        parts.append(f'<text x="{left - 8}" y="{y + 20}" class="label" text-anchor="end">{esc(row_label)}</text>')
        for j, col in enumerate(cols):
            x = left + j * cell_w
            value, leads = cells.get((row_label, col), (None, 0))
            v = num(value)
            shade = 0.08 + 0.85 * (v / hi) if v is not None else 0.0
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{PALETTE[2]}" '
                f'fill-opacity="{shade:.2f}" {data_attrs(metric, value, channel=row_label, band=col, leads=leads)}>'
                f"<title>{esc(row_label)} band {esc(col)}: {esc(pct(value))} of {leads:,} leads</title></rect>"
            )
            parts.append(
                f'<text x="{x + cell_w / 2:.1f}" y="{y + 20}" class="cell" text-anchor="middle">'
                f'{esc(pct(value))} <tspan class="muted">({leads:,})</tspan></text>'
            )
    parts.append("</svg>")
    return _figure(name, title, "".join(parts))


def _legend(labels: list[str]) -> str:
    items = "".join(
        f'<span class="key"><span class="swatch" style="background:{PALETTE[i % len(PALETTE)]}"></span>'
        f"{esc(label)}</span>"
        for i, label in enumerate(labels)
    )
    return f'<div class="legend">{items}</div>'


def _figure(name: str, title: str, body: str) -> str:
    return f'<figure class="chart" data-chart-name="{esc(name)}"><figcaption>{esc(title)}</figcaption>{body}</figure>'


def _empty(name: str, title: str, width: int, height: int) -> str:
    return (
        f'<figure class="chart empty" data-chart-name="{esc(name)}"><figcaption>{esc(title)}</figcaption>'
        f'<p class="muted">No data in this warehouse.</p></figure>'
    )


# --------------------------------------------------------------------------- data


@dataclass
class ReportData:
    as_of: date
    run: dict | None = None
    tiles: list[tuple[str, str, object, str]] = field(default_factory=list)  # key, label, value, fmt
    funnel: list[tuple[str, str, int]] = field(default_factory=list)
    lead_funnel: list[tuple[str, int]] = field(default_factory=list)
    trends: list[tuple[str, str, list[str], dict[str, list], str, str]] = field(default_factory=list)
    spend: list[tuple[str, object]] = field(default_factory=list)
    spend_source: str = "fct_ad_spend_daily"
    roas_channels: list[str] = field(default_factory=list)
    roas: dict[str, list] = field(default_factory=dict)
    attributed: dict[str, dict[str, object]] = field(default_factory=dict)
    quality_rows: list[str] = field(default_factory=list)
    quality_cols: list[str] = field(default_factory=list)
    quality: dict[tuple[str, str], tuple] = field(default_factory=dict)
    forecast_quarters: list[str] = field(default_factory=list)
    forecast: dict[str, list] = field(default_factory=dict)
    dq: list[tuple[str, str, str, str]] = field(default_factory=list)  # check, severity, subject, message
    dq_summary: str = ""
    reconciliation: list[tuple] = field(default_factory=list)
    rejected: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _first_column(w: Warehouse, rel: str, candidates: tuple[str, ...], contains: str | None = None) -> str | None:
    cols = w.columns(rel)
    for c in candidates:
        if c in cols:
            return c
    if contains:
        found = [c for c in cols if contains in c]
        return found[0] if found else None
    return None


def _month_label(d) -> str:
    return f"{d:%Y-%m}" if d is not None else ""


def collect(database: Path, check_options: CheckOptions | None = None) -> ReportData:
    as_of = (check_options.as_of if check_options and check_options.as_of else None) or project_as_of()
    check = run_checks(database, check_options or CheckOptions(as_of=as_of))
    data = ReportData(as_of=as_of)
    data.dq = [(f.check, f.severity, f.subject, f.message) for f in check.findings]
    data.dq_summary = check.summary()
    con = duckdb.connect(str(database), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        w = Warehouse(con)
        _collect_run(w, data)
        _collect_funnel(w, data)
        _collect_trends(w, data)
        _collect_spend(w, data)
        _collect_quality(w, data)
        _collect_forecast(w, data)
        _collect_dq(w, data)
    finally:
        con.close()
    return data


def _collect_run(w: Warehouse, data: ReportData) -> None:
    rel = w.relation("runs", "_gtm_run")
    if rel and "_gtm_run" in rel:
        cur = w.con.execute(f"SELECT run_id, published_at FROM {rel} ORDER BY published_at DESC LIMIT 1")
        row = cur.fetchone()
        if row:
            data.run = {"run_id": row[0], "published_at": row[1]}


def _collect_funnel(w: Warehouse, data: ReportData) -> None:
    rel = w.relation("fct_account_journey")
    if rel is None:
        data.notes.append("fct_account_journey is not in this warehouse: no funnel.")
    else:
        sums = ", ".join(f"count(*) FILTER (WHERE reached_{k})" for k, _ in FUNNEL_STAGES)
        row = w.rows(f"SELECT {sums} FROM {rel}")[0]
        data.funnel = [(k, label, int(n)) for (k, label), n in zip(FUNNEL_STAGES, row, strict=True)]
    cohorts = w.relation("kpi_funnel_cohorts")
    if cohorts is not None:
        cols = ("leads", "mqls", "sals", "sqls", "opportunities", "proposals", "won")
        row = w.rows(f"SELECT {', '.join(f'sum({c})' for c in cols)} FROM {cohorts} WHERE channel = 'all'")[0]
        data.lead_funnel = [(c, int(v or 0)) for c, v in zip(cols, row, strict=True)]


def _collect_trends(w: Warehouse, data: ReportData) -> None:
    """Monthly pipeline, bookings, CAC, win rate (kpi_gtm_monthly when built) and NRR (kpi_revenue_monthly)."""
    as_of = data.as_of
    kpi = w.relation("kpi_gtm_monthly")
    opps = w.relation("fct_opportunities")
    monthly: dict[str, tuple[str, str, str]] = {}  # metric -> (relation, column, fmt)
    if kpi is not None:
        month_col = _first_column(w, kpi, ("month_start_date", "month_start", "month"))
        for metric, candidates, contains, fmt in (
            ("pipeline", ("pipeline_reporting", "pipeline_created_amount", "pipeline_amount"), "pipeline", "money"),
            ("bookings", ("bookings_reporting", "bookings_amount", "bookings"), "bookings", "money"),
            ("cac", ("blended_cac", "cac", "cac_reporting"), "cac", "money"),
            ("win_rate", ("win_rate",), "win_rate", "pct"),
        ):
            col = _first_column(w, kpi, candidates, contains)
            if month_col and col:
                monthly[metric] = (kpi, col, fmt)
        if month_col:
            rows = w.rows(
                f"SELECT {month_col}, {', '.join(c for _, c, _ in monthly.values()) or 'NULL'} FROM {kpi} "
                f"WHERE channel = 'all' AND {month_col} <= ? ORDER BY 1",
                as_of,
            )
            periods = [_month_label(r[0]) for r in rows]
            for i, (metric, (_, col, fmt)) in enumerate(monthly.items()):
                data.trends.append(
                    (
                        metric,
                        f"{TREND_TITLES[metric]} by month (kpi_gtm_monthly.{col})",
                        periods,
                        {metric: [r[1 + i] for r in rows]},
                        fmt,
                        f"kpi_gtm_monthly.{col}",
                    )
                )
    if opps is not None:
        if "pipeline" not in monthly:
            rows = w.rows(
                f"SELECT date_trunc('month', created_date) AS m, sum(amount_reporting) FROM {opps} "
                f"WHERE created_date <= ? GROUP BY 1 ORDER BY 1",
                as_of,
            )
            data.trends.append(
                (
                    "pipeline",
                    "Pipeline created by month (fct_opportunities)",
                    [_month_label(r[0]) for r in rows],
                    {"pipeline": [r[1] for r in rows]},
                    "money",
                    "fct_opportunities",
                )
            )
        if "bookings" not in monthly:
            rows = w.rows(
                f"SELECT date_trunc('month', close_date) AS m, sum(amount_reporting) FROM {opps} "
                f"WHERE is_won AND close_date <= ? GROUP BY 1 ORDER BY 1",
                as_of,
            )
            data.trends.append(
                (
                    "bookings",
                    "Bookings by month (fct_opportunities)",
                    [_month_label(r[0]) for r in rows],
                    {"bookings": [r[1] for r in rows]},
                    "money",
                    "fct_opportunities",
                )
            )
    if "cac" not in monthly:
        econ = w.relation("kpi_unit_economics")
        col = _first_column(w, econ, ("cac", "cac_reporting", "blended_cac"), "cac") if econ else None
        period = (
            _first_column(w, econ, ("fiscal_quarter_label", "quarter_label", "quarter_start_date")) if econ else None
        )
        if econ and col and period:
            rows = w.rows(f"SELECT {period}, {col} FROM {econ} WHERE channel = 'all' ORDER BY 1")
            data.trends.append(
                (
                    "cac",
                    f"CAC by quarter (kpi_unit_economics.{col})",
                    [str(r[0]) for r in rows],
                    {"cac": [r[1] for r in rows]},
                    "money",
                    f"kpi_unit_economics.{col}",
                )
            )
        else:
            data.notes.append("CAC: kpi_gtm_monthly / kpi_unit_economics are not in this warehouse yet.")
    if "win_rate" not in monthly:
        fc = w.relation("kpi_pipeline_forecast")
        if fc is not None:
            rows = w.rows(
                f"SELECT fiscal_quarter_label, win_rate FROM {fc} WHERE rollup_level = 'total' "
                f"AND fiscal_quarter_start_date <= ? ORDER BY fiscal_quarter_start_date",
                as_of,
            )
            data.trends.append(
                (
                    "win_rate",
                    "Win rate by fiscal quarter (kpi_pipeline_forecast)",
                    [r[0] for r in rows],
                    {"win rate": [r[1] for r in rows]},
                    "pct",
                    "kpi_pipeline_forecast.win_rate",
                )
            )
    rev = w.relation("kpi_revenue_monthly")
    if rev is not None:
        rows = w.rows(
            f"SELECT month_start_date, nrr_trailing_12m, grr_trailing_12m FROM {rev} "
            f"WHERE nrr_trailing_12m IS NOT NULL ORDER BY 1"
        )
        data.trends.append(
            (
                "nrr",
                "Net and gross revenue retention, trailing 12 months (kpi_revenue_monthly)",
                [_month_label(r[0]) for r in rows],
                {"NRR": [r[1] for r in rows], "GRR": [r[2] for r in rows]},
                "pct",
                "kpi_revenue_monthly",
            )
        )
        last = w.rows(
            f"SELECT mrr_reporting, arr_reporting, nrr_trailing_12m FROM {rev} ORDER BY month_start_date DESC LIMIT 1"
        )
        if last:
            data.tiles.append(("arr", "ARR", last[0][1], "money"))
            data.tiles.append(("nrr", "NRR (12 months)", last[0][2], "pct"))
    if opps is not None:
        year_start = as_of.replace(month=1, day=1)
        won, pipe = w.rows(
            f"SELECT sum(amount_reporting) FILTER (WHERE is_won AND close_date BETWEEN ? AND ?), "
            f"sum(amount_reporting) FILTER (WHERE created_date BETWEEN ? AND ?) FROM {opps}",
            year_start,
            as_of,
            year_start,
            as_of,
        )[0]
        data.tiles.insert(0, ("bookings_ytd", f"Bookings {as_of.year}", won, "money"))
        data.tiles.insert(1, ("pipeline_ytd", f"Pipeline created {as_of.year}", pipe, "money"))


def _collect_spend(w: Warehouse, data: ReportData) -> None:
    """Spend, attributed revenue and ROAS by channel: from kpi_gtm_monthly when built, else the marts."""
    kpi = w.relation("kpi_gtm_monthly")
    if kpi is not None and "paid_attributed_revenue_linear" in w.columns(kpi):
        data.spend_source = "kpi_gtm_monthly"
        sums = ", ".join(f"sum(attributed_revenue_{m}), sum(paid_attributed_revenue_{m})" for m in ATTRIBUTION_MODELS)
        rows = w.rows(
            f"SELECT channel, sum(spend_reporting), {sums} FROM {kpi} "
            f"WHERE channel <> 'all' AND month_start_date <= ? GROUP BY 1 ORDER BY 2 DESC NULLS LAST, 1",
            data.as_of,
        )
        spend = {r[0]: r[1] for r in rows if (num(r[1]) or 0) > 0}
        data.spend = list(spend.items())
        data.tiles.append(("ad_spend", "Ad spend (all time)", sum((num(v) or 0) for v in spend.values()), "money"))
        for r in rows:
            revenue = dict(zip(ATTRIBUTION_MODELS, r[2::2], strict=True))
            if any(num(v) for v in revenue.values()):
                data.attributed[r[0]] = revenue
        paid = {r[0]: dict(zip(ATTRIBUTION_MODELS, r[3::2], strict=True)) for r in rows}
        data.roas_channels = list(spend)
        for m in ATTRIBUTION_MODELS:
            data.roas[m] = [(num(paid[c][m]) or 0.0) / num(spend[c]) for c in data.roas_channels]
        return
    spend_rel = w.relation("fct_ad_spend_daily")
    attr = w.relation("fct_attribution")
    spend: dict[str, object] = {}
    if spend_rel is None:
        data.notes.append("fct_ad_spend_daily is not in this warehouse: no spend / ROAS.")
    else:
        for channel, total in w.rows(
            f"SELECT channel, sum(spend_reporting) FROM {spend_rel} WHERE date_day <= ? GROUP BY 1 ORDER BY 2 DESC",
            data.as_of,
        ):
            spend[channel or "unknown"] = total
        data.spend = list(spend.items())
        data.tiles.append(("ad_spend", "Ad spend (all time)", sum((num(v) or 0) for v in spend.values()), "money"))
    if attr is None:
        data.notes.append("fct_attribution is not in this warehouse: no attribution models.")
        return
    sums = ", ".join(f"sum(attributed_revenue_{m})" for m in ATTRIBUTION_MODELS)
    for row in w.rows(f"SELECT touch_channel, {sums} FROM {attr} GROUP BY 1 ORDER BY 1"):
        data.attributed[row[0]] = dict(zip(ATTRIBUTION_MODELS, row[1:], strict=True))
    channels = [c for c, s in spend.items() if (num(s) or 0) > 0]
    data.roas_channels = channels
    for m in ATTRIBUTION_MODELS:
        data.roas[m] = [
            (num(data.attributed.get(c, {}).get(m)) or 0.0) / num(spend[c]) if num(spend[c]) else None for c in channels
        ]


def _collect_quality(w: Warehouse, data: ReportData) -> None:
    rel = w.relation("kpi_lead_source_quality")
    if rel is None:
        data.notes.append("kpi_lead_source_quality is not in this warehouse.")
        return
    rows = w.rows(f"SELECT channel, score_band, lead_to_won_rate, leads FROM {rel} ORDER BY 1, 2")
    data.quality_rows = sorted({r[0] for r in rows})
    data.quality_cols = sorted({r[1] for r in rows})
    data.quality = {(r[0], r[1]): (r[2], int(r[3] or 0)) for r in rows}


def _collect_forecast(w: Warehouse, data: ReportData) -> None:
    rel = w.relation("kpi_pipeline_forecast")
    if rel is None:
        data.notes.append("kpi_pipeline_forecast is not in this warehouse.")
        return
    rows = w.rows(
        f"SELECT fiscal_quarter_label, quota_amount, projected_bookings_amount, bookings_amount FROM {rel} "
        f"WHERE rollup_level = 'total' ORDER BY fiscal_quarter_start_date DESC LIMIT 8"
    )[::-1]
    data.forecast_quarters = [r[0] for r in rows]
    data.forecast = {
        "quota": [r[1] for r in rows],
        "forecast (weighted)": [r[2] for r in rows],
        "bookings": [r[3] for r in rows],
    }


def _collect_dq(w: Warehouse, data: ReportData) -> None:
    rec = w.relation("dq_source_reconciliation")
    if rec is not None:
        data.reconciliation = w.rows(
            f"SELECT source_name, sum(raw_rows), sum(staged_rows), sum(duplicate_rows), sum(soft_deleted_rows), "
            f"sum(quarantined_rows), sum(unaccounted_rows) FROM {rec} WHERE is_enabled GROUP BY 1 ORDER BY 1"
        )
    rej = w.relation("dq_rejected_rows")
    if rej is not None:
        data.rejected = [
            (r[0], int(r[1])) for r in w.rows(f"SELECT reason, count(*) FROM {rej} GROUP BY 1 ORDER BY 2 DESC")
        ]


# --------------------------------------------------------------------------- HTML


CSS = """
:root { --fg:#0f172a; --muted:#64748b; --line:#e2e8f0; --bg:#f8fafc; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: var(--fg); background: var(--bg); }
header { padding: 20px 28px; background: #0f172a; color: #f8fafc; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: #cbd5e1; }
main { padding: 8px 28px 40px; max-width: 1280px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 18px 0; }
section h2 { margin: 0 0 10px; font-size: 17px; }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; }
.tile { flex: 1 1 160px; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.tile .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.tile .v { font-size: 22px; font-weight: 600; }
.grid2 { display: flex; flex-wrap: wrap; gap: 18px; }
figure.chart { margin: 0; }
figcaption { font-weight: 600; margin: 4px 0 6px; }
svg.chart-svg { display: block; max-width: 100%; height: auto; background: #fff; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .tick { fill: var(--muted); font-size: 10px; }
svg .label { fill: var(--fg); font-size: 12px; }
svg .value { fill: var(--fg); font-size: 11px; }
svg .bar-text { fill: #fff; font-size: 12px; font-weight: 600; }
svg .cell { fill: var(--fg); font-size: 11px; }
svg .muted, .muted { fill: var(--muted); color: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: 12px; font-size: 12px; margin-top: 4px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; }
table { border-collapse: collapse; font-size: 12.5px; margin-top: 8px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.sev-error { color: #b91c1c; font-weight: 600; } .sev-warning { color: #b45309; } .sev-ok { color: #15803d; }
"""


def render(data: ReportData, generated_at: datetime | None = None) -> str:
    generated_at = generated_at or datetime.now(UTC)
    run = f" · run {esc(data.run['run_id'])}" if data.run else ""
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>GTM weekly review — as of {data.as_of}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<header><h1>GTM weekly review</h1><p>Data as of {data.as_of} (var as_of_date){run} · "
        f"generated {generated_at:%Y-%m-%d %H:%M} UTC · all amounts in the reporting currency</p></header><main>",
    ]
    # tiles
    tiles = "".join(
        f'<div class="tile"><div class="k">{esc(label)}</div>'
        f'<div class="v" {data_attrs("tile." + key, value)}>{esc(FORMATS[fmt](value))}</div></div>'
        for key, label, value, fmt in data.tiles
    )
    out.append(f'<div class="tiles" style="margin-top:18px">{tiles}</div>')
    # funnel
    out.append('<section id="funnel"><h2>Funnel: awareness to purchase</h2>')
    out.append(funnel_chart("funnel", "Accounts reaching each stage (fct_account_journey)", data.funnel))
    if data.lead_funnel:
        cells = "".join(f"<td {data_attrs('lead_funnel.' + k, v)}>{v:,}</td>" for k, v in data.lead_funnel)
        heads = "".join(f"<th>{esc(k)}</th>" for k, _ in data.lead_funnel)
        out.append(
            f'<p class="muted">Lead-level totals over all cohorts (kpi_funnel_cohorts, channel all):</p>'
            f"<table><tr><th></th>{heads}</tr><tr><td>leads reaching</td>{cells}</tr></table>"
        )
    out.append("</section>")
    # trends
    out.append('<section id="trends"><h2>KPI trends</h2><div class="grid2">')
    for key, title, periods, series, fmt, _source in data.trends:
        out.append(line_chart(f"trend_{key}", title, periods, series, f"trend.{key}", fmt))
    out.append("</div></section>")
    # spend and ROAS
    out.append('<section id="spend"><h2>Spend and ROAS by channel</h2><div class="grid2">')
    out.append(bar_chart("spend", f"Ad spend by channel ({data.spend_source})", data.spend, "spend", "money"))
    out.append(
        grouped_bar_chart(
            "roas",
            "ROAS (attributed won revenue / ad spend) by channel, attribution models side by side",
            data.roas_channels,
            data.roas,
            "roas",
            "ratio",
        )
    )
    out.append("</div>")
    if data.attributed:
        heads = "".join(f"<th>{esc(m)}</th>" for m in ATTRIBUTION_MODELS)
        body = "".join(
            f"<tr><td>{esc(ch)}</td>"
            + "".join(
                f"<td {data_attrs('attributed_revenue', vals[m], channel=ch, model=m)}>{esc(money(vals[m]))}</td>"
                for m in ATTRIBUTION_MODELS
            )
            + "</tr>"
            for ch, vals in data.attributed.items()
        )
        out.append(
            f'<p class="muted">Attributed won revenue by channel ({esc(data.spend_source)}, from fct_attribution):</p>'
            f"<table><tr><th>channel</th>{heads}</tr>{body}</table>"
        )
    out.append("</section>")
    # lead quality
    out.append('<section id="lead-quality"><h2>Lead quality by channel and score band</h2>')
    out.append(
        heatmap(
            "lead_quality",
            "Lead → won rate (leads in brackets), kpi_lead_source_quality",
            data.quality_rows,
            data.quality_cols,
            data.quality,
            "lead_quality.lead_to_won_rate",
        )
    )
    out.append("</section>")
    # forecast
    out.append('<section id="forecast"><h2>Forecast vs quota</h2>')
    out.append(
        grouped_bar_chart(
            "forecast",
            "Quota, weighted forecast and bookings by fiscal quarter (kpi_pipeline_forecast, company total)",
            data.forecast_quarters,
            data.forecast,
            "forecast",
            "money",
        )
    )
    out.append("</section>")
    # data quality
    out.append(
        f'<section id="data-quality"><h2>Data quality</h2><p {data_attrs("dq.summary", data.dq_summary)}>'
        f"gtm check: {esc(data.dq_summary)}</p>"
    )
    issues = [d for d in data.dq if d[1] != "ok"]
    if issues:
        out.append("<table><tr><th>check</th><th>severity</th><th>subject</th><th>detail</th></tr>")
        for check, sev, subject, message in issues:
            out.append(
                f'<tr><td>{esc(check)}</td><td class="sev-{esc(sev)}">{esc(sev)}</td><td>{esc(subject)}</td>'
                f'<td style="text-align:left">{esc(message)}</td></tr>'
            )
        out.append("</table>")
    if data.reconciliation:
        out.append(
            "<table><tr><th>source</th><th>raw rows</th><th>staged</th><th>duplicates</th><th>soft-deleted</th>"
            "<th>quarantined</th><th>unaccounted</th></tr>"
        )
        for r in data.reconciliation:
            out.append(
                f"<tr><td>{esc(r[0])}</td>"
                + "".join(
                    f"<td {data_attrs('reconciliation.' + name, v, source=r[0])}>{count(v)}</td>"
                    for name, v in zip(
                        (
                            "raw_rows",
                            "staged_rows",
                            "duplicate_rows",
                            "soft_deleted_rows",
                            "quarantined_rows",
                            "unaccounted_rows",
                        ),
                        r[1:],
                        strict=True,
                    )
                )
                + "</tr>"
            )
        out.append("</table>")
    if data.rejected:
        out.append(
            bar_chart(
                "rejected", "Quarantined raw rows by reason (dq_rejected_rows)", data.rejected, "rejected", "count"
            )
        )
    if data.notes:
        out.append("<ul>" + "".join(f'<li class="muted">{esc(n)}</li>' for n in data.notes) + "</ul>")
    out.append("</section></main></body></html>")
    return "\n".join(out) + "\n"


def write_report(database: Path, out: Path, check_options: CheckOptions | None = None) -> Path:
    """Collect the numbers from ``database`` (read-only) and write the HTML report to ``out`` (atomically)."""
    database, out = Path(database), Path(out)
    if not database.is_file():
        raise BadInputError(f"warehouse {database} does not exist: run gtm run first")
    text = render(collect(database, check_options))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp"
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    return out
