"""The dbt-side copy of the raw contract (macros/sources/raw_contract.sql) must match contract.py."""

from __future__ import annotations

import re

from gtm import codegen, contract


def test_raw_contract_macro_is_current():
    assert codegen.MACRO_PATH.read_text() == codegen.render_raw_contract(), (
        "macros/sources/raw_contract.sql is stale: run `python -m gtm.codegen`"
    )


def test_raw_contract_macro_lists_every_column_with_a_portable_type():
    text = codegen.render_raw_contract()
    for table in contract.TABLES:
        line = next(
            row
            for row in text.splitlines()
            if row.strip().startswith(f"'{table.name}':") and all(f"'{c.name}'" in row for c in table.columns)
        )
        pairs = re.findall(r"\['([^']+)', '([^']+)'\]", line)
        assert [name for name, _ in pairs] == table.column_names
        assert {t for _, t in pairs} <= set(codegen.PORTABLE_TYPE.values())


def test_check_mode_detects_a_stale_file(tmp_path, monkeypatch):
    stale = tmp_path / "raw_contract.sql"
    stale.write_text("old")
    monkeypatch.setattr(codegen, "MACRO_PATH", stale)
    assert codegen.main(["--check"]) == 1
    assert codegen.main([]) == 0
    assert codegen.main(["--check"]) == 0
