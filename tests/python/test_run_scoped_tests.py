"""Run-scoped data tests (issue 11): after a fully tested run, the row-level and key tests of the
models marked `run_scoped_tests` check only the rows written since (gtm.tested_runs,
macros/tests_scope/run_scoped_tests.sql).

On the ``tiny`` sample: a full build records itself in `_gtm_build.tested_runs`; a row broken
before that run (an old row) is not looked at again unless GTM_TESTS_SINCE is cleared; a new row
that repeats an old key, or breaks a row-level rule, fails the scoped tests; a run of a selection
records nothing; the mart's link to int_web_sessions (run_scope_key visitor_key) checks the old
sessions of every visitor the parent rewrote, and only those; the identity graph's convergence
test checks the edges at the identifiers written since.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from gtm import tested_runs
from gtm.build import dbt_build
from gtm.errors import BuildError
from gtm.generate import generate
from gtm.load import load

AS_OF = date(2025, 12, 31)
PAGES = "staging.base_segment__pages"
# the staging view and the tests on it alone (cautious: not the tests that also read other models)
STAGED_TESTS = [
    *("--select", "stg_segment__pages", "--indirect-selection", "cautious"),
    *("--exclude-resource-type", "unit_test"),
]


def _recorded(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(f"select written_at, data_tests from {tested_runs.TABLE} order by written_at").fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    work = tmp_path_factory.mktemp("scoped")
    raw = work / "raw"
    generate(raw, scale="tiny", seed=42, as_of=AS_OF, progress=False)
    database = work / "warehouse.duckdb"
    load(raw, database, progress=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(work / "target"))
        patch.setenv("DBT_LOG_PATH", str(work / "logs"))
        patch.setenv("GTM_AS_OF_DATE", AS_OF.isoformat())
        patch.delenv(tested_runs.SINCE_ENV, raising=False)
        dbt_build(database, ["--exclude-resource-type", "unit_test"])
    return SimpleNamespace(work=work, database=database)


def _run_tests(built: SimpleNamespace, selection: list[str], since: str | None = None) -> None:
    """gtm build of `selection` on the built warehouse; GTM_TESTS_SINCE unset (None) or `since`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(built.work / "target"))
        patch.setenv("DBT_LOG_PATH", str(built.work / "logs"))
        patch.setenv("GTM_AS_OF_DATE", AS_OF.isoformat())
        if since is None:
            patch.delenv(tested_runs.SINCE_ENV, raising=False)
        else:
            patch.setenv(tested_runs.SINCE_ENV, since)
        dbt_build(built.database, selection)


def _test_staged_pages(built: SimpleNamespace, since: str | None = None) -> None:
    _run_tests(built, STAGED_TESTS, since)


def test_a_full_build_records_itself_and_marks_its_rows(built: SimpleNamespace) -> None:
    runs = _recorded(built.database)
    manifest = json.loads((built.work / "target" / "manifest.json").read_text())
    data_tests = sum(1 for n in manifest["nodes"].values() if n["resource_type"] == "test")
    assert len(runs) == 1
    assert runs[0][1] == data_tests > 500
    with duckdb.connect(str(built.database), read_only=True) as con:
        marks = con.execute(f"select distinct _written_at from {PAGES}").fetchall()
        sessions = con.execute("select distinct _written_at from intermediate.int_web_sessions").fetchall()
    assert marks == sessions == [(runs[0][0],)]


