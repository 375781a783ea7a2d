"""Tests of `gtm load`: file layouts, validation messages, typing, atomicity and idempotency,
in both modes (link: views over the raw store; copy: native tables), and the raw store itself.

The fixture data is written here from the raw contract (a handful of deterministic rows per
table), so these tests do not depend on the generator. Files are replaced the way writers
should replace them (a new file renamed over the old one), never rewritten in place: in link
mode the raw store holds hard links to the inputs.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gtm import contract
from gtm import load as load_module
from gtm.cli import main
from gtm.errors import EXIT_BAD_INPUT, BadInputError
from gtm.load import LOAD_MARKER, load, raw_store_of

MODES = pytest.mark.parametrize("mode", ["link", "copy"])

# ----------------------------------------------------------------------------- fixture data

ARROW_TYPES = {
    contract.VARCHAR: pa.string(),
    contract.BIGINT: pa.int64(),
    contract.DOUBLE: pa.float64(),
    contract.BOOLEAN: pa.bool_(),
    contract.TIMESTAMP: pa.timestamp("us"),
    contract.DATE: pa.date32(),
}


def _value(table: contract.Table, column: contract.Column, i: int):
    if not column.required and i == 0:
        return None  # optional columns carry a NULL in the first row
    if column.type == contract.VARCHAR:
        return f"{table.name}-{column.name}-{i}"
    if column.type == contract.BIGINT:
        return 1000 * i + len(column.name)
    if column.type == contract.DOUBLE:
        return 1.25 * i + len(column.name) / 8
    if column.type == contract.BOOLEAN:
        return i % 2 == 0
    if column.type == contract.TIMESTAMP:
        return datetime(2024, 1, 1) + timedelta(hours=i, minutes=len(column.name), microseconds=7)
    if column.type == contract.DATE:
        return date(2024, 1, 1) + timedelta(days=i + len(column.name))
    raise AssertionError(f"no fixture value for type {column.type}")


def rows_for(table: contract.Table) -> int:
    return 3 + contract.TABLES.index(table) % 5


def arrow_table(table: contract.Table, rows: int | None = None) -> pa.Table:
    n = rows_for(table) if rows is None else rows
    return pa.table(
        {c.name: pa.array([_value(table, c, i) for i in range(n)], ARROW_TYPES[c.type]) for c in table.columns}
    )


def _replace_file(path: Path, write) -> None:
    """Write a new file and rename it over path (a new inode: hard links to the old file keep the old data)."""
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)


def write_parquet(data: pa.Table, path: Path) -> None:
    _replace_file(path, lambda tmp: pq.write_table(data, tmp))


def write_csv(data: pa.Table, path: Path) -> None:
    def write(tmp: Path) -> None:
        with duckdb.connect() as con:
            con.register("data", data)
            con.execute(f"COPY data TO '{tmp}' (HEADER, DELIMITER ',', FORMAT csv)")

    _replace_file(path, write)


def write_raw(
    root: Path, sources: list[str] | None = None, csv: tuple[str, ...] = (), skip: tuple[str, ...] = ()
) -> dict[str, int]:
    """Write every table of `sources` (default: all) under root; return {fqn: rows written}."""
    written = {}
    for table in contract.TABLES:
        if (sources is not None and table.source not in sources) or table.fqn in skip:
            continue
        folder = root / table.source
        folder.mkdir(parents=True, exist_ok=True)
        data = arrow_table(table)
        if table.fqn in csv:
            write_csv(data, folder / f"{table.name}.csv")
        else:
            write_parquet(data, folder / f"{table.name}.parquet")
        written[table.fqn] = data.num_rows
    return written


def table_path(root: Path, fqn: str, suffix: str = ".parquet") -> Path:
    source, name = fqn.split(".")
    return root / source / f"{name}{suffix}"


def replace_parquet(root: Path, fqn: str, data: pa.Table) -> Path:
    path = table_path(root, fqn)
    write_parquet(data, path)
    return path


def raw_relations(database: Path) -> dict[str, str]:
    """{source.table: 'VIEW' | 'BASE TABLE'} of the raw schemas."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "SELECT table_schema, table_name, table_type FROM information_schema.tables "
            "WHERE list_contains(?, table_schema) ORDER BY ALL",
            [list(contract.SOURCES)],
        ).fetchall()
    return {f"{s}.{t}": kind for s, t, kind in rows}


