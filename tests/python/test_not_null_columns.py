"""The project's not_null_columns test: dbt's not_null for several columns in one scan (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbt_invoke import invoke_dbt

pytestmark = pytest.mark.integration

# a: no NULL; b: one NULL; c: two NULLs; d: all NULL
ROWS = "(values (1, 'x', 1.0, cast(null as integer)), (2, null, null, null), (3, 'z', null, null)) as t (a, b, c, d)"
MODEL = f"(select * from {ROWS}) as model"
EMPTY = f"(select * from {ROWS} where a > 9) as model"


def test_one_row_per_column_with_nulls_and_its_count(tmp_path: Path) -> None:
    # three cases in one dbt invocation (each parses the project)
    cases = {
        "all": f"{{{{ test_not_null_columns(\"{MODEL}\", ['a', 'b', 'c', 'd']) }}}}",
        "no_nulls": f"{{{{ test_not_null_columns(\"{MODEL}\", ['a']) }}}}",
        "empty_model": f"{{{{ test_not_null_columns(\"{EMPTY}\", ['a', 'b']) }}}}",
    }
    sql = " union all ".join(
        f"select '{name}' as test_case, * from ({case}) as case_{name}" for name, case in cases.items()
    )
    outcome = invoke_dbt(tmp_path, ["show", "--inline", sql, "--limit", "-1"])
    assert outcome.success, outcome.exception
    (result,) = outcome.result.results
    rows = sorted(tuple(row.values()) for row in result.agate_table)
    # a passes, the empty model passes; b, c and d fail with their NULL counts
    assert rows == [("all", "b", 1), ("all", "c", 2), ("all", "d", 3)]


def test_column_names_must_be_a_list(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    outcome = invoke_dbt(tmp_path, ["show", "--inline", f"{{{{ test_not_null_columns(\"{MODEL}\", 'a') }}}}"])
    assert not outcome.success
    assert "column_names must be a non-empty list of column names" in capfd.readouterr().out