def test_scoped_tests_skip_old_rows_and_catch_new_ones(built: SimpleNamespace) -> None:
    (tested_at,) = _recorded(built.database)[0][:1]
    with duckdb.connect(str(built.database)) as con:
        # an old row broken behind the build's back: viewed_at is in not_null_columns
        old_id = con.execute(f"select min(page_view_id) from {PAGES} where _dq_status = 'staged'").fetchone()[0]
        con.execute(f"update {PAGES} set viewed_at = null where page_view_id = ?", [old_id])

    _test_staged_pages(built)  # scoped: the old row was tested by the recorded run
    assert len(_recorded(built.database)) == 1, "a run of a selection must not record itself"

    with pytest.raises(BuildError, match="not_null_columns_stg_segment__pages"):
        _test_staged_pages(built, since="")  # GTM_TESTS_SINCE empty: every row

    with duckdb.connect(str(built.database)) as con:
        con.execute(f"update {PAGES} set viewed_at = received_at where page_view_id = ?", [old_id])
        # a new row that repeats an old key: only the key test over the whole table sees it
        con.execute(
            f"insert into {PAGES} select * replace (cast(? as timestamp) + interval 1 second as _written_at) "
            f"from {PAGES} where page_view_id = ?",
            [tested_at, old_id],
        )
    with pytest.raises(BuildError) as failed:
        _test_staged_pages(built)
    assert re.search(r"unique_stg_segment__pages_page_view_id\.\w+: fail", str(failed.value))
    assert "1 of 5 nodes failed" in str(failed.value), "only the key test sees a repeated key"

    with duckdb.connect(str(built.database)) as con:
        con.execute(f"delete from {PAGES} where page_view_id = ? and _written_at > ?", [old_id, tested_at])
        # a new row that breaks a row-level rule
        con.execute(
            f"insert into {PAGES} select * replace ('scoped-test-new-row' as page_view_id, "
            f"null as viewed_at, cast(? as timestamp) + interval 1 second as _written_at) "
            f"from {PAGES} where page_view_id = ?",
            [tested_at, old_id],
        )
    with pytest.raises(BuildError, match="not_null_columns_stg_segment__pages"):
        _test_staged_pages(built)
    with duckdb.connect(str(built.database)) as con:
        con.execute(f"delete from {PAGES} where page_view_id = 'scoped-test-new-row'")
    _test_staged_pages(built)


# the mart's sessions against int_web_sessions: relationships_where with run_scope_key visitor_key
SESSION_LINK_TESTS = [
    *("--select", "fct_web_sessions,test_name:relationships_where"),
    *("--exclude-resource-type", "unit_test"),
]


def _test_session_links(built: SimpleNamespace, since: str | None = None) -> None:
    _run_tests(built, SESSION_LINK_TESTS, since)


def test_scoped_links_check_the_visitors_the_parent_rewrote(built: SimpleNamespace) -> None:
    (tested_at,) = _recorded(built.database)[0][:1]
    sessions = "intermediate.int_web_sessions"
    with duckdb.connect(str(built.database)) as con:
        assert con.execute("select distinct _written_at from marts.fct_web_sessions").fetchall() == [(tested_at,)]
        # two visitors with at least two counted sessions each: one session of each goes missing
        first, second = con.execute(
            f"select visitor_key from {sessions} where exclusion_reason is null "
            "group by visitor_key having count(*) >= 2 order by visitor_key limit 2"
        ).fetchall()
        saved = con.execute(
            f"select * from {sessions} where visitor_key in (?, ?) order by session_id", [first[0], second[0]]
        ).fetchall()

        def drop_one_session(con: duckdb.DuckDBPyConnection, visitor: str, rewrite_others: bool) -> None:
            gone = con.execute(
                f"select min(session_id) from {sessions} where visitor_key = ? and exclusion_reason is null",
                [visitor],
            ).fetchone()[0]
            con.execute(f"delete from {sessions} where session_id = ?", [gone])
            if rewrite_others:  # as replace_from does: the visitor's other sessions are written anew
                con.execute(
                    f"update {sessions} set _written_at = cast(? as timestamp) + interval 1 second "
                    "where visitor_key = ?",
                    [tested_at, visitor],
                )

        # a session deleted without a rewrite of its visitor breaks the premise: only a test of
        # every row sees it
        drop_one_session(con, first[0], rewrite_others=False)
    _test_session_links(built)
    with pytest.raises(BuildError, match="relationships_where_fct_web_sessions"):
        _test_session_links(built, since="")

    with duckdb.connect(str(built.database)) as con:
        # a visitor the parent rewrote: the mart's old sessions of that visitor are checked
        drop_one_session(con, second[0], rewrite_others=True)
    with pytest.raises(BuildError, match="relationships_where_fct_web_sessions_session_id"):
        _test_session_links(built)

    with duckdb.connect(str(built.database)) as con:
        con.execute(f"delete from {sessions} where visitor_key in (?, ?)", [first[0], second[0]])
        con.executemany(f"insert into {sessions} values ({', '.join('?' * len(saved[0]))})", saved)
    _test_session_links(built, since="")