def snapshot(database: Path) -> dict[str, list[tuple]]:
    """Every table or view of the raw schemas with its sorted content (small fixture data)."""
    relations = raw_relations(database)
    with duckdb.connect(str(database), read_only=True) as con:
        return {fqn: con.execute(f"SELECT * FROM {quoted(fqn)} ORDER BY ALL").fetchall() for fqn in relations}


def quoted(fqn: str) -> str:
    return ".".join(f'"{part}"' for part in fqn.split("."))


def load_dirs(database: Path) -> dict[str, set[str]]:
    """The raw store of a database: {load id: sources it holds}."""
    store = raw_store_of(database)
    if not store.exists():
        return {}
    return {d.name: {s.name for s in d.iterdir() if s.is_dir()} for d in store.iterdir()}


def recorded_loads(database: Path) -> dict[str, str]:
    """{source: load id} from _gtm_raw.loads."""
    with duckdb.connect(str(database), read_only=True) as con:
        return dict(con.execute("SELECT source, load_id FROM _gtm_raw.loads").fetchall())


def file_states(root: Path) -> dict[str, tuple[str, int, int]]:
    """Content hash, size and modification time of every file under root."""
    return {
        str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def column_types(database: Path, fqn: str) -> list[tuple[str, str]]:
    source, name = fqn.split(".")
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
            "ORDER BY column_index",
            [source, name],
        ).fetchall()


def _fail_on(monkeypatch, fqn: str) -> None:
    """Make the statement creating `fqn` fail inside the load transaction."""
    original = load_module._create_sql

    def failing(plan, mode):
        if plan.input.fqn == fqn:
            return f"CREATE TABLE {fqn} AS SELECT CAST('not a number' AS BIGINT) AS id"
        return original(plan, mode)

    monkeypatch.setattr(load_module, "_create_sql", failing)


