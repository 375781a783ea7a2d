"""Models are portable SQL: no DuckDB-only syntax outside dispatched macros (CONTRIBUTING.md).

The same models build on DuckDB and on Spark (dbt-spark), so engine-specific SQL lives in an
`adapter.dispatch` macro with a default__/duckdb__ and a spark__ version (macros/portable/).
This test greps every model file (comments removed) for syntax that only DuckDB understands,
and names the file, line and the portable alternative.
"""

from __future__ import annotations

import re

import pytest

from gtm.paths import PROJECT_ROOT

MODELS = PROJECT_ROOT / "models"

# (pattern, why / what to use instead). Case-insensitive; matched outside comments.
FORBIDDEN: list[tuple[str, str]] = [
    (r"::", "`::` casts: use cast(x as type) or dbt.safe_cast"),
    (r"\bqualify\b", "QUALIFY: filter a row_number() in an outer query"),
    (r"\bgroup\s+by\s+all\b", "GROUP BY ALL: list the columns"),
    (r"\bselect\s+\*\s*(exclude|replace)\b|\*\s+exclude\s*\(", "SELECT * EXCLUDE/REPLACE: list the columns"),
    (r"\blist_\w+\s*\(|\blist_value\s*\(|\blist\s*\(", "DuckDB list functions: use a dispatched macro"),
    (
        r"\barray_agg\s*\(|\bstring_agg\s*\(|\bstring_split\w*\s*\(|\bstr_split\w*\s*\(",
        "DuckDB array/string aggregates: use a dispatched macro (or dbt.listagg)",
    ),
    (
        r"\bunnest\s*\(|\bgenerate_series\s*\(|\brange\s*\(",
        "DuckDB table functions: use dbt.date_spine or a dispatched macro",
    ),
    (
        r"\bregexp_(matches|full_match|extract_all|split_to_\w+)\s*\(",
        "DuckDB regex functions: use regex_matches / regex_extract / regex_replace",
    ),
    (
        r"\bregexp_replace\s*\(",
        "regexp_replace differs (DuckDB replaces the first match only without 'g'): use regex_replace",
    ),
    (
        r"\bepoch(_ms|_us|_ns)?\s*\(|\bmake_timestamp\w*\s*\(|\bstrftime\s*\(|\bstrptime\s*\(|\bage\s*\(",
        "DuckDB date/time functions: use dbt.dateadd / dbt.datediff / dbt.date_trunc or epoch_microseconds",
    ),
    (
        r"\bdate_diff\s*\(|\bdate_add\s*\(|\bdate_sub\s*\(|\bdatediff\s*\(|\bdateadd\s*\(",
        "engine date arithmetic: use dbt.dateadd / dbt.datediff (portable, same semantics)",
    ),
    (r"\binterval\s+'?\d", "interval literals differ between engines: use dbt.dateadd"),
    (
        r"\barg_(min|max)\s*\(|\bmin_by\s*\(|\bmax_by\s*\(",
        "arg_min/min_by: use value_at_min / value_at_max or a dispatched macro",
    ),
    (r"\bisnan\s*\(", "isnan: use nan_to_null"),
    (
        r"(?<![\w.])[lr]?trim\s*\(",
        "trim removes Unicode spaces on DuckDB, spaces only on Spark: use trim_spaces / blank_to_null",
    ),
    (r"\bignore\s+nulls\b", "IGNORE NULLS syntax differs: use first_value_ignore_nulls / last_value_ignore_nulls"),
    (r"\bread_(parquet|csv|json)\w*\s*\(", "DuckDB file readers: read raw data through gtm_source()/source()"),
    (r"\bstruct_pack\s*\(|\{\s*'\w+'\s*:", "DuckDB struct literals: not portable"),
    (r"\bilike\b|!~~|~~\*?|\bsimilar\s+to\b", "DuckDB pattern operators: use lower(x) like ... or regex_matches"),
    (r"\bvarchar\b|\btext\b\s*\)", "varchar/text types: Spark requires a length; use dbt.type_string() (or string)"),
    (r"\bhugeint\b|\bubigint\b|\butinyint\b|\buinteger\b", "DuckDB-only integer types: use bigint or decimal(38, 0)"),
    (r"\bdouble\s+precision\b|\bfloat8\b|\bfloat4\b", "engine type names: use double"),
]

_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_JINJA_STATEMENT = re.compile(r"\{%.*?%\}", re.S)  # control flow (for i in range(n)), not SQL
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_LINE_COMMENT = re.compile(r"--[^\n]*")
_STRING = re.compile(r"'(?:[^']|'')*'")


def _code(text: str) -> str:
    """The model without comments, Jinja statements and string literals (same line numbers)."""

    def blank(match: re.Match) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    for pattern in (_JINJA_COMMENT, _JINJA_STATEMENT, _BLOCK_COMMENT, _LINE_COMMENT):
        text = pattern.sub(blank, text)
    return _STRING.sub(lambda m: "'" + " " * (len(m.group(0)) - 2) + "'", text)


def violations(text: str) -> list[tuple[int, str, str]]:
    """(line, matched text, advice) for every DuckDB-only construct in a model's SQL."""
    code = _code(text)
    found = []
    for pattern, advice in FORBIDDEN:
        for match in re.finditer(pattern, code, re.I):
            if match.start() > 0 and code[match.start() - 1] == ".":
                continue  # a macro namespace (dbt.dateadd) or a qualified column, not the function
            line = code.count("\n", 0, match.start()) + 1
            found.append((line, match.group(0).strip(), advice))
    return sorted(found)


def test_no_duckdb_only_syntax_in_models():
    problems = []
    for path in sorted(MODELS.rglob("*.sql")):
        for line, matched, advice in violations(path.read_text()):
            problems.append(f"{path.relative_to(PROJECT_ROOT)}:{line}: {matched!r}: {advice}")
    assert not problems, "DuckDB-only SQL in models (see CONTRIBUTING.md):\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "sql",
    [
        "select x::bigint from t",
        "select * from t qualify row_number() over (partition by a order by b) = 1",
        "select list_contains(tags, 'a') from t",
        "select a, count(*) from t group by all",
        "select * exclude (a) from t",
        "select date_diff('day', a, b) from t",
        "select a + interval 1 day from t",
        "select cast(a as varchar) from t",
        "select arg_min(a, b) from t",
        "select regexp_matches(a, 'x') from t",
    ],
)
def test_the_check_catches_duckdb_only_syntax(sql):
    assert violations(sql)


def test_the_check_ignores_comments_strings_and_jinja_comments():
    sql = """
    -- a comment may say x::bigint or QUALIFY
    {# so may a jinja comment: list_value(1) #}
    /* and a block comment: group by all */
    select 'a::b', {{ dbt.dateadd('day', 1, 'created_at') }} as due_at from t
    """
    assert violations(sql) == []
