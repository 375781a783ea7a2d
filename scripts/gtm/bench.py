"""`gtm bench`: time and measure the pipeline's steps at a scale, and record the figures in BENCHMARKS.md.

Each step (``generate``, ``load``; later ``build``) runs as its own child process
(``python -m gtm.cli -q <verb> ...``), so its figures are its own:

* **wall time**: monotonic clock around the child, start to exit;
* **peak memory**: the child's peak resident set size, from ``os.wait4``'s resource usage
  (``ru_maxrss``: the maximum over the child and any processes it waited for);
* **CPU time**: user + system seconds of the child (CPU time / wall time shows how many of
  the machine's cores the step kept busy);
* **rows**: for ``generate`` the raw rows in ``<out>/truth/summary.json``, for ``load`` the
  rows the load reports having loaded;
* **output size**: bytes on disk of what the step wrote (raw source folders; database file).

End to end, rows per second is the benchmark's rows divided by the sum of the steps' wall
times, and peak memory is the largest step peak. Memory figures are in GB = 10^9 bytes.

Adding a benchmark kind (e.g. ``dbt build``) means adding a ``StepSpec`` to ``STEPS`` and, if it
has targets, an entry in ``TARGETS``; ``update_benchmarks`` gives every kind (the steps joined
by " + ") its own section of BENCHMARKS.md, with one row per scale.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from gtm import contract
from gtm.errors import BadInputError, GtmError
from gtm.paths import AS_OF_ENV
from gtm.schedule import scheduler

GB = 1_000_000_000


# --------------------------------------------------------------------------- steps


@dataclass(frozen=True)
class BenchConfig:
    """What one benchmark run works on."""

    scale: str
    out_dir: Path
    database: Path
    seed: int = 42
    memory_limit: str = "4GB"
    load_mode: str = "link"  # gtm load --mode: link (views over the raw store) | copy (native tables)


@dataclass(frozen=True)
class StepSpec:
    """How to run one step and read its figures."""

    name: str
    args: Callable[[BenchConfig], list[str]]  # the gtm verb and its options (after `gtm -q`)
    rows: Callable[[BenchConfig, str], int]  # rows the step processed, from its config and its stdout
    outputs: Callable[[BenchConfig], dict[str, int]]  # bytes on disk of what the step wrote, by label
    details: Callable[[BenchConfig], dict[str, int]] = lambda cfg: {}  # extra counts worth showing
    # the options that make runs of one scale different variants (one row each in BENCHMARKS.md)
    options: Callable[[BenchConfig], str] = lambda cfg: ""
    # the whole command line (default: `python -m gtm.cli -q` + args), and extra environment variables
    command: Callable[[BenchConfig], list[str]] | None = None
    env: Callable[[BenchConfig], dict[str, str]] = lambda cfg: {}
    # the slowest nodes of a dbt step, (name, seconds) from its run_results.json
    slowest: Callable[[BenchConfig], list[tuple[str, float]]] = lambda cfg: []
    # what the step starts from, read before it runs (e.g. the data tests' run scope)
    note: Callable[[BenchConfig], str] = lambda cfg: ""
    # run before the step, untimed (e.g. keep dbt's parse from the step before)
    prepare: Callable[[BenchConfig], None] = lambda cfg: None


def dir_bytes(path: Path) -> int:
    """Bytes of all files under ``path`` (0 if it does not exist)."""
    if path.is_file():
        return path.stat().st_size
    if not path.is_dir():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _summary_json(cfg: BenchConfig) -> dict:
    path = cfg.out_dir / "truth" / "summary.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise GtmError(f"gtm bench: cannot read the generator's summary {path}: {exc}") from exc


def _generate_rows(cfg: BenchConfig, _stdout: str) -> int:
    return int(_summary_json(cfg)["raw_rows"])


def _generate_details(cfg: BenchConfig) -> dict[str, int]:
    return {"page views": int(_summary_json(cfg)["rows"].get("segment.pages", 0))}


def _raw_bytes(cfg: BenchConfig) -> dict[str, int]:
    return {
        "raw": sum(dir_bytes(cfg.out_dir / source) for source in contract.SOURCES),
        "truth": dir_bytes(cfg.out_dir / "truth"),
    }


_LOADED = re.compile(r"^loaded ([\d,]+) rows into \d+ tables", re.MULTILINE)


def _load_rows(_cfg: BenchConfig, stdout: str) -> int:
    match = _LOADED.search(stdout)
    if not match:
        raise GtmError(f"gtm bench: cannot find the loaded row count in the output of gtm load:\n{stdout[-2000:]}")
    return int(match.group(1).replace(",", ""))


def _raw_store_of(database: Path) -> Path:
    try:
        from gtm.load import raw_store_of
    except ImportError:  # a loader without a raw store
        return database.resolve().parent / f"{database.stem}.raw"
    return raw_store_of(database)


def _database_bytes(cfg: BenchConfig) -> dict[str, int]:
    """The database file, and the raw store beside it (link mode): only the bytes it adds to the disk.

    Store files hard-linked to the generator's raw files share their disk blocks, so they count under
    "raw store (links)" but not under "database".
    """
    wal = cfg.database.with_name(cfg.database.name + ".wal")
    store = _raw_store_of(cfg.database)
    raw_inodes = set()
    if cfg.out_dir.is_dir():
        raw_inodes = {(st.st_dev, st.st_ino) for p in cfg.out_dir.rglob("*") if p.is_file() for st in [p.stat()]}
    own = linked = 0
    if store.is_dir():
        for p in store.rglob("*"):
            if p.is_file():
                st = p.stat()
                if (st.st_dev, st.st_ino) in raw_inodes:
                    linked += st.st_size
                else:
                    own += st.st_size
    return {"database": dir_bytes(cfg.database) + dir_bytes(wal) + own, "raw store (links)": linked}


# ----------------------------------------------------------------- dbt steps (issue 11)
#
# parse        `dbt parse --no-partial-parse`: the project's fixed cost before any SQL runs
# empty        `gtm build -- --empty`: parse + every model and test on zero rows (dbt's fixed cost);
#              it leaves empty tables behind, so it runs before `build`
# floor        one DuckDB pass reading every raw table once (every column): what no build can beat
# build        the full `dbt build --full-refresh`, slowest nodes from run_results.json
# extend       `gtm generate --extend-days 1` on the sample
# reload       `gtm load` of the extended sample (as `load`)
# incremental  `dbt build` after the extension (incremental models process only the new days)
#
# empty, build and incremental are production runs: models, seeds and data tests, without dbt's
# unit tests (`--exclude-resource-type unit_test`). Unit tests check the SQL on hand-made rows,
# not the data, so they run where the SQL changes (`make test`, CI), as dbt's docs recommend.


def _work_dir(cfg: BenchConfig) -> Path:
    return cfg.database.resolve().parent / f"{cfg.database.stem}.bench"


def _as_of(cfg: BenchConfig) -> str:
    try:
        return str(_summary_json(cfg)["as_of_date"])
    except GtmError:
        return "2025-12-31"


def _dbt_env(step: str) -> Callable[[BenchConfig], dict[str, str]]:
    def env(cfg: BenchConfig) -> dict[str, str]:
        return {
            "DBT_TARGET_PATH": str(_work_dir(cfg) / f"target_{step}"),
            "DBT_LOG_PATH": str(_work_dir(cfg) / f"logs_{step}"),
            "GTM_MEMORY_LIMIT": cfg.memory_limit,
            "GTM_DUCKDB_PATH": str(cfg.database.resolve()),
            # the sample's last day, as a daily job sets it: in the environment, not in --vars
            # (new --vars make dbt parse the whole project again)
            AS_OF_ENV: _as_of(cfg),
        }

    return env


# a production run: the data tests check each run's data, the unit tests only the SQL (CI)
PRODUCTION_RUN = ("--exclude-resource-type", "unit_test")


def _dbt_build_args(*extra: str) -> Callable[[BenchConfig], list[str]]:
    def args(cfg: BenchConfig) -> list[str]:
        return ["build", "--database", str(cfg.database), "--", *PRODUCTION_RUN, *extra]

    return args


def _keep_parse_of(step_before: str, step: str) -> Callable[[BenchConfig], None]:
    """Start the step with dbt's partial-parse file of the step before, as a job that keeps its
    target/ directory from one run to the next does (dbt then re-parses only what changed)."""

    def prepare(cfg: BenchConfig) -> None:
        saved = _work_dir(cfg) / f"target_{step_before}" / "partial_parse.msgpack"
        target = _work_dir(cfg) / f"target_{step}"
        if saved.is_file():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(saved, target / "partial_parse.msgpack")

    return prepare


def _tests_scope(cfg: BenchConfig) -> str:
    """Which rows the data tests of the next `gtm build` on the database check (gtm.tested_runs):
    run-scoped when a fully tested run of these project files is recorded in it, else every row
    (e.g. a model, macro or test changed after the build). Two daily runs compare only with the
    same scope."""
    from gtm import tested_runs

    since = tested_runs.tested_since(cfg.database.resolve(), tested_runs.project_checksum(PRODUCTION_RUN))
    if since:
        return f"data tests run-scoped: rows written since {since} (the last fully tested run of these project files)"
    return "data tests over every row: no fully tested run of these project files is recorded in the database"


def _node_name(unique_id: str) -> str:
    """A node's name in run_results: a data test's id ends with a hash (test.<project>.<name>.<hash>)."""
    parts = unique_id.split(".")
    return parts[2] if parts[0] == "test" and len(parts) > 3 else parts[-1]


def _dbt_slowest(step: str, top: int = 8) -> Callable[[BenchConfig], list[tuple[str, float]]]:
    def slowest(cfg: BenchConfig) -> list[tuple[str, float]]:
        path = _work_dir(cfg) / f"target_{step}" / "run_results.json"
        try:
            results = json.loads(path.read_text())["results"]
        except (OSError, ValueError, KeyError):
            return []
        timed = sorted(((_node_name(r["unique_id"]), float(r["execution_time"])) for r in results), key=lambda x: -x[1])
        return [(name, round(seconds, 1)) for name, seconds in timed[:top]]

    return slowest


def _raw_rows(cfg: BenchConfig, _stdout: str) -> int:
    return int(_summary_json(cfg)["raw_rows"])


_READ = re.compile(r"^read ([\d,]+) rows of \d+ tables", re.MULTILINE)
_EXTENDED = re.compile(r"([\d,]+) new raw rows", re.MULTILINE)


def _parsed_rows(pattern: re.Pattern, step: str) -> Callable[[BenchConfig, str], int]:
    def rows(_cfg: BenchConfig, stdout: str) -> int:
        match = pattern.search(stdout)
        if not match:
            raise GtmError(f"gtm bench: cannot find the row count in the output of the {step} step:\n{stdout[-2000:]}")
        return int(match.group(1).replace(",", ""))

    return rows


def _project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _load_args(cfg: BenchConfig) -> list[str]:
    return ["load", "--data", str(cfg.out_dir), "--database", str(cfg.database), "--mode", cfg.load_mode] + [
        "--memory-limit",
        cfg.memory_limit,
    ]


def floor_pass(database: Path, memory_limit: str = "4GB") -> int:
    """The floor: read every raw table of the warehouse once, every column (hash of each), in one DuckDB
    connection; returns the rows read. No build can read the raw data faster than this."""
    import duckdb

    con = duckdb.connect(str(database), read_only=True, config={"memory_limit": memory_limit})
    rows = 0
    try:
        for table in contract.TABLES:
            schema, name = table.source, table.name
            exists = con.execute(
                "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                [schema, name],
            ).fetchone()[0]
            if exists:
                got = con.execute(f'select count(*), max(hash(columns(*))) from "{schema}"."{name}"').fetchone()
                rows += int(got[0])
    finally:
        con.close()
    return rows


STEPS: dict[str, StepSpec] = {
    "generate": StepSpec(
        name="generate",
        args=lambda cfg: [
            "generate",
            "--scale",
            cfg.scale,
            "--seed",
            str(cfg.seed),
            "--out",
            str(cfg.out_dir),
        ],
        rows=_generate_rows,
        outputs=_raw_bytes,
        details=_generate_details,
    ),
    "load": StepSpec(
        name="load",
        args=lambda cfg: [
            "load",
            "--data",
            str(cfg.out_dir),
            "--database",
            str(cfg.database),
            "--mode",
            cfg.load_mode,
            "--memory-limit",
            cfg.memory_limit,
        ],
        rows=_load_rows,
        outputs=_database_bytes,
        options=lambda cfg: f"--mode {cfg.load_mode} --memory-limit {cfg.memory_limit}",
    ),
    "parse": StepSpec(
        name="parse",
        args=lambda cfg: [],
        command=lambda cfg: [
            sys.executable,
            "-c",
            "import sys; from dbt.cli.main import cli; sys.exit(cli())",
            "parse",
            "--no-partial-parse",
            "--project-dir",
            str(_project_root()),
            "--profiles-dir",
            str(_project_root()),
        ],
        env=_dbt_env("parse"),
        rows=lambda cfg, out: 0,
        outputs=lambda cfg: {},
    ),
    "empty": StepSpec(
        name="empty",
        args=_dbt_build_args("--empty"),
        env=_dbt_env("empty"),
        rows=lambda cfg, out: 0,
        outputs=lambda cfg: {},
    ),
    "floor": StepSpec(
        name="floor",
        args=lambda cfg: [],
        command=lambda cfg: [sys.executable, "-m", "gtm.bench", "floor", str(cfg.database), cfg.memory_limit],
        rows=_parsed_rows(_READ, "floor"),
        outputs=lambda cfg: {},
    ),
    "build": StepSpec(
        name="build",
        args=_dbt_build_args("--full-refresh"),
        env=_dbt_env("build"),
        prepare=_keep_parse_of("empty", "build"),
        rows=_raw_rows,
        outputs=_database_bytes,
        slowest=_dbt_slowest("build"),
        options=lambda cfg: f"dbt memory_limit {cfg.memory_limit}, unit tests excluded, {scheduler()} order",
    ),
    "extend": StepSpec(
        name="extend",
        args=lambda cfg: ["generate", "--out", str(cfg.out_dir), "--extend-days", "1"],
        rows=_parsed_rows(_EXTENDED, "extend"),
        outputs=lambda cfg: {},
    ),
    "reload": StepSpec(name="reload", args=_load_args, rows=_load_rows, outputs=lambda cfg: {}),
    "incremental": StepSpec(
        name="incremental",
        args=_dbt_build_args(),
        env=_dbt_env("incremental"),
        prepare=_keep_parse_of("build", "incremental"),
        rows=_raw_rows,
        outputs=lambda cfg: {},
        slowest=_dbt_slowest("incremental"),
        note=_tests_scope,
    ),
}
DBT_STEPS = ("parse", "empty", "floor", "build", "extend", "reload", "incremental")


@dataclass(frozen=True)
class Targets:
    """Acceptance targets of a benchmark kind (None: no target on that figure)."""

    min_rows_per_s: float | None = None
    max_peak_bytes: int | None = None
    max_build_s: float | None = None  # the full dbt build step
    max_incremental_share: float | None = None  # incremental step wall time / full build wall time

    def describe(self) -> str:
        parts = []
        if self.max_build_s is not None:
            parts.append(f"full dbt build ≤ {self.max_build_s:g} s")
        if self.max_incremental_share is not None:
            parts.append(
                f"incremental build after a 1-day extension ≤ {self.max_incremental_share:.0%} of the full build"
            )
        if self.min_rows_per_s is not None:
            parts.append(f"≥ {self.min_rows_per_s:,.0f} rows/s end to end")
        if self.max_peak_bytes is not None:
            parts.append(f"peak memory (largest step peak RSS) ≤ {self.max_peak_bytes / GB:g} GB")
        return ", ".join(parts) if parts else "none"


# Targets on the reference machine (2 cores, 24 GB), keyed by the benchmark kind.
TARGETS: dict[str, Targets] = {
    "generate + load": Targets(min_rows_per_s=1_000_000, max_peak_bytes=6 * GB),
}


# Any kind with a full dbt build (issue 11): ≤ 5 min and ≤ 10 GB at large, incremental ≤ 10 %.
BUILD_TARGETS = Targets(max_peak_bytes=10 * GB, max_build_s=300, max_incremental_share=0.10)


def kind_of(steps: Sequence[str]) -> str:
    return " + ".join(steps)


def targets_of(kind: str) -> Targets | None:
    if kind in TARGETS:
        return TARGETS[kind]
    return BUILD_TARGETS if "build" in kind.split(" + ") else None


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class StepResult:
    """The figures of one step, measured on its own child process."""

    name: str
    command: list[str]
    wall_s: float
    rows: int
    peak_rss_bytes: int
    cpu_s: float  # user + system
    outputs: dict[str, int] = field(default_factory=dict)  # bytes on disk by label
    details: dict[str, int] = field(default_factory=dict)
    load_avg_max: float = -1.0  # highest 1-minute load average seen while the step ran (-1: unknown)
    options: str = ""  # the step's variant options (e.g. load --mode), see StepSpec.options
    slowest: list[tuple[str, float]] = field(default_factory=list)  # dbt steps: slowest nodes (name, s)
    note: str = ""  # what the step started from (StepSpec.note)

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def cpu_share(self) -> float:
        """CPU time / wall time: the number of cores kept busy on average."""
        return self.cpu_s / self.wall_s if self.wall_s > 0 else 0.0


def _maxrss_bytes(ru_maxrss: int) -> int:
    return ru_maxrss if sys.platform == "darwin" else ru_maxrss * 1024  # Linux reports KiB


def _child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    # The child imports the same gtm package as this process, installed or not.
    env = {**os.environ, **(extra or {})}
    package_root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    return env


class _LoadSampler(threading.Thread):
    """The highest 1-minute load average while a step runs: on a shared machine, other work skews the figures."""

    def __init__(self, every_s: float = 1.0):
        super().__init__(daemon=True)
        self.every_s = every_s
        self.highest = -1.0
        self._stop_event = threading.Event()

    def _sample(self) -> None:
        if hasattr(os, "getloadavg"):
            self.highest = max(self.highest, os.getloadavg()[0])

    def run(self) -> None:
        self._sample()
        while not self._stop_event.wait(self.every_s):
            self._sample()

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        self._sample()
        return round(self.highest, 2)


def _run_step(spec: StepSpec, cfg: BenchConfig) -> StepResult:
    command = spec.command(cfg) if spec.command else [sys.executable, "-m", "gtm.cli", "-q", *spec.args(cfg)]
    spec.prepare(cfg)
    note = spec.note(cfg)
    sampler = _LoadSampler()
    sampler.start()
    try:
        wall, usage, stdout, stderr, returncode = _spawn(command, spec.env(cfg))
    finally:
        load_avg_max = sampler.stop()
    if returncode != 0:
        raise GtmError(
            f"gtm bench: step {spec.name} failed with exit code {returncode}: {' '.join(command)}\n"
            f"{stderr.strip()[-4000:]}"
        )
    return StepResult(
        name=spec.name,
        command=command,
        wall_s=wall,
        rows=spec.rows(cfg, stdout),
        peak_rss_bytes=_maxrss_bytes(usage.ru_maxrss),
        cpu_s=usage.ru_utime + usage.ru_stime,
        outputs=spec.outputs(cfg),
        details=spec.details(cfg),
        load_avg_max=load_avg_max,
        options=spec.options(cfg),
        slowest=spec.slowest(cfg),
        note=note,
    )


def _spawn(command: list[str], env: dict[str, str] | None = None):
    """Run the command; return its wall time, resource usage (os.wait4), stdout, stderr and exit code."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, env=_child_env(env))
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4; tell Popen
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return wall, usage, stdout, stderr, proc.returncode