@pytest.fixture
def raw(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    root = tmp_path / "raw"
    return root, write_raw(root)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "gtm.duckdb"


def run(root: Path, database: Path, **kwargs) -> dict[str, int]:
    return load(data_dir=root, database=database, progress=False, threads=2, **kwargs)


def error_of(root: Path, database: Path, **kwargs) -> str:
    with pytest.raises(BadInputError) as info:
        run(root, database, **kwargs)
    return str(info.value)


# ----------------------------------------------------------------------------- happy path


@MODES
def test_loads_every_table_with_contract_types(raw, db, mode):
    root, written = raw
    counts = run(root, db, mode=mode)

    assert counts == written
    assert list(counts) == [t.fqn for t in contract.TABLES]  # contract order
    for table in contract.TABLES:
        assert column_types(db, table.fqn) == [(c.name, c.type) for c in table.columns], table.fqn
    kind = "VIEW" if mode == "link" else "BASE TABLE"
    assert raw_relations(db) == {t.fqn: kind for t in contract.TABLES}
    assert raw_store_of(db).exists() == (mode == "link")


@MODES
def test_loaded_values_equal_written_values(raw, db, mode):
    root, _ = raw
    run(root, db, mode=mode)
    content = snapshot(db)
    for table in contract.TABLES:
        expected = sorted(
            (tuple(row.values()) for row in arrow_table(table).to_pylist()),
            key=lambda r: tuple((v is None, v) for v in r),
        )
        assert sorted(content[table.fqn], key=lambda r: tuple((v is None, v) for v in r)) == expected, table.fqn


@MODES
def test_csv_input(tmp_path, db, mode):
    root = tmp_path / "raw"
    csv_tables = ("salesforce.user", "sales_ops.quota", "hubspot.contact_property_history")
    written = write_raw(root, csv=csv_tables)
    assert table_path(root, "salesforce.user", ".csv").exists()

    counts = run(root, db, mode=mode)

    assert counts == written
    content = snapshot(db)
    for fqn in csv_tables:
        table = contract.table(fqn)
        assert column_types(db, fqn) == [(c.name, c.type) for c in table.columns]
        expected = sorted(tuple(r.values()) for r in arrow_table(table).to_pylist() if r[table.primary_key[0]])
        got = sorted(r for r in content[fqn] if r[0] is not None)
        assert got == expected, fqn


@MODES
def test_csv_timestamp_offsets_become_utc_and_extra_columns_are_detected(tmp_path, db, mode):
    root = tmp_path / "raw"
    write_raw(root, skip=("finance.fx_rate",))
    (root / "finance").mkdir()
    table_path(root, "finance.fx_rate", ".csv").write_text(
        "rate_date,from_currency,to_currency,rate,_fivetran_synced,note\n"
        "2024-03-01,EUR,USD,1.08,2024-03-02T10:00:00+02:00,a\n"
        "2024-03-01,GBP,USD,1.27,2024-03-02 10:00:00,b\n"
    )
    run(root, db, mode=mode)
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT from_currency, rate, _fivetran_synced, note FROM finance.fx_rate ORDER BY from_currency"
        ).fetchall()
    assert rows == [
        ("EUR", 1.08, datetime(2024, 3, 2, 8, 0), "a"),
        ("GBP", 1.27, datetime(2024, 3, 2, 10, 0), "b"),
    ]


@MODES
def test_folder_of_parquet_parts(raw, db, mode):
    root, written = raw
    table = contract.table("segment.pages")
    data = arrow_table(table, rows=10)
    table_path(root, table.fqn).unlink()
    parts = root / "segment" / "pages"
    parts.mkdir()
    pq.write_table(data.slice(0, 4), parts / "part-0000.parquet")
    pq.write_table(data.slice(4), parts / "part-0001.parquet")
    (parts / "_SUCCESS").write_text("")

    counts = run(root, db, mode=mode)

    assert counts["segment.pages"] == 10
    assert counts == {**written, "segment.pages": 10}


def test_optional_column_missing_is_null_with_contract_type(raw, db):
    root, _ = raw
    table = contract.table("salesforce.account")
    data = arrow_table(table).drop_columns(["website", "number_of_employees"])
    replace_parquet(root, table.fqn, data)

    run(root, db)

    assert column_types(db, table.fqn) == [(c.name, c.type) for c in table.columns]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(
            "SELECT count(*), count(website), count(number_of_employees), count(name) FROM salesforce.account"
        ).fetchone() == (data.num_rows, 0, 0, data.num_rows)


@MODES
def test_extra_column_is_kept(raw, db, mode):
    root, _ = raw
    table = contract.table("stripe.customer")
    data = arrow_table(table)
    data = data.append_column("custom_tier", pa.array([f"tier-{i}" for i in range(data.num_rows)]))
    data = data.append_column("select", pa.array(range(data.num_rows), pa.int32()))  # a keyword as a name
    replace_parquet(root, table.fqn, data)

    run(root, db, mode=mode)

    types = column_types(db, table.fqn)
    assert types[: len(table.columns)] == [(c.name, c.type) for c in table.columns]
    assert types[len(table.columns) :] == [("custom_tier", "VARCHAR"), ("select", "INTEGER")]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute('SELECT max(custom_tier), sum("select") FROM stripe.customer').fetchone() == (
            f"tier-{data.num_rows - 1}",
            sum(range(data.num_rows)),
        )


