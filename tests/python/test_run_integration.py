"""`gtm run` end to end at tiny scale, as a scheduler would run it (subprocesses, real files).

Safe publishing, one run at a time, readers never blocked, and every bad input with its
documented exit code and a message that says what to do. The warehouse published by the
session fixture ``tiny_published`` (conftest.py) is the "old data" the tests protect.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gtm.errors import EXIT_BAD_INPUT, EXIT_BUILD_FAILED, EXIT_BUSY
from gtm.run import runs_dir

pytestmark = [pytest.mark.integration, pytest.mark.slow]

RUN_TIMEOUT = 900
READER = """
import duckdb, json, sys
con = duckdb.connect(sys.argv[1], read_only=True)
run_id = con.execute("select run_id from _gtm_run.runs").fetchone()[0]
opps = con.execute("select count(*) from marts.fct_opportunities").fetchone()[0]
print(json.dumps([run_id, opps]))
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_published(path: Path) -> tuple[str, int]:
    """(run id, opportunities) read by a fresh process holding the file read-only."""
    out = subprocess.run([sys.executable, "-c", READER, str(path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    run_id, opps = json.loads(out.stdout)
    return run_id, opps


def gtm(run, *args: str, timeout: int = RUN_TIMEOUT) -> subprocess.CompletedProcess:
    from conftest import gtm_bin

    return subprocess.run([gtm_bin(), *args], env=run.env, capture_output=True, text=True, timeout=timeout)


def start(run, log: Path, *args: str) -> subprocess.Popen:
    from conftest import gtm_bin

    out = open(log, "w")  # noqa: SIM115 - closed by the test when the process has ended
    return subprocess.Popen([gtm_bin(), *args], env=run.env, stdout=out, stderr=subprocess.STDOUT, text=True)


def wait_for(predicate, what: str, timeout: float = 600, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process ended (code {proc.returncode}) before: {what}")
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for: {what}")


def run_id_of(output: str) -> str:
    for line in output.splitlines():
        if line.startswith("gtm run "):
            return line.split()[2].rstrip(":")
    raise AssertionError(f"no run id in:\n{output[:2000]}")


def lock_holder(published: Path) -> dict:
    text = (published.parent / f"{published.name}.lock").read_text()
    return json.loads(text) if text.strip() else {}


def building(log: Path) -> bool:
    text = log.read_text()
    return "build …" in text and " model " in text.split("build …", 1)[1]


# --------------------------------------------------------------------------- the published run


def test_run_prints_progress_and_summary_and_publishes(tiny_published):
    out = tiny_published.first.stdout
    for step in ("load", "build", "check", "report", "publish"):
        assert f"] {step} done in" in out
    assert " model     fct_opportunities " in out  # per-model progress with its duration
    summary = out[out.index("\nstep ") :]
    assert "exit code 0" in summary and re.search(r"^publish +ok ", summary, re.M)
    assert re.search(r"^build +ok +\d+\.\d", summary, re.M)
    run_id, opps = read_published(tiny_published.published)
    assert run_id == run_id_of(out) and opps > 0
    assert tiny_published.report.is_file()
    # the published file's raw views read the run folder of the run that published it
    assert (runs_dir(tiny_published.published) / run_id).is_dir()


# --------------------------------------------------------------------------- busy + readers


def test_second_run_is_busy_and_readers_see_old_data_until_publish(tiny_published, tmp_path):
    published = tiny_published.published
    old_run, old_opps = read_published(published)
    holder = duckdb.connect(str(published), read_only=True)  # a BI tool, open for the whole run
    try:
        log = tmp_path / "b.log"
        proc = start(tiny_published, log, "run", "--data", str(tiny_published.raw_other))
        try:
            wait_for(lambda: building(log), "run B to reach dbt build", proc=proc)
            assert lock_holder(published)["pid"] == proc.pid

            # exactly one run proceeds: a second run and a standalone build exit at once, busy
            started = time.monotonic()
            second = gtm(tiny_published, "run", "--data", str(tiny_published.raw), timeout=120)
            assert second.returncode == EXIT_BUSY, second.stdout + second.stderr
            assert time.monotonic() - started < 60
            assert f"pid {proc.pid}" in second.stderr and "busy" in second.stderr
            assert "run --data" in second.stderr  # names the running command
            build = gtm(tiny_published, "build", "--database", str(published), timeout=120)
            assert build.returncode == EXIT_BUSY and f"pid {proc.pid}" in build.stderr

            # readers are not blocked during the build and see the old data
            assert read_published(published) == (old_run, old_opps)
            assert holder.execute("select run_id from _gtm_run.runs").fetchone()[0] == old_run
            assert proc.poll() is None, "run B ended before the readers were checked"
            assert proc.wait(timeout=RUN_TIMEOUT) == 0, log.read_text()[-3000:]
        finally:
            if proc.poll() is None:
                proc.kill()
        # the open reader keeps its snapshot; a new connection sees the published run B
        assert holder.execute("select run_id from _gtm_run.runs").fetchone()[0] == old_run
    finally:
        holder.close()
    new_run, new_opps = read_published(published)
    assert new_run == run_id_of(log.read_text()) != old_run
    assert new_opps != old_opps  # seed 43's company, not seed 42's
    assert lock_holder(published) == {}  # released cleanly


# --------------------------------------------------------------------------- kill -9


def test_sigkill_during_build_leaves_the_published_file_intact(tiny_published, tmp_path):
    published = tiny_published.published
    before_hash = sha256(published)
    before_run, _ = read_published(published)
    log = tmp_path / "killed.log"
    proc = start(tiny_published, log, "run", "--data", str(tiny_published.raw))
    try:
        wait_for(lambda: building(log), "the run to reach dbt build", proc=proc)
        time.sleep(2)  # well inside the build
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    killed_run = run_id_of(log.read_text())
    assert proc.returncode == -signal.SIGKILL

    assert sha256(published) == before_hash  # byte-identical
    assert read_published(published)[0] == before_run  # and queryable
    assert lock_holder(published)["pid"] == proc.pid  # a stale lock is left behind
    assert (runs_dir(published) / killed_run).is_dir()  # and the killed run's files

    nxt = gtm(tiny_published, "run", "--data", str(tiny_published.raw))
    assert nxt.returncode == 0, nxt.stdout[-3000:] + nxt.stderr[-3000:]
    assert f"stale lock cleared: pid {proc.pid}" in nxt.stdout
    assert killed_run in nxt.stdout and "leftover run folder" in nxt.stdout
    assert not (runs_dir(published) / killed_run).exists()
    assert read_published(published)[0] == run_id_of(nxt.stdout) != before_run
    assert sha256(published) != before_hash


# --------------------------------------------------------------------------- bad inputs


def _opportunity_file(raw: Path) -> Path:
    return raw / "salesforce" / "opportunity.parquet"


def _missing_table(raw: Path) -> list[str]:
    _opportunity_file(raw).unlink()
    return []


def _missing_column(raw: Path) -> list[str]:
    path = _opportunity_file(raw)
    pq.write_table(pq.read_table(path).drop(["stage_name"]), path)
    return []


def _unknown_source(raw: Path) -> list[str]:
    return ["--sources", "salesforce,marketo"]


def _corrupt_parquet(raw: Path) -> list[str]:
    path = raw / "hubspot" / "contact.parquet"
    path.write_bytes(b"PAR1" + os.urandom(500))
    return []


def _failing_dbt_test(raw: Path) -> list[str]:
    """A CRM stage the stage map does not know: staging's accepted_values test fails."""
    path = _opportunity_file(raw)
    table = pq.read_table(path)
    stages = table["stage_name"].to_pylist()
    stages[0] = "Discovery"
    table = table.set_column(table.schema.get_field_index("stage_name"), "stage_name", pa.array(stages))
    pq.write_table(table, path)
    # build only what the failing test needs (its parents; tests of unbuilt models left out)
    return ["--", "--select", "+stg_salesforce__opportunities", "--indirect-selection", "cautious"]


BAD_INPUTS = {
    "missing_table": (_missing_table, EXIT_BAD_INPUT, ["salesforce.opportunity: no file for this table", "Fix:"]),
    "missing_column": (_missing_column, EXIT_BAD_INPUT, ["missing required column(s) stage_name", "expected columns"]),
    "unknown_source": (_unknown_source, EXIT_BAD_INPUT, ["unknown source(s) marketo", "known sources: salesforce"]),
    "corrupt_parquet": (_corrupt_parquet, EXIT_BAD_INPUT, ["hubspot.contact", "corrupt or not Parquet"]),
    "failing_dbt_test": (
        _failing_dbt_test,
        EXIT_BUILD_FAILED,
        ["accepted_values_stg_salesforce__opportunities_stage_name", "correct the source data"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_gives_its_exit_code_and_says_what_to_do(tiny_published, tmp_path, case):
    mutate, code, phrases = BAD_INPUTS[case]
    raw = tmp_path / "raw"
    shutil.copytree(tiny_published.raw, raw, ignore=shutil.ignore_patterns("truth"))
    extra = mutate(raw)
    published = tiny_published.published
    before = sha256(published)
    result = gtm(tiny_published, "-q", "run", "--data", str(raw), "--no-report", *extra)
    assert result.returncode == code, result.stdout[-2000:] + result.stderr[-2000:]
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr
    assert "What to do:" in result.stderr
    assert f"Nothing was published: {published} is unchanged" in result.stderr
    assert sha256(published) == before


# --------------------------------------------------------------------------- dbt docs


def test_dbt_docs_generate_works_on_a_copy_of_the_published_warehouse(tiny_published, tmp_path):
    copy = tmp_path / "docs.duckdb"
    shutil.copyfile(tiny_published.published, copy)
    env = dict(tiny_published.env, GTM_DUCKDB_PATH=str(copy), DBT_TARGET_PATH=str(tmp_path / "target"))
    project = str(Path(__file__).resolve().parents[2])
    dbt = str(Path(sys.executable).parent / "dbt")
    result = subprocess.run(
        [dbt, "docs", "generate", "--static", "--project-dir", project, "--profiles-dir", project],
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    catalog = json.loads((tmp_path / "target" / "catalog.json").read_text())
    nodes = {node["metadata"]["name"] for node in catalog["nodes"].values()}
    assert {"fct_opportunities", "kpi_revenue_monthly", "dq_source_reconciliation"} <= nodes
    assert (tmp_path / "target" / "static_index.html").stat().st_size > 100_000
