"""Tests of `gtm bench`: the BENCHMARKS.md writer, and real figures of a tiny run.

The writer is tested on hand-made summaries; `run_bench` runs the real generate and load
(each in its own process) at the tiny scale, a few seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from gtm import bench, contract
from gtm.bench import GB, BenchSummary, StepResult
from gtm.cli import main
from gtm.errors import EXIT_BAD_INPUT, BadInputError

MACHINE = {
    "commit": "abc1234",
    "cpus": 2,
    "memory_bytes": 24 * GB,
    "platform": "Linux x86_64",
    "python": "3.11.7",
    "duckdb": "2.0.0",
    "pyarrow": "26.0.1",
    "numpy": "2.4.6",
    "load_avg_1m": 0.5,
}


def _summary(
    scale: str, rows: int, gen_s: float, load_s: float, peak_gb: float = 1.0, seed: int = 42, mode: str = "link"
):
    steps = [
        StepResult("generate", ["gtm", "generate"], gen_s, rows, int(peak_gb * GB), gen_s, {"raw": 2 * GB}, {}),
        StepResult(
            "load", ["gtm", "load"], load_s, rows, int(0.5 * GB), load_s, {"database": 3 * GB}, options=f"--mode {mode}"
        ),
    ]
    return BenchSummary(
        kind="generate + load",
        scale=scale,
        seed=seed,
        steps=steps,
        machine=MACHINE,
        command=f"gtm bench --scale {scale}",
        date="2025-01-02",
    )


def _table_rows(text: str, kind: str = "generate + load") -> list[dict[str, str]]:
    lines = text.splitlines()
    start = lines.index(f"## {kind}")
    table = []
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        if line.startswith("|"):
            table.append([c.strip() for c in line.strip("|").split("|")])
    header, body = table[0], table[2:]
    return [dict(zip(header, row, strict=True)) for row in body]


# ----------------------------------------------------------------------------- the Markdown writer


def test_writer_creates_the_file_with_targets_and_command():
    text = bench.update_benchmarks("", _summary("medium", 10_000_000, 6.0, 4.0))
    assert text.startswith("# Benchmarks\n")
    assert "## generate + load" in text
    assert "≥ 1,000,000 rows/s" in text and "≤ 6 GB" in text
    (row,) = _table_rows(text)
    assert row["scale"] == "medium"
    assert row["raw rows"] == "10,000,000"
    assert row["generate s"] == "6.0" and row["load s"] == "4.0" and row["total s"] == "10.0"
    assert row["CPU s"] == "10.0"
    assert row["rows/s"] == "1,000,000"
    assert row["peak RSS GB"] == "1.00 (generate)"
    assert row["raw GB"] == "2.00" and row["db GB"] == "3.00"
    assert row["targets"] == "PASS"
    assert "2 CPU" in row["machine"] and "DuckDB 2.0.0" in row["machine"]
    assert "load avg 0.5 at start" in row["machine"]
    assert row["options"] == "load --mode link"
    assert row["commit"] == "abc1234"
    assert "- `medium, load --mode link`: `gtm bench --scale medium`" in text


def test_writer_reports_each_missed_target():
    text = bench.update_benchmarks("", _summary("large", 10_000_000, 15.0, 5.0, peak_gb=7.5))
    (row,) = _table_rows(text)
    assert row["targets"].startswith("MISS")
    assert "rows/s 500,000 < 1,000,000" in row["targets"]
    assert "peak 7.50 GB > 6 GB" in row["targets"]


def test_writer_replaces_the_row_of_the_same_scale_and_keeps_others():
    text = bench.update_benchmarks("", _summary("large", 60_000_000, 50.0, 30.0))
    text = bench.update_benchmarks(text, _summary("medium", 6_000_000, 5.0, 3.0))
    text = bench.update_benchmarks(text, _summary("large", 80_000_000, 40.0, 20.0, seed=7))
    rows = _table_rows(text)
    assert [r["scale"] for r in rows] == ["medium", "large"]  # one row per scale, in scale order
    assert rows[1]["raw rows"] == "80,000,000" and rows[1]["seed"] == "7"
    assert rows[0]["raw rows"] == "6,000,000"
    assert text.count("- `large, ") == 1 and text.count("- `medium, ") == 1
    # idempotent: the same run recorded twice gives the same file
    again = bench.update_benchmarks(text, _summary("large", 80_000_000, 40.0, 20.0, seed=7))
    assert again == text


def test_writer_keeps_one_row_per_scale_and_options():
    text = bench.update_benchmarks("", _summary("large", 60_000_000, 50.0, 1.0, mode="link"))
    text = bench.update_benchmarks(text, _summary("large", 60_000_000, 50.0, 90.0, mode="copy"))
    text = bench.update_benchmarks(text, _summary("large", 60_000_000, 45.0, 80.0, mode="copy"))
    rows = _table_rows(text)
    assert [(r["options"], r["load s"]) for r in rows] == [("load --mode copy", "80.0"), ("load --mode link", "1.0")]
    assert text.count("- `large, load --mode copy`:") == 1 and text.count("- `large, load --mode link`:") == 1


def test_writer_keeps_other_sections_and_notes():
    original = (
        "# Benchmarks\n\nIntro written by hand.\n\n"
        "## dbt build\n\nTimings of dbt build go here.\n\n"
        "## generate + load\n\nNotes on the generate + load runs.\n\n"
        "## Hardware\n\nThe reference machine.\n"
    )
    text = bench.update_benchmarks(original, _summary("large", 60_000_000, 50.0, 30.0))
    text = bench.update_benchmarks(text, _summary("medium", 6_000_000, 5.0, 3.0))
    for kept in (
        "# Benchmarks\n\nIntro written by hand.\n\n",
        "## dbt build\n\nTimings of dbt build go here.\n\n",
        "## generate + load\n\nNotes on the generate + load runs.\n\n<!-- gtm bench",
        "(end) -->\n\n## Hardware\n\nThe reference machine.\n",
    ):
        assert kept in text
    assert text.count("## generate + load") == 1
    assert [r["scale"] for r in _table_rows(text)] == ["medium", "large"]
    # the block sits inside its own section, before the next one
    assert text.index("| large |") < text.index("## Hardware")


def test_writer_adds_a_section_per_kind():
    original = bench.update_benchmarks("", _summary("large", 60_000_000, 50.0, 30.0))
    load_only = _summary("large", 60_000_000, 50.0, 30.0)
    load_only = BenchSummary(**{**load_only.__dict__, "kind": "load", "steps": load_only.steps[1:]})
    text = bench.update_benchmarks(original, load_only)
    assert text.startswith(original.rstrip("\n"))
    (row,) = _table_rows(text, "load")
    assert "generate s" not in row and row["load s"] == "30.0"
    assert row["targets"] == "—"  # no targets for this kind


def test_writer_rejects_a_broken_block():
    text = bench.update_benchmarks("", _summary("large", 60_000_000, 50.0, 30.0))
    broken = "\n".join(line for line in text.splitlines() if "(end)" not in line)
    with pytest.raises(Exception, match="marker"):
        bench.update_benchmarks(broken, _summary("medium", 6_000_000, 5.0, 3.0))


# ----------------------------------------------------------------------------- a real run


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("bench")
    out, database = base / "raw", base / "bench.duckdb"
    results = bench.run_bench("tiny", out, database, seed=3)
    return out, database, results


def test_run_bench_measures_generate_and_load(tiny_run):
    out, database, results = tiny_run
    assert [r.name for r in results] == ["generate", "load"]
    generate, load = results

    summary = json.loads((out / "truth" / "summary.json").read_text())
    assert summary["scale"] == "tiny" and summary["seed"] == 3
    assert generate.rows == summary["raw_rows"] > 0
    assert generate.details["page views"] == summary["rows"]["segment.pages"]

    with duckdb.connect(str(database), read_only=True) as con:
        counted = sum(
            con.execute(f'SELECT count(*) FROM "{t.source}"."{t.name}"').fetchone()[0] for t in contract.TABLES
        )
    assert load.rows == counted == generate.rows

    for r in results:
        assert r.wall_s > 0
        assert 10_000_000 < r.peak_rss_bytes < 4 * GB  # a Python process with NumPy/DuckDB: tens of MB at least
        assert r.rows_per_s == pytest.approx(r.rows / r.wall_s)
        assert r.cpu_s > 0
        assert r.command[1:4] == ["-m", "gtm.cli", "-q"]
        assert r.load_avg_max >= 0
    assert generate.outputs["raw"] > 0
    # link mode (the default): views over hard links to the raw files, which add no disk space
    assert load.options == "--mode link --memory-limit 4GB"
    assert load.outputs["raw store (links)"] > 0
    assert database.stat().st_size <= load.outputs["database"] < database.stat().st_size + 1_000_000

    s = bench.summarize(results, "tiny", 3, "gtm bench --scale tiny")
    assert s.rows == generate.rows
    assert s.wall_s == pytest.approx(generate.wall_s + load.wall_s)
    assert s.rows_per_s == pytest.approx(s.rows / (generate.wall_s + load.wall_s))
    assert s.peak_rss_bytes == max(generate.peak_rss_bytes, load.peak_rss_bytes)


def test_run_bench_refuses_to_replace_a_database(tiny_run):
    out, database, _ = tiny_run
    with pytest.raises(BadInputError, match="--overwrite"):
        bench.run_bench("tiny", out, database, steps=("load",))


def test_run_bench_rejects_unknown_steps_and_scales(tmp_path):
    with pytest.raises(BadInputError, match="known steps"):
        bench.run_bench("tiny", tmp_path / "raw", tmp_path / "db.duckdb", steps=("generate", "dbt"))
    with pytest.raises(BadInputError, match="unknown scale"):
        bench.run_bench("huge", tmp_path / "raw", tmp_path / "db.duckdb")
    assert not (tmp_path / "raw").exists()


def test_cli_bench_load_only_writes_benchmarks(tiny_run, tmp_path, capsys):
    out, _, _ = tiny_run
    target = tmp_path / "BENCHMARKS.md"
    target.write_text("# Benchmarks\n\n## dbt build\n\nkept\n")
    database = tmp_path / "load.duckdb"
    code = main(
        ["-q", "bench", "--scale", "tiny", "--steps", "load", "--out", str(out), "--database", str(database)]
        + ["--load-mode", "copy", "--write", str(target)]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "load" in printed and "peak RSS GB" in printed
    text = target.read_text()
    assert text.startswith("# Benchmarks\n\n## dbt build\n\nkept\n")
    (row,) = _table_rows(text, "load")
    assert row["scale"] == "tiny" and row["options"] == "load --mode copy --memory-limit 4GB"
    assert f"--database {database}" in text and "--load-mode copy" in text
    with duckdb.connect(str(database), read_only=True) as con:  # copy mode: native tables holding every row
        kinds = con.execute(
            "SELECT DISTINCT table_type FROM information_schema.tables WHERE table_schema = 'salesforce'"
        ).fetchall()
        counted = sum(
            con.execute(f'SELECT count(*) FROM "{t.source}"."{t.name}"').fetchone()[0] for t in contract.TABLES
        )
    assert kinds == [("BASE TABLE",)]
    assert (
        int(row["raw rows"].replace(",", ""))
        == counted
        == json.loads((out / "truth/summary.json").read_text())["raw_rows"]
    )


def test_cli_bench_bad_steps_exit_code(tmp_path, capsys):
    args = ["bench", "--scale", "tiny", "--steps", "nope", "--out", str(tmp_path), "--database", str(tmp_path / "d")]
    assert main(args) == EXIT_BAD_INPUT
    assert "known steps" in capsys.readouterr().err


def test_disk_bytes(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.parquet").write_bytes(b"12345")
    (tmp_path / "b.bin").write_bytes(b"123")
    assert bench.dir_bytes(tmp_path) == 8
    assert bench.dir_bytes(tmp_path / "b.bin") == 3
    assert bench.dir_bytes(tmp_path / "missing") == 0
