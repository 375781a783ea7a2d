"""Load raw Parquet/CSV files into the DuckDB raw schemas, as a Fivetran-style loader would.

For every raw table of the contract (``<source>.<table>``) the loader accepts exactly one of

* ``<data_dir>/<source>/<table>.parquet``
* ``<data_dir>/<source>/<table>/`` holding ``*.parquet`` part files
* ``<data_dir>/<source>/<table>.csv`` with a header row

It works in phases:

1. **Validate** every selected table before anything is written: the file layout, the
   required columns and the column types (against ``contract.TYPE_FAMILIES``). All problems
   across all tables are collected and reported together in one ``BadInputError``.
2. **Place** (``mode="link"``, the default) the files in the *raw store* beside the database,
   ``<database dir>/<database stem>.raw/<load id>/<source>/<table>/part-*.parquet``: Parquet
   files are hard-linked (copied when the store is on another filesystem), CSV files are
   converted to Parquet with their contract types, so bad CSV values are reported here. Values
   of accepted type variants that can overflow (UBIGINT or HUGEINT for BIGINT …) are checked.
   Nothing in the database has changed yet; the input files are never modified.
3. **Replace** the selected sources' schemas in one transaction: each schema is dropped and
   recreated, and every table is created as a view over its files in the raw store
   (``mode="link"``) or as a native table (``mode="copy"``, ``CREATE TABLE ... AS SELECT``),
   each contract column cast to its contract type (optional columns missing from the file
   added as typed NULLs, extra columns kept as they are). Any failure rolls the whole load
   back and removes the new load's files, so the database keeps exactly its previous raw
   data; schemas of sources that are not loaded are never touched.
4. **Clean up** after the commit: the raw-store folders no view refers to any more are deleted.

The table ``_gtm_raw.loads`` in the database records, per linked source, the load id and raw
store folder its views read; it is what the clean-up trusts. A load folder carries a marker
file naming its database, so databases sharing a folder never delete each other's files.

No Python touches individual rows: DuckDB reads the files directly, in parallel, spilling to a
temp directory beside the database when the memory limit is reached.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from tqdm import tqdm

from gtm import contract
from gtm.errors import BadInputError, GtmError

log = logging.getLogger(__name__)

PARQUET_SUFFIX = ".parquet"
CSV_SUFFIX = ".csv"
MODES = ("link", "copy")  # link: views over the raw store; copy: native DuckDB tables


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


# Accepted variants whose conversion to the contract type cannot fail, whatever the values. Any other
# accepted variant (UBIGINT or HUGEINT for BIGINT, second/millisecond timestamps) can overflow.
_LOSSLESS: dict[str, frozenset[str]] = {
    contract.BIGINT: frozenset({"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER"}),
    contract.DOUBLE: frozenset({"DOUBLE", "FLOAT", "DECIMAL", "BIGINT", "INTEGER", "SMALLINT", "HUGEINT"}),
    contract.TIMESTAMP: frozenset({"TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ", "TIMESTAMP_NS"}),
}


def _conversion_can_fail(read_type: str, contract_type: str) -> bool:
    base = _base_type(read_type)
    return base not in ("NULL", contract_type) and base not in _LOSSLESS.get(contract_type, frozenset())


def _reader_sql(inp: TableInput, csv_types: dict[str, str] | None = None, all_varchar: bool = False) -> str:
    # hive_partitioning = false: a folder named key=value in the path must not turn into a column.
    if inp.kind == "parquet":
        return f"read_parquet({quote_literal(str(inp.files[0]))}, hive_partitioning = false)"
    if inp.kind == "parquet_dir":
        files = ", ".join(quote_literal(str(p)) for p in inp.files)
        return f"read_parquet([{files}], union_by_name = true, hive_partitioning = false)"
    options = ["header = true", "hive_partitioning = false"]
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
class Conversion:
    """A contract column found in the file: its name there, the type it is read as, its contract type."""

    name: str
    read_type: str
    contract_type: str


@dataclass(frozen=True)
class TablePlan:
    """A validated table: its input and the select list that produces the contract-typed table."""

    input: TableInput
    select: tuple[str, ...]  # contract columns converted (missing optional ones as typed NULL), then extras
    present: tuple[Conversion, ...]  # the contract columns found in the file
    csv_types: tuple[tuple[str, str], ...] = ()  # CSV only: the type each contract column is read as

    @property
    def reader(self) -> str:
        return _reader_sql(self.input, csv_types=dict(self.csv_types))

    @property
    def select_sql(self) -> str:
        return "SELECT\n    " + ",\n    ".join(self.select) + f"\nFROM {self.reader}"


def _column_problems(inp: TableInput, columns: list[tuple[str, str]], by_lower: dict[str, str]) -> list[str]:
    table = inp.table
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
    return problems


def _build_plan(inp: TableInput, columns: list[tuple[str, str]], by_lower: dict[str, str]) -> TablePlan:
    types = dict(columns)
    contract_lower = {c.name.lower() for c in inp.table.columns}
    select: list[str] = []
    present: list[Conversion] = []
    for c in inp.table.columns:
        name = by_lower.get(c.name.lower())
        if name is None:
            select.append(f"CAST(NULL AS {c.type}) AS {quote_ident(c.name)}")
            continue
        read_type = _csv_read_type(c.type) if inp.kind == "csv" else _base_type(types[name])
        select.append(f"{_convert(quote_ident(name), read_type, c.type)} AS {quote_ident(c.name)}")
        present.append(Conversion(name, read_type, c.type))
    select.extend(quote_ident(name) for name, _ in columns if name.lower() not in contract_lower)
    csv_types = tuple((c.name, c.read_type) for c in present) if inp.kind == "csv" else ()
    return TablePlan(inp, tuple(select), tuple(present), csv_types)


def _plan_table(con: duckdb.DuckDBPyConnection, inp: TableInput) -> TablePlan | list[str]:
    """Validate one table's columns and types; return its plan, or its problem lines."""
    try:
        columns = _describe(con, _reader_sql(inp, all_varchar=inp.kind == "csv"))
    except duckdb.Error as exc:
        what = "CSV file" if inp.kind == "csv" else "Parquet file(s)"
        return [f"{inp.label}: cannot read the {what} (corrupt or not {what.split()[0]}?): {_first_line(exc)}"]
    by_lower: dict[str, str] = {}
    for name, _ in columns:
        by_lower.setdefault(name.lower(), name)
    problems = _column_problems(inp, columns, by_lower)
    return problems if problems else _build_plan(inp, columns, by_lower)


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


