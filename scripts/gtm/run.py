"""`gtm run`: generate (or take the user's raw data) → load → dbt build → check → report → publish.

**Safe publishing.** BI tools read the *published* warehouse, ``GTM_DUCKDB_PATH`` (default
``warehouse/gtm.duckdb``). A run never opens that file for writing: it loads and builds a new
file in its own run folder beside it, ``<dir>/<stem>.runs/<run id>/<name>`` (with that file's
raw store and spill directory), checks it, and only when build and checks pass replaces the
published file with it in one ``os.replace`` (atomic on one filesystem). Readers holding the
published file open (``read_only=True``) keep reading the old data until they reconnect; a run
that fails or is killed (even ``kill -9``) leaves the published file exactly as it was.

**Leftovers.** The next run (under the lock) deletes every run folder that the published
warehouse does not read from (its raw views point into the run folder of the run that
published it), so killed and failed runs are cleaned up without manual work. A failed run's
folder is kept until then, for inspection.

**One at a time.** Every run holds ``<published>.lock`` (gtm.lock) from start to end.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from gtm import paths
from gtm.build import _environ
from gtm.errors import (
    EXIT_BAD_INPUT,
    EXIT_BUILD_FAILED,
    EXIT_CHECK_FAILED,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    CheckError,
    GtmError,
    sigterm_as_interrupt,
)

RUN_SCHEMA = "_gtm_run"
RUN_TABLE = f"{RUN_SCHEMA}.runs"

Printer = Callable[[str], None]


def runs_dir(published: Path) -> Path:
    """The folder of the run folders of a published warehouse: ``<dir>/<stem>.runs``."""
    published = Path(published).resolve()
    return published.parent / f"{published.stem}.runs"


def default_report_path(published: Path) -> Path:
    """``GTM_REPORT_PATH``, else ``<dir>/<stem>-report.html`` beside the published warehouse."""
    if os.environ.get("GTM_REPORT_PATH"):
        return Path(os.environ["GTM_REPORT_PATH"])
    published = Path(published).resolve()
    return published.parent / f"{published.stem}-report.html"


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


# --------------------------------------------------------------------------- publish


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def published_info(published: Path) -> dict | None:
    """The ``_gtm_run.runs`` row of the published warehouse (read-only), or None."""
    if not Path(published).is_file():
        return None
    con = duckdb.connect(str(published), read_only=True)
    try:
        exists = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = ? AND table_name = 'runs'",
            [RUN_SCHEMA],
        ).fetchone()[0]
        if not exists:
            return None
        cur = con.execute(f"SELECT * FROM {RUN_TABLE} ORDER BY published_at DESC LIMIT 1")
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None
    finally:
        con.close()


def _referenced_dirs(published: Path) -> set[Path]:
    """Folders the published warehouse reads: its raw store folders and its run's folder."""
    refs: set[Path] = set()
    if not Path(published).is_file():
        return refs
    con = duckdb.connect(str(published), read_only=True)
    try:
        tables = {
            (s, t)
            for s, t in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database()"
            ).fetchall()
        }
        if ("_gtm_raw", "loads") in tables:
            refs |= {Path(r[0]) for r in con.execute("SELECT raw_dir FROM _gtm_raw.loads").fetchall() if r[0]}
        if (RUN_SCHEMA, "runs") in tables:
            refs |= {Path(r[0]) for r in con.execute(f"SELECT run_dir FROM {RUN_TABLE}").fetchall() if r[0]}
    finally:
        con.close()
    return refs


def clean_leftovers(published: Path, keep: Path | None = None, say: Printer | None = None) -> list[Path]:
    """Delete run folders the published warehouse does not read from (killed / failed / superseded runs).

    Call it holding the lock. If the published file cannot be read, nothing is deleted.
    """
    folder = runs_dir(published)
    if not folder.is_dir():
        return []
    try:
        refs = _referenced_dirs(published)
    except duckdb.Error as exc:
        if say:
            say(f"cannot read {published} to find its run folder ({exc}); old run folders kept")
        return []
    removed = []
    for run in sorted(folder.iterdir()):
        if not run.is_dir() or (keep is not None and run.resolve() == keep.resolve()):
            continue
        run_resolved = run.resolve()
        if any(ref == run_resolved or run_resolved in ref.parents for ref in refs):
            continue
        shutil.rmtree(run, ignore_errors=True)
        removed.append(run)
    if say and removed:
        say(f"removed {len(removed)} leftover run folder(s): {', '.join(p.name for p in removed)}")
    return removed


