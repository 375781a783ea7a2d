"""The project's DuckDB version of dbt's `unique` test returns what dbt's own does (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbt_invoke import invoke_dbt

pytestmark = pytest.mark.integration

VALUES = "(select * from (values ('a'), ('a'), ('b'), (null), (null), ('c'), ('c'), ('c')) as t (v)) as model"


def _show(tmp: Path, sql: str) -> tuple[list[tuple], str]:
    """Rows and compiled SQL of an inline query."""
    outcome = invoke_dbt(tmp, ["show", "--inline", sql, "--limit", "-1"])
    assert outcome.success, outcome.exception
    (result,) = outcome.result.results
    return sorted(tuple(row.values()) for row in result.agate_table), result.node.compiled_code


def test_unique_finds_every_repeated_value_and_only_those(tmp_path: Path) -> None:
    ours, sql = _show(tmp_path, f'{{{{ test_unique("{VALUES}", "v") }}}}')
    assert "value_hash" in sql, "dbt's unique test should dispatch to the project's DuckDB version"
    dbts, _ = _show(tmp_path, f'{{{{ dbt.default__test_unique("{VALUES}", "v") }}}}')
    # 'a' twice, 'c' three times; NULLs and the single 'b' are not repeats
    assert ours == dbts == [("a", 2), ("c", 3)]
