"""The project's DuckDB versions of the `unique` and `unique_combination_of_columns` tests return what
the portable ones do (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbt_invoke import invoke_dbt

pytestmark = pytest.mark.integration

VALUES = "(select * from (values ('a'), ('a'), ('b'), (null), (null), ('c'), ('c'), ('c')) as t (v)) as model"


def _show(tmp: Path, sql: str) -> tuple[list[tuple], str]:
    """Rows (sorted; NULLs allowed) and compiled SQL of an inline query."""
    outcome = invoke_dbt(tmp, ["show", "--inline", sql, "--limit", "-1"])
    assert outcome.success, outcome.exception
    (result,) = outcome.result.results
    return sorted((tuple(row.values()) for row in result.agate_table), key=repr), result.node.compiled_code


def test_unique_finds_every_repeated_value_and_only_those(tmp_path: Path) -> None:
    ours, sql = _show(tmp_path, f'{{{{ test_unique("{VALUES}", "v") }}}}')
    assert "value_hash" in sql, "dbt's unique test should dispatch to the project's DuckDB version"
    dbts, _ = _show(tmp_path, f'{{{{ dbt.default__test_unique("{VALUES}", "v") }}}}')
    # 'a' twice, 'c' three times; NULLs and the single 'b' are not repeats
    assert ours == dbts == [("a", 2), ("c", 3)]


# (a, b) combinations: (1, 'x') twice, (NULL, 'y') twice, (NULL, NULL) three times; (1, 'y'),
# (2, 'x') and (NULL, 'x') once
PAIRS = (
    "(select * from (values (1, 'x'), (1, 'x'), (1, 'y'), (2, 'x'), (null, 'y'), (null, 'y'),"
    " (null, 'x'), (null, null), (null, null), (null, null)) as t (a, b)) as model"
)


def test_unique_combination_finds_every_repeated_combination_nulls_included(tmp_path: Path) -> None:
    cases = {
        "ours": f"{{{{ test_unique_combination_of_columns(\"{PAIRS}\", ['a', 'b']) }}}}",
        "portable": f"{{{{ default__test_unique_combination_of_columns(\"{PAIRS}\", ['a', 'b']) }}}}",
    }
    sql = " union all ".join(
        f"select '{name}' as test_case, * from ({case}) as case_{name}" for name, case in cases.items()
    )
    rows, compiled = _show(tmp_path, sql)
    assert "value_hash" in compiled, "the combination test should dispatch to the project's DuckDB version"
    expected = [(1, "x", 2), (None, None, 3), (None, "y", 2)]
    by_case = {name: [row[1:] for row in rows if row[0] == name] for name in cases}
    assert by_case == {"ours": sorted(expected, key=repr), "portable": sorted(expected, key=repr)}