@MODES
def test_accepted_type_variants_are_cast(raw, db, mode):
    root, _ = raw
    table = contract.table("segment.tracks")
    n = 3
    data = arrow_table(table, rows=n)
    utc_plus_2 = pa.array([datetime(2024, 5, 1, 12, 0)] * n, pa.timestamp("us", tz="Etc/GMT-2")).cast(
        pa.timestamp("us", tz="Etc/GMT-2")
    )
    data = data.set_column(data.schema.get_field_index("timestamp"), "timestamp", utc_plus_2)
    data = data.set_column(
        data.schema.get_field_index("received_at"), "received_at", data["received_at"].cast(pa.timestamp("ns"))
    )
    replace_parquet(root, table.fqn, data)
    stats = contract.table("google_ads.campaign_stats")
    s = arrow_table(stats)
    s = s.set_column(s.schema.get_field_index("clicks"), "clicks", s["clicks"].cast(pa.int32()))
    s = s.set_column(
        s.schema.get_field_index("conversions"), "conversions", s["conversions"].cast(pa.decimal128(12, 3))
    )
    replace_parquet(root, stats.fqn, s)
    campaign = contract.table("hubspot.email_campaign")  # UBIGINT can overflow BIGINT; these values do not
    e = arrow_table(campaign)
    e = e.set_column(e.schema.get_field_index("content_id"), "content_id", e["content_id"].cast(pa.uint64()))
    replace_parquet(root, campaign.fqn, e)

    run(root, db, mode=mode)

    assert column_types(db, table.fqn) == [(c.name, c.type) for c in table.columns]
    assert column_types(db, stats.fqn) == [(c.name, c.type) for c in stats.columns]
    assert column_types(db, campaign.fqn) == [(c.name, c.type) for c in campaign.columns]
    with duckdb.connect(str(db), read_only=True) as con:
        # pyarrow stores tz-aware values as UTC instants: 12:00 UTC, i.e. 14:00 in UTC+2; loaded as naive UTC.
        assert con.execute("SELECT DISTINCT timestamp FROM segment.tracks").fetchall() == [(datetime(2024, 5, 1, 12),)]


@MODES
def test_load_is_idempotent(raw, db, mode):
    root, written = raw
    first = run(root, db, mode=mode)
    before = snapshot(db)
    first_loads = load_dirs(db)
    second = run(root, db, mode=mode)
    assert first == second == written
    assert snapshot(db) == before
    if mode == "link":  # the first load's folder is gone, the second's holds every source
        (first_id,), (second_id,) = first_loads, load_dirs(db)
        assert first_id != second_id
        assert load_dirs(db)[second_id] == set(contract.SOURCES)
    else:
        assert load_dirs(db) == {}


# ----------------------------------------------------------------------------- atomicity and subsets


@MODES
def test_failure_during_write_keeps_previous_data(raw, db, monkeypatch, mode):
    root, _ = raw
    run(root, db, mode=mode)
    before = snapshot(db)
    loads_before = load_dirs(db)

    # Load B: different data, and a failure on a late table (after several schemas were already replaced).
    write_raw(root)  # same shape
    replace_parquet(root, "salesforce.account", arrow_table(contract.table("salesforce.account"), rows=1))
    _fail_on(monkeypatch, "stripe.price")
    message = error_of(root, db, mode=mode)

    assert "stripe.price" in message
    assert "previous raw data" in message
    assert snapshot(db) == before
    assert load_dirs(db) == loads_before  # link: the failed load's folder is removed, the previous one kept


@MODES
def test_csv_bad_value_found_while_loading_rolls_back(raw, db, mode):
    root, _ = raw
    run(root, db, mode=mode)
    before = snapshot(db)
    loads_before = load_dirs(db)

    table = contract.table("sales_ops.gtm_cost")
    table_path(root, table.fqn).unlink()
    lines = ["_row,month,team,category,amount,currency_code,_fivetran_synced"]
    lines += [f"{i},2024-01-01,sales,tools,{i}.5,USD,2024-01-02 00:00:00" for i in range(30_000)]
    lines.append("30000,2024-01-01,sales,tools,twelve,USD,2024-01-02 00:00:00")  # beyond the CSV sniffer's sample
    csv_path = table_path(root, table.fqn, ".csv")
    csv_path.write_text("\n".join(lines) + "\n")

    message = error_of(root, db, mode=mode)

    assert str(csv_path) in message
    assert "sales_ops.gtm_cost" in message
    assert "column amount" in message and "DOUBLE" in message
    assert "twelve" in message  # DuckDB's original detail is kept
    assert snapshot(db) == before
    assert load_dirs(db) == loads_before


