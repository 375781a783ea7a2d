"""Load raw Parquet/CSV files into the DuckDB raw schemas, as a Fivetran-style loader would.

For every raw table of the contract (``<source>.<table>``) the loader accepts exactly one of

* ``<data_dir>/<source>/<table>.parquet``
* ``<data_dir>/<source>/<table>/`` holding ``*.parquet`` part files
* ``<data_dir>/<source>/<table>.csv`` with a header row

It works in two phases:

1. **Validate** every selected table before anything is written: the file layout, the
   required columns and the column types (against ``contract.TYPE_FAMILIES``). All problems
   across all tables are collected and reported together in one ``BadInputError``.
2. **Load** in one transaction: each selected source's schema is dropped and recreated, and
   every table is created with ``CREATE TABLE ... AS SELECT`` straight from DuckDB's Parquet /
   CSV readers, each contract column cast to its contract type (optional columns missing from
   the file added as typed NULLs, extra columns kept as they are). Any failure rolls the whole
   load back, so the database keeps exactly its previous raw data; schemas of sources that are
   not loaded are never touched.

No Python touches individual rows: DuckDB reads the files directly, in parallel, spilling to a
temp directory beside the database when the memory limit is reached.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
from tqdm import tqdm

from gtm import contract
from gtm.errors import BadInputError, GtmError

log = logging.getLogger(__name__)

PARQUET_SUFFIX = ".parquet"
CSV_SUFFIX = ".csv"


# --------------------------------------------------------------------------- SQL quoting


def quote_ident(name: str) -> str:
    """A DuckDB identifier, always quoted (raw tables and columns include keywords: user, event, timestamp)."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """A DuckDB string literal (file paths, settings)."""
    return "'" + value.replace("'", "''") + "'"


# --------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class TableInput:
    """The file(s) found for one raw table."""

    table: contract.Table
    kind: str  # "parquet" | "parquet_dir" | "csv"
    location: Path  # the file or folder, as shown in messages
    files: tuple[Path, ...]  # the files DuckDB reads

    @property
    def fqn(self) -> str:
        return self.table.fqn

    @property
    def label(self) -> str:
        return f"{self.fqn} ({self.location})"


def _expected_forms(data_dir: Path, table: contract.Table) -> tuple[Path, Path, Path]:
    base = data_dir / table.source
    return base / f"{table.name}{PARQUET_SUFFIX}", base / table.name, base / f"{table.name}{CSV_SUFFIX}"


def _part_files(folder: Path) -> list[Path]:
    # Hidden and underscore files (_SUCCESS, .crc, _metadata …) are writer bookkeeping, not data.
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.name.endswith(PARQUET_SUFFIX) and not p.name.startswith((".", "_"))
    )


def _expected_text(data_dir: Path, table: contract.Table) -> str:
    pq_file, pq_dir, csv_file = _expected_forms(data_dir, table)
    return f"{pq_file}, a folder {pq_dir}/ of *.parquet part files, or {csv_file}"


def _switch_off_hint(source: str) -> str:
    if source in contract.REQUIRED_SOURCES:
        return f"{source} is the CRM and cannot be switched off: provide the file"
    return (
        f"provide the file, or leave {source} out of the load (--sources) and switch it off in dbt "
        f"with the var `{source}_enabled: false` (dbt build --vars '{{{source}_enabled: false}}')"
    )


def _discover_table(data_dir: Path, table: contract.Table) -> TableInput | str:
    """The input of one table, or a problem line."""
    pq_file, pq_dir, csv_file = _expected_forms(data_dir, table)
    found = [p for p in (pq_file, pq_dir, csv_file) if p.exists()]
    if not found:
        return (
            f"{table.fqn}: no file for this table; expected {_expected_text(data_dir, table)}. "
            f"Fix: {_switch_off_hint(table.source)}"
        )
    if len(found) > 1:
        shown = ", ".join(f"{p}/" if p.is_dir() else str(p) for p in found)
        return f"{table.fqn}: found more than one input for this table ({shown}); keep exactly one"
    path = found[0]
    if path == pq_dir:
        if not path.is_dir():
            return f"{table.fqn}: {path} is not a folder of *.parquet part files"
        parts = _part_files(path)
        if not parts:
            return f"{table.fqn}: folder {path}/ has no *.parquet part files"
        return TableInput(table, "parquet_dir", path, tuple(parts))
    if not path.is_file():
        return f"{table.fqn}: {path} is not a file"
    return TableInput(table, "parquet" if path == pq_file else "csv", path, (path,))


def _has_any_table_file(data_dir: Path) -> bool:
    return any(any(p.exists() for p in _expected_forms(data_dir, t)) for t in contract.TABLES)


def _note_unknown_inputs(data_dir: Path, sources: Iterable[str]) -> None:
    """Log (not fail on) files that look like raw data but match no contract table: nothing is ignored silently."""
    known_sources = set(contract.SOURCES)
    for child in sorted(data_dir.iterdir()):
        if child.is_dir() and child.name not in known_sources and not child.name.startswith((".", "_")):
            log.warning("ignoring folder %s: not a source of the raw contract", child)
    for source in sources:
        folder = data_dir / source
        if not folder.is_dir():
            continue
        names = {t.name for t in contract.tables_of(source)}
        for child in sorted(folder.iterdir()):
            stem = child.name.removesuffix(PARQUET_SUFFIX).removesuffix(CSV_SUFFIX)
            looks_like_data = child.is_dir() or child.suffix in (PARQUET_SUFFIX, CSV_SUFFIX)
            if looks_like_data and stem not in names and not child.name.startswith((".", "_")):
                log.warning("ignoring %s: %s has no raw table %r in the contract", child, source, stem)


def _select_sources(data_dir: Path, sources: list[str] | None) -> tuple[list[str], bool]:
    """The sources to load, in contract order, and whether they were chosen explicitly."""
    if sources is None:
        present = [s for s in contract.SOURCES if (data_dir / s).is_dir()]
        return present, False
    wanted = [s.strip() for s in sources if s and s.strip()]
    unknown = sorted({s for s in wanted if s not in contract.SOURCES})
    if unknown:
        raise BadInputError(
            f"unknown source(s) {', '.join(unknown)} in --sources; known sources: {', '.join(contract.SOURCES)}"
        )
    if not wanted:
        raise BadInputError(f"no source selected in --sources; known sources: {', '.join(contract.SOURCES)}")
    return [s for s in contract.SOURCES if s in wanted], True


# --------------------------------------------------------------------------- validation


def _base_type(duckdb_type: str) -> str:
    """DuckDB's type name without parameters or quotes: DECIMAL(18,2) -> DECIMAL, "NULL" -> NULL."""
    return duckdb_type.strip().strip('"').split("(", 1)[0].strip().upper()


