"""`gtm bench` dbt steps (issue 11): fixed cost, floor, build and incremental figures in BENCHMARKS.md."""

from __future__ import annotations

import pytest

from gtm import bench
from gtm.bench import GB, StepResult
from gtm.errors import BadInputError


def _step(name: str, wall: float, peak_gb: float = 1.0, slowest=None, cpu: float | None = None) -> StepResult:
    cpu_s = wall if cpu is None else cpu
    return StepResult(name, ["x"], wall, 1000, int(peak_gb * GB), cpu_s, {}, {}, slowest=slowest or [])


def _summary(build_s: float, incremental_s: float, peak_gb: float = 3.0) -> bench.BenchSummary:
    steps = [
        _step("parse", 20.0),
        _step("empty", 60.0),
        _step("floor", 30.0),
        _step("build", build_s, peak_gb, [("int_web_sessions", 80.0), ("fct_touchpoints", 20.0)], cpu=build_s * 1.8),
        _step("extend", 5.0),
        _step("reload", 1.0),
        _step("incremental", incremental_s, slowest=[("int_web_sessions", 3.0)], cpu=incremental_s * 1.5),
    ]
    return bench.summarize(steps, scale="large", seed=42, command="gtm bench ...", machine=bench.machine_facts())


def test_ratios_fixed_cost_and_targets() -> None:
    ok = _summary(build_s=240.0, incremental_s=20.0)
    assert bench._derived(ok) == {
        "fixed s": "60.0 (parse 20.0)",
        "build / floor": "8.0x",
        "incremental / build": "8.3%",
        "CPU s (build / incremental)": "432.0 / 30.0",
    }
    assert ok.verdict() == "PASS"
    build_only = bench.summarize(
        [_step("build", 100.0, cpu=150.0)], scale="large", seed=42, command="gtm bench ...", machine={}
    )
    assert bench._derived(build_only) == {"CPU s (build / incremental)": "150.0 / -"}
    slow = _summary(build_s=400.0, incremental_s=100.0, peak_gb=11.0)
    assert slow.misses() == ["peak 11.00 GB > 10 GB", "build 400 s > 300 s", "incremental 25% of the build > 10%"]


def test_benchmarks_section_has_per_step_time_and_memory_and_slowest_models() -> None:
    text = bench.update_benchmarks("", _summary(build_s=240.0, incremental_s=20.0))
    header = next(line for line in text.splitlines() if line.startswith("| date"))
    assert "| build s (GB) |" in header and "| incremental / build |" in header
    assert "| CPU s (build / incremental) |" in header
    row = next(line for line in text.splitlines() if line.startswith("| 20"))
    assert "240.0 (3.00)" in row and "int_web_sessions 80, fct_touchpoints 20" in row and "8.0x" in row
    assert "| 432.0 / 30.0 |" in row


def test_empty_must_come_before_build(tmp_path) -> None:
    with pytest.raises(BadInputError, match="before build"):
        bench.run_bench("tiny", tmp_path / "raw", tmp_path / "db.duckdb", steps=["build", "empty"])


def test_dbt_steps_keep_the_parse_and_take_the_date_from_the_environment(tmp_path) -> None:
    """A daily job keeps target/ and moves the date in GTM_AS_OF_DATE: dbt re-parses nothing."""
    out = tmp_path / "raw"
    (out / "truth").mkdir(parents=True)
    (out / "truth" / "summary.json").write_text('{"as_of_date": "2026-01-01"}')
    cfg = bench.BenchConfig(scale="tiny", out_dir=out, database=tmp_path / "db.duckdb")
    incremental = bench.STEPS["incremental"]
    assert incremental.env(cfg)["GTM_AS_OF_DATE"] == "2026-01-01"
    assert "--vars" not in incremental.args(cfg)

    work = tmp_path / "db.bench"
    incremental.prepare(cfg)  # no build step yet: nothing to keep, dbt parses in full
    assert not (work / "target_incremental").exists()
    (work / "target_build").mkdir(parents=True)
    (work / "target_build" / "partial_parse.msgpack").write_bytes(b"parsed")
    incremental.prepare(cfg)
    assert (work / "target_incremental" / "partial_parse.msgpack").read_bytes() == b"parsed"


def test_dbt_steps_are_production_runs_without_unit_tests(tmp_path) -> None:
    """The fixed cost, the full build and the daily run leave dbt's unit tests to CI."""
    cfg = bench.BenchConfig(scale="tiny", out_dir=tmp_path / "raw", database=tmp_path / "db.duckdb")
    for name in ("empty", "build", "incremental"):
        args = bench.STEPS[name].args(cfg)
        dbt_args = args[args.index("--") + 1 :]
        assert dbt_args[:2] == ["--exclude-resource-type", "unit_test"], name
    assert "unit tests excluded" in bench.STEPS["build"].options(cfg)


def test_build_options_name_the_node_order(tmp_path, monkeypatch) -> None:
    """A row says whether dbt's threads took nodes in gtm's critical-path order or dbt's own."""
    cfg = bench.BenchConfig(scale="tiny", out_dir=tmp_path / "raw", database=tmp_path / "db.duckdb")
    monkeypatch.delenv("GTM_SCHEDULER", raising=False)
    assert bench.STEPS["build"].options(cfg).endswith(", critical-path order")
    monkeypatch.setenv("GTM_SCHEDULER", "dbt")
    assert bench.STEPS["build"].options(cfg).endswith(", dbt order")


def test_slowest_nodes_are_named_by_their_name_not_their_hash() -> None:
    from gtm.bench import _node_name

    assert _node_name("model.gtm_warehouse.int_web_sessions") == "int_web_sessions"
    assert _node_name("test.gtm_warehouse.source_unique_segment_pages_id.928ea54e10") == (
        "source_unique_segment_pages_id"
    )
    assert (
        _node_name("test.gtm_warehouse.assert_kpi_gtm_monthly_matches_marts") == "assert_kpi_gtm_monthly_matches_marts"
    )
    assert _node_name("unit_test.gtm_warehouse.int_web_sessions.test_tail") == "test_tail"


def test_daily_run_says_whether_its_data_tests_are_run_scoped(tmp_path) -> None:
    """A daily run's data tests are run-scoped only when the database records a fully tested run
    of the same project files (a model changed after the build: every row); the console says
    which, read before the step runs, since two daily runs compare only with the same scope."""
    import duckdb

    from gtm import tested_runs

    database = tmp_path / "db.duckdb"
    duckdb.connect(str(database)).close()
    cfg = bench.BenchConfig(scale="tiny", out_dir=tmp_path / "raw", database=database)
    incremental = bench.STEPS["incremental"]
    assert incremental.note(cfg).startswith("data tests over every row")

    tested_runs.record(database, "2026-01-01 06:00:00.000000", "checksum of other project files", 12)
    assert incremental.note(cfg).startswith("data tests over every row")

    checksum = tested_runs.project_checksum(bench.PRODUCTION_RUN)
    tested_runs.record(database, "2026-01-02 06:00:00.000000", checksum, 12)
    assert incremental.note(cfg).startswith("data tests run-scoped: rows written since 2026-01-02 06:00:00.000000")
    assert bench.STEPS["build"].note(cfg) == ""

    step = StepResult("incremental", ["x"], 10.0, 1000, GB, 12.0, {}, {}, note=incremental.note(cfg))
    summary = bench.summarize([step], scale="tiny", seed=42, command="gtm bench ...", machine=bench.machine_facts())
    assert "incremental: data tests run-scoped: rows written since 2026-01-02" in bench.format_console(summary)