@MODES
def test_parquet_value_out_of_range_names_the_column(raw, db, mode):
    root, _ = raw
    table = contract.table("hubspot.email_campaign")
    data = arrow_table(table)
    big = pa.array([2**63 + 5] + [1] * (data.num_rows - 1), pa.uint64())  # UBIGINT is accepted, this value is not
    data = data.set_column(data.schema.get_field_index("content_id"), "content_id", big)
    path = replace_parquet(root, table.fqn, data)

    message = error_of(root, db, mode=mode)

    assert str(path) in message and "hubspot.email_campaign" in message
    assert "content_id" in message and "BIGINT" in message
    assert not db.exists()  # a failed first load leaves no database file behind
    assert not raw_store_of(db).exists()  # nor a raw store


@MODES
def test_subset_load_leaves_other_schemas_untouched(raw, db, mode):
    root, written = raw
    run(root, db, mode=mode)
    before = snapshot(db)

    write_raw(root, sources=["segment"])
    table = contract.table("segment.pages")
    replace_parquet(root, table.fqn, arrow_table(table, rows=11))
    counts = run(root, db, sources=["segment"], mode=mode)

    assert counts == {
        fqn: (11 if fqn == "segment.pages" else n) for fqn, n in written.items() if fqn.startswith("segment.")
    }
    after = snapshot(db)
    assert {k: v for k, v in after.items() if not k.startswith("segment.")} == {
        k: v for k, v in before.items() if not k.startswith("segment.")
    }
    assert len(after["segment.pages"]) == 11


@MODES
def test_sources_absent_from_data_dir_are_not_loaded(tmp_path, db, mode):
    root = tmp_path / "raw"
    written = write_raw(root, sources=["salesforce", "finance"])
    counts = run(root, db, mode=mode)
    assert counts == written
    assert {k.split(".")[0] for k in snapshot(db)} == {"salesforce", "finance"}


@MODES
def test_key_value_folder_names_in_the_path_add_no_column(tmp_path, mode):
    # DuckDB's readers detect hive partitions (key=value folders) by default; raw paths are not partitions.
    root = tmp_path / "run=1" / "raw"
    write_raw(root, csv=("finance.fx_rate",))
    database = tmp_path / "wh=2" / "gtm.duckdb"
    run(root, database, mode=mode)
    for fqn in ("salesforce.account", "finance.fx_rate"):
        assert column_types(database, fqn) == [(c.name, c.type) for c in contract.table(fqn).columns]


# ----------------------------------------------------------------------------- raw store (link mode)


def test_link_never_modifies_the_inputs(tmp_path, db, monkeypatch):
    root = tmp_path / "raw"
    write_raw(root, csv=("sales_ops.quota",))
    before = file_states(root)

    run(root, db)
    run(root, db)  # deletes the first load's links
    _fail_on(monkeypatch, "finance.fx_rate")
    error_of(root, db)  # deletes the failed load's links

    assert file_states(root) == before
    placed = raw_store_of(db) / next(iter(load_dirs(db))) / "salesforce" / "account" / "part-00000.parquet"
    assert placed.samefile(table_path(root, "salesforce.account"))  # a hard link, not a copy