def _type_ok(found: str, expected: str) -> bool:
    base = _base_type(found)
    # An all-NULL column (Arrow's null type) carries no values to convert; it fits any type.
    return base == "NULL" or base in contract.TYPE_FAMILIES[expected]


def _reader_sql(inp: TableInput, csv_types: dict[str, str] | None = None, all_varchar: bool = False) -> str:
    if inp.kind == "parquet":
        return f"read_parquet({quote_literal(str(inp.files[0]))})"
    if inp.kind == "parquet_dir":
        files = ", ".join(quote_literal(str(p)) for p in inp.files)
        return f"read_parquet([{files}], union_by_name = true)"
    options = ["header = true"]
    if all_varchar:
        options.append("all_varchar = true")
    if csv_types:
        struct = ", ".join(f"{quote_literal(name)}: {quote_literal(type_)}" for name, type_ in csv_types.items())
        options.append(f"types = {{{struct}}}")
    return f"read_csv({quote_literal(str(inp.files[0]))}, {', '.join(options)})"


def _describe(con: duckdb.DuckDBPyConnection, reader: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]


def _csv_read_type(contract_type: str) -> str:
    # Read CSV timestamps as TIMESTAMPTZ so an explicit offset (2024-01-01T10:00:00+02:00) is honoured;
    # naive values are taken as UTC (the session time zone). The select then casts to naive UTC TIMESTAMP.
    return "TIMESTAMPTZ" if contract_type == contract.TIMESTAMP else contract_type


def _convert(expr: str, read_type: str, contract_type: str) -> str:
    """SQL converting a column read as read_type to its contract type."""
    if contract_type == contract.TIMESTAMP and _base_type(read_type) in ("TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"):
        # timezone() rather than CAST: DuckDB pushes a CAST into the CSV reader, which then parses the text as a
        # naive TIMESTAMP and silently drops the offset. timezone('UTC', …) also ignores the session time zone.
        return f"timezone('UTC', {expr})"
    return f"CAST({expr} AS {contract_type})"