def _record_run(database: Path, info: dict) -> None:
    """Write the run's ``_gtm_run.runs`` row into the (private, unpublished) database and checkpoint it."""
    con = duckdb.connect(str(database))
    try:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {RUN_SCHEMA}")
        con.execute(
            f"CREATE OR REPLACE TABLE {RUN_TABLE} (run_id VARCHAR, published_at TIMESTAMP, host VARCHAR, "
            "pid BIGINT, command VARCHAR, run_dir VARCHAR, raw_dir VARCHAR, steps VARCHAR)"
        )
        con.execute(
            f"INSERT INTO {RUN_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                info["run_id"],
                datetime.now(UTC).replace(tzinfo=None),
                socket.gethostname(),
                os.getpid(),
                info.get("command", ""),
                str(info.get("run_dir", "")),
                str(info.get("raw_dir", "")),
                json.dumps(info.get("steps", {})),
            ],
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    wal = database.parent / f"{database.name}.wal"
    if wal.exists():
        raise GtmError(f"{database} still has a write-ahead log after CHECKPOINT; not publishing it")


def publish_file(built: Path, published: Path, info: dict) -> Path:
    """Atomically replace ``published`` with ``built`` (a private file, moved). Returns the published path.

    ``built`` must be on the published file's filesystem (the run folder is beside it).
    """
    built, published = Path(built).resolve(), Path(published).resolve()
    _record_run(built, info)
    with open(built, "rb") as fh:
        os.fsync(fh.fileno())
    published.parent.mkdir(parents=True, exist_ok=True)
    # A write-ahead log of the old file (left by a crashed in-place writer) must not be replayed
    # into the new one. Nobody writes the published file under the lock, so it is stale.
    stale_wal = published.parent / f"{published.name}.wal"
    if stale_wal.exists():
        stale_wal.unlink()
    os.replace(built, published)
    _fsync_dir(published.parent)
    return published


def publish_copy(source: Path, published: Path, info: dict) -> Path:
    """`gtm publish FILE`: copy FILE into a run folder beside the published file, then publish the copy."""
    source = Path(source).resolve()
    if not source.is_file():
        raise GtmError(f"{source} does not exist")
    wal = source.parent / f"{source.name}.wal"
    if wal.exists():  # fold the log into the file first, or the copy would miss it
        con = duckdb.connect(str(source))
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
    run_dir = Path(info["run_dir"])
    run_dir.mkdir(parents=True, exist_ok=True)
    private = run_dir / Path(published).name
    shutil.copyfile(source, private)
    return publish_file(private, published, info)


# --------------------------------------------------------------------------- progress


@dataclass
class StepResult:
    step: str
    status: str  # ok | warning | failed | skipped | interrupted
    seconds: float = 0.0
    detail: str = ""


@dataclass
class BuildProgress:
    """A dbtRunner callback: one line per finished model / seed / snapshot (and failed test)."""

    say: Printer
    verbose: bool = False
    total: int = 0
    done: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    slowest: list[tuple[float, str]] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def __call__(self, event) -> None:
        name = event.info.name
        if name == "ConcurrencyLine":
            self.total = int(event.data.node_count)
            self.say(f"  dbt: {self.total} nodes on {event.data.num_threads} threads")
            return
        if name != "NodeFinished":
            return
        node = event.data.node_info
        result = event.data.run_result
        status = str(result.status).lower()
        kind = node.resource_type
        self.done += 1
        self.total = max(self.total, self.done)  # unit tests are not in dbt's node count
        self.counts[status] = self.counts.get(status, 0) + 1
        seconds = float(result.execution_time or 0.0)
        if kind in ("model", "seed", "snapshot"):
            self.slowest = sorted([*self.slowest, (seconds, node.node_name)], reverse=True)[:5]
        failed = status in ("error", "fail", "runtime error")
        if failed or self.verbose or kind in ("model", "seed", "snapshot"):
            width = len(str(self.total or self.done))
            elapsed = time.perf_counter() - self.started
            self.say(
                f"  [{self.done:>{width}}/{self.total}] {kind:<9} {node.node_name:<48} {status:<7} "
                f"{seconds:6.2f}s  (elapsed {elapsed:5.0f}s)"
            )