def test_link_store_holds_one_load_dir_per_loaded_source(raw, db):
    root, _ = raw
    run(root, db)
    run(root, db)
    ((full_id, sources),) = load_dirs(db).items()
    assert sources == set(contract.SOURCES)
    assert recorded_loads(db) == dict.fromkeys(contract.SOURCES, full_id)
    assert json.loads((raw_store_of(db) / full_id / LOAD_MARKER).read_text())["database"] == db.name

    run(root, db, sources=["segment", "finance"])
    run(root, db, sources=["segment"])

    recorded = recorded_loads(db)
    (subset_id,) = {recorded["segment"]}
    finance_id = recorded["finance"]
    assert len({full_id, subset_id, finance_id}) == 3
    assert load_dirs(db) == {
        full_id: set(contract.SOURCES) - {"segment", "finance"},
        finance_id: {"finance"},
        subset_id: {"segment"},
    }
    assert recorded == {**dict.fromkeys(contract.SOURCES, full_id), "finance": finance_id, "segment": subset_id}
    with duckdb.connect(str(db), read_only=True) as con:  # every view reads the folder recorded for its source
        for source, table, sql in con.execute(
            "SELECT schema_name, view_name, sql FROM duckdb_views() WHERE NOT internal"
        ).fetchall():
            assert f"{raw_store_of(db) / recorded[source] / source / table}/part-" in sql, (source, table)


def test_link_failure_in_transaction_keeps_previous_views_and_removes_new_load_dir(raw, db, monkeypatch):
    root, _ = raw
    run(root, db)
    before = snapshot(db)
    (first_id,) = load_dirs(db)

    write_raw(root)
    replace_parquet(root, "salesforce.account", arrow_table(contract.table("salesforce.account"), rows=1))
    _fail_on(monkeypatch, "stripe.price")
    message = error_of(root, db)

    assert "stripe.price" in message and "previous raw data" in message
    assert list(load_dirs(db)) == [first_id]
    assert recorded_loads(db) == dict.fromkeys(contract.SOURCES, first_id)
    assert snapshot(db) == before  # the previous views still read the previous files


def test_link_csv_input_becomes_parquet_in_the_store(tmp_path, db):
    root = tmp_path / "raw"
    written = write_raw(root, csv=("sales_ops.quota",))
    table = contract.table("sales_ops.quota")

    run(root, db)

    (load_id,) = load_dirs(db)
    folder = raw_store_of(db) / load_id / "sales_ops" / "quota"
    assert [p.name for p in folder.iterdir()] == ["part-00000.parquet"]
    schema = pq.read_schema(folder / "part-00000.parquet")
    assert schema.names == table.column_names
    assert schema.field("_fivetran_synced").type == pa.timestamp("us")
    assert pq.read_metadata(folder / "part-00000.parquet").num_rows == written[table.fqn]
    with duckdb.connect(str(db), read_only=True) as con:
        (sql,) = con.execute(
            "SELECT sql FROM duckdb_views() WHERE schema_name = 'sales_ops' AND view_name = 'quota'"
        ).fetchone()
    assert ".csv" not in sql and str(folder) in sql


