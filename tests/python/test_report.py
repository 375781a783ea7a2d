"""The HTML report of `gtm run`: opens offline in headless Chromium, charts drawn, numbers = KPI tables.

Chromium is Debian's `chromium` package; when it is missing and the tests run as root with
apt-get (CI, .ci/run), the fixture installs it. The browser runs with every request sent to a
local counting proxy (nothing else can reach the network), with its console logged to stderr;
a positive control page proves both detectors work.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import socket
import subprocess
import threading
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import numpy as np
import pytest
from PIL import Image

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WIDTH = 1300


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if path is None and shutil.which("apt-get") and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True, timeout=600)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env, capture_output=True, timeout=1200
        )
        path = shutil.which("chromium")
    if path is None:
        pytest.fail("chromium is not installed: apt-get install chromium (Debian), or run .ci/run as root")
    return path


class CountingProxy:
    """An HTTP proxy that answers nothing: it counts and records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.requests: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    first = conn.recv(4096).decode("latin-1").split("\r\n", 1)[0]
                except OSError:
                    first = "?"
                self.requests.append(first)
                with contextlib.suppress(OSError):
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


def browse(chromium: str, page: Path, tmp: Path, *action: str, height: int = 1000) -> tuple[str, str, list[str]]:
    """Open ``page`` headless; return (stdout, console lines, proxied requests)."""
    proxy = CountingProxy()
    try:
        result = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--disable-extensions",
                "--force-device-scale-factor=1",
                f"--user-data-dir={tmp / 'chromium-profile'}",
                f"--proxy-server=http://127.0.0.1:{proxy.port}",
                "--proxy-bypass-list=<-loopback>",
                "--enable-logging=stderr",
                "--v=0",
                f"--window-size={WIDTH},{height}",
                *action,
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        proxy.close()
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    return result.stdout, console, [r for r in proxy.requests if request_host(r) not in BROWSER_SERVICE_HOSTS]


# Chromium's own background calls, made for a blank page too (network time, component updater,
# account check); none of them is a request a page can cause.
BROWSER_SERVICE_HOSTS = {
    "clients1.google.com",
    "clients2.google.com",
    "update.googleapis.com",
    "accounts.google.com",
    "optimizationguide-pa.googleapis.com",
    "content-autofill.googleapis.com",
    "safebrowsingohttpgateway.googleapis.com",
    "redirector.gvt1.com",
    "edgedl.me.gvt1.com",
}


def request_host(request_line: str) -> str:
    """The host of a proxied request line: 'CONNECT host:443 HTTP/1.1' or 'GET http://host/path HTTP/1.1'."""
    parts = request_line.split()
    if len(parts) < 2:
        return ""
    target = parts[1]
    if parts[0] == "CONNECT":
        return target.rsplit(":", 1)[0]
    return target.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]


MEASURE = """<script>
(function () {
  var out = [];
  document.querySelectorAll('svg.chart-svg').forEach(function (svg) {
    var r = svg.getBoundingClientRect();
    out.push({chart: svg.getAttribute('data-chart'), x: r.left + window.scrollX, y: r.top + window.scrollY,
              w: r.width, h: r.height});
  });
  var pre = document.createElement('pre');
  pre.id = 'measured';
  pre.textContent = JSON.stringify({height: document.documentElement.scrollHeight, charts: out});
  document.body.appendChild(pre);
})();
</script>"""


def test_detectors_catch_console_errors_and_requests(chromium, tmp_path):
    page = tmp_path / "control.html"
    page.write_text(
        '<!doctype html><html><body><img src="http://example.invalid/x.png">'
        '<script>console.error("control error")</script></body></html>'
    )
    _, console, requests = browse(chromium, page, tmp_path, "--dump-dom", "--virtual-time-budget=3000")
    assert any("control error" in line for line in console)
    assert any("example.invalid" in r for r in requests)


def test_report_opens_offline_without_errors_and_draws_its_charts(chromium, tiny_published, tmp_path):
    report = tiny_published.report
    text = report.read_text()
    for needle in ("<script", "@import", "url(", "http://", "https://", "src="):
        if needle == "http://":  # the SVG namespace is not a request
            text_without_ns = text.replace('xmlns="http://www.w3.org/2000/svg"', "")
            assert needle not in text_without_ns
        else:
            assert needle not in text, f"report references {needle}"

    # where are the charts? (a measuring copy of the page; the report itself has no script)
    measured_page = tmp_path / "measured.html"
    measured_page.write_text(text.replace("</body>", MEASURE + "</body>"))
    dom, console, requests = browse(chromium, measured_page, tmp_path, "--dump-dom", "--virtual-time-budget=3000")
    assert console == [] and requests == []
    start = dom.index('<pre id="measured">') + len('<pre id="measured">')
    layout = json.loads(dom[start : dom.index("</pre>", start)].replace("&quot;", '"'))
    charts = layout["charts"]
    names = {c["chart"] for c in charts}
    assert {"funnel", "lead_quality", "forecast", "trend_nrr", "trend_bookings", "trend_pipeline"} <= names

    # the report itself: no console output, no requests, a screenshot with every chart drawn
    shot = tmp_path / "report.png"
    height = int(layout["height"]) + 20
    _, console, requests = browse(chromium, report, tmp_path, f"--screenshot={shot}", height=height)
    assert console == [], console
    assert requests == [], requests
    image = Image.open(shot).convert("RGB")
    assert image.size[1] >= layout["height"] - 5
    for c in charts:
        box = (int(c["x"]), int(c["y"]), int(c["x"] + c["w"]), int(c["y"] + c["h"]))
        assert c["w"] > 100 and c["h"] > 50, c
        pixels = np.asarray(image.crop(box)).reshape(-1, 3).astype(int)
        inked = int((pixels.sum(axis=1) < 720).sum())  # not (near) white
        colours = len(np.unique(pixels, axis=0))
        assert inked / len(pixels) > 0.01, f"chart {c['chart']} looks blank ({inked} inked pixels)"
        assert colours > 8, f"chart {c['chart']} has {colours} colours"


