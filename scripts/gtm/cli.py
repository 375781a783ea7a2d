"""The `gtm` command line: generate, load, build, parity, bench.

Each verb is a thin wrapper over a function in its own module; errors derived from
GtmError print one clear message and exit with their documented code.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

from gtm import paths
from gtm.errors import EXIT_INTERRUPTED, EXIT_OK, GtmError, sigterm_as_interrupt


def _cmd_generate(args: argparse.Namespace) -> int:
    from gtm.generate import generate

    started = time.perf_counter()
    if args.extend_days is not None:
        from gtm.generate.extend import extend

        ext = extend(out_dir=Path(args.out), days=args.extend_days, progress=not args.quiet)
        seconds = time.perf_counter() - started
        print(
            f"extended by {args.extend_days} day(s) to as_of {ext.as_of}: {sum(ext.rows.values()):,} new raw rows "
            f"in {seconds:.1f}s -> {args.out} (build with {paths.AS_OF_ENV}={ext.as_of} gtm build)"
        )
        return EXIT_OK
    result = generate(
        out_dir=Path(args.out),
        scale=args.scale,
        seed=args.seed,
        dirty_rate=args.dirty_rate,
        as_of=date.fromisoformat(args.as_of),
        progress=not args.quiet,
    )
    total = sum(result.rows.values())
    seconds = time.perf_counter() - started
    print(f"generated {total:,} raw rows in {len(result.rows)} tables in {seconds:.1f}s -> {args.out}")
    if args.verbose:
        for fqn, rows in sorted(result.rows.items()):
            print(f"  {fqn:<40} {rows:>12,}")
    return EXIT_OK


def _cmd_load(args: argparse.Namespace) -> int:
    if args.target == "spark":
        from gtm.load import load_spark
        from gtm.spark import spark_dir

        target = Path(args.spark_dir) if args.spark_dir else spark_dir()
        sources = args.sources.split(",") if args.sources else None
        counts = load_spark(data_dir=Path(args.data), spark_dir=target, sources=sources, progress=not args.quiet)
        _print_counts(counts, f"the Spark warehouse {target}")
        return EXIT_OK

    from gtm.load import load
    from gtm.lock import warehouse_lock

    with warehouse_lock(Path(args.database), log=print):  # one writer at a time (gtm run, build, load)
        counts = load(
            data_dir=Path(args.data),
            database=Path(args.database),
            sources=args.sources.split(",") if args.sources else None,
            progress=not args.quiet,
            memory_limit=args.memory_limit,
            mode=args.mode,
        )
    _print_counts(counts, args.database)
    return EXIT_OK


def _print_counts(counts: dict[str, int], where: object) -> None:
    width = max((len(k) for k in counts), default=10)
    for fqn, rows in sorted(counts.items()):
        print(f"  {fqn:<{width}} {rows:>12,}")
    print(f"loaded {sum(counts.values()):,} rows into {len(counts)} tables -> {where}")


def _cmd_build(args: argparse.Namespace) -> int:
    if args.target == "spark":
        from gtm.spark import dbt_build as spark_build
        from gtm.spark import spark_dir

        spark_build(Path(args.spark_dir) if args.spark_dir else spark_dir(), extra_args=args.dbt_args)
        return EXIT_OK

    from gtm.build import dbt_build
    from gtm.lock import warehouse_lock

    with warehouse_lock(Path(args.database), log=print):  # one writer at a time (gtm run, build, load)
        dbt_build(database=Path(args.database), extra_args=args.dbt_args)
    return EXIT_OK


def _cmd_parity(args: argparse.Namespace) -> int:
    from gtm.parity import ParityError, check
    from gtm.spark import spark_dir

    manifest = Path(args.manifest) if args.manifest else paths.PROJECT_ROOT / "target" / "manifest.json"
    if not args.manifest and os.environ.get("DBT_TARGET_PATH"):
        manifest = Path(os.environ["DBT_TARGET_PATH"]) / "manifest.json"
    report = check(
        database=Path(args.database),
        spark_dir=Path(args.spark_dir) if args.spark_dir else spark_dir(),
        manifest=manifest,
        models=args.models.split(",") if args.models else None,
    )
    print(report.format())
    if not report.ok:
        raise ParityError(f"{len(report.differences)} difference(s) between the DuckDB and the Spark builds")
    return EXIT_OK


def _cmd_bench(args: argparse.Namespace) -> int:
    import shlex

    from gtm import bench

    steps = bench.parse_steps(args.steps)
    # The command as it can be re-run, every option explicit (recorded in BENCHMARKS.md).
    command = shlex.join(
        ["gtm", "bench", "--scale", args.scale, "--seed", str(args.seed), "--steps", ",".join(steps)]
        + ["--out", args.out, "--database", args.database, "--memory-limit", args.memory_limit]
        + ["--load-mode", args.load_mode]
    )
    machine = bench.machine_facts()  # before the run: the load average is other processes' load
    results = bench.run_bench(
        scale=args.scale,
        out_dir=Path(args.out),
        database=Path(args.database),
        seed=args.seed,
        steps=steps,
        memory_limit=args.memory_limit,
        load_mode=args.load_mode,
        overwrite=args.overwrite,
        progress=None if args.quiet else lambda line: print(line, file=sys.stderr, flush=True),
    )
    summary = bench.summarize(results, scale=args.scale, seed=args.seed, command=command, machine=machine)
    print(bench.format_console(summary))
    if args.write:
        bench.write_benchmarks(Path(args.write), summary)
        print(f'recorded in {args.write} (section "## {summary.kind}", row {summary.row_key})')
    return EXIT_OK


def _check_options(args: argparse.Namespace):
    from gtm.check import CheckOptions

    return CheckOptions(
        as_of=date.fromisoformat(args.as_of_date) if getattr(args, "as_of_date", None) else None,
        anomaly_factor=args.anomaly_factor,
        trailing_months=args.trailing_months,
        freshness_warn_days=args.freshness_warn_days,
        freshness_error_days=args.freshness_error_days,
    )


def _cmd_run(args: argparse.Namespace) -> int:
    import shlex

    from gtm.run import RunOptions, run

    options = RunOptions(
        published=Path(args.database),
        data=Path(args.data) if args.data else None,
        out=Path(args.out) if args.out else None,
        scale=args.scale,
        seed=args.seed,
        as_of=args.as_of,
        dirty_rate=args.dirty_rate,
        sources=args.sources.split(",") if args.sources else None,
        load_mode=args.load_mode,
        memory_limit=args.memory_limit,
        dbt_args=args.dbt_args,
        report=Path(args.report) if args.report else None,
        skip_report=args.no_report,
        check_options=_check_options(args),
        quiet=args.quiet,
        verbose=args.verbose,
        command=shlex.join(["gtm", *sys.argv[1:]]),
    )
    return run(options)


def _cmd_check(args: argparse.Namespace) -> int:
    from gtm.check import run_checks
    from gtm.errors import CheckError

    report = run_checks(Path(args.database), _check_options(args))
    print(report.format(verbose=args.verbose))
    if not report.ok:
        raise CheckError(report.summary())
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from gtm.report import write_report
    from gtm.run import default_report_path

    out = Path(args.out) if args.out else default_report_path(Path(args.database))
    write_report(Path(args.database), out, _check_options(args))
    print(f"report -> {out}")
    return EXIT_OK


def _cmd_publish(args: argparse.Namespace) -> int:
    import shlex

    from gtm.check import run_checks
    from gtm.errors import CheckError
    from gtm.lock import warehouse_lock
    from gtm.run import clean_leftovers, new_run_id, publish_copy, runs_dir

    published = Path(args.database).resolve()
    command = shlex.join(["gtm", *sys.argv[1:]])
    with warehouse_lock(published, command=command, log=print):
        if not args.skip_check:
            report = run_checks(Path(args.source), _check_options(args))
            print(report.format(verbose=args.verbose))
            if not report.ok:
                raise CheckError(f"{report.summary()}; {published} was not replaced")
        run_id = new_run_id()
        info = {"run_id": run_id, "command": command, "run_dir": runs_dir(published) / run_id, "raw_dir": ""}
        clean_leftovers(published, say=print)
        publish_copy(Path(args.source), published, info)
    print(f"published {args.source} -> {published} (run {run_id})")
    return EXIT_OK


def _add_check_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of-date", default=None, help="as_of_date of the build (default: GTM_AS_OF_DATE, else the project's)"
    )
    parser.add_argument(
        "--anomaly-factor",
        type=float,
        default=3.0,
        help="flag a month whose leads, sessions or spend is more than this factor above (or below 1/factor of) "
        "the trailing median (default 3)",
    )
    parser.add_argument("--trailing-months", type=int, default=6, help="months in the trailing median (default 6)")
    parser.add_argument(
        "--freshness-warn-days", type=int, default=2, help="source older than as_of_date by more: warning (2)"
    )
    parser.add_argument(
        "--freshness-error-days", type=int, default=7, help="source older than as_of_date by more: error (7)"
    )


def _add_target_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="duckdb: the DuckDB file (default); spark: the local Spark warehouse of the dbt target "
        "`spark` (needs the spark extra and Java 17)",
    )
    parser.add_argument(
        "--spark-dir",
        default=None,
        help="--target spark: Spark warehouse + metastore folder (GTM_SPARK_DIR, default warehouse/spark)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gtm", description="The GTM warehouse toolkit.")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    parser.add_argument("-v", "--verbose", action="store_true", help="more detail in the output")
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="generate the sample company's raw files")
    gen.add_argument("--scale", default="medium", help="tiny | small | medium | large (default: medium)")
    gen.add_argument("--seed", type=int, default=42, help="random seed; same seed -> identical files")
    gen.add_argument("--dirty-rate", type=float, default=0.0, help="share of rows with injected faults (0-0.5)")
    gen.add_argument("--as-of", default="2025-12-31", help="last day of history (YYYY-MM-DD)")
    gen.add_argument("--out", default=str(paths.raw_dir()), help="output directory (default: data/raw)")
    gen.add_argument(
        "--extend-days",
        type=int,
        default=None,
        metavar="N",
        help="append N more days of activity to the existing sample in --out (new part files; as_of moves N "
        "days forward; other options are ignored)",
    )
    gen.set_defaults(func=_cmd_generate)

    load = sub.add_parser("load", help="load raw Parquet/CSV files into the DuckDB raw schemas")
    load.add_argument("--data", default=str(paths.raw_dir()), help="directory of raw files (default: data/raw)")
    load.add_argument("--database", default=str(paths.warehouse_path()), help="DuckDB file (GTM_DUCKDB_PATH)")
    load.add_argument("--sources", default=None, help="comma-separated sources to load (default: all present)")
    load.add_argument("--memory-limit", default="4GB", help="DuckDB memory limit while loading (default: 4GB)")
    load.add_argument(
        "--mode",
        choices=("link", "copy"),
        default="link",
        help="link: typed views over Parquet files in the raw store beside the database (default); "
        "copy: copy every row into DuckDB tables (a self-contained database file, slower)",
    )
    _add_target_options(load)
    load.set_defaults(func=_cmd_load)

    build = sub.add_parser("build", help="run dbt build against the warehouse")
    build.add_argument("--database", default=str(paths.warehouse_path()), help="DuckDB file (GTM_DUCKDB_PATH)")
    _add_target_options(build)
    build.add_argument("dbt_args", nargs=argparse.REMAINDER, help="extra arguments passed to dbt build")
    build.set_defaults(func=_cmd_build)

    run_p = sub.add_parser(
        "run",
        help="generate (or --data) -> load -> dbt build -> check -> report -> publish, safely (one run at a time)",
    )
    run_p.add_argument(
        "--data", default=None, help="your raw files (skip generate); default: generate the sample company"
    )
    run_p.add_argument("--scale", default="medium", help="generate: tiny | small | medium | large (default: medium)")
    run_p.add_argument("--seed", type=int, default=42, help="generate: random seed (default 42)")
    run_p.add_argument("--dirty-rate", type=float, default=0.0, help="generate: share of rows with injected faults")
    run_p.add_argument(
        "--as-of",
        default="2025-12-31",
        help="generate: last day of history (YYYY-MM-DD); when generating, the build, checks and report use it too",
    )
    run_p.add_argument("--out", default=None, help="generate: output directory (default: data/raw)")
    run_p.add_argument("--sources", default=None, help="load: comma-separated sources (default: all present)")
    run_p.add_argument("--load-mode", choices=("link", "copy"), default="link", help="load: --mode (default link)")
    run_p.add_argument("--memory-limit", default="4GB", help="load: DuckDB memory limit (default 4GB)")
    run_p.add_argument(
        "--database", default=str(paths.warehouse_path()), help="the published warehouse (GTM_DUCKDB_PATH)"
    )
    run_p.add_argument("--report", default=None, help="report file (default: <warehouse dir>/<stem>-report.html)")
    run_p.add_argument("--no-report", action="store_true", help="skip the HTML report")
    _add_check_options(run_p)
    run_p.add_argument("dbt_args", nargs=argparse.REMAINDER, help="extra arguments after -- are passed to dbt build")
    run_p.set_defaults(func=_cmd_run)

    check_p = sub.add_parser("check", help="output checks of a warehouse (exit code 5 on an error)")
    check_p.add_argument("--database", default=str(paths.warehouse_path()), help="DuckDB file (GTM_DUCKDB_PATH)")
    _add_check_options(check_p)
    check_p.set_defaults(func=_cmd_check)

    report_p = sub.add_parser("report", help="write the self-contained HTML report of the weekly GTM review")
    report_p.add_argument("--database", default=str(paths.warehouse_path()), help="DuckDB file (GTM_DUCKDB_PATH)")
    report_p.add_argument("--out", default=None, help="HTML file (default: <warehouse dir>/<stem>-report.html)")
    _add_check_options(report_p)
    report_p.set_defaults(func=_cmd_report)

    publish_p = sub.add_parser("publish", help="check a built DuckDB file, then atomically replace the published one")
    publish_p.add_argument("source", help="the built DuckDB file to publish (copied; left as it is)")
    publish_p.add_argument(
        "--database", default=str(paths.warehouse_path()), help="the published warehouse (GTM_DUCKDB_PATH)"
    )
    publish_p.add_argument("--skip-check", action="store_true", help="publish without running gtm check")
    _add_check_options(publish_p)
    publish_p.set_defaults(func=_cmd_publish)

    parity = sub.add_parser(
        "parity", help="compare the public marts of the DuckDB and the Spark builds (exit code 4 on a difference)"
    )
    parity.add_argument("--database", default=str(paths.warehouse_path()), help="DuckDB file (GTM_DUCKDB_PATH)")
    parity.add_argument(
        "--spark-dir", default=None, help="Spark warehouse + metastore folder (GTM_SPARK_DIR, default warehouse/spark)"
    )
    parity.add_argument(
        "--manifest",
        default=None,
        help="dbt manifest listing the models (default: $DBT_TARGET_PATH/manifest.json, else target/manifest.json)",
    )
    parity.add_argument("--models", default=None, help="comma-separated models to compare (default: the public marts)")
    parity.set_defaults(func=_cmd_parity)

    bench = sub.add_parser("bench", help="benchmark generate + load at a scale (wall time, rows/s, peak memory)")
    bench.add_argument("--scale", default="large", help="tiny | small | medium | large (default: large)")
    bench.add_argument("--seed", type=int, default=42, help="random seed for generate (default: 42)")
    bench.add_argument("--out", required=True, help="scratch directory for the raw files (large: several GB)")
    bench.add_argument("--database", required=True, help="scratch DuckDB file for the load")
    bench.add_argument(
        "--steps",
        default="generate,load",
        help="comma-separated steps, run in this order (default: generate,load); also: parse, empty (dbt build "
        "--empty: the fixed cost), floor (one pass over every raw table), build (full dbt build), extend "
        "(--extend-days 1), reload, incremental (dbt build after the extension)",
    )
    bench.add_argument(
        "--memory-limit", default="4GB", help="DuckDB memory limit of the load and the dbt steps (default: 4GB)"
    )
    bench.add_argument(
        "--load-mode", choices=("link", "copy"), default="link", help="gtm load --mode of the load step (default: link)"
    )
    bench.add_argument("--overwrite", action="store_true", help="delete an existing --database before the load")
    bench.add_argument("--write", default=None, metavar="FILE", help="record the run in FILE (e.g. BENCHMARKS.md)")
    bench.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with sigterm_as_interrupt():
            return args.func(args)
    except GtmError as exc:
        print(f"gtm {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"gtm {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