@dataclass(frozen=True)
class TablePlan:
    """A validated table: its input and the SELECT that produces the contract-typed table."""

    input: TableInput
    select_sql: str
    present: tuple[tuple[str, str], ...]  # (file column, contract type) of the contract columns in the file


def _plan_table(con: duckdb.DuckDBPyConnection, inp: TableInput) -> TablePlan | list[str]:
    """Validate one table's columns and types; return its plan, or its problem lines."""
    table = inp.table
    try:
        if inp.kind == "csv":
            columns = _describe(con, _reader_sql(inp, all_varchar=True))
        else:
            columns = _describe(con, _reader_sql(inp))
    except duckdb.Error as exc:
        what = "CSV file" if inp.kind == "csv" else "Parquet file(s)"
        return [f"{inp.label}: cannot read the {what} (corrupt or not {what.split()[0]}?): {_first_line(exc)}"]

    by_lower: dict[str, str] = {}
    for name, _ in columns:
        by_lower.setdefault(name.lower(), name)
    types = dict(columns)

    problems: list[str] = []
    missing = [c.name for c in table.columns if c.required and c.name.lower() not in by_lower]
    if missing:
        expected = ", ".join(c.name if c.required else f"{c.name}?" for c in table.columns)
        problems.append(
            f"{inp.label}: missing required column(s) {', '.join(missing)}; expected columns (? = optional): {expected}"
        )
    if inp.kind != "csv":  # CSV columns are read with the contract types; bad values surface while loading
        for c in table.columns:
            name = by_lower.get(c.name.lower())
            if name is not None and not _type_ok(types[name], c.type):
                accepted = ", ".join(contract.TYPE_FAMILIES[c.type])
                problems.append(
                    f"{inp.label}: column {c.name} has type {types[name]}, expected {c.type} (accepted: {accepted})"
                )
    if problems:
        return problems

    contract_lower = {c.name.lower() for c in table.columns}
    select: list[str] = []
    present: list[tuple[str, str]] = []
    csv_types: dict[str, str] = {}
    for c in table.columns:
        name = by_lower.get(c.name.lower())
        if name is None:
            select.append(f"CAST(NULL AS {c.type}) AS {quote_ident(c.name)}")
        else:
            read_type = _csv_read_type(c.type) if inp.kind == "csv" else _base_type(types[name])
            select.append(f"{_convert(quote_ident(name), read_type, c.type)} AS {quote_ident(c.name)}")
            present.append((name, c.type))
            csv_types[name] = read_type
    select.extend(quote_ident(name) for name, _ in columns if name.lower() not in contract_lower)
    reader = _reader_sql(inp, csv_types=csv_types) if inp.kind == "csv" else _reader_sql(inp)
    sql = "SELECT\n    " + ",\n    ".join(select) + f"\nFROM {reader}"
    return TablePlan(inp, sql, tuple(present))


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _validate(
    data_dir: Path, selected: list[str], explicit: bool, threads: int | None
) -> tuple[list[TablePlan], list[str]]:
    problems: list[str] = []
    plans: list[TablePlan] = []
    # Schemas only (Parquet footers, CSV headers): a throwaway in-memory connection, nothing written anywhere.
    with duckdb.connect(":memory:") as con:
        con.execute("SET TimeZone = 'UTC'")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        for source in selected:
            folder = data_dir / source
            if not folder.is_dir():
                if explicit:
                    tables = ", ".join(t.name for t in contract.tables_of(source))
                    problems.append(
                        f"{source}: selected with --sources but folder {folder}/ does not exist "
                        f"(expected tables: {tables}). Fix: {_switch_off_hint(source)}"
                    )
                continue
            for table in contract.tables_of(source):  # problems come out in contract order
                found = _discover_table(data_dir, table)
                result = found if isinstance(found, str) else _plan_table(con, found)
                if isinstance(result, TablePlan):
                    plans.append(result)
                else:
                    problems.extend([result] if isinstance(result, str) else result)
    return plans, problems


# --------------------------------------------------------------------------- loading


_CSV_COLUMN = re.compile(r'converting column "([^"]+)"')


