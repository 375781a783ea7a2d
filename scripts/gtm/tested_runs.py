"""Run-scoped data tests (issue 11): which rows a `gtm build` must test.

Models with `meta: {run_scoped_tests: true}` stamp each row with `_written_at`, the start of the
run that wrote it (macro written_at, from GTM_RUN_STARTED_AT). Once a run has executed every data
test of the project and every one passed, `gtm build` records its start in the warehouse
(`_gtm_build.tested_runs`, with a checksum of the project's files). The next run tests only rows
written after it (GTM_TESTS_SINCE, macros/tests_scope/run_scoped_tests.sql): the older rows were
tested by that run and have not changed. A run that fails, skips tests, builds `--empty` or
`--sample`, or runs on changed project files records nothing, so its rows stay in the next run's
scope; a changed project (a new test, a new accepted value) tests every row again.

Set GTM_TESTS_SINCE yourself to override: empty tests every row.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from gtm.paths import PROJECT_ROOT

SCHEMA = "_gtm_build"
TABLE = f"{SCHEMA}.tested_runs"
RUN_STARTED_ENV = "GTM_RUN_STARTED_AT"
SINCE_ENV = "GTM_TESTS_SINCE"
# what defines the project's data tests and the SQL they test
_PROJECT_PARTS = ("dbt_project.yml", "models", "macros", "tests/dbt", "seeds")
# dbt flags after which a green run has not tested the rows it wrote
_UNTESTED_FLAGS = ("--empty", "--sample")


def project_checksum(extra_args: Sequence[str] = (), root: Path = PROJECT_ROOT) -> str:
    """sha256 of every file that defines the models and tests, and of the run's `--vars`."""
    digest = hashlib.sha256()
    for part in _PROJECT_PARTS:
        path = root / part
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes() + b"\0")
    args = list(extra_args)
    for i, arg in enumerate(args):
        if arg == "--vars" and i + 1 < len(args):
            digest.update(b"vars\0" + args[i + 1].encode())
        elif arg.startswith("--vars="):
            digest.update(b"vars\0" + arg.removeprefix("--vars=").encode())
    return digest.hexdigest()


def run_started_at() -> str:
    """This run's `_written_at`, UTC, as the macro written_at expects it."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def tested_since(database: Path, checksum: str) -> str | None:
    """The start of the last recorded run of these project files, or None (test every row): also
    when the warehouse cannot be read here (not a DuckDB file, opened by another process), which
    dbt then reports itself."""
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.Error:
        return None
    try:
        exists = con.execute(
            "select count(*) from duckdb_tables() where database_name = current_database() "
            "and schema_name = ? and table_name = 'tested_runs'",
            [SCHEMA],
        ).fetchone()[0]
        if not exists:
            return None
        row = con.execute(f"select max(written_at) from {TABLE} where project_checksum = ?", [checksum]).fetchone()
    finally:
        con.close()
    return row[0].strftime("%Y-%m-%d %H:%M:%S.%f") if row and row[0] is not None else None


def all_tests_passed(results: Sequence[object], manifest: Path, extra_args: Sequence[str]) -> int | None:
    """The number of data tests when the run executed every enabled data test of the manifest and
    each passed (no warnings), and built real rows; else None."""
    if any(arg == flag or arg.startswith(flag + "=") for arg in extra_args for flag in _UNTESTED_FLAGS):
        return None
    if not manifest.is_file():
        return None
    nodes = json.loads(manifest.read_text())["nodes"].values()
    expected = {n["unique_id"] for n in nodes if n["resource_type"] == "test" and n["config"].get("enabled", True)}
    passed = set()
    for result in results:
        unique_id = getattr(getattr(result, "node", None), "unique_id", "")
        if unique_id in expected:
            status = getattr(result, "status", "")
            if str(getattr(status, "value", status)).lower() != "pass":
                return None
            passed.add(unique_id)
    return len(expected) if expected and passed == expected else None


def record(database: Path, written_at: str, checksum: str, tests: int) -> None:
    """Record a fully tested run in the warehouse. A warehouse that cannot be written to now is
    reported on stderr, not raised: the build passed, and the next run then tests every row."""
    try:
        con = duckdb.connect(str(database))
    except duckdb.Error as error:
        print(
            f"gtm build: could not record the tested run in {database} ({error}); the next run tests every row",
            file=sys.stderr,
        )
        return
    try:
        con.execute(f"create schema if not exists {SCHEMA}")
        con.execute(
            f"create table if not exists {TABLE} ("
            "written_at timestamp not null, project_checksum varchar not null, "
            "data_tests integer not null, recorded_at timestamp not null)"
        )
        con.execute(
            f"insert into {TABLE} values (cast(? as timestamp), ?, ?, cast(? as timestamp))",
            [written_at, checksum, tests, run_started_at()],
        )
    finally:
        con.close()


def manifest_path(extra_args: Sequence[str] = ()) -> Path:
    """Where this process's dbt run writes manifest.json (--target-path, DBT_TARGET_PATH, else
    target/; relative to the project, as dbt takes it)."""
    args = list(extra_args)
    target = os.environ.get("DBT_TARGET_PATH") or "target"
    for i, arg in enumerate(args):
        if arg == "--target-path" and i + 1 < len(args):
            target = args[i + 1]
        elif arg.startswith("--target-path="):
            target = arg.removeprefix("--target-path=")
    return PROJECT_ROOT / target / "manifest.json"
