"""Shared fixtures: sample companies generated once per test session.

``tiny_clean`` / ``tiny_dirty`` (seed 42, dirty rate 0 / 0.1) take about a second and a half
each; ``small_clean`` (about four seconds) is for the tests marked ``integration``.
``small_clean_warehouse`` / ``small_dirty_warehouse`` are the whole pipeline at ``small`` scale
(seed 7: generate, load, ``dbt build``), built once per test session and shared by the
integration suites of the staging layer and the marts. Each
fixture is a :class:`Dataset`: the output directory and a DuckDB connection with one view
per raw table (``salesforce.lead``, ``segment.pages`` …) and per truth file
(``truth.people``, ``truth.web_sessions`` …), so tests read like the warehouse SQL they
protect.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from gtm import contract
from gtm.generate import generate

AS_OF = date(2025, 12, 31)
TRUTH_FILES = ("people", "identity", "accounts", "opportunities", "mrr_monthly", "faults")


def raw_path(out_dir: Path, fqn: str) -> Path:
    """The file (or folder of part files) `gtm generate` writes for a raw table."""
    source, name = fqn.split(".")
    folder = out_dir / source / name
    return folder if folder.is_dir() else out_dir / source / f"{name}.parquet"


def read_raw(out_dir: Path, fqn: str) -> pa.Table:
    path = raw_path(out_dir, fqn)
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    tables = [pq.read_table(f) for f in files]
    # part files written by DuckDB mark some columns NOT NULL; make the schemas agree before concatenating
    tables = [t.cast(pa.schema([f.with_nullable(True) for f in t.schema])) for t in tables]
    return pa.concat_tables(tables)


def row_keys(fqn: str, table: pa.Table) -> pa.Array:
    """The primary key of every row as one string (parts joined with '|'), as truth/faults.parquet lists it."""
    parts = [pc.cast(table[c], pa.string()) for c in contract.table(fqn).primary_key]
    out = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "|")
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


@dataclass
class Dataset:
    """One generated sample company and a DuckDB connection over its files."""

    out_dir: Path
    scale: str
    seed: int
    dirty_rate: float
    as_of: date = AS_OF
    _con: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)

    @property
    def end(self) -> datetime:
        """First instant after history (as_of + 1 day, UTC, naive as in the files)."""
        return datetime.combine(self.as_of, datetime.min.time()) + timedelta(days=1)

    @cached_property
    def summary(self) -> dict:
        return json.loads((self.out_dir / "truth" / "summary.json").read_text())

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            con = duckdb.connect()
            con.execute("SET TimeZone = 'UTC'")
            for source in [*contract.SOURCES, "truth"]:
                con.execute(f"create schema {source}")
            for t in contract.TABLES:
                path = raw_path(self.out_dir, t.fqn)
                glob = f"{path}/*.parquet" if path.is_dir() else str(path)
                con.execute(f"create view {t.fqn} as select * from read_parquet('{glob}')")
            truth = self.out_dir / "truth"
            for name in TRUTH_FILES:
                con.execute(f"create view truth.{name} as select * from read_parquet('{truth / name}.parquet')")
            sessions = truth / "web_sessions" / "*.parquet"
            con.execute(f"create view truth.web_sessions as select * from read_parquet('{sessions}')")
            self._con = con
        return self._con

    def sql(self, query: str, *params) -> list[tuple]:
        return self.con.execute(query, list(params)).fetchall()

    def one(self, query: str, *params):
        """The single value of a one-row, one-column query."""
        rows = self.sql(query, *params)
        assert len(rows) == 1 and len(rows[0]) == 1, f"expected one value from: {query}"
        return rows[0][0]

    def keyed(self, fqn: str) -> str:
        """Register the raw table with a ``_key`` column (row key as faults.parquet spells it); return its name."""
        name = "keyed_" + fqn.replace(".", "_")
        if name not in {r[0] for r in self.sql("select table_name from duckdb_tables() where temporary")}:
            table = read_raw(self.out_dir, fqn)
            table = table.append_column("_key", row_keys(fqn, table))
            self.con.register(f"{name}_arrow", table)
            self.con.execute(f"create temp table {name} as select * from {name}_arrow")
            self.con.unregister(f"{name}_arrow")
        return name


def make_dataset(out_dir: Path, scale: str, seed: int = 42, dirty_rate: float = 0.0, as_of: date = AS_OF) -> Dataset:
    generate(out_dir=out_dir, scale=scale, seed=seed, dirty_rate=dirty_rate, as_of=as_of, progress=False)
    return Dataset(out_dir=out_dir, scale=scale, seed=seed, dirty_rate=dirty_rate, as_of=as_of)


@pytest.fixture(scope="session")
def tiny_clean(tmp_path_factory) -> Dataset:
    return make_dataset(tmp_path_factory.mktemp("tiny_clean"), "tiny")


@pytest.fixture(scope="session")
def tiny_dirty(tmp_path_factory) -> Dataset:
    return make_dataset(tmp_path_factory.mktemp("tiny_dirty"), "tiny", dirty_rate=0.1)


@pytest.fixture(scope="session")
def small_clean(tmp_path_factory) -> Dataset:
    return make_dataset(tmp_path_factory.mktemp("small_clean"), "small")


@dataclass
class Warehouse:
    """A sample company built end to end: raw files (with truth/) and the DuckDB warehouse."""

    raw: Path
    database: Path

    def query(self, sql: str, *params) -> list[tuple]:
        """Run one query read-only against the warehouse and return its rows."""
        with duckdb.connect(str(self.database), read_only=True) as con:
            con.execute("SET TimeZone = 'UTC'")
            truth = self.raw / "truth"
            for name in TRUTH_FILES:
                con.execute(f"create temp view truth_{name} as select * from read_parquet('{truth / name}.parquet')")
            sessions = truth / "web_sessions" / "*.parquet"
            con.execute(f"create temp view truth_web_sessions as select * from read_parquet('{sessions}')")
            return con.execute(sql, list(params)).fetchall()

    def one(self, sql: str, *params):
        """The single value of a one-row, one-column query."""
        rows = self.query(sql, *params)
        assert len(rows) == 1 and len(rows[0]) == 1, f"expected one value from: {sql}"
        return rows[0][0]


def build_warehouse(
    tmp: Path, scale: str, seed: int, dirty_rate: float, dbt_args: list[str] | None = None
) -> Warehouse:
    """generate -> load -> dbt build into ``tmp``; dbt's target/ and logs/ go there too."""
    from gtm.build import dbt_build
    from gtm.load import load

    raw = tmp / "raw"
    database = tmp / "warehouse.duckdb"
    generate(raw, scale=scale, seed=seed, dirty_rate=dirty_rate, progress=False)
    load(raw, database, progress=False)
    with pytest.MonkeyPatch.context() as patch:
        # concurrent test sessions (and a developer's own dbt runs) must not share target/
        patch.setenv("DBT_TARGET_PATH", str(tmp / "target"))
        patch.setenv("DBT_LOG_PATH", str(tmp / "logs"))
        dbt_build(database, dbt_args or [])
    return Warehouse(raw=raw, database=database)