def _conversion_problem(con: duckdb.DuckDBPyConnection, plan: TablePlan, exc: duckdb.Error) -> str:
    """Name the column(s) whose values do not convert to their contract type."""
    inp = plan.input
    match = _CSV_COLUMN.search(str(exc))
    if match:
        column = match.group(1)
        expected = next((t for n, t in plan.present if n == column), "its contract type")
        return f"{inp.label}: column {column} has a value that cannot be converted to {expected}"
    # Parquet (or an unrecognised message): find the columns with TRY_CAST, reading the failing table once more.
    columns = []
    try:
        reader = _reader_sql(inp)
        checks = ", ".join(
            f"count(*) FILTER (WHERE {quote_ident(n)} IS NOT NULL AND TRY_CAST({quote_ident(n)} AS {t}) IS NULL)"
            for n, t in plan.present
        )
        if checks and inp.kind != "csv":
            counts = con.execute(f"SELECT {checks} FROM {reader}").fetchone()
            columns = [f"{n} ({k:,} values, expected {t})" for (n, t), k in zip(plan.present, counts, strict=True) if k]
    except duckdb.Error:
        columns = []
    if columns:
        return f"{inp.label}: values that cannot be converted to the contract type in column(s) {', '.join(columns)}"
    return f"{inp.label}: a value cannot be converted to its contract type"


def _open(database: Path, memory_limit: str, threads: int | None) -> duckdb.DuckDBPyConnection:
    if database.exists() and database.is_dir():
        raise BadInputError(f"--database {database} is a folder; give the path of a DuckDB file")
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(database))
    except duckdb.IOException as exc:
        raise GtmError(
            f"cannot open the database {database}: {_first_line(exc)}\n"
            "If another process (dbt, a BI tool, a notebook) has it open, close it and retry."
        ) from exc
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"SET memory_limit = {quote_literal(memory_limit)}")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        con.execute(f"SET temp_directory = {quote_literal(str(database.parent / (database.name + '.tmp')))}")
        con.execute("SET preserve_insertion_order = false")
    except duckdb.Error as exc:
        con.close()
        raise BadInputError(
            f"invalid DuckDB setting (memory_limit={memory_limit!r}, threads={threads!r}): {exc}"
        ) from exc
    return con


def _check_crm_kept(con: duckdb.DuckDBPyConnection, database: Path, selected: list[str]) -> None:
    """A subset load without the CRM is only allowed into a database that already holds the CRM tables."""
    for source in contract.REQUIRED_SOURCES:
        if source in selected:
            continue
        rows = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ?",
            [source],
        ).fetchall()
        have = {r[0] for r in rows}
        missing = [t.name for t in contract.tables_of(source) if t.name not in have]
        if missing:
            raise BadInputError(
                f"{source} (the CRM) is required: the database {database} has no {source} raw data yet "
                f"(missing {', '.join(f'{source}.{m}' for m in missing)}), and --sources leaves it out. "
                f"Add {source} to --sources."
            )


def _create_table_sql(plan: TablePlan) -> str:
    table = plan.input.table
    return f"CREATE TABLE {quote_ident(table.source)}.{quote_ident(table.name)} AS\n{plan.select_sql}"


def _run_load(
    con: duckdb.DuckDBPyConnection, selected: list[str], plans: list[TablePlan], progress: bool
) -> dict[str, int]:
    counts: dict[str, int] = {}
    by_source: dict[str, list[TablePlan]] = {s: [] for s in selected}
    for plan in plans:
        by_source[plan.input.table.source].append(plan)

    con.execute("BEGIN TRANSACTION")
    current: TablePlan | None = None
    try:
        with tqdm(total=len(plans), desc="gtm load", unit="table", file=sys.stderr, disable=not progress) as bar:
            for source in selected:
                con.execute(f"DROP SCHEMA IF EXISTS {quote_ident(source)} CASCADE")
                con.execute(f"CREATE SCHEMA {quote_ident(source)}")
                for plan in by_source[source]:
                    current = plan
                    bar.set_postfix_str(plan.input.fqn)
                    con.execute(_create_table_sql(plan))
                    table = plan.input.table
                    counts[table.fqn] = con.execute(
                        f"SELECT count(*) FROM {quote_ident(table.source)}.{quote_ident(table.name)}"
                    ).fetchone()[0]
                    bar.update(1)
                current = None
        con.execute("COMMIT")
    except BaseException as exc:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        if not isinstance(exc, duckdb.Error):
            raise
        raise _translate_load_error(con, current, exc) from exc
    return counts