def test_link_views_work_from_a_new_process_after_the_inputs_are_deleted(raw, db):
    root, written = raw
    run(root, db)
    expected = snapshot(db)
    shutil.rmtree(root)  # the store holds its own links: the inputs can go

    script = (
        "import sys, duckdb\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(con.execute('SELECT count(*) FROM segment.pages').fetchone()[0])\n"
        "print(con.execute('SELECT max(created_date) FROM salesforce.account').fetchone()[0])\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(db)], capture_output=True, text=True, check=True, cwd="/")
    assert done.stdout.splitlines()[0] == str(written["segment.pages"])
    assert snapshot(db) == expected


def test_link_copies_when_hard_links_fail(raw, db, monkeypatch):
    root, written = raw

    def no_links(src, dst):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(load_module.os, "link", no_links)
    assert run(root, db) == written
    (load_id,) = load_dirs(db)
    placed = raw_store_of(db) / load_id / "salesforce" / "account" / "part-00000.parquet"
    assert not placed.samefile(table_path(root, "salesforce.account"))
    assert placed.read_bytes() == table_path(root, "salesforce.account").read_bytes()


def test_switching_modes_replaces_views_and_tables(raw, db):
    root, _ = raw
    run(root, db)
    expected = snapshot(db)

    run(root, db, mode="copy", sources=["salesforce", "segment"])
    relations = raw_relations(db)
    assert {relations[t.fqn] for t in contract.TABLES if t.source in ("salesforce", "segment")} == {"BASE TABLE"}
    assert {relations[t.fqn] for t in contract.TABLES if t.source == "stripe"} == {"VIEW"}
    assert set().union(*load_dirs(db).values()) == set(contract.SOURCES) - {"salesforce", "segment"}
    assert "salesforce" not in recorded_loads(db)

    run(root, db, mode="copy")
    assert set(raw_relations(db).values()) == {"BASE TABLE"}
    assert not raw_store_of(db).exists()  # nothing reads the store any more
    assert snapshot(db) == expected


def test_leftover_load_dirs_are_removed_but_other_databases_files_are_kept(raw, db):
    root, _ = raw
    store = raw_store_of(db)
    crashed = store / "20240101T000000Z-abcdef"  # a load killed before its commit
    (crashed / "salesforce").mkdir(parents=True)
    (crashed / LOAD_MARKER).write_text(json.dumps({"database": db.name}))
    sibling = store / "20240101T000000Z-123456"  # gtm.db shares the store name gtm.raw
    (sibling / "salesforce").mkdir(parents=True)
    (sibling / LOAD_MARKER).write_text(json.dumps({"database": "gtm.db"}))

    run(root, db)

    assert not crashed.exists()
    assert sibling.exists()
    assert len(load_dirs(db)) == 2


# ----------------------------------------------------------------------------- errors


def test_missing_data_dir(tmp_path, db):
    message = error_of(tmp_path / "nope", db)
    assert "does not exist" in message and "gtm generate" in message
    assert not db.exists()


def test_empty_data_dir(tmp_path, db):
    (tmp_path / "raw" / "salesforce").mkdir(parents=True)
    (tmp_path / "raw" / "salesforce" / "readme.txt").write_text("hi")
    message = error_of(tmp_path / "raw", db)
    assert "no raw table files" in message and "gtm generate" in message
    assert not db.exists()


def test_missing_required_column(raw, db):
    root, _ = raw
    table = contract.table("salesforce.opportunity")
    path = replace_parquet(root, table.fqn, arrow_table(table).drop_columns(["stage_name"]))
    message = error_of(root, db)
    assert str(path) in message
    assert "salesforce.opportunity" in message
    assert "missing required column(s) stage_name" in message
    assert "expected columns" in message and "amount?" in message
    assert not db.exists()


def test_missing_required_column_in_csv(tmp_path, db):
    root = tmp_path / "raw"
    write_raw(root, csv=("sales_ops.quota",))
    path = table_path(root, "sales_ops.quota", ".csv")
    path.write_text("_row,rep_id,fiscal_year,quota_amount,currency_code,_fivetran_synced\n1,u1,2024,10.0,USD,\n")
    message = error_of(root, db)
    assert str(path) in message and "sales_ops.quota" in message and "fiscal_quarter" in message


def test_wrong_type(raw, db):
    root, _ = raw
    table = contract.table("salesforce.lead")
    data = arrow_table(table)
    data = data.set_column(
        data.schema.get_field_index("created_date"), "created_date", pa.array(["yesterday"] * data.num_rows)
    )
    path = replace_parquet(root, table.fqn, data)
    message = error_of(root, db)
    assert str(path) in message and "salesforce.lead" in message
    assert "column created_date has type VARCHAR, expected TIMESTAMP" in message


def test_all_problems_are_reported_together(raw, db):
    root, _ = raw
    lead = contract.table("salesforce.lead")
    data = arrow_table(lead)
    data = data.set_column(
        data.schema.get_field_index("is_converted"), "is_converted", pa.array(["no"] * data.num_rows)
    )
    replace_parquet(root, lead.fqn, data)
    replace_parquet(root, "stripe.invoice", arrow_table(contract.table("stripe.invoice")).drop_columns(["total"]))
    table_path(root, "hubspot.email_event").unlink()

    message = error_of(root, db)

    assert "3 problem(s)" in message
    assert "column is_converted has type VARCHAR, expected BOOLEAN" in message
    assert "stripe.invoice" in message and "total" in message
    assert "hubspot.email_event" in message
    assert len([line for line in message.splitlines() if line.startswith("  - ")]) == 3


def test_missing_table_of_present_source(raw, db):
    root, _ = raw
    table_path(root, "hubspot.email_event").unlink()
    message = error_of(root, db)
    assert "hubspot.email_event" in message
    assert str(table_path(root, "hubspot.email_event")) in message
    assert str(table_path(root, "hubspot.email_event", ".csv")) in message
    assert "hubspot_enabled: false" in message and "--sources" in message


def test_missing_salesforce(tmp_path, db):
    root = tmp_path / "raw"
    write_raw(root, sources=["hubspot", "segment"])
    message = error_of(root, db)
    assert "salesforce" in message and "CRM" in message and "required" in message
    assert not db.exists()


def test_missing_salesforce_table_cannot_be_switched_off(raw, db):
    root, _ = raw
    table_path(root, "salesforce.event").unlink()
    message = error_of(root, db)
    assert "salesforce.event" in message and "cannot be switched off" in message
    assert "salesforce_enabled" not in message


def test_subset_without_crm_needs_crm_in_database(raw, db):
    root, _ = raw
    message = error_of(root, db, sources=["hubspot"])
    assert "salesforce" in message and "--sources" in message
    assert not db.exists()


def test_unknown_source(raw, db):
    root, _ = raw
    message = error_of(root, db, sources=["salesforce", "marketo"])
    assert "marketo" in message
    for source in contract.SOURCES:
        assert source in message


def test_selected_source_without_folder(tmp_path, db):
    root = tmp_path / "raw"
    write_raw(root, sources=["salesforce"])
    message = error_of(root, db, sources=["salesforce", "stripe"])
    assert str(root / "stripe") in message and "stripe_enabled: false" in message


def test_corrupt_parquet(raw, db):
    root, _ = raw
    path = table_path(root, "stripe.invoice")
    path.write_bytes(b"this is not parquet" * 50)
    message = error_of(root, db)
    assert str(path) in message and "stripe.invoice" in message
    assert not db.exists()


def test_two_forms_of_one_table(raw, db):
    root, _ = raw
    write_csv(arrow_table(contract.table("finance.fx_rate")), table_path(root, "finance.fx_rate", ".csv"))
    message = error_of(root, db)
    assert "finance.fx_rate" in message and "more than one" in message


def test_errors_surface_through_the_cli(tmp_path, capsys):
    code = main(["-q", "load", "--data", str(tmp_path / "missing"), "--database", str(tmp_path / "x.duckdb")])
    captured = capsys.readouterr()
    assert code == EXIT_BAD_INPUT == 2
    assert "gtm load: error:" in captured.err and "gtm generate" in captured.err
    assert captured.out == ""


@MODES
def test_cli_load_prints_counts(raw, db, capsys, mode):
    root, written = raw
    code = main(["-q", "load", "--data", str(root), "--database", str(db), "--mode", mode])
    out = capsys.readouterr().out
    assert code == 0
    assert f"loaded {sum(written.values()):,} rows into {len(written)} tables" in out
    assert raw_relations(db)["salesforce.account"] == ("VIEW" if mode == "link" else "BASE TABLE")


def test_unknown_mode(raw, db):
    root, _ = raw
    message = error_of(root, db, mode="move")
    assert "move" in message and "link" in message and "copy" in message
    assert not db.exists()
