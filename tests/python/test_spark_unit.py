"""Spark support without a JVM: profile and loader agree, the parity comparison rules, key discovery.

Fast (no JVM): the end-to-end Spark build and parity check are in test_spark_parity.py.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from gtm import contract
from gtm.parity import compare_tables, model_key, public_models
from gtm.paths import PROJECT_ROOT
from gtm.spark import SPARK_TYPES, create_table_sql, session_conf

ENV_VAR = re.compile(r"\{\{\s*env_var\('(\w+)',\s*'([^']*)'\)\s*\}\}")


def _render_defaults(value: str, env: dict[str, str]) -> str:
    """The profile value with env_var() calls replaced by `env` (or their defaults)."""
    return ENV_VAR.sub(lambda m: env.get(m.group(1), m.group(2)), value)


def test_profile_and_loader_session_use_the_same_spark_settings(monkeypatch, tmp_path):
    for name in ("GTM_SPARK_MASTER", "GTM_SPARK_SHUFFLE_PARTITIONS", "GTM_SPARK_DRIVER_MEMORY"):
        monkeypatch.delenv(name, raising=False)
    profile = yaml.safe_load((PROJECT_ROOT / "profiles.yml").read_text())["gtm_warehouse"]["outputs"]["spark"]
    assert profile["type"] == "spark" and profile["method"] == "session"
    rendered = {
        key: _render_defaults(str(value), {"GTM_SPARK_DIR": str(tmp_path)})
        for key, value in profile["server_side_parameters"].items()
    }
    conf = session_conf(tmp_path)
    conf.pop("spark.sql.ansi.enabled")  # dbt-spark sets it itself (off) on every session it opens
    assert rendered == conf
    assert conf["spark.sql.session.timeZone"] == "UTC"


def test_raw_table_ddl_has_every_contract_column_with_its_spark_type():
    table = contract.table("salesforce.user")
    ddl = create_table_sql(table, Path("/data/raw/x/salesforce/user"))
    assert ddl.startswith("CREATE TABLE `salesforce`.`user` (")  # keywords quoted
    for column in table.columns:
        assert f"`{column.name}` {SPARK_TYPES[column.type]}" in ddl
    assert ddl.endswith("USING parquet\nLOCATION '/data/raw/x/salesforce/user'")
    assert set(SPARK_TYPES) == {c.type for t in contract.TABLES for c in t.columns}


# --------------------------------------------------------------------------- comparison rules


def _table(**columns) -> pa.Table:
    return pa.table(columns)


def test_identical_tables_have_no_difference():
    left = _table(k=["a", "b"], n=[1, 2], amount=[Decimal("1.10"), None], ratio=[0.5, float("nan")])
    assert compare_tables(left, left, ["k"]) == []


def test_floats_compare_within_a_relative_tolerance_of_1e_9():
    left = _table(k=["a", "b"], ratio=[1.0, 1e6])
    assert compare_tables(left, _table(k=["a", "b"], ratio=[1.0 + 1e-12, 1e6 * (1 + 5e-10)]), ["k"]) == []
    diffs = compare_tables(left, _table(k=["a", "b"], ratio=[1.0, 1e6 * (1 + 2e-9)]), ["k"])
    assert len(diffs) == 1 and "column ratio differs (within 1e-09 relative) in 1 row(s)" in diffs[0]
    assert "(k='b')" in diffs[0]


def test_integers_and_decimals_compare_exactly():
    left = _table(k=[1, 2], n=pa.array([10, 20], pa.int64()), amount=[Decimal("1.00"), Decimal("2.00")])
    right = _table(k=[1, 2], n=pa.array([10, 21], pa.int32()), amount=[Decimal("1.00"), Decimal("2.01")])
    diffs = compare_tables(left, right, ["k"])
    assert any(d.startswith("column n differs (exactly) in 1 row(s), e.g. (k=2): duckdb 20 vs spark 21") for d in diffs)
    assert any(d.startswith("column amount differs (exactly) in 1 row(s)") and "Decimal('2.01')" in d for d in diffs)


def test_null_against_a_value_is_a_difference():
    diffs = compare_tables(_table(k=[1], n=[None]), _table(k=[1], n=[0]), ["k"])
    assert diffs == ["column n differs (exactly) in 1 row(s), e.g. (k=1): duckdb NULL vs spark 0"]


def test_row_counts_key_sets_and_duplicates_are_reported():
    left = _table(source=["s", "s", "s"], tbl=["a", "b", "c"], n=[1, 2, 3])
    right = _table(source=["s", "s", "s", "s"], tbl=["a", "b", "b", "d"], n=[1, 2, 2, 4])
    diffs = compare_tables(left, right, ["source", "tbl"])
    assert "row count: duckdb 3 vs spark 4" in diffs
    assert "1 duplicated key(s) on spark, e.g. (source='s', tbl='b') x2" in diffs
    assert "1 key(s) only on duckdb, e.g. (source='s', tbl='c')" in diffs
    assert "1 key(s) only on spark, e.g. (source='s', tbl='d')" in diffs


def test_text_columns_are_not_compared_but_type_and_missing_numeric_columns_are():
    left = _table(k=[1], text=["x"], n=[1], gone=[5])
    right = _table(k=[1], text=["y"], n=[1.0])
    diffs = compare_tables(left, right, ["k"])
    assert len(diffs) == 2
    assert "numeric column gone missing on spark" in diffs
    assert any(d.startswith("column n: type BIGINT on duckdb vs DOUBLE on spark") for d in diffs)


# --------------------------------------------------------------------------- discovery


def _test_node(name: str, model: str, **kwargs) -> dict:
    return {
        "resource_type": "test",
        "config": {"enabled": True},
        "attached_node": model,
        "test_metadata": {"name": name, "kwargs": kwargs},
    }


def test_key_is_the_primary_key_constraint_else_a_unique_not_null_column_else_a_combination():
    model = "model.p.m"
    combination = _test_node("unique_combination_of_columns", model, combination_of_columns=["a", "b"])
    unique_c = _test_node("unique", model, column_name="c")
    not_null_c = _test_node("not_null", model, column_name="c")
    assert model_key({"columns": {}}, [combination]) == ("a", "b")
    assert model_key({"columns": {}}, [combination, unique_c]) == ("a", "b")  # unique without not_null
    assert model_key({"columns": {}}, [combination, unique_c, not_null_c]) == ("c",)
    # not_null of several columns in one test (macros/generic_tests/not_null_columns.sql)
    not_null_bc = _test_node("not_null_columns", model, column_names=["b", "c"])
    assert model_key({"columns": {}}, [combination, unique_c, not_null_bc]) == ("c",)
    node = {"constraints": [{"type": "primary_key", "columns": ["x", "y"]}], "columns": {}}
    assert model_key(node, [unique_c, not_null_c]) == ("x", "y")
    assert model_key({"columns": {}}, []) is None


def test_public_marts_are_discovered_from_the_manifest(tmp_path):
    def model(name: str, path: str, access: str) -> dict:
        return {
            "resource_type": "model",
            "name": name,
            "schema": "marts",
            "alias": name,
            "access": access,
            "original_file_path": path,
            "config": {"enabled": True},
            "columns": {},
        }

    nodes = {
        "model.p.kpi_x": model("kpi_x", "models/marts/kpi/kpi_x.sql", "public"),
        "model.p.int_y": model("int_y", "models/intermediate/int_y.sql", "public"),
        "model.p.fct_z": model("fct_z", "models/marts/core/fct_z.sql", "protected"),
        "test.p.u": _test_node("unique", "model.p.kpi_x", column_name="kpi_id"),
        "test.p.n": _test_node("not_null", "model.p.kpi_x", column_name="kpi_id"),
    }
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"nodes": nodes}))
    specs = public_models(manifest)
    assert [(s.name, s.relation, s.key) for s in specs] == [("kpi_x", "marts.kpi_x", ("kpi_id",))]
    nodes["model.p.kpi_w"] = model("kpi_w", "models/marts/kpi/kpi_w.sql", "public")
    manifest.write_text(json.dumps({"nodes": nodes}))
    with pytest.raises(Exception, match="no key for kpi_w"):
        public_models(manifest)


def test_spark_raw_files_hold_exactly_the_contract_columns_with_utc_timestamps(tiny_clean, tmp_path):
    import duckdb

    from gtm.load import _spark_select_sql, _validate

    plans, problems = _validate(tiny_clean.out_dir, ["salesforce"], True, None)
    assert not problems
    plan = next(p for p in plans if p.input.table.fqn == "salesforce.opportunity")
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        columns = con.execute(f"DESCRIBE {_spark_select_sql(plan)}").fetchall()
        expected = {c.name: c.type for c in plan.input.table.columns}
        assert [c[0] for c in columns] == list(expected)
        for name, type_, *_ in columns:
            wanted = "TIMESTAMP WITH TIME ZONE" if expected[name] == contract.TIMESTAMP else expected[name]
            assert type_ == wanted, name
        # the instant is unchanged: naive UTC in the raw file, the same instant as TIMESTAMPTZ
        raw_min = con.execute(f"SELECT min(created_date) FROM {plan.reader}").fetchone()[0]
        spark_min = con.execute(f"SELECT min(created_date) FROM ({_spark_select_sql(plan)})").fetchone()[0]
        assert spark_min.replace(tzinfo=None) == raw_min and spark_min.utcoffset().total_seconds() == 0
