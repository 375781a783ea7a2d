"""The same warehouse on Apache Spark: the tiny sample built on DuckDB and on Spark, every public mart compared.

One module-scoped build of each engine from the same generated files (tiny, seed 42, 5% injected
faults so quarantine, dedupe and soft deletes all happen): `gtm load` + `dbt build` into DuckDB,
`gtm load --target spark` + `dbt build --target spark` into a local PySpark warehouse (every
model, seed, data test and unit test; the build raises on any failure). Then `gtm parity`
compares every public mart found in the manifest, and a perturbed copy of the DuckDB build shows
the check fails and names the difference.

Needs the `spark` extra and Java 17 (`make test` installs the extra; .ci/run installs Java when
missing). Without them the tests are skipped locally and fail in CI.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from gtm import contract, parity
from gtm.build import dbt_build
from gtm.cli import main as gtm_main
from gtm.generate import generate
from gtm.load import load, load_spark
from gtm.spark import dbt_build as spark_dbt_build

pytestmark = [pytest.mark.integration, pytest.mark.spark]

PUBLIC_TODAY = {"dq_rejected_rows", "dq_source_reconciliation"}


def _require_spark() -> None:
    problems = []
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("dbt.adapters.spark") is None:
        problems.append("the spark extra is not installed (pip install -c constraints.txt -e '.[spark]')")
    if shutil.which("java") is None:
        problems.append("java is not on PATH (Spark needs Java 17)")
    if problems:
        message = "; ".join(problems)
        if os.environ.get("CI"):
            pytest.fail(f"Spark parity tests cannot run in CI: {message}")
        pytest.skip(message)


@dataclass
class Builds:
    raw: Path
    database: Path
    spark_dir: Path
    manifest: Path
    seconds: dict[str, float]


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> Builds:
    _require_spark()
    tmp = tmp_path_factory.mktemp("spark_parity")
    raw, database, spark_dir = tmp / "raw", tmp / "warehouse.duckdb", tmp / "spark"
    seconds: dict[str, float] = {}
    generate(raw, scale="tiny", seed=42, dirty_rate=0.05, progress=False)
    with pytest.MonkeyPatch.context() as env:
        # own dbt target/log folders: builds running elsewhere in the checkout share target/
        env.setenv("DBT_LOG_PATH", str(tmp / "logs"))
        env.setenv("DBT_TARGET_PATH", str(tmp / "target_duckdb"))
        started = time.perf_counter()
        load(raw, database, progress=False)
        dbt_build(database)
        seconds["duckdb load + build"] = time.perf_counter() - started

        env.setenv("DBT_TARGET_PATH", str(tmp / "target_spark"))
        # a shared 2-core machine: two local cores and few shuffle partitions (tiny data)
        env.setenv("GTM_SPARK_MASTER", os.environ.get("GTM_SPARK_MASTER", "local[2]"))
        env.setenv("GTM_SPARK_SHUFFLE_PARTITIONS", os.environ.get("GTM_SPARK_SHUFFLE_PARTITIONS", "2"))
        started = time.perf_counter()
        load_spark(raw, spark_dir, progress=False)
        seconds["spark load"] = time.perf_counter() - started
        started = time.perf_counter()
        spark_dbt_build(spark_dir)
        seconds["spark build"] = time.perf_counter() - started
    print("\n" + ", ".join(f"{step}: {s:.0f}s" for step, s in seconds.items()), file=sys.stderr)
    yield Builds(raw, database, spark_dir, tmp / "target_spark" / "manifest.json", seconds)
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


def test_every_public_mart_is_the_same_on_spark_and_duckdb(builds):
    started = time.perf_counter()
    report = parity.check(builds.database, builds.spark_dir, builds.manifest)
    print(f"\n{report.format()}\nparity check: {time.perf_counter() - started:.0f}s", file=sys.stderr)
    assert report.ok, report.format()
    compared = {r.model.name: r for r in report.results}
    assert set(compared) >= PUBLIC_TODAY  # discovered from the manifest, not listed here
    recon = compared["dq_source_reconciliation"]
    assert recon.model.key in (("raw_table",), ("source_name", "table_name"))
    assert recon.left_rows == recon.right_rows == len(contract.TABLES)
    rejected = compared["dq_rejected_rows"]
    assert rejected.left_rows == rejected.right_rows > 0  # the injected faults were quarantined on both


def test_spark_reconciles_every_raw_row_the_generator_wrote(builds):
    summary = json.loads((builds.raw / "truth" / "summary.json").read_text())
    spark = parity.spark_reader(builds.spark_dir)
    spec = next(s for s in parity.public_models(builds.manifest) if s.name == "dq_source_reconciliation")
    rows = spark(spec).to_pylist()
    assert {r["raw_table"]: r["raw_rows"] for r in rows} == summary["rows"]
    assert all(r["unaccounted_rows"] == 0 for r in rows)
    assert sum(r["duplicate_rows"] + r["soft_deleted_rows"] + r["quarantined_rows"] for r in rows) > 0


def test_parity_check_fails_and_names_a_perturbed_value(builds, tmp_path, capsys):
    perturbed = tmp_path / "perturbed.duckdb"
    shutil.copyfile(builds.database, perturbed)
    with duckdb.connect(str(perturbed)) as con:
        con.execute(
            "update marts.dq_source_reconciliation set staged_rows = staged_rows + 1"
            " where raw_table = 'salesforce.lead'"
        )
    report = parity.check(perturbed, builds.spark_dir, builds.manifest)
    assert not report.ok
    assert len(report.differences) == 1
    difference = report.differences[0]
    assert difference.startswith("dq_source_reconciliation: column staged_rows differs (exactly) in 1 row(s)")
    assert "salesforce" in difference and "lead" in difference
    # the CLI says the same and exits 4
    code = gtm_main(
        [
            "parity",
            "--database",
            str(perturbed),
            "--spark-dir",
            str(builds.spark_dir),
            "--manifest",
            str(builds.manifest),
        ]
    )
    assert code == parity.EXIT_PARITY_FAILED
    captured = capsys.readouterr()
    assert "column staged_rows differs" in captured.out and "parity FAILED" in captured.out


def test_parity_check_names_a_missing_row(builds, tmp_path):
    perturbed = tmp_path / "missing_row.duckdb"
    shutil.copyfile(builds.database, perturbed)
    with duckdb.connect(str(perturbed)) as con:
        key = con.execute("select min(rejected_row_id) from marts.dq_rejected_rows").fetchone()[0]
        con.execute("delete from marts.dq_rejected_rows where rejected_row_id = ?", [key])
    report = parity.check(perturbed, builds.spark_dir, builds.manifest, models=["dq_rejected_rows"])
    assert not report.ok
    assert any(d.startswith("dq_rejected_rows: row count: duckdb") for d in report.differences)
    assert f"dq_rejected_rows: 1 key(s) only on spark, e.g. (rejected_row_id='{key}')" in report.differences