# --------------------------------------------------------------------------- numbers


class DataPoints(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.points: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-metric" in attrs:
            self.points.append({k.removeprefix("data-"): v for k, v in attrs.items() if k.startswith("data-")})


def points(html: str, metric: str) -> list[dict]:
    parser = DataPoints()
    parser.feed(html)
    return [p for p in parser.points if p["metric"] == metric]


def same(reported: str, value) -> bool:
    if value is None:
        return reported == ""
    if isinstance(value, Decimal):
        return Decimal(reported) == value
    if isinstance(value, float):
        return math.isclose(float(reported), value, rel_tol=1e-12, abs_tol=1e-12)
    return reported == str(value)


def test_report_numbers_equal_the_kpi_tables(tiny_published):
    html = tiny_published.report.read_text()
    con = duckdb.connect(str(tiny_published.published), read_only=True)
    try:
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731

        funnel = q(
            "select count(*) filter (where reached_first_touch), count(*) filter (where reached_mql), "
            "count(*) filter (where reached_won) from marts.fct_account_journey"
        )[0]
        for key, expected in zip(("first_touch", "mql", "won"), funnel, strict=True):
            [p] = points(html, f"funnel.{key}")
            assert int(p["value"]) == expected
        [rate] = points(html, "funnel_step_rate.won")
        [proposal] = points(html, "funnel.proposal")
        assert math.isclose(float(rate["value"]), funnel[2] / int(proposal["value"]))

        leads = q("select sum(leads), sum(won) from marts.kpi_funnel_cohorts where channel = 'all'")[0]
        assert int(points(html, "lead_funnel.leads")[0]["value"]) == leads[0]
        assert int(points(html, "lead_funnel.won")[0]["value"]) == leads[1]

        nrr = {
            f"{m:%Y-%m}": v
            for m, v in q(
                "select month_start_date, nrr_trailing_12m from marts.kpi_revenue_monthly "
                "where nrr_trailing_12m is not null"
            )
        }
        reported = [p for p in points(html, "trend.nrr") if p["series"] == "NRR"]
        assert len(reported) == len(nrr) > 0
        assert all(same(p["value"], nrr[p["period"]]) for p in reported)

        quality = {
            (c, b): v
            for c, b, v in q("select channel, score_band, lead_to_won_rate from marts.kpi_lead_source_quality")
        }
        cells = points(html, "lead_quality.lead_to_won_rate")
        assert len(cells) == len(quality) > 0
        assert all(same(p["value"], quality[(p["channel"], p["band"])]) for p in cells)

        forecast = q(
            "select fiscal_quarter_label, quota_amount, bookings_amount from marts.kpi_pipeline_forecast "
            "where rollup_level = 'total' order by fiscal_quarter_start_date desc limit 8"
        )
        bars = {(p["category"], p["series"]): p["value"] for p in points(html, "forecast")}
        for label, quota, bookings in forecast:
            if quota is not None:
                assert same(bars[(label, "quota")], quota)
            assert same(bars[(label, "bookings")], bookings)

        raw = dict(
            q("select source_name, sum(raw_rows) from marts.dq_source_reconciliation where is_enabled group by 1")
        )
        cells = points(html, "reconciliation.raw_rows")
        assert {p["source"]: int(p["value"]) for p in cells} == raw

        tables = {r[0] for r in q("select table_name from duckdb_tables() where schema_name = 'marts'")}
        if "kpi_gtm_monthly" in tables:  # spend, attributed revenue and ROAS by channel come from it
            rows = q(
                "select channel, sum(spend_reporting), sum(attributed_revenue_linear), "
                "sum(paid_attributed_revenue_linear) from marts.kpi_gtm_monthly "
                "where channel <> 'all' and month_start_date <= date '2025-12-31' group by 1"
            )
            spend = {c: v for c, v, _, _ in rows if v and v > 0}
            bars = points(html, "spend")
            assert len(bars) == len(spend) > 0
            assert all(same(p["value"], spend[p["category"]]) for p in bars)
            linear = {c: a for c, _, a, _ in rows if a}
            cells = [p for p in points(html, "attributed_revenue") if p["model"] == "linear"]
            assert {p["channel"]: Decimal(p["value"]) for p in cells if Decimal(p["value"])} == linear
            roas = {c: float(paid or 0) / float(v) for c, v, _, paid in rows if v and v > 0}
            bars = [p for p in points(html, "roas") if p["series"] == "linear"]
            assert len(bars) == len(roas)
            assert all(math.isclose(float(p["value"]), roas[p["category"]], rel_tol=1e-12) for p in bars)
        elif "fct_ad_spend_daily" in tables:
            spend = dict(
                q(
                    "select channel, sum(spend_reporting) from marts.fct_ad_spend_daily "
                    "where date_day <= date '2025-12-31' group by 1"
                )
            )
            bars = points(html, "spend")
            assert len(bars) == len(spend) > 0
            assert all(same(p["value"], spend[p["category"]]) for p in bars)
    finally:
        con.close()


def test_gtm_report_verb_writes_the_same_numbers(tiny_published, tmp_path):
    from conftest import gtm_bin

    out = tmp_path / "weekly.html"
    result = subprocess.run(
        [gtm_bin(), "report", "--out", str(out)], env=tiny_published.env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    fresh, published = points(out.read_text(), "funnel.won"), points(tiny_published.report.read_text(), "funnel.won")
    assert fresh == published and fresh