_NOTHING_LOADED = "Nothing was loaded: the database keeps its previous raw data."


def _translate_load_error(con: duckdb.DuckDBPyConnection, plan: TablePlan | None, exc: duckdb.Error) -> GtmError:
    where = plan.input.label if plan else "the raw schemas"
    detail = str(exc).strip()
    if isinstance(exc, duckdb.OutOfMemoryException):
        return GtmError(
            f"out of memory while loading {where}; raise memory_limit or free disk space for the spill "
            f"directory. {_NOTHING_LOADED}\nDuckDB said: {detail}"
        )
    if plan is not None and isinstance(exc, duckdb.ConversionException | duckdb.OutOfRangeException):
        problem = _conversion_problem(con, plan, exc)
        return BadInputError(f"{problem}. {_NOTHING_LOADED}\nDuckDB said: {detail}")
    if plan is not None and isinstance(exc, duckdb.InvalidInputException | duckdb.BinderException):
        return BadInputError(f"{where}: cannot be read: {_first_line(exc)}. {_NOTHING_LOADED}\nDuckDB said: {detail}")
    return GtmError(f"loading {where} failed. {_NOTHING_LOADED}\nDuckDB said: {detail}")


# --------------------------------------------------------------------------- entry point


def load(
    data_dir: Path,
    database: Path,
    sources: list[str] | None = None,
    progress: bool = True,
    memory_limit: str = "4GB",
    threads: int | None = None,
) -> dict[str, int]:
    """Load the raw files under ``data_dir`` into ``database``; return ``{"source.table": rows}``.

    ``sources`` restricts the load to those sources (their schemas are replaced, all others left
    untouched); by default every contract source with a folder under ``data_dir`` is loaded.
    Raises ``BadInputError`` listing every problem found; on any failure nothing is changed.
    """
    data_dir = Path(data_dir)
    database = Path(database)
    generate_hint = f"Run `gtm generate --out {data_dir}` to create the sample company's raw files."
    layout = "<data>/<source>/<table>.parquet (or a folder <table>/ of *.parquet parts, or <table>.csv)"
    if not data_dir.exists():
        raise BadInputError(f"data directory {data_dir} does not exist; expected {layout}. {generate_hint}")
    if not data_dir.is_dir():
        raise BadInputError(f"data directory {data_dir} is not a folder; expected {layout}. {generate_hint}")
    if not _has_any_table_file(data_dir):
        raise BadInputError(
            f"data directory {data_dir} has no raw table files; expected {layout} for the sources "
            f"{', '.join(contract.SOURCES)}. {generate_hint}"
        )

    selected, explicit = _select_sources(data_dir, sources)
    crm_missing = [s for s in contract.REQUIRED_SOURCES if s not in selected]
    if crm_missing and not explicit:
        raise BadInputError(
            f"{', '.join(crm_missing)} (the CRM) is required but {data_dir / crm_missing[0]}/ does not exist; "
            f"expected e.g. {_expected_text(data_dir, contract.tables_of(crm_missing[0])[0])}. {generate_hint}"
        )
    if crm_missing and not database.exists():
        raise BadInputError(
            f"{', '.join(crm_missing)} (the CRM) is required: the database {database} does not exist yet and "
            f"--sources leaves it out. Add {crm_missing[0]} to --sources."
        )
    _note_unknown_inputs(data_dir, selected)

    plans, problems = _validate(data_dir, selected, explicit, threads)
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise BadInputError(f"cannot load {data_dir}: {len(problems)} problem(s) found, nothing was loaded:\n{lines}")

    created = not database.exists()
    con = _open(database, memory_limit, threads)
    try:
        _check_crm_kept(con, database, selected)
        counts = _run_load(con, selected, plans, progress)
    except BaseException:
        con.close()
        if created:  # a failed first load leaves no empty database behind
            for leftover in (database, database.with_name(database.name + ".wal")):
                leftover.unlink(missing_ok=True)
        raise
    try:
        con.execute("CHECKPOINT")  # fold the WAL into the file and reclaim the replaced tables' space
    except duckdb.Error as exc:  # committed already; a later checkpoint will do it
        log.warning("checkpoint after load failed (data is committed): %s", _first_line(exc))
    finally:
        con.close()
    order = {t.fqn: i for i, t in enumerate(contract.TABLES)}
    return dict(sorted(counts.items(), key=lambda kv: order[kv[0]]))
