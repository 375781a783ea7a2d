"""Parity of the Spark build with the DuckDB build: every public mart compared, row by row.

The models compared are discovered from the dbt manifest: every enabled model under
``models/marts/`` with ``access: public`` (the data-quality marts, the dims, facts and KPI
tables), so a new public mart is checked without touching this module. Each model needs a key:
its ``primary_key`` constraint, else a column tested ``unique`` and ``not_null`` (per column or in
the model's ``not_null_columns`` test), else a ``unique_combination_of_columns`` test (the house
style gives every model a tested key).

For each model both tables are read whole (DuckDB from the warehouse file, Spark through the
session on its warehouse folder, as Arrow) and compared in an in-memory DuckDB:

* row counts;
* key sets (keys only on one side, and duplicated keys, with examples);
* every numeric column, joined on the key: integers and decimals exactly, floats within a
  relative tolerance of 1e-9 (NaN equals NaN, NULL equals NULL). A column missing on one side,
  or a float on one side and an exact type on the other, is a difference too.

Text, boolean and date columns are not compared (their text forms may legitimately differ,
e.g. the raw values of quarantined rows); keys of any type are.

Meant for the ``tiny`` and ``small`` samples: both tables are collected in this process.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from gtm.errors import BadInputError, GtmError

FLOAT_RELATIVE_TOLERANCE = 1e-9
MAX_EXAMPLES = 3
EXIT_PARITY_FAILED = 4


class ParityError(GtmError):
    """The two builds differ (the message lists every difference)."""

    exit_code = EXIT_PARITY_FAILED


# --------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class ModelSpec:
    """A model to compare: where it lives and its key."""

    name: str
    schema: str
    alias: str
    key: tuple[str, ...]

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.alias}"


def _tests_by_model(manifest: dict) -> dict[str, list[dict]]:
    tests: dict[str, list[dict]] = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "test" or not node.get("test_metadata"):
            continue
        if not node.get("config", {}).get("enabled", True):
            continue
        attached = node.get("attached_node") or next(iter(node.get("depends_on", {}).get("nodes", [])), None)
        if attached:
            tests.setdefault(attached, []).append(node)
    return tests


def model_key(node: dict, tests: Sequence[dict]) -> tuple[str, ...] | None:
    """The key of a model node: primary_key constraint, else a unique + not_null column (not_null
    per column or in the model's not_null_columns test), else a unique_combination_of_columns
    test. None when it has none."""
    for constraint in node.get("constraints", []):
        if constraint.get("type") == "primary_key" and constraint.get("columns"):
            return tuple(constraint["columns"])
    for name, column in node.get("columns", {}).items():
        if any(c.get("type") == "primary_key" for c in column.get("constraints", [])):
            return (name,)
    tested: dict[str, set[str]] = {}
    combinations: list[tuple[str, ...]] = []
    for test in tests:
        meta = test["test_metadata"]
        kwargs = meta.get("kwargs", {})
        if meta.get("name") in ("unique", "not_null") and kwargs.get("column_name"):
            tested.setdefault(kwargs["column_name"], set()).add(meta["name"])
        elif meta.get("name") == "not_null_columns":
            columns = kwargs.get("column_names") or kwargs.get("arguments", {}).get("column_names") or []
            for column in [] if isinstance(columns, str) else columns:
                tested.setdefault(column, set()).add("not_null")
        elif meta.get("name") == "unique_combination_of_columns":
            columns = kwargs.get("combination_of_columns") or kwargs.get("arguments", {}).get("combination_of_columns")
            if columns and not isinstance(columns, str):
                combinations.append(tuple(columns))
    single = sorted(c for c, kinds in tested.items() if kinds >= {"unique", "not_null"})
    if single:
        return (single[0],)
    if combinations:
        return min(combinations, key=len)
    return None


def public_models(manifest_path: Path, names: Iterable[str] | None = None) -> list[ModelSpec]:
    """The public marts of the manifest (or the models named in ``names``), with their keys."""
    manifest_path = Path(manifest_path)
    if not manifest_path.is_file():
        raise BadInputError(f"no dbt manifest at {manifest_path}: run dbt parse (or a build) first")
    manifest = json.loads(manifest_path.read_text())
    tests = _tests_by_model(manifest)
    wanted = set(names) if names else None
    specs: list[ModelSpec] = []
    missing_keys: list[str] = []
    for unique_id, node in sorted(manifest.get("nodes", {}).items()):
        if node.get("resource_type") != "model" or not node.get("config", {}).get("enabled", True):
            continue
        if wanted is not None:
            if node["name"] not in wanted:
                continue
        elif not (node.get("original_file_path", "").startswith("models/marts/") and node.get("access") == "public"):
            continue
        key = model_key(node, tests.get(unique_id, []))
        if key is None:
            missing_keys.append(node["name"])
            continue
        specs.append(ModelSpec(node["name"], node["schema"], node.get("alias") or node["name"], key))
    if missing_keys:
        raise BadInputError(
            f"no key for {', '.join(sorted(missing_keys))}: give each compared model a primary_key constraint, "
            "a column tested unique and not_null, or a unique_combination_of_columns test"
        )
    if wanted is not None and {s.name for s in specs} != wanted:
        unknown = sorted(wanted - {s.name for s in specs})
        raise BadInputError(f"model(s) not in the manifest: {', '.join(unknown)}")
    return specs


# --------------------------------------------------------------------------- comparison

_INTEGER = re.compile(r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$")
_FLOAT = re.compile(r"^(FLOAT|DOUBLE|REAL)$")


def _family(duckdb_type: str) -> str | None:
    """'exact' (integers, decimals), 'float', or None (not numeric)."""
    base = duckdb_type.upper().split("(", 1)[0].strip()
    if _INTEGER.match(base) or base == "DECIMAL":
        return "exact"
    if _FLOAT.match(base):
        return "float"
    return None


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _show(value: object) -> str:
    return "NULL" if value is None else repr(value)


def _key_text(key: Sequence[str], values: Sequence[object]) -> str:
    return "(" + ", ".join(f"{k}={_show(v)}" for k, v in zip(key, values, strict=True)) + ")"


def compare_tables(
    left: pa.Table,
    right: pa.Table,
    key: Sequence[str],
    left_name: str = "duckdb",
    right_name: str = "spark",
    tolerance: float = FLOAT_RELATIVE_TOLERANCE,
) -> list[str]:
    """The differences between two versions of one table (empty when they agree)."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("left_arrow", left)
        con.register("right_arrow", right)
        con.execute("CREATE TEMP TABLE l AS SELECT * FROM left_arrow")
        con.execute("CREATE TEMP TABLE r AS SELECT * FROM right_arrow")
        return _compare(con, list(key), left_name, right_name, tolerance)
    finally:
        con.close()


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return {row[0].lower(): row[1] for row in con.execute(f"DESCRIBE {table}").fetchall()}


def _compare(
    con: duckdb.DuckDBPyConnection, key: list[str], left_name: str, right_name: str, tolerance: float
) -> list[str]:
    diffs: list[str] = []
    lcols, rcols = _columns(con, "l"), _columns(con, "r")
    key = [k.lower() for k in key]
    for side, cols in ((left_name, lcols), (right_name, rcols)):
        absent = [k for k in key if k not in cols]
        if absent:
            return [f"key column(s) {', '.join(absent)} missing on {side}"]
    nl = con.execute("SELECT count(*) FROM l").fetchone()[0]
    nr = con.execute("SELECT count(*) FROM r").fetchone()[0]
    if nl != nr:
        diffs.append(f"row count: {left_name} {nl:,} vs {right_name} {nr:,}")

    keys = ", ".join(_q(k) for k in key)
    for side, table in ((left_name, "l"), (right_name, "r")):
        repeated = f"SELECT {keys}, count(*) AS n FROM {table} GROUP BY ALL HAVING count(*) > 1"
        dup = con.execute(f"{repeated} ORDER BY ALL LIMIT {MAX_EXAMPLES}").fetchall()
        if dup:
            total = con.execute(f"SELECT count(*) FROM ({repeated})").fetchone()[0]
            shown = "; ".join(f"{_key_text(key, row[:-1])} x{row[-1]}" for row in dup)
            diffs.append(f"{total:,} duplicated key(s) on {side}, e.g. {shown}")
    join_on = " AND ".join(f"l.{_q(k)} IS NOT DISTINCT FROM r.{_q(k)}" for k in key)
    for side, this, other in ((left_name, "l", "r"), (right_name, "r", "l")):
        sql = f"SELECT DISTINCT {keys} FROM {this} EXCEPT SELECT DISTINCT {keys} FROM {other}"
        only = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
        if only:
            examples = con.execute(f"{sql} ORDER BY ALL LIMIT {MAX_EXAMPLES}").fetchall()
            shown = "; ".join(_key_text(key, row) for row in examples)
            diffs.append(f"{only:,} key(s) only on {side}, e.g. {shown}")

    for column in sorted(set(lcols) | set(rcols)):
        if column in key:
            continue
        lfam = _family(lcols[column]) if column in lcols else None
        rfam = _family(rcols[column]) if column in rcols else None
        # an all-NULL column read from Arrow has the NULL type: it takes the other side's family
        lfam = rfam if lcols.get(column, "").strip('"').upper() == "NULL" else lfam
        rfam = lfam if rcols.get(column, "").strip('"').upper() == "NULL" else rfam
        if lfam is None and rfam is None:
            continue  # not numeric on either side (or absent on one side and not numeric on the other)
        if column not in lcols or column not in rcols:
            side = left_name if column not in lcols else right_name
            diffs.append(f"numeric column {column} missing on {side}")
            continue
        if lfam != rfam:
            diffs.append(
                f"column {column}: type {lcols[column]} on {left_name} vs {rcols[column]} on {right_name} "
                "(an exact and a floating-point type cannot be compared exactly)"
            )
            continue
        a, b = f"l.{_q(column)}", f"r.{_q(column)}"
        if lfam == "exact":
            differs = f"{a} IS DISTINCT FROM {b}"
        else:
            same = (
                f"{a} IS NOT DISTINCT FROM {b} OR (isnan({a}) AND isnan({b})) "
                f"OR abs({a} - {b}) <= {tolerance!r} * greatest(abs({a}), abs({b}))"
            )
            differs = f"NOT coalesce({same}, false)"
        base = f"FROM l JOIN r ON {join_on} WHERE {differs}"
        n = con.execute(f"SELECT count(*) {base}").fetchone()[0]
        if n:
            rows = con.execute(
                f"SELECT {', '.join('l.' + _q(k) for k in key)}, {a}, {b} {base} ORDER BY ALL LIMIT {MAX_EXAMPLES}"
            ).fetchall()
            shown = "; ".join(
                f"{_key_text(key, row[: len(key)])}: {left_name} {_show(row[-2])} vs {right_name} {_show(row[-1])}"
                for row in rows
            )
            rule = "exactly" if lfam == "exact" else f"within {tolerance:g} relative"
            diffs.append(f"column {column} differs ({rule}) in {n:,} row(s), e.g. {shown}")
    return diffs


# --------------------------------------------------------------------------- the two warehouses


@dataclass
class ModelResult:
    model: ModelSpec
    left_rows: int
    right_rows: int
    differences: list[str] = field(default_factory=list)


@dataclass
class ParityReport:
    results: list[ModelResult]
    left_name: str = "duckdb"
    right_name: str = "spark"

    @property
    def ok(self) -> bool:
        return bool(self.results) and not any(r.differences for r in self.results)

    @property
    def differences(self) -> list[str]:
        return [f"{r.model.name}: {d}" for r in self.results for d in r.differences]

    def format(self) -> str:
        lines = []
        for r in self.results:
            status = "same" if not r.differences else f"{len(r.differences)} difference(s)"
            lines.append(
                f"  {r.model.name:<40} key ({', '.join(r.model.key)}), rows {self.left_name} {r.left_rows:,} / "
                f"{self.right_name} {r.right_rows:,}: {status}"
            )
            lines.extend(f"      - {d}" for d in r.differences)
        verdict = "parity: every compared model is the same on both engines" if self.ok else "parity FAILED"
        return "\n".join([*lines, verdict])


def compare_models(
    specs: Sequence[ModelSpec],
    read_left: Callable[[ModelSpec], pa.Table],
    read_right: Callable[[ModelSpec], pa.Table],
    left_name: str = "duckdb",
    right_name: str = "spark",
) -> ParityReport:
    results = []
    for spec in specs:
        left, right = read_left(spec), read_right(spec)
        diffs = compare_tables(left, right, spec.key, left_name, right_name)
        results.append(ModelResult(spec, left.num_rows, right.num_rows, diffs))
    return ParityReport(results, left_name, right_name)


def duckdb_reader(database: Path) -> Callable[[ModelSpec], pa.Table]:
    database = Path(database)
    if not database.is_file():
        raise BadInputError(f"DuckDB warehouse {database} does not exist: build it first (gtm load, gtm build)")

    def read(spec: ModelSpec) -> pa.Table:
        with duckdb.connect(str(database), read_only=True) as con:
            try:
                return con.sql(f"SELECT * FROM {_q(spec.schema)}.{_q(spec.alias)}").to_arrow_table()
            except duckdb.CatalogException as exc:
                raise BadInputError(f"{spec.relation} is not in {database}: build it first ({exc})") from exc

    return read


def spark_reader(spark_dir: Path) -> Callable[[ModelSpec], pa.Table]:
    from gtm import spark as gtm_spark

    session = gtm_spark.session(Path(spark_dir))

    def read(spec: ModelSpec) -> pa.Table:
        if not session.catalog.tableExists(f"{spec.schema}.{spec.alias}"):
            raise BadInputError(f"{spec.relation} is not in the Spark warehouse {spark_dir}: build it first")
        return session.table(f"{gtm_spark.quote(spec.schema)}.{gtm_spark.quote(spec.alias)}").toArrow()

    return read


def check(database: Path, spark_dir: Path, manifest: Path, models: Iterable[str] | None = None) -> ParityReport:
    """Compare the public marts (or ``models``) of the DuckDB warehouse and the Spark warehouse."""
    specs = public_models(manifest, models)
    if not specs:
        raise BadInputError(f"no public mart in {manifest}: nothing to compare")
    return compare_models(specs, duckdb_reader(database), spark_reader(spark_dir))
