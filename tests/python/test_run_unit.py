"""Fast tests of the pieces of `gtm run`: the lock, publishing and clean-up, the output checks."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from gtm.check import CheckOptions, anomalies, run_checks
from gtm.errors import EXIT_BUSY, BusyError
from gtm.lock import lock_path, warehouse_lock
from gtm.run import StepResult, clean_leftovers, format_summary, publish_file, published_info, runs_dir

# --------------------------------------------------------------------------- lock


def test_second_holder_is_refused_with_the_first_holders_details(tmp_path):
    warehouse = tmp_path / "gtm.duckdb"
    with warehouse_lock(warehouse, command="gtm run --scale tiny") as holder:
        with pytest.raises(BusyError) as busy, warehouse_lock(warehouse, command="gtm build"):
            pass
        assert busy.value.exit_code == EXIT_BUSY
        message = str(busy.value)
        assert f"pid {holder['pid']}" in message and "gtm run --scale tiny" in message and "busy" in message
        assert json.loads(lock_path(warehouse).read_text())["command"] == "gtm run --scale tiny"
    assert lock_path(warehouse).read_text() == ""  # released cleanly


def test_lock_of_a_dead_process_is_reported_and_taken_over(tmp_path):
    warehouse = tmp_path / "gtm.duckdb"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    lock_path(warehouse).write_text(
        json.dumps({"pid": dead_pid, "host": __import__("socket").gethostname(), "command": "gtm run"})
    )
    heard: list[str] = []
    with warehouse_lock(warehouse, log=heard.append) as holder:
        assert holder["pid"] != dead_pid
    assert len(heard) == 1 and f"stale lock cleared: pid {dead_pid}" in heard[0] and "no longer runs" in heard[0]


# --------------------------------------------------------------------------- publish + clean-up


def _database(path: Path, marker: str) -> None:
    con = duckdb.connect(str(path))
    con.execute("create table t as select ? as marker", [marker])
    con.close()


def test_publish_replaces_the_file_and_cleanup_keeps_only_what_it_reads(tmp_path):
    published = tmp_path / "warehouse" / "gtm.duckdb"
    published.parent.mkdir()
    _database(published, "old")
    runs = runs_dir(published)
    first, second, killed = runs / "run-1", runs / "run-2", runs / "run-killed"
    for folder in (first, second, killed):
        (folder / "gtm.raw").mkdir(parents=True)
    _database(first / "gtm.duckdb", "first")
    publish_file(first / "gtm.duckdb", published, {"run_id": "run-1", "run_dir": first, "command": "test"})
    assert not (first / "gtm.duckdb").exists()  # moved, not copied
    assert not published.with_name("gtm.duckdb.wal").exists()
    assert published_info(published)["run_id"] == "run-1"
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select marker from t").fetchone()[0] == "first"

    heard: list[str] = []
    removed = clean_leftovers(published, say=heard.append)
    assert sorted(p.name for p in removed) == ["run-2", "run-killed"]
    assert first.is_dir() and not second.exists() and not killed.exists()
    assert "removed 2 leftover run folder(s)" in heard[0]


def test_summary_table_lists_every_step_and_the_exit_code():
    text = format_summary([StepResult("load", "ok", 1.25, "10 rows"), StepResult("build", "failed", 3.5)], 5.0, 3)
    assert "load" in text and "1.2" in text and "failed" in text and "exit code 3" in text


# --------------------------------------------------------------------------- checks


def test_anomalies_flag_months_far_from_the_trailing_median():
    months = [date(2025, m, 1) for m in range(1, 10)]
    values = [100, 110, 90, 105, 400, 100, 20, 95, 100]
    flagged = anomalies(list(zip(months, values, strict=True)), factor=3.0, trailing=6, min_history=3)
    assert [(m.month, v) for m, v, _ in flagged] == [(5, 400), (7, 20)]
    assert flagged[0][2] == 102.5  # median of 100, 110, 90, 105


def test_check_reports_unaccounted_rows_and_a_broken_mrr_identity_as_errors(tmp_path):
    database = tmp_path / "w.duckdb"
    con = duckdb.connect(str(database))
    con.execute("create schema marts")
    con.execute("create schema salesforce")
    con.execute("create table salesforce.lead as select range as id from range(10)")
    con.execute(
        "create table marts.dq_source_reconciliation as select 'salesforce' as source_name, 'lead' as table_name, "
        "true as is_enabled, 10 as raw_rows, 8 as staged_rows, 0 as duplicate_rows, 0 as soft_deleted_rows, "
        "1 as quarantined_rows, 1 as unaccounted_rows"
    )
    con.execute(
        "create table marts.fct_mrr as select 'a1' as account_id, date '2025-01-01' as month_start_date, "
        "100.00::decimal(18,2) as mrr_reporting, 0.00::decimal(18,2) as previous_mrr_reporting, "
        "0.00::decimal(18,2) as fx_revaluation_reporting, 0.00::decimal(18,2) as start_mrr_reporting, "
        "90.00::decimal(18,2) as new_mrr_reporting, 0.00::decimal(18,2) as expansion_mrr_reporting, "
        "0.00::decimal(18,2) as reactivation_mrr_reporting, 0.00::decimal(18,2) as contraction_mrr_reporting, "
        "0.00::decimal(18,2) as churned_mrr_reporting"
    )
    con.close()
    report = run_checks(database, CheckOptions(as_of=date(2025, 12, 31)))
    errors = {(f.check, f.subject): f.message for f in report.of("error")}
    assert "1 raw row(s) unaccounted for" in errors[("reconciliation", "salesforce.lead")]
    assert "1 of 1 rows break it" in errors[("totals", "MRR identity (fct_mrr)")]
    assert ("totals", "fct_opportunities") in errors  # a required mart is missing
    assert not report.ok
    assert "must not be published" in report.format()