def _problem_list(header: str, problems: list[str]) -> str:
    lines = "\n".join(f"  - {p}" for p in problems)
    return f"{header}: {len(problems)} problem(s) found, nothing was loaded:\n{lines}"


# --------------------------------------------------------------------------- value checks


_NOTHING_LOADED = "Nothing was loaded: the database keeps its previous raw data."
_CSV_COLUMN = re.compile(r'converting column "([^"]+)"')


def _unconvertible(
    con: duckdb.DuckDBPyConnection, plan: TablePlan, columns: Iterable[Conversion]
) -> list[tuple[Conversion, int]]:
    """The columns holding values that do not convert to their contract type, with the number of such values."""
    columns = list(columns)
    if not columns:
        return []
    checks = ", ".join(
        f"count(*) FILTER (WHERE {quote_ident(c.name)} IS NOT NULL "
        f"AND TRY_CAST({quote_ident(c.name)} AS {c.contract_type}) IS NULL)"
        for c in columns
    )
    counts = con.execute(f"SELECT {checks} FROM {plan.reader}").fetchone()
    return [(c, k) for c, k in zip(columns, counts, strict=True) if k]


def _describe_unconvertible(plan: TablePlan, bad: list[tuple[Conversion, int]]) -> str:
    shown = ", ".join(f"{c.name} ({k:,} values, expected {c.contract_type})" for c, k in bad)
    return f"{plan.input.label}: values that cannot be converted to the contract type in column(s) {shown}"


def _conversion_problem(con: duckdb.DuckDBPyConnection, plan: TablePlan, exc: duckdb.Error) -> str:
    """Name the column(s) whose values do not convert to their contract type."""
    inp = plan.input
    match = _CSV_COLUMN.search(str(exc))
    if match:
        column = match.group(1)
        expected = next((c.contract_type for c in plan.present if c.name == column), "its contract type")
        return f"{inp.label}: column {column} has a value that cannot be converted to {expected}"
    # Parquet (or an unrecognised message): find the columns with TRY_CAST, reading the failing table once more.
    bad: list[tuple[Conversion, int]] = []
    if inp.kind != "csv":
        with contextlib.suppress(duckdb.Error):
            bad = _unconvertible(con, plan, plan.present)
    if bad:
        return _describe_unconvertible(plan, bad)
    return f"{inp.label}: a value cannot be converted to its contract type"


