"""The dbt sources YAML and the raw source contract (gtm.contract) must not drift apart.

For every source in the contract there is models/staging/<source>/_<source>__sources.yml
declaring exactly the contract's tables and columns, the contract's loaded_at column for
freshness, and a key test for the contract's primary key.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from gtm import contract
from gtm.paths import PROJECT_ROOT

STAGING = PROJECT_ROOT / "models" / "staging"


def _sources_file(source: str) -> Path:
    return STAGING / source / f"_{source}__sources.yml"


@cache
def _load_source(source: str) -> dict:
    path = _sources_file(source)
    assert path.is_file(), f"missing {path.relative_to(PROJECT_ROOT)}"
    doc = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    matches = [s for s in doc.get("sources") or [] if s.get("name") == source]
    assert len(matches) == 1, f"{path.name} must declare source {source!r} exactly once"
    return matches[0]


def _tables(source: str) -> dict[str, dict]:
    return {t["name"]: t for t in _load_source(source).get("tables") or []}


def _test_name_and_args(test: str | dict) -> tuple[str, dict]:
    """A dbt test entry is either a name or {name: {arguments: {...}, config: {...}}}."""
    if isinstance(test, str):
        return test, {}
    ((name, body),) = test.items()
    body = body or {}
    args = dict(body.get("arguments") or {})
    # older spelling: arguments inline next to config
    args.update({k: v for k, v in body.items() if k not in ("arguments", "config", "description", "name")})
    return name, args


def _column_tests(table: dict, column: str) -> set[str]:
    for col in table.get("columns") or []:
        if col["name"] == column:
            return {_test_name_and_args(t)[0] for t in col.get("data_tests") or col.get("tests") or []}
    return set()


def _combination_tests(table: dict) -> list[set[str]]:
    found = []
    for test in table.get("data_tests") or table.get("tests") or []:
        name, args = _test_name_and_args(test)
        if name.split(".")[-1] == "unique_combination_of_columns":
            found.append(set(args.get("combination_of_columns") or []))
    return found


def test_every_source_has_a_sources_file_and_no_stray_ones():
    expected = {_sources_file(s) for s in contract.SOURCES}
    found = set(STAGING.glob("*/_*__sources.yml"))
    assert found == expected


@pytest.mark.parametrize("source", contract.SOURCES)
def test_source_schema_and_enabled_vars(source):
    declared = _load_source(source)
    assert declared.get("schema") == f"{{{{ var('{source}_schema', '{source}') }}}}"
    enabled = (declared.get("config") or {}).get("enabled")
    if source in contract.REQUIRED_SOURCES:
        assert enabled is None, f"{source} is mandatory and must not be switchable off"
    else:
        assert enabled == f"{{{{ var('{source}_enabled', true) }}}}"


@pytest.mark.parametrize("source", contract.SOURCES)
def test_tables_match_contract(source):
    assert set(_tables(source)) == {t.name for t in contract.tables_of(source)}


@pytest.mark.parametrize("table", contract.TABLES, ids=lambda t: t.fqn)
def test_columns_match_contract(table):
    declared = _tables(table.source)[table.name]
    names = [c["name"] for c in declared.get("columns") or []]
    assert len(names) == len(set(names)), f"{table.fqn}: a column is declared twice"
    assert set(names) == set(table.column_names)
    missing_docs = [c["name"] for c in declared["columns"] if not (c.get("description") or "").strip()]
    assert not missing_docs, f"{table.fqn}: columns without a description: {missing_docs}"
    assert (declared.get("description") or "").strip(), f"{table.fqn}: table without a description"


@pytest.mark.parametrize("table", contract.TABLES, ids=lambda t: t.fqn)
def test_loaded_at_field_matches_contract(table):
    source = _load_source(table.source)
    declared = _tables(table.source)[table.name]
    # the table's setting wins over the source's, in either spelling (config or top level)
    candidates = [
        (declared.get("config") or {}).get("loaded_at_field"),
        declared.get("loaded_at_field"),
        (source.get("config") or {}).get("loaded_at_field"),
        source.get("loaded_at_field"),
    ]
    effective = next((c for c in candidates if c), None)
    assert effective == table.loaded_at


@pytest.mark.parametrize("table", contract.TABLES, ids=lambda t: t.fqn)
def test_primary_key_is_tested(table):
    declared = _tables(table.source)[table.name]
    if len(table.primary_key) == 1:
        (key,) = table.primary_key
        tests = _column_tests(declared, key)
        if table.at_least_once:
            # repeats are normal in an event stream: counted by dq_source_reconciliation, not a
            # source test that would warn on every load and hold the base model back
            assert "not_null" in tests, f"{table.fqn}.{key}: needs not_null"
            assert "unique" not in tests, f"{table.fqn}.{key}: at-least-once stream, no source unique test"
        else:
            assert {"unique", "not_null"} <= tests, f"{table.fqn}.{key}: needs unique + not_null"
    else:
        assert set(table.primary_key) in _combination_tests(declared), (
            f"{table.fqn}: needs unique_combination_of_columns on {list(table.primary_key)}"
        )