CONVERGENCE_TEST = [
    *("--select", "assert_identity_components_converged"),
    *("--exclude-resource-type", "unit_test"),
]


def test_scoped_convergence_checks_the_edges_at_rewritten_identifiers(built: SimpleNamespace) -> None:
    (tested_at,) = _recorded(built.database)[0][:1]
    identifiers = "intermediate.int_identifiers_resolved"
    with duckdb.connect(str(built.database)) as con:
        assert con.execute(f"select distinct _written_at from {identifiers}").fetchall() == [(tested_at,)]
        # an identifier with an active edge, moved to a person of its own behind the build's back
        kind, value, person = con.execute(
            f"select i.identifier_type, i.identifier_value, i.person_id from {identifiers} as i "
            "join intermediate.int_identity_edges as e on e.is_active "
            "and e.left_type = i.identifier_type and e.left_value = i.identifier_value "
            "order by 1, 2 limit 1"
        ).fetchone()
        where = "identifier_type = ? and identifier_value = ?"
        con.execute(f"update {identifiers} set person_id = 'split-off' where {where}", [kind, value])
    _run_tests(built, CONVERGENCE_TEST)  # scoped: the row is older than the tested run
    with pytest.raises(BuildError, match="assert_identity_components_converged"):
        _run_tests(built, CONVERGENCE_TEST, since="")

    with duckdb.connect(str(built.database)) as con:
        # the same row as a run would write it: the scoped test sees its edges
        con.execute(
            f"update {identifiers} set _written_at = cast(? as timestamp) + interval 1 second where {where}",
            [tested_at, kind, value],
        )
    with pytest.raises(BuildError, match="assert_identity_components_converged"):
        _run_tests(built, CONVERGENCE_TEST)

    with duckdb.connect(str(built.database)) as con:
        con.execute(
            f"update {identifiers} set person_id = ?, _written_at = ? where {where}", [person, tested_at, kind, value]
        )
    _run_tests(built, CONVERGENCE_TEST, since="")


def test_project_checksum_covers_models_tests_and_vars(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text("name: x\n")
    model = tmp_path / "models" / "m.yml"
    model.write_text("models: []\n")
    first = tested_runs.project_checksum(root=tmp_path)
    assert tested_runs.project_checksum(root=tmp_path) == first
    assert tested_runs.project_checksum(["--vars", '{"a": 1}'], root=tmp_path) != first
    assert tested_runs.project_checksum(["--select", "x"], root=tmp_path) == first
    model.write_text("models: [{name: m}]\n")
    assert tested_runs.project_checksum(root=tmp_path) != first


def test_only_a_run_of_every_test_that_all_passed_counts(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "nodes": {
                    "test.p.a": {"unique_id": "test.p.a", "resource_type": "test", "config": {"enabled": True}},
                    "test.p.b": {"unique_id": "test.p.b", "resource_type": "test", "config": {"enabled": True}},
                    "model.p.m": {"unique_id": "model.p.m", "resource_type": "model", "config": {}},
                }
            }
        )
    )

    def result(unique_id: str, status: str) -> SimpleNamespace:
        return SimpleNamespace(node=SimpleNamespace(unique_id=unique_id), status=status)

    everything = [result("model.p.m", "success"), result("test.p.a", "pass"), result("test.p.b", "pass")]
    assert tested_runs.all_tests_passed(everything, manifest, []) == 2
    assert tested_runs.all_tests_passed(everything[:2], manifest, []) is None  # a test did not run
    assert tested_runs.all_tests_passed([*everything[:2], result("test.p.b", "warn")], manifest, []) is None
    assert tested_runs.all_tests_passed(everything, manifest, ["--empty"]) is None
    assert tested_runs.all_tests_passed(everything, manifest, ["--sample=3 days"]) is None
    assert tested_runs.all_tests_passed(everything, tmp_path / "missing.json", []) is None