def _check_values(con: duckdb.DuckDBPyConnection, plans: list[TablePlan]) -> None:
    """Link mode: a view converts values only when it is read, so check here the conversions that can fail.

    Only Parquet columns of an accepted type variant that can overflow are read (none in files that
    carry the contract types); CSV values are checked while they are converted to Parquet.
    """
    problems = []
    for plan in plans:
        if plan.input.kind == "csv":
            continue
        risky = [c for c in plan.present if _conversion_can_fail(c.read_type, c.contract_type)]
        try:
            bad = _unconvertible(con, plan, risky)
        except duckdb.Error as exc:
            problems.append(f"{plan.input.label}: cannot be read: {_first_line(exc)}")
            continue
        if bad:
            problems.append(_describe_unconvertible(plan, bad))
    if problems:
        raise BadInputError(_problem_list("cannot load the raw files", problems))


# --------------------------------------------------------------------------- raw store


LOAD_MARKER = "_gtm_load.json"
_LOAD_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}")
META_SCHEMA = "_gtm_raw"
META_TABLE = f"{META_SCHEMA}.loads"


def raw_store_of(database: Path) -> Path:
    """The raw store of a database: ``<database dir>/<database stem>.raw`` (absolute)."""
    database = Path(database).resolve()
    return database.parent / f"{database.stem}.raw"


def _new_load_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def _create_load_dir(database: Path, data_dir: Path) -> tuple[str, Path]:
    """A new, empty load folder in the raw store, marked as belonging to ``database``."""
    store = raw_store_of(database)
    store.mkdir(parents=True, exist_ok=True)
    while True:
        load_id = _new_load_id()
        load_dir = store / load_id
        with contextlib.suppress(FileExistsError):
            load_dir.mkdir()
            break
    marker = {"database": database.name, "load_id": load_id, "data_dir": str(data_dir.resolve())}
    (load_dir / LOAD_MARKER).write_text(json.dumps(marker, indent=2) + "\n")
    return load_id, load_dir