@pytest.fixture(scope="session")
def small_clean_warehouse(tmp_path_factory) -> Warehouse:
    return build_warehouse(tmp_path_factory.mktemp("small_clean_warehouse"), "small", seed=7, dirty_rate=0.0)


@pytest.fixture(scope="session")
def small_dirty_warehouse(tmp_path_factory) -> Warehouse:
    return build_warehouse(tmp_path_factory.mktemp("small_dirty_warehouse"), "small", seed=7, dirty_rate=0.05)


# --------------------------------------------------------------------------- gtm run (issue 9)


@dataclass
class PublishedRun:
    """A tiny sample company published by `gtm run` (subprocess), for the run / report tests.

    ``env`` points GTM_DUCKDB_PATH, DBT_TARGET_PATH and DBT_LOG_PATH into ``root``; ``raw`` is
    the seed-42 sample, ``raw_other`` a seed-43 one (different numbers, for a second run).
    """

    root: Path
    env: dict
    raw: Path
    raw_other: Path
    first: object  # the CompletedProcess of the first run

    @property
    def published(self) -> Path:
        return Path(self.env["GTM_DUCKDB_PATH"])

    @property
    def report(self) -> Path:
        return self.published.parent / f"{self.published.stem}-report.html"


def gtm_bin() -> str:
    import sys

    return str(Path(sys.executable).parent / "gtm")


@pytest.fixture(scope="session")
def tiny_published(tmp_path_factory) -> PublishedRun:
    import os
    import subprocess

    root = tmp_path_factory.mktemp("tiny_published")
    raw, raw_other = root / "raw", root / "raw_other"
    generate(raw, scale="tiny", seed=42, progress=False)
    generate(raw_other, scale="tiny", seed=43, progress=False)
    env = dict(os.environ)
    env.pop("GTM_REPORT_PATH", None)
    env.update(
        GTM_DUCKDB_PATH=str(root / "warehouse" / "gtm.duckdb"),
        DBT_TARGET_PATH=str(root / "target"),
        DBT_LOG_PATH=str(root / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    first = subprocess.run([gtm_bin(), "run", "--data", str(raw)], env=env, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    return PublishedRun(root=root, env=env, raw=raw, raw_other=raw_other, first=first)
