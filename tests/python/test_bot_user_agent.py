"""is_bot_user_agent: substring searches of the var bot_user_agent_substrings (issue 11).

The integration tests check the flag against the generator's injected bot traffic; these pin the
macro itself: case, NULL, a custom list, and the clear errors for the var it replaced.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dbt_invoke import invoke_dbt

pytestmark = pytest.mark.integration

USER_AGENTS = [
    ("googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    ("headless", "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0 Safari/537.36"),
    ("curl", "curl/8.4.0"),
    ("python", "python-requests/2.31.0"),
    ("chrome", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36"),
    ("safari", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) Safari/605.1.15"),
    ("blank", ""),
    ("null", None),
]


def _flags_sql() -> str:
    rows = ", ".join(f"('{name}', {'null' if agent is None else repr(agent)})" for name, agent in USER_AGENTS)
    return (
        "select t.name, {{ is_bot_user_agent('t.user_agent') }} as is_bot "
        f"from (values {rows}) as t (name, user_agent)"
    )


def _flags(tmp_path: Path, *extra: str) -> dict[str, bool]:
    outcome = invoke_dbt(tmp_path, ["show", "--inline", _flags_sql(), "--limit", "-1", *extra])
    assert outcome.success, outcome.exception
    (result,) = outcome.result.results
    return {row["name"]: row["is_bot"] for row in result.agate_table}


def test_default_substrings_ignore_case_and_never_return_null(tmp_path: Path) -> None:
    assert _flags(tmp_path) == {
        "googlebot": True,
        "headless": True,
        "curl": True,
        "python": True,
        "chrome": False,
        "safari": False,
        "blank": False,
        "null": False,
    }


def test_custom_substrings_replace_the_default_list(tmp_path: Path) -> None:
    # upper-case entries match too (the macro lower-cases both sides); the default list is gone
    # (Googlebot is no bot now), and every browser agent naming Safari is one
    flags = _flags(tmp_path, "--vars", "{bot_user_agent_substrings: [SAFARI]}")
    assert {name for name, is_bot in flags.items() if is_bot} == {"headless", "chrome", "safari"}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ("{bot_user_agent_pattern: '(bot|spider)'}", "was replaced by bot_user_agent_substrings"),
        ("{bot_user_agent_substrings: bot}", "must be a non-empty list of substrings"),
        ("{bot_user_agent_substrings: []}", "must be a non-empty list of substrings"),
    ],
)
def test_misconfigured_vars_are_compile_errors(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], variables: str, message: str
) -> None:
    outcome = invoke_dbt(tmp_path, ["show", "--inline", _flags_sql(), "--vars", variables])
    assert not outcome.success
    assert message in capfd.readouterr().out
