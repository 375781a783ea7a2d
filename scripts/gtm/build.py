"""`gtm build`: run `dbt build` against a warehouse file, in process, through dbtRunner."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from gtm import tested_runs
from gtm.errors import BadInputError, BuildError
from gtm.paths import PROJECT_ROOT
from gtm.schedule import critical_path_first, scheduler

# dbt node statuses that make a build fail ("skipped" nodes are reported with them).
_FAILED = ("error", "fail", "runtime error")
_MAX_LISTED = 20
# dbt prefixes node errors with "Runtime Error in test <name> (<path>)"; the node is already named.
_ERROR_PREFIX = re.compile(r"^(?:Runtime|Compilation|Database) Error in \w+ \S+ \([^)]*\)\s*")


@contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of the block (dbt's env_var() reads os.environ)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _status(result: object) -> str:
    status = getattr(result, "status", "")
    return str(getattr(status, "value", status)).lower()


def _message(result: object) -> str:
    message = " ".join(str(getattr(result, "message", "") or "").split())
    return _ERROR_PREFIX.sub("", message)


def _describe_failures(results: Sequence[object]) -> str:
    failed = sorted((r for r in results if _status(r) in _FAILED), key=lambda r: r.node.unique_id)
    skipped = sum(1 for r in results if _status(r) == "skipped")
    summary = f"{len(failed)} of {len(results)} nodes failed"
    lines = [summary + (f", {skipped} skipped because of them" if skipped else "") + ":"]
    for r in failed[:_MAX_LISTED]:
        message = _message(r)
        lines.append(f"  {r.node.unique_id}: {_status(r)}" + (f": {message[:200]}" if message else ""))
    if len(failed) > _MAX_LISTED:
        lines.append(f"  … and {len(failed) - _MAX_LISTED} more")
    lines.append(f"details: {Path(os.environ.get('DBT_LOG_PATH') or PROJECT_ROOT / 'logs') / 'dbt.log'}")
    if any("Catalog Error" in _message(r) and "does not exist" in _message(r) for r in failed):
        lines.append(
            "raw tables are missing: run gtm load first, or switch an optional source off "
            "with: gtm build -- --vars '{<source>_enabled: false}'"
        )
    return "\n".join(lines)


def _release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after a run.

    Otherwise the same process cannot open the warehouse again with other settings (a read-only
    reader, the loader): DuckDB refuses a second configuration of an open file.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    DuckDBConnectionManager.close_all_connections()
    if environment is not None:
        environment.close()


def raise_if_interrupted(outcome: object) -> None:
    """Re-raise the Ctrl-C / SIGTERM (gtm.errors.sigterm_as_interrupt) that dbtRunner returns as a
    result: an interruption (exit 130), not a failed build (exit 3)."""
    exception = getattr(outcome, "exception", None)
    if isinstance(exception, KeyboardInterrupt):
        raise exception


def dbt_build(
    database: Path,
    extra_args: list[str] | None = None,
    callbacks: list | None = None,
    quiet: bool = False,
) -> object:
    """Run `dbt build` on the project against `database`; raise BuildError naming the failed nodes.

    `extra_args` are passed to dbt build as they are (a leading "--" separator is dropped), e.g.
    ["--select", "staging"]. `callbacks` are dbtRunner event callbacks (gtm run streams progress
    with them); `quiet` keeps dbt's own console log to errors. dbt hands ready nodes to its threads
    longest chain of tables first (gtm.schedule; GTM_SCHEDULER=dbt keeps dbt's order). The
    row-level and key tests of run-scoped models check only the rows written since the last run
    that passed every data test (gtm.tested_runs); a run that does records itself. Returns
    dbt's RunExecutionResult.
    """
    database = Path(database).resolve()
    scheduler()  # a bad GTM_SCHEDULER fails before dbt starts
    if not database.is_file():
        raise BadInputError(f"warehouse {database} does not exist: run gtm load first")
    args = list(extra_args or [])
    if args[:1] == ["--"]:
        args = args[1:]

    from dbt.cli.main import dbtRunner  # imported here: dbt takes a while to import

    # run-scoped data tests (gtm.tested_runs): rows written before the last fully tested run of
    # these project files are not tested again; GTM_TESTS_SINCE in the environment overrides
    checksum = tested_runs.project_checksum(args)
    written_at = tested_runs.run_started_at()
    if tested_runs.SINCE_ENV in os.environ:
        since = os.environ[tested_runs.SINCE_ENV]
    else:
        since = tested_runs.tested_since(database, checksum) or ""
    env = {
        tested_runs.RUN_STARTED_ENV: written_at,
        tested_runs.SINCE_ENV: since,
        "GTM_DUCKDB_PATH": str(database),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        # spill next to the warehouse file unless told otherwise (the profile's default is relative)
        "GTM_TEMP_DIR": os.environ.get("GTM_TEMP_DIR", str(database.parent / "tmp")),
    }
    project = str(PROJECT_ROOT)
    with _environ(env), critical_path_first():
        try:
            flags = ["--quiet"] if quiet else []
            outcome = dbtRunner(callbacks=callbacks or []).invoke(
                ["build", *flags, "--project-dir", project, "--profiles-dir", project, *args]
            )
        finally:
            _release_duckdb()
    if outcome.success:
        results = getattr(outcome.result, "results", None) or []
        tests = tested_runs.all_tests_passed(results, tested_runs.manifest_path(args), args)
        if tests is not None:
            tested_runs.record(database, written_at, checksum, tests)
        return outcome.result
    raise_if_interrupted(outcome)
    if outcome.exception is not None:
        raise BuildError(f"dbt build could not run: {outcome.exception}") from outcome.exception
    results = getattr(outcome.result, "results", None) or []
    raise BuildError(f"dbt build failed against {database}: {_describe_failures(results)}")
