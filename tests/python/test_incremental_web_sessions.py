"""The incremental fct_web_sessions rewrites the visitors a day affects like a full refresh (issue 11).

`fct_web_sessions` is incremental on DuckDB (strategy `replace_keys` on `visitor_key`). The
daily-extension test runs on a clean sample, where these two cases hardly happen; this one makes
them happen on a tiny sample, on top of a one-day extension:

* a late office-network page view joins the only session of a visitor: the session becomes
  internal, the visitor has no counted session left, and a key marker must delete its row;
* an identify links a device last seen before the lookback window to a known user: its old
  sessions must get that user's person (re-stitching without any new page view).

After the incremental run, `int_web_sessions`, `fct_web_sessions` and `dim_people` must equal a
full build of the same raw data.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from gtm.build import dbt_build
from gtm.generate import generate
from gtm.generate.extend import extend
from gtm.load import load
from warehouse_diff import ran_incrementally, relation_differences

pytestmark = pytest.mark.integration

AS_OF = date(2025, 12, 31)
SELECT = ["--indirect-selection", "cautious", "--select", "+fct_web_sessions", "+dim_people"]
COMPARED = [("intermediate", "int_web_sessions"), ("marts", "fct_web_sessions"), ("marts", "dim_people")]


def _build(database: Path, work: Path, as_of: date) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(work / "target"))
        patch.setenv("DBT_LOG_PATH", str(work / "logs"))
        dbt_build(database, ["--vars", json.dumps({"as_of_date": as_of.isoformat()}), *SELECT])


def _late_rows(raw: Path, built: Path) -> tuple[str, str, str]:
    """Write the late page view and the late identify; return (internal visitor, its session,
    re-stitched visitor)."""
    pages, identifies = raw / "segment" / "pages", raw / "segment" / "identifies"
    with duckdb.connect() as con:
        con.execute(f"attach '{built}' as built (read_only)")
        con.execute(f"create view pages as select * from read_parquet('{pages}/*.parquet')")
        con.execute(f"create view identifies as select * from read_parquet('{identifies}/*.parquet')")
        # a visitor with one counted session, ending two days or less before the latest one,
        # and no page view after it (the extension included)
        visitor, session, ended = con.execute(
            """
            select s.anonymous_id, any_value(s.session_id), max(s.ended_at)
            from built.marts.fct_web_sessions as s
            where s.anonymous_id is not null
            group by s.anonymous_id
            having
                count(*) = 1
                and max(s.ended_at) >= (select max(ended_at) - interval 2 day from built.marts.fct_web_sessions)
                and not exists (
                    select 1 from pages as p where p.anonymous_id = s.anonymous_id and p.timestamp > max(s.ended_at)
                )
            order by s.anonymous_id
            limit 1
            """
        ).fetchone()
        # a never-identified device last seen more than five days before the latest session
        stitched = con.execute(
            """
            select s.anonymous_id
            from built.marts.fct_web_sessions as s
            where s.anonymous_id is not null
            group by s.anonymous_id
            having
                count(s.person_id) = 0 and count(s.user_id) = 0
                and max(s.ended_at) < (select max(ended_at) - interval 5 day from built.marts.fct_web_sessions)
            order by s.anonymous_id
            limit 1
            """
        ).fetchone()[0]
        later = "(select max(uuid_ts) from pages) + interval 2 second"
        con.execute(
            f"""
            copy (
                select * replace (
                    'late-internal-page-view' as id,
                    timestamp '{ended}' + interval 1 minute as timestamp,
                    timestamp '{ended}' + interval 1 minute as received_at,
                    '10.20.0.7' as context_ip,
                    {later} as uuid_ts
                )
                from pages where anonymous_id = '{visitor}' order by timestamp desc limit 1
            ) to '{pages}/part-late.parquet' (format parquet)
            """
        )
        con.execute(
            f"""
            copy (
                select * replace (
                    'late-identify' as id,
                    '{stitched}' as anonymous_id,
                    timestamp '{AS_OF + timedelta(days=1)} 12:00:00' as timestamp,
                    timestamp '{AS_OF + timedelta(days=1)} 12:00:00' as received_at,
                    (select max(uuid_ts) from identifies) + interval 2 second as uuid_ts
                )
                from identifies where nullif(trim(user_id), '') is not null order by id limit 1
            ) to '{identifies}/part-late.parquet' (format parquet)
            """
        )
    return visitor, session, stitched


def test_incremental_web_sessions_key_markers_and_restitching(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    generate(raw, scale="tiny", seed=3, as_of=AS_OF, progress=False)

    incremental_db = tmp_path / "incremental" / "warehouse.duckdb"
    incremental_db.parent.mkdir()
    load(raw, incremental_db, progress=False)
    _build(incremental_db, tmp_path / "incremental", AS_OF)

    extend(raw, days=1, progress=False)
    visitor, session, stitched = _late_rows(raw, incremental_db)
    new_day = AS_OF + timedelta(days=1)
    load(raw, incremental_db, progress=False)
    _build(incremental_db, tmp_path / "incremental", new_day)
    assert ran_incrementally(tmp_path / "incremental" / "target", "fct_web_sessions")

    with duckdb.connect(str(incremental_db), read_only=True) as con:
        # the late page view made the visitor's only session internal: no row left in the mart
        assert con.execute(
            "select exclusion_reason, pageviews > 1 from intermediate.int_web_sessions where anonymous_id = ?",
            [visitor],
        ).fetchall() == [("internal", True)]
        assert con.execute(
            "select count(*) from marts.fct_web_sessions where visitor_key = ? or session_id = ?", [visitor, session]
        ).fetchone() == (0,)
        # the device's old sessions now have the identified user's person
        people = con.execute(
            "select count(*), count(person_id), count(distinct person_id) from marts.fct_web_sessions "
            "where anonymous_id = ?",
            [stitched],
        ).fetchone()
        assert people[0] > 0 and people[1] == people[0] and people[2] == 1, people

    full_db = tmp_path / "full" / "warehouse.duckdb"
    full_db.parent.mkdir()
    load(raw, full_db, progress=False)
    _build(full_db, tmp_path / "full", new_day)

    found = relation_differences(incremental_db, full_db, COMPARED)
    print("\n".join(f"{name}: {v[0]:,} rows, {v[1]} / {v[2]} different" for name, v in found.items()))
    assert not {n: v for n, v in found.items() if v[1] or v[2]}, f"incremental != full refresh: {found}"