def parse_steps(steps: str | Sequence[str]) -> tuple[str, ...]:
    names = [s.strip() for s in (steps.split(",") if isinstance(steps, str) else steps) if s and s.strip()]
    unknown = [s for s in names if s not in STEPS]
    if unknown or not names:
        raise BadInputError(
            f"unknown or no step(s) {', '.join(unknown) or '(none)'} in --steps; known steps: {', '.join(STEPS)}"
        )
    if len(set(names)) != len(names):
        raise BadInputError(f"--steps names a step twice: {','.join(names)}")
    return tuple(names)


def run_bench(
    scale: str,
    out_dir: Path,
    database: Path,
    seed: int = 42,
    steps: Sequence[str] = ("generate", "load"),
    memory_limit: str = "4GB",
    load_mode: str = "link",
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[StepResult]:
    """Run the steps one after the other, each in its own process; return their figures.

    ``out_dir`` is where generate writes (and load reads) the raw files; ``database`` the DuckDB file
    load writes. An existing database is only replaced with ``overwrite`` (a benchmark measures a fresh
    load, and must not replace a warehouse by mistake). Raises ``GtmError`` if a step fails.
    """
    from gtm.generate.core import scale_of

    names = parse_steps(steps)
    scale_of(scale)  # a clear error before anything runs
    if load_mode not in ("link", "copy"):
        raise BadInputError(f"unknown load mode {load_mode!r}; choose link or copy")
    cfg = BenchConfig(
        scale=scale,
        out_dir=Path(out_dir),
        database=Path(database),
        seed=seed,
        memory_limit=memory_limit,
        load_mode=load_mode,
    )
    if "empty" in names and "build" in names and names.index("empty") > names.index("build"):
        raise BadInputError("--steps: empty leaves empty tables behind; put it before build")
    if "load" in names:
        leftovers = [p for p in (cfg.database, cfg.database.with_name(cfg.database.name + ".wal")) if p.exists()]
        if leftovers and not overwrite:
            raise BadInputError(
                f"gtm bench measures a fresh load, but {cfg.database} exists; choose another --database, "
                "or pass --overwrite to delete it first"
            )
        for p in leftovers:
            if p.is_dir():
                raise BadInputError(f"--database {p} is a folder; give the path of a DuckDB file")
            p.unlink()
    results = []
    for name in names:
        if progress:
            progress(f"gtm bench: {name} ({scale}) ...")
        results.append(_run_step(STEPS[name], cfg))
        if progress:
            r = results[-1]
            progress(
                f"gtm bench: {name} done in {r.wall_s:.1f}s, {r.rows:,} rows, peak RSS {r.peak_rss_bytes / GB:.2f} GB"
            )
    by_name = {r.name: r for r in results}
    if "generate" in by_name and "load" in by_name and by_name["generate"].rows != by_name["load"].rows:
        raise GtmError(
            f"gtm bench: load loaded {by_name['load'].rows:,} rows but generate wrote {by_name['generate'].rows:,}"
        )
    return results


# --------------------------------------------------------------------------- summary


def machine_facts() -> dict[str, str | int | float]:
    """The facts that make figures comparable: cores, memory, platform, versions, and the 1-minute load average
    (taken before a run, it is the load of other processes on the machine)."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        memory = 0

    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "?"

    return {
        "commit": code_version(),
        "cpus": os.cpu_count() or 0,
        "memory_bytes": memory,
        "platform": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        "duckdb": version("duckdb"),
        "pyarrow": version("pyarrow"),
        "numpy": version("numpy"),
        "load_avg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else -1.0,
    }


def code_version() -> str:
    """The git commit of the code being measured, "+changes" if scripts/ has uncommitted changes ("?" outside git)."""
    root = Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "scripts"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return f"{head}+changes" if changes else head


def machine_text(m: dict, load_avg_max: float = -1.0) -> str:
    during = f", max {load_avg_max:g} during the run" if load_avg_max >= 0 else ""
    return (
        f"{m['cpus']} CPU, {m['memory_bytes'] / GB:.0f} GB RAM, {m['platform']}, Python {m['python']}, "
        f"DuckDB {m['duckdb']}, pyarrow {m['pyarrow']}, load avg {m['load_avg_1m']:g} at start{during}"
    )


@dataclass(frozen=True)
class BenchSummary:
    """One benchmark run: its steps, end-to-end figures, verdict and provenance."""

    kind: str
    scale: str
    seed: int
    steps: list[StepResult]
    machine: dict
    command: str
    date: str  # UTC, YYYY-MM-DD

    @property
    def rows(self) -> int:
        by_name = {s.name: s for s in self.steps}
        first = by_name.get("generate") or max(self.steps, key=lambda s: s.rows)
        return first.rows

    @property
    def wall_s(self) -> float:
        return sum(s.wall_s for s in self.steps)

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def peak_step(self) -> StepResult:
        return max(self.steps, key=lambda s: s.peak_rss_bytes)

    @property
    def peak_rss_bytes(self) -> int:
        return self.peak_step.peak_rss_bytes

    def output_bytes(self, label: str) -> int:
        return sum(s.outputs.get(label, 0) for s in self.steps)

    def detail(self, label: str) -> int | None:
        values = [s.details[label] for s in self.steps if label in s.details]
        return values[0] if values else None

    @property
    def options(self) -> str:
        """The variant of this run, e.g. "load --mode link --memory-limit 4GB" ("" if none)."""
        return "; ".join(f"{s.name} {s.options}" for s in self.steps if s.options)

    @property
    def row_key(self) -> str:
        """What identifies a run's row in its section: the scale, and the variant if any."""
        return f"{self.scale}, {self.options}" if self.options else self.scale

    @property
    def load_avg_max(self) -> float:
        return max((s.load_avg_max for s in self.steps), default=-1.0)

    @property
    def targets(self) -> Targets | None:
        return targets_of(self.kind)

    def step(self, name: str) -> StepResult | None:
        return next((s for s in self.steps if s.name == name), None)

    def ratio(self, numerator: str, denominator: str) -> float | None:
        """Wall time of one step over another's (None if either is missing)."""
        a, b = self.step(numerator), self.step(denominator)
        return a.wall_s / b.wall_s if a and b and b.wall_s > 0 else None

    def misses(self) -> list[str]:
        """The targets missed (empty: all met, or no targets)."""
        t = self.targets
        if t is None:
            return []
        out = []
        if t.min_rows_per_s is not None and self.rows_per_s < t.min_rows_per_s:
            out.append(f"rows/s {self.rows_per_s:,.0f} < {t.min_rows_per_s:,.0f}")
        if t.max_peak_bytes is not None and self.peak_rss_bytes > t.max_peak_bytes:
            out.append(f"peak {self.peak_rss_bytes / GB:.2f} GB > {t.max_peak_bytes / GB:g} GB")
        build = self.step("build")
        if t.max_build_s is not None and build is not None and build.wall_s > t.max_build_s:
            out.append(f"build {build.wall_s:.0f} s > {t.max_build_s:g} s")
        share = self.ratio("incremental", "build")
        if t.max_incremental_share is not None and share is not None and share > t.max_incremental_share:
            out.append(f"incremental {share:.0%} of the build > {t.max_incremental_share:.0%}")
        return out

    def verdict(self) -> str:
        if self.targets is None:
            return "—"
        misses = self.misses()
        return "PASS" if not misses else "MISS: " + "; ".join(misses)


def summarize(
    results: list[StepResult], scale: str, seed: int, command: str, machine: dict | None = None
) -> BenchSummary:
    return BenchSummary(
        kind=kind_of([r.name for r in results]),
        scale=scale,
        seed=seed,
        steps=list(results),
        machine=machine if machine is not None else machine_facts(),
        command=command,
        date=datetime.now(UTC).date().isoformat(),
    )


def format_console(summary: BenchSummary) -> str:
    """A plain-text table of the run, for the terminal."""
    header = (
        f"{'step':<10} {'wall s':>9} {'rows':>14} {'rows/s':>12} {'peak RSS GB':>12} {'CPU s':>9} {'cores':>6}"
        f" {'max load':>9}"
    )
    lines = [f"gtm bench {summary.kind}, scale {summary.scale}, seed {summary.seed}", header, "-" * len(header)]
    for s in summary.steps:
        lines.append(
            f"{s.name:<10} {s.wall_s:>9.1f} {s.rows:>14,} {s.rows_per_s:>12,.0f} "
            f"{s.peak_rss_bytes / GB:>12.2f} {s.cpu_s:>9.1f} {s.cpu_share:>6.2f} {s.load_avg_max:>9.2f}"
        )
    lines.append("-" * len(header))
    cpu = sum(s.cpu_s for s in summary.steps)
    lines.append(
        f"{'total':<10} {summary.wall_s:>9.1f} {summary.rows:>14,} {summary.rows_per_s:>12,.0f} "
        f"{summary.peak_rss_bytes / GB:>12.2f} {cpu:>9.1f} {cpu / summary.wall_s if summary.wall_s else 0:>6.2f}"
    )
    for step in summary.steps:
        for label, value in step.details.items():
            lines.append(f"{label}: {value:,}")
        if step.slowest:
            lines.append(f"slowest nodes ({step.name}): " + ", ".join(f"{n} {t:.1f}s" for n, t in step.slowest))
        if step.note:
            lines.append(f"{step.name}: {step.note}")
    for label, value in _derived(summary).items():
        lines.append(f"{label}: {value}")
        for label, value in step.outputs.items():
            lines.append(f"{label} on disk: {value / GB:.3f} GB")
    if summary.targets is not None:
        lines.append(f"targets: {summary.targets.describe()} -> {summary.verdict()}")
    lines.append(f"machine: {machine_text(summary.machine, summary.load_avg_max)}")
    lines.append(f"code: git {summary.machine.get('commit', '?')}")
    lines.append(f"command: {summary.command}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- BENCHMARKS.md

SCALE_ORDER = ("tiny", "small", "medium", "large")

FILE_HEADER = """# Benchmarks

Figures recorded by `gtm bench ... --write BENCHMARKS.md` (see `scripts/gtm/bench.py`). Each step
runs as its own process: wall time is start to exit, peak memory is the step's peak resident set
size (`ru_maxrss`), rows per second end to end is the raw rows divided by the sum of the steps'
wall times. CPU s is the steps' user + system time (CPU s / total s = cores kept busy); on a
shared machine the load average shows how much other work competed for the cores. GB = 10^9
bytes. Each section has one row per scale and options; a new run replaces its row. Text outside
the `gtm bench` markers is kept as it is.
"""


def _begin_marker(kind: str) -> str:
    return f"<!-- gtm bench: {kind} (begin; rewritten by `gtm bench --write`) -->"


def _end_marker(kind: str) -> str:
    return f"<!-- gtm bench: {kind} (end) -->"


def _has_dbt(step_names: Sequence[str]) -> bool:
    return any(name in DBT_STEPS for name in step_names)


def _derived(summary: BenchSummary) -> dict[str, str]:
    """Figures of the dbt steps: fixed cost, build / floor, incremental / build, the runs' CPU seconds."""
    out = {}
    empty = summary.step("empty")
    if empty:
        parse = summary.step("parse")
        out["fixed s"] = f"{empty.wall_s:.1f}" + (f" (parse {parse.wall_s:.1f})" if parse else "")
    for label, a, b, fmt in (
        ("build / floor", "build", "floor", "{:.1f}x"),
        ("incremental / build", "incremental", "build", "{:.1%}"),
    ):
        value = summary.ratio(a, b)
        if value is not None:
            out[label] = fmt.format(value)
    # CPU seconds of the two production runs: the build is bound by its CPU on 2 cores. They leave
    # out the time other processes take from the run, though they still move with the machine's
    # speed from hour to hour. A step not run shows as "-".
    runs = [summary.step("build"), summary.step("incremental")]
    if any(runs):
        cells = [f"{step.cpu_s:.1f}" if step else "-" for step in runs]
        out["CPU s (build / incremental)"] = " / ".join(cells)
    return out


def _columns(step_names: Sequence[str]) -> list[str]:
    if _has_dbt(step_names):
        return [
            "date",
            "scale",
            "options",
            "seed",
            "commit",
            "page views",
            "raw rows",
            *(f"{name} s (GB)" for name in step_names),
            "fixed s",
            "build / floor",
            "incremental / build",
            "CPU s (build / incremental)",
            "slowest models (build)",
            "slowest models (incremental)",
            "targets",
            "machine",
        ]
    return [
        "date",
        "scale",
        "options",
        "seed",
        "commit",
        "page views",
        "raw rows",
        *(f"{name} s" for name in step_names),
        "total s",
        "CPU s",
        "rows/s",
        "peak RSS GB",
        "raw GB",
        "db GB",
        "targets",
        "machine",
    ]


def _row(summary: BenchSummary) -> dict[str, str]:
    pages = summary.detail("page views")
    row = {
        "date": summary.date,
        "scale": summary.scale,
        "options": summary.options,
        "seed": str(summary.seed),
        "commit": str(summary.machine.get("commit", "?")),
        "page views": f"{pages:,}" if pages is not None else "",
        "raw rows": f"{summary.rows:,}",
        **{f"{s.name} s": f"{s.wall_s:.1f}" for s in summary.steps},
        "total s": f"{summary.wall_s:.1f}",
        "CPU s": f"{sum(s.cpu_s for s in summary.steps):.1f}",
        "rows/s": f"{summary.rows_per_s:,.0f}",
        "peak RSS GB": f"{summary.peak_rss_bytes / GB:.2f} ({summary.peak_step.name})",
        "raw GB": f"{summary.output_bytes('raw') / GB:.2f}",
        "db GB": f"{summary.output_bytes('database') / GB:.2f}",
        "targets": summary.verdict(),
        "machine": machine_text(summary.machine, summary.load_avg_max),
    }
    if _has_dbt([s.name for s in summary.steps]):
        row.update({f"{s.name} s (GB)": f"{s.wall_s:.1f} ({s.peak_rss_bytes / GB:.2f})" for s in summary.steps})
        row.update(_derived(summary))
        for name in ("build", "incremental"):
            step = summary.step(name)
            if step and step.slowest:
                row[f"slowest models ({name})"] = ", ".join(f"{n} {t:.0f}" for n, t in step.slowest[:5])
    return {k: v.replace("|", "/") for k, v in row.items()}


def _split_cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _parse_block(lines: list[str]) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Rows (by column name) and commands (by scale) of an existing managed block."""
    table = [line for line in lines if line.lstrip().startswith("|")]
    rows: list[dict[str, str]] = []
    if len(table) >= 2:
        header = _split_cells(table[0])
        for line in table[2:]:
            rows.append(dict(zip(header, _split_cells(line), strict=False)))
    commands = {}
    for line in lines:
        match = re.match(r"^- `([^`]+)`: `(.*)`$", line.strip())
        if match:
            commands[match.group(1)] = match.group(2)
    return rows, commands


def _key_of(row: dict[str, str]) -> str:
    scale, options = row.get("scale", ""), row.get("options", "")
    return f"{scale}, {options}" if options else scale


def _scale_key(key: str) -> tuple[int, str]:
    scale = key.split(",", 1)[0]
    return (SCALE_ORDER.index(scale) if scale in SCALE_ORDER else len(SCALE_ORDER), key)


def _render_block(
    kind: str, columns: list[str], rows: list[dict[str, str]], commands: dict[str, str], targets: Targets | None
) -> list[str]:
    out = [_begin_marker(kind)]
    if targets is not None:
        out.append(
            f"Targets (set for the `large` scale on the reference machine, 2 cores): {targets.describe()}. "
            "Smaller scales are dominated by fixed start-up costs; their verdict is for information."
        )
        out.append("")
    out.append("| " + " | ".join(columns) + " |")
    out.append("|" + "|".join("---" for _ in columns) + "|")
    for row in sorted(rows, key=lambda r: _scale_key(_key_of(r))):
        out.append("| " + " | ".join(row.get(c, "") for c in columns) + " |")
    if commands:
        out.append("")
        out.append("Commands:")
        out.append("")
        for key in sorted(commands, key=_scale_key):
            out.append(f"- `{key}`: `{commands[key]}`")
    out.append(_end_marker(kind))
    return out


def update_benchmarks(text: str, summary: BenchSummary) -> str:
    """BENCHMARKS.md text with the run recorded in its kind's section (created if missing).

    Only the lines between the section's ``gtm bench`` markers are rewritten: the row of the
    run's scale and options is replaced (or added), other rows are kept; everything else in the
    file, other sections and notes around the markers included, is kept as it is.
    """
    kind = summary.kind
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        lines = FILE_HEADER.rstrip("\n").splitlines()
    heading = f"## {kind}"
    begin, end = _begin_marker(kind), _end_marker(kind)

    at = [i for i, line in enumerate(lines) if line.strip() == begin]
    stop = None
    rows: list[dict[str, str]] = []
    commands: dict[str, str] = {}
    if at:
        stop = next((i for i in range(at[0] + 1, len(lines)) if lines[i].strip() == end), None)
        if stop is None:
            raise GtmError(f"BENCHMARKS.md: section {heading!r} has the marker {begin!r} but not {end!r}")
        rows, commands = _parse_block(lines[at[0] + 1 : stop])

    rows = [r for r in rows if _key_of(r) != summary.row_key] + [_row(summary)]
    commands = {**commands, summary.row_key: summary.command}
    columns = _columns([s.name for s in summary.steps])
    block = _render_block(kind, columns, rows, commands, summary.targets)

    section = next((i for i, line in enumerate(lines) if line.strip() == heading), None)
    if at and stop is not None:  # replace the block
        lines[at[0] : stop + 1] = block
    elif section is not None:  # the section exists without a block: add it at the end of the section
        nxt = next((i for i in range(section + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        insert = nxt
        while insert > section + 1 and not lines[insert - 1].strip():
            insert -= 1
        lines[insert:nxt] = ["", *block, *([""] if nxt < len(lines) else [])]  # replaces only blank lines
    else:  # a new section at the end of the file
        while lines and not lines[-1].strip():
            lines.pop()
        lines += ["", heading, "", *block]
    return "\n".join(lines).rstrip("\n") + "\n"


def write_benchmarks(path: Path, summary: BenchSummary) -> None:
    path = Path(path)
    text = path.read_text() if path.exists() else ""
    new = update_benchmarks(text, summary)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(new)
    tmp.replace(path)


def _main(argv: list[str]) -> int:
    """`python -m gtm.bench floor DATABASE [MEMORY_LIMIT]`: the floor step's child process."""
    if len(argv) >= 2 and argv[0] == "floor":
        rows = floor_pass(Path(argv[1]), argv[2] if len(argv) > 2 else "4GB")
        print(f"read {rows:,} rows of {len(contract.TABLES)} tables")
        return 0
    print("usage: python -m gtm.bench floor DATABASE [MEMORY_LIMIT]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