def format_summary(steps: list[StepResult], total_seconds: float, exit_code: int) -> str:
    width = max(len(s.step) for s in steps) if steps else 8
    lines = ["", f"{'step':<{width}}  {'status':<11} {'seconds':>8}  detail", "-" * (width + 40)]
    for s in steps:
        lines.append(f"{s.step:<{width}}  {s.status:<11} {s.seconds:>8.1f}  {s.detail}")
    lines.append("-" * (width + 40))
    lines.append(f"{'total':<{width}}  {'':<11} {total_seconds:>8.1f}  exit code {exit_code}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- the run


@dataclass
class RunOptions:
    published: Path
    data: Path | None = None  # the user's raw files; None: generate
    out: Path | None = None  # where generate writes (default data/raw)
    scale: str = "medium"
    seed: int = 42
    as_of: str = "2025-12-31"
    dirty_rate: float = 0.0
    sources: list[str] | None = None
    load_mode: str = "link"
    memory_limit: str = "4GB"
    dbt_args: list[str] = field(default_factory=list)
    report: Path | None = None
    skip_report: bool = False
    check_options: object = None  # gtm.check.CheckOptions
    quiet: bool = False
    verbose: bool = False
    command: str = ""


def run(options: RunOptions, say: Printer | None = None) -> int:
    """The whole pipeline; returns the exit code (the first failing step's)."""
    from gtm.lock import warehouse_lock

    def _say(line: str) -> None:
        print(line, flush=True)

    say = say or _say
    published = Path(options.published).resolve()
    run_id = new_run_id()
    folder = runs_dir(published) / run_id
    built = folder / published.name
    report_path = Path(options.report) if options.report else default_report_path(published)
    steps: list[StepResult] = []
    started = time.perf_counter()
    exit_code = EXIT_OK
    plan = (["generate"] if options.data is None else []) + ["load", "build", "check"]
    plan += ([] if options.skip_report else ["report"]) + ["publish"]

    # a generated sample ends on options.as_of: build, check and report as of that day too
    as_of_env = {paths.AS_OF_ENV: options.as_of} if options.data is None else {}
    with warehouse_lock(published, command=options.command, log=say), sigterm_as_interrupt(), _environ(as_of_env):
        say(f"gtm run {run_id}: {' → '.join(plan)}; publishes {published}")
        clean_leftovers(published, say=say)
        folder.mkdir(parents=True)
        current, t0, status = "", time.perf_counter(), "ok"
        try:
            raw = Path(options.data) if options.data is not None else None
            for number, step in enumerate(plan, 1):
                current = step
                say(f"[{number}/{len(plan)}] {step} …")
                t0 = time.perf_counter()
                if step == "generate":
                    raw, detail = _generate(options)
                elif step == "load":
                    detail = _load(options, raw, built)
                elif step == "build":
                    detail = _build(options, built, say)
                elif step == "check":
                    detail, status = _check(options, built, say)
                elif step == "report":
                    detail = _report(built, folder / "report.html", options)
                else:
                    info = {
                        "run_id": run_id,
                        "command": options.command,
                        "run_dir": folder,
                        "raw_dir": raw,
                        "steps": {s.step: round(s.seconds, 2) for s in steps},
                    }
                    publish_file(built, published, info)
                    if not options.skip_report:
                        _move_into_place(folder / "report.html", report_path)
                        detail = f"{published} (report {report_path})"
                    else:
                        detail = str(published)
                seconds = time.perf_counter() - t0
                steps.append(StepResult(step, status if step == "check" else "ok", seconds, detail))
                say(f"[{number}/{len(plan)}] {step} done in {seconds:.1f}s: {detail}")
        except GtmError as exc:
            exit_code = exc.exit_code
            steps.append(StepResult(current, "failed", time.perf_counter() - t0, _first_line(str(exc))))
            print(f"gtm run: {current} failed: {exc}", file=sys.stderr, flush=True)
            hint = _HINTS.get(exc.exit_code)
            if hint:
                print(f"What to do: {hint}", file=sys.stderr, flush=True)
            print(
                f"Nothing was published: {published} is unchanged. The failed run's files are in {folder} "
                "(removed by the next run).",
                file=sys.stderr,
                flush=True,
            )
        except duckdb.Error as exc:  # e.g. a check query on a model whose columns changed
            exit_code = EXIT_FAILURE
            steps.append(StepResult(current, "failed", time.perf_counter() - t0, _first_line(str(exc))))
            print(f"gtm run: {current} failed unexpectedly: {exc}", file=sys.stderr, flush=True)
            print(f"Nothing was published: {published} is unchanged.", file=sys.stderr, flush=True)
        except KeyboardInterrupt:
            exit_code = EXIT_INTERRUPTED
            steps.append(StepResult(current, "interrupted", time.perf_counter() - t0, "stopped"))
            print(f"gtm run: interrupted during {current}; {published} is unchanged.", file=sys.stderr, flush=True)
        done = {s.step for s in steps}
        steps += [StepResult(s, "skipped") for s in plan if s not in done]
        say(format_summary(steps, time.perf_counter() - started, exit_code))
    return exit_code


def _move_into_place(src: Path, dst: Path) -> None:
    """Atomically put src at dst, also across filesystems (copy beside dst first)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(src, dst)
    except OSError:
        tmp = dst.parent / f".{dst.name}.{secrets.token_hex(3)}.tmp"
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
        src.unlink()


_HINTS = {
    EXIT_BAD_INPUT: "fix the raw files or options as the message above says (the raw contract is "
    "scripts/gtm/contract.py, README 'Using your own data'), then run gtm run again.",
    EXIT_BUILD_FAILED: "a dbt model or test failed (named above): if a test failed, the data breaks a rule the "
    "warehouse relies on: correct the source data (or the rule, in the model's yml or a seed), check the "
    "details with dbt's log, then run gtm run again.",
    EXIT_CHECK_FAILED: "the output checks above found errors: fix the source data or the models they name, "
    "then run gtm run again (gtm check --database <file> re-runs the checks alone).",
}


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:160] if text.strip() else ""


def _generate(options: RunOptions) -> tuple[Path, str]:
    from datetime import date

    from gtm.generate import generate

    out = Path(options.out) if options.out else paths.raw_dir()
    result = generate(
        out_dir=out,
        scale=options.scale,
        seed=options.seed,
        dirty_rate=options.dirty_rate,
        as_of=date.fromisoformat(options.as_of),
        progress=not options.quiet,
    )
    rows = sum(result.rows.values())
    return out, f"{rows:,} raw rows in {len(result.rows)} tables ({options.scale}, seed {options.seed}) -> {out}"


def _load(options: RunOptions, raw: Path, built: Path) -> str:
    from gtm.load import load

    counts = load(
        data_dir=raw,
        database=built,
        sources=options.sources,
        progress=not options.quiet,
        memory_limit=options.memory_limit,
        mode=options.load_mode,
    )
    return f"{sum(counts.values()):,} rows in {len(counts)} raw tables from {raw} ({options.load_mode})"


def _build(options: RunOptions, built: Path, say: Printer) -> str:
    from gtm.build import dbt_build

    progress = BuildProgress(say=say if not options.quiet else (lambda _line: None), verbose=options.verbose)
    dbt_build(built, extra_args=options.dbt_args, callbacks=[progress], quiet=True)
    counts = ", ".join(f"{n} {s}" for s, n in sorted(progress.counts.items()))
    slow = ", ".join(f"{name} {sec:.1f}s" for sec, name in progress.slowest[:3])
    return f"{progress.done} nodes ({counts}); slowest: {slow}"


def _check(options: RunOptions, built: Path, say: Printer) -> tuple[str, str]:
    from gtm.check import CheckOptions, run_checks

    report = run_checks(built, options.check_options or CheckOptions())
    say(report.format(verbose=options.verbose))
    if not report.ok:
        raise CheckError(f"gtm check: {report.summary()}")
    return report.summary(), "warning" if report.of("warning") else "ok"


def _report(built: Path, out: Path, options: RunOptions) -> str:
    from gtm.report import write_report

    write_report(built, out, check_options=options.check_options)
    return f"{out.stat().st_size / 1024:,.0f} KiB"