def _owned_by(load_dir: Path, database: Path) -> bool:
    """Whether a store folder is a load folder of ``database`` (other databases may share the store's name)."""
    if not (_LOAD_ID.fullmatch(load_dir.name) and load_dir.is_dir()):
        return False
    try:
        marker = json.loads((load_dir / LOAD_MARKER).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("database") == database.name


def _place_file(src: Path, dst: Path) -> bool:
    """Put src at dst: a hard link when both are on one filesystem, else a copy. True if linked."""
    if src.stat().st_dev == dst.parent.stat().st_dev:
        try:
            os.link(src, dst)
            return True
        except OSError as exc:  # e.g. a filesystem without hard links, or the link count limit
            log.debug("cannot hard-link %s (%s); copying it", src, exc)
    shutil.copyfile(src, dst)
    return False


def _stage_parquet(plan: TablePlan, table_dir: Path) -> tuple[TablePlan, int]:
    """Place the Parquet file(s) of a table in its store folder; return the plan reading them, and the links made."""
    staged, linked = [], 0
    for i, src in enumerate(plan.input.files):
        dst = table_dir / f"part-{i:05d}{PARQUET_SUFFIX}"
        try:
            linked += _place_file(src, dst)
        except OSError as exc:
            raise GtmError(
                f"{plan.input.label}: cannot place {src} in the raw store at {dst}: {exc}. {_NOTHING_LOADED}"
            ) from exc
        staged.append(dst)
    return replace(plan, input=replace(plan.input, files=tuple(staged))), linked


def _stage_csv(con: duckdb.DuckDBPyConnection, plan: TablePlan, table_dir: Path) -> TablePlan:
    """Convert a CSV table to one Parquet file of contract-typed columns; return the plan reading it."""
    dst = table_dir / f"part-00000{PARQUET_SUFFIX}"
    try:
        con.execute(f"COPY ({plan.select_sql}) TO {quote_literal(str(dst))} (FORMAT parquet, COMPRESSION zstd)")
    except duckdb.Error as exc:
        raise _translate_load_error(con, plan, exc) from exc
    staged = _plan_table(con, replace(plan.input, kind="parquet", files=(dst,)))
    if not isinstance(staged, TablePlan):  # the file was just written with the contract types
        raise GtmError(f"{plan.input.label}: its Parquet conversion {dst} does not read back: {'; '.join(staged)}")
    return staged


def _stage(con: duckdb.DuckDBPyConnection, plans: list[TablePlan], load_dir: Path, bar: tqdm) -> list[TablePlan]:
    """Place every table's files in the load folder; return the plans reading the placed files."""
    staged: list[TablePlan] = []
    files = linked = 0
    for plan in plans:
        table = plan.input.table
        bar.set_postfix_str(f"placing {table.fqn}")
        table_dir = load_dir / table.source / table.name
        table_dir.mkdir(parents=True)
        if plan.input.kind == "csv":
            staged.append(_stage_csv(con, plan, table_dir))
            files += 1
        else:
            placed, n = _stage_parquet(plan, table_dir)
            staged.append(placed)
            files, linked = files + len(placed.input.files), linked + n
        bar.update(1)
    log.info(
        "raw store %s: %d file(s), %d hard-linked, %d copied or converted", load_dir, files, linked, files - linked
    )
    return staged


def _linked_loads(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(load id, source) of every source whose views read the raw store."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = 'loads'",
        [META_SCHEMA],
    ).fetchone()[0]
    if not exists:
        return set()
    rows = con.execute(f"SELECT load_id, source FROM {META_TABLE}").fetchall()
    return {(load_id, source) for load_id, source in rows}


def _remove_unreferenced(database: Path, referenced: set[tuple[str, str]]) -> None:
    """Delete the store folders of ``database`` that no view reads: whole loads, or replaced sources of a load."""
    store = raw_store_of(database)
    if not store.is_dir():
        return
    keep_loads = {load_id for load_id, _ in referenced}
    for load_dir in sorted(store.iterdir()):
        if not _owned_by(load_dir, database):
            continue
        if load_dir.name not in keep_loads:
            shutil.rmtree(load_dir)
            log.info("raw store: removed %s (no longer referenced)", load_dir)
            continue
        for source_dir in sorted(load_dir.iterdir()):
            if source_dir.is_dir() and (load_dir.name, source_dir.name) not in referenced:
                shutil.rmtree(source_dir)
                log.info("raw store: removed %s (source replaced by a later load)", source_dir)
    with contextlib.suppress(OSError):
        store.rmdir()  # only if empty


# --------------------------------------------------------------------------- loading


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
        rows = con.execute(  # tables (copy mode) or views (link mode)
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() "
            "AND table_schema = ?",
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


def _create_sql(plan: TablePlan, mode: str) -> str:
    """The statement creating one raw table: a view over its files (link) or a native table (copy)."""
    table = plan.input.table
    kind = "VIEW" if mode == "link" else "TABLE"
    return f"CREATE {kind} {quote_ident(table.source)}.{quote_ident(table.name)} AS\n{plan.select_sql}"


def _record_loads(
    con: duckdb.DuckDBPyConnection, selected: list[str], load_id: str | None, load_dir: Path | None
) -> None:
    """Update ``_gtm_raw.loads``: the selected sources now read ``load_id`` (link) or nothing in the store (copy)."""
    if load_id is None and not _linked_loads(con):
        return  # copy mode into a database that never linked anything: keep it free of loader metadata
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {META_SCHEMA}")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {META_TABLE} "
        "(source VARCHAR, load_id VARCHAR, loaded_at TIMESTAMP, raw_dir VARCHAR)"
    )
    con.execute(f"DELETE FROM {META_TABLE} WHERE list_contains(?, source)", [selected])
    if load_id is not None and load_dir is not None:
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        rows = [(s, load_id, loaded_at, str(load_dir / s)) for s in selected]
        con.executemany(f"INSERT INTO {META_TABLE} VALUES (?, ?, ?, ?)", rows)


def _replace_schemas(
    con: duckdb.DuckDBPyConnection,
    selected: list[str],
    plans: list[TablePlan],
    mode: str,
    bar: tqdm,
    load: tuple[str, Path] | None = None,
) -> dict[str, int]:
    """In one transaction, recreate the selected sources' schemas from the plans; return the row counts."""
    counts: dict[str, int] = {}
    by_source: dict[str, list[TablePlan]] = {s: [] for s in selected}
    for plan in plans:
        by_source[plan.input.table.source].append(plan)

    con.execute("BEGIN TRANSACTION")
    current: TablePlan | None = None
    try:
        for source in selected:
            con.execute(f"DROP SCHEMA IF EXISTS {quote_ident(source)} CASCADE")
            con.execute(f"CREATE SCHEMA {quote_ident(source)}")
            for plan in by_source[source]:
                current = plan
                table = plan.input.table
                bar.set_postfix_str(table.fqn)
                con.execute(_create_sql(plan, mode))
                counts[table.fqn] = con.execute(  # a view answers from the Parquet footers
                    f"SELECT count(*) FROM {quote_ident(table.source)}.{quote_ident(table.name)}"
                ).fetchone()[0]
                bar.update(1)
            current = None
        load_id, load_dir = load if load else (None, None)
        _record_loads(con, selected, load_id, load_dir)
        con.execute("COMMIT")
    except BaseException as exc:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        if not isinstance(exc, duckdb.Error):
            raise
        raise _translate_load_error(con, current, exc) from exc
    return counts


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


def _load_copied(
    con: duckdb.DuckDBPyConnection, selected: list[str], plans: list[TablePlan], progress: bool
) -> dict[str, int]:
    with tqdm(total=len(plans), desc="gtm load", unit="table", file=sys.stderr, disable=not progress) as bar:
        return _replace_schemas(con, selected, plans, "copy", bar)


def _load_linked(
    con: duckdb.DuckDBPyConnection,
    database: Path,
    data_dir: Path,
    selected: list[str],
    plans: list[TablePlan],
    progress: bool,
) -> dict[str, int]:
    _check_values(con, plans)
    load_id, load_dir = _create_load_dir(database, data_dir)
    try:
        with tqdm(total=2 * len(plans), desc="gtm load", unit="step", file=sys.stderr, disable=not progress) as bar:
            staged = _stage(con, plans, load_dir, bar)
            counts = _replace_schemas(con, selected, staged, "link", bar, load=(load_id, load_dir))
    except BaseException:
        shutil.rmtree(load_dir, ignore_errors=True)
        with contextlib.suppress(OSError):
            load_dir.parent.rmdir()  # the store, if this load was its only content
        raise
    return counts


def _clean_up_store(con: duckdb.DuckDBPyConnection, database: Path) -> None:
    """After a commit: delete the raw store folders no view reads any more (a failure only costs disk space)."""
    try:
        _remove_unreferenced(database, _linked_loads(con))
    except (OSError, duckdb.Error) as exc:
        log.warning("raw store clean-up failed (the load is committed; the next load retries): %s", exc)


# --------------------------------------------------------------------------- entry point


def _check_data_dir(data_dir: Path) -> None:
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


def _check_crm_selected(data_dir: Path, database: Path, selected: list[str], explicit: bool) -> None:
    crm_missing = [s for s in contract.REQUIRED_SOURCES if s not in selected]
    if crm_missing and not explicit:
        raise BadInputError(
            f"{', '.join(crm_missing)} (the CRM) is required but {data_dir / crm_missing[0]}/ does not exist; "
            f"expected e.g. {_expected_text(data_dir, contract.tables_of(crm_missing[0])[0])}. "
            f"Run `gtm generate --out {data_dir}` to create the sample company's raw files."
        )
    if crm_missing and not database.exists():
        raise BadInputError(
            f"{', '.join(crm_missing)} (the CRM) is required: the database {database} does not exist yet and "
            f"--sources leaves it out. Add {crm_missing[0]} to --sources."
        )


def load(
    data_dir: Path,
    database: Path,
    sources: list[str] | None = None,
    progress: bool = True,
    memory_limit: str = "4GB",
    threads: int | None = None,
    mode: str = "link",
) -> dict[str, int]:
    """Load the raw files under ``data_dir`` into ``database``; return ``{"source.table": rows}``.

    ``mode="link"`` (default) places the files in the raw store beside the database and creates
    typed views over them; ``mode="copy"`` copies the rows into native tables (a self-contained
    database). ``sources`` restricts the load to those sources (their schemas are replaced, all
    others left untouched); by default every contract source with a folder under ``data_dir`` is
    loaded. Raises ``BadInputError`` listing every problem found; on any failure nothing is changed.
    """
    if mode not in MODES:
        raise BadInputError(f"unknown load mode {mode!r}; known modes: {', '.join(MODES)}")
    data_dir = Path(data_dir)
    database = Path(database)
    _check_data_dir(data_dir)
    selected, explicit = _select_sources(data_dir, sources)
    _check_crm_selected(data_dir, database, selected, explicit)
    _note_unknown_inputs(data_dir, selected)

    plans, problems = _validate(data_dir, selected, explicit, threads)
    if problems:
        raise BadInputError(_problem_list(f"cannot load {data_dir}", problems))

    created = not database.exists()
    con = _open(database, memory_limit, threads)
    try:
        _check_crm_kept(con, database, selected)
        if mode == "link":
            counts = _load_linked(con, database, data_dir, selected, plans, progress)
        else:
            counts = _load_copied(con, selected, plans, progress)
    except BaseException:
        con.close()
        if created:  # a failed first load leaves no empty database behind
            for leftover in (database, database.with_name(database.name + ".wal")):
                leftover.unlink(missing_ok=True)
        raise
    try:
        _clean_up_store(con, database)
        con.execute("CHECKPOINT")  # fold the WAL into the file and reclaim the replaced tables' space
    except duckdb.Error as exc:  # committed already; a later checkpoint will do it
        log.warning("checkpoint after load failed (data is committed): %s", _first_line(exc))
    finally:
        con.close()
    order = {t.fqn: i for i, t in enumerate(contract.TABLES)}
    return dict(sorted(counts.items(), key=lambda kv: order[kv[0]]))


# --------------------------------------------------------------------------- Spark target


SPARK_RAW = "raw"  # <spark dir>/raw/<load id>/<source>/<table>/part-00000.parquet


def _spark_select_sql(plan: TablePlan) -> str:
    """The contract columns only, converted to their contract types; timestamps as UTC instants.

    Spark's TIMESTAMP is an instant: written as TIMESTAMPTZ (Parquet isAdjustedToUTC), the
    naive UTC values of the contract read back unchanged in Spark's UTC session. Columns
    outside the contract are left out (their types need not exist in Spark).
    """
    present = {c.name.lower(): c for c in plan.present}
    select = []
    for column in plan.input.table.columns:
        found = present.get(column.name.lower())
        expr = (
            f"CAST(NULL AS {column.type})"
            if found is None
            else _convert(quote_ident(found.name), found.read_type, column.type)
        )
        if column.type == contract.TIMESTAMP:
            expr = f"CAST({expr} AS TIMESTAMPTZ)"
        select.append(f"{expr} AS {quote_ident(column.name)}")
    return "SELECT\n    " + ",\n    ".join(select) + f"\nFROM {plan.reader}"


def _spark_write_files(plans: list[TablePlan], load_dir: Path, bar: tqdm) -> dict[str, int]:
    """Write every table's contract-typed Parquet file into the load folder (DuckDB); return the row counts."""
    counts: dict[str, int] = {}
    with duckdb.connect(":memory:") as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET preserve_insertion_order = false")
        for plan in plans:
            table = plan.input.table
            bar.set_postfix_str(f"writing {table.fqn}")
            table_dir = load_dir / table.source / table.name
            table_dir.mkdir(parents=True)
            dst = table_dir / f"part-00000{PARQUET_SUFFIX}"
            try:
                con.execute(
                    f"COPY ({_spark_select_sql(plan)}) TO {quote_literal(str(dst))} (FORMAT parquet, COMPRESSION zstd)"
                )
            except duckdb.Error as exc:
                raise _translate_load_error(con, plan, exc) from exc
            written = con.execute(f"SELECT count(*) FROM read_parquet({quote_literal(str(dst))})").fetchone()
            counts[table.fqn] = written[0]
            bar.update(1)
    return counts


def _spark_tables(spark, source: str) -> set[str]:
    if not any(row[0] == source for row in spark.sql("SHOW DATABASES").collect()):
        return set()
    return {row.tableName for row in spark.sql(f"SHOW TABLES IN `{source}`").collect()}


def _spark_remove_unreferenced(raw_root: Path, load_id: str, selected: list[str]) -> None:
    """Delete the selected sources' folders of earlier loads (their tables now read ``load_id``), then empty loads."""
    for load_dir in sorted(raw_root.iterdir()):
        if not (_LOAD_ID.fullmatch(load_dir.name) and load_dir.is_dir()) or load_dir.name == load_id:
            continue
        for source in selected:
            shutil.rmtree(load_dir / source, ignore_errors=True)
        if not any(p.is_dir() for p in load_dir.iterdir()):
            shutil.rmtree(load_dir)
            log.info("spark raw store: removed %s (no longer referenced)", load_dir)


def load_spark(
    data_dir: Path,
    spark_dir: Path | None = None,
    sources: list[str] | None = None,
    progress: bool = True,
) -> dict[str, int]:
    """Load the raw files under ``data_dir`` into the Spark warehouse ``spark_dir``; return ``{"source.table": rows}``.

    The same validation as the DuckDB load (all problems reported together, nothing changed), then
    every table is written as one Parquet file with exactly the contract's columns and types into
    ``<spark_dir>/raw/<load id>/`` and created in Spark as an external Parquet table
    ``<source>.<table>`` over it (``CREATE TABLE ... USING parquet LOCATION``). The selected
    sources' tables are replaced; folders of earlier loads that no table reads are deleted.
    The Spark metastore has no multi-table transaction: a failure while the tables are created
    (rare: the files are already written and checked) leaves some sources on the new load; run
    the load again.
    """
    from gtm import spark as gtm_spark

    data_dir = Path(data_dir)
    spark_dir = Path(spark_dir).resolve() if spark_dir else gtm_spark.spark_dir()
    _check_data_dir(data_dir)
    selected, explicit = _select_sources(data_dir, sources)
    _check_crm_selected(data_dir, spark_dir / "metastore_db", selected, explicit)
    _note_unknown_inputs(data_dir, selected)
    plans, problems = _validate(data_dir, selected, explicit, None)
    if problems:
        raise BadInputError(_problem_list(f"cannot load {data_dir}", problems))

    spark = gtm_spark.session(spark_dir)
    for source in (s for s in contract.REQUIRED_SOURCES if s not in selected):
        missing = [t.name for t in contract.tables_of(source) if t.name not in _spark_tables(spark, source)]
        if missing:
            raise BadInputError(
                f"{source} (the CRM) is required: the Spark warehouse {spark_dir} has no {source} raw data yet "
                f"(missing {', '.join(f'{source}.{m}' for m in missing)}), and --sources leaves it out. "
                f"Add {source} to --sources."
            )
    raw_root = spark_dir / SPARK_RAW
    raw_root.mkdir(parents=True, exist_ok=True)
    while True:
        load_id = _new_load_id()
        load_dir = raw_root / load_id
        with contextlib.suppress(FileExistsError):
            load_dir.mkdir()
            break
    with tqdm(total=2 * len(plans), desc="gtm load (spark)", unit="step", file=sys.stderr, disable=not progress) as bar:
        try:
            counts = _spark_write_files(plans, load_dir, bar)
        except BaseException:
            shutil.rmtree(load_dir, ignore_errors=True)
            raise
        by_source: dict[str, list[TablePlan]] = {s: [] for s in selected}
        for plan in plans:
            by_source[plan.input.table.source].append(plan)
        for source in selected:
            spark.sql(f"CREATE DATABASE IF NOT EXISTS {gtm_spark.quote(source)}")
            for table_name in sorted(_spark_tables(spark, source)):  # the source is replaced whole
                spark.sql(f"DROP TABLE IF EXISTS {gtm_spark.quote(source)}.{gtm_spark.quote(table_name)}")
            for plan in by_source[source]:
                table = plan.input.table
                bar.set_postfix_str(f"creating {table.fqn}")
                spark.sql(gtm_spark.create_table_sql(table, load_dir / table.source / table.name))
                bar.update(1)
    try:
        _spark_remove_unreferenced(raw_root, load_id, selected)
    except OSError as exc:
        log.warning("spark raw store clean-up failed (the load is done; the next load retries): %s", exc)
    order = {t.fqn: i for i, t in enumerate(contract.TABLES)}
    return dict(sorted(counts.items(), key=lambda kv: order[kv[0]]))
