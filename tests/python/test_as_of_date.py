"""The build's as_of_date: --vars, else GTM_AS_OF_DATE, else the project default; a new date in
the environment keeps dbt's partial parsing (issue 11: a daily run no longer parses the whole
project again because the date moved)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dbt_invoke import invoke_dbt
from gtm.check import project_as_of
from gtm.errors import BadInputError
from gtm.paths import AS_OF_ENV

pytestmark = pytest.mark.integration

INLINE = "select '{{ as_of_date() }}' as as_of"


def _dbt(tmp: Path, args: list[str], env_value: str | None) -> tuple[object, list[str]]:
    """Invoke dbt with the date in the environment (or none); return the outcome and the reasons
    dbt gave for a full re-parse."""
    reparse: list[str] = []

    def listen(event) -> None:
        if event.info.name == "UnableToPartialParse":
            reparse.append(event.data.reason)

    return invoke_dbt(tmp, args, {AS_OF_ENV: env_value}, callbacks=[listen]), reparse


def _compiled(tmp: Path, env_value: str | None, *extra: str) -> str:
    outcome, _ = _dbt(tmp, ["compile", "--inline", INLINE, *extra], env_value)
    assert outcome.success, outcome.exception
    return outcome.result.results[0].node.compiled_code


def test_as_of_date_precedence_and_partial_parsing(tmp_path: Path) -> None:
    # nothing given: the project default
    assert "'2025-12-31'" in _compiled(tmp_path, None)
    # the environment variable; the first parse was saved, a new date keeps it
    assert "'2026-02-03'" in _compiled(tmp_path, "2026-02-03")
    outcome, reparse = _dbt(tmp_path, ["parse"], "2026-02-04")
    assert outcome.success and reparse == [], reparse
    # --vars wins over the environment (and unit tests' var overrides therefore too)
    assert "'2026-05-06'" in _compiled(tmp_path, "2026-02-03", "--vars", "{as_of_date: '2026-05-06'}")
    # ... but a new value in --vars makes dbt parse everything again: why the environment exists
    outcome, reparse = _dbt(tmp_path, ["parse", "--vars", "{as_of_date: '2026-05-07'}"], None)
    assert outcome.success and reparse, "dbt should have re-parsed the project for new --vars"


def test_a_malformed_as_of_date_is_a_clear_error(tmp_path: Path) -> None:
    outcome, _ = _dbt(tmp_path, ["compile", "--inline", INLINE], "31/12/2025")
    assert not outcome.success
    assert "as_of_date must be a date as YYYY-MM-DD" in str(outcome.exception or outcome.result)


def test_checks_and_report_default_to_the_same_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(AS_OF_ENV, raising=False)
    assert project_as_of() == date(2025, 12, 31)
    monkeypatch.setenv(AS_OF_ENV, "2026-01-07")
    assert project_as_of() == date(2026, 1, 7)
    monkeypatch.setenv(AS_OF_ENV, "soon")
    with pytest.raises(BadInputError, match="GTM_AS_OF_DATE must be a date"):
        project_as_of()
