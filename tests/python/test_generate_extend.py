"""`gtm generate --extend-days` (issue 11): new days appended as part files, old files untouched.

Tiny scale; the build side (incremental == full refresh) is in test_incremental_integration.py.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from gtm.errors import BadInputError
from gtm.generate import generate
from gtm.generate.extend import EXTENDED_TABLES, extend

AS_OF = date(2025, 12, 31)


def _digests(raw: Path) -> dict[str, str]:
    return {
        str(p.relative_to(raw)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(raw.rglob("*.parquet"))
        if "truth" not in p.parts
    }


@pytest.fixture(scope="module")
def extended(tmp_path_factory) -> tuple[Path, dict[str, str], object]:
    raw = tmp_path_factory.mktemp("extend") / "raw"
    generate(raw, scale="tiny", seed=5, as_of=AS_OF, progress=False)
    before = _digests(raw)
    result = extend(raw, days=9, progress=False)
    return raw, before, result


def test_old_files_unchanged_and_one_part_per_table_and_day(extended) -> None:
    raw, before, result = extended
    after = _digests(raw)
    for name, digest in before.items():
        moved = name if name in after else name.replace(".parquet", "/part-00000.parquet")
        assert after[moved] == digest, name
    added = set(after) - {n if n in after else n.replace(".parquet", "/part-00000.parquet") for n in before}
    assert len(added) == 9 * len(EXTENDED_TABLES)
    assert result.as_of == date(2026, 1, 9)


def test_new_rows_fall_on_the_new_days_keys_unique_and_counted(extended) -> None:
    raw, _, result = extended
    summary = json.loads((raw / "truth" / "summary.json").read_text())
    assert summary["as_of_date"] == "2026-01-09"
    assert len(summary["extensions"]) == 9
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    pages = f"read_parquet('{raw}/segment/pages/*.parquet', union_by_name = true)"
    new = f"read_parquet('{raw}/segment/pages/part-ext-*.parquet')"
    # every page view id is unique, old and new
    total, distinct = con.execute(f"select count(*), count(distinct id) from {pages}").fetchone()
    assert total == distinct == summary["rows"]["segment.pages"]
    # new page views: on the new days, or late (one day before their copy's day) but loaded after the old as_of
    first, last, loaded = con.execute(
        f"select min(cast(timestamp as date)), max(cast(timestamp as date)), min(uuid_ts) from {new}"
    ).fetchone()
    assert first >= AS_OF and last <= date(2026, 1, 9)
    assert loaded.date() > AS_OF
    late = f"select count(*) from {new} where uuid_ts > timestamp + interval 20 hour"
    # each day is a new load: its rows are loaded after every row loaded before (the incremental base
    # models pick up what was loaded after the latest load time they hold)
    for table, column in (("segment/pages", "uuid_ts"), ("hubspot/email_event", "_fivetran_synced")):
        overlaps = con.execute(
            f"select count(*) from read_parquet('{raw}/{table}/part-ext-*.parquet', filename = true) as new "
            f"where new.{column} <= (select max(old.{column}) from read_parquet('{raw}/{table}/*.parquet', "
            f"filename = true) as old where old.filename < new.filename)"
        ).fetchone()[0]
        assert overlaps == 0, f"{table}: {overlaps} new rows loaded no later than an earlier load"
    assert con.execute(late).fetchone()[0] > 0, "some copied page views should arrive a day late"
    assert result.rows["segment.pages"] == con.execute(f"select count(*) from {new}").fetchone()[0]
    # ad stats: one row per campaign and day still (dates moved, no duplicates)
    stats = f"read_parquet('{raw}/google_ads/campaign_stats/*.parquet')"
    rows, keys = con.execute(f"select count(*), count(distinct (id, date)) from {stats}").fetchone()
    assert rows == keys
    # fx rates exist for every new day
    fx_days = con.execute(
        f"select count(distinct rate_date) from read_parquet('{raw}/finance/fx_rate/*.parquet') where rate_date > ?",
        [AS_OF],
    ).fetchone()[0]
    assert fx_days == 9


def test_deterministic_and_refuses_a_day_twice(extended, tmp_path: Path) -> None:
    raw, _, _ = extended
    again = tmp_path / "raw"
    generate(again, scale="tiny", seed=5, as_of=AS_OF, progress=False)
    extend(again, days=9, progress=False)
    assert _digests(again) == _digests(raw)
    copy = tmp_path / "copy"
    shutil.copytree(again, copy)
    (copy / "truth" / "summary.json").write_text(
        (copy / "truth" / "summary.json").read_text().replace('"2026-01-09"', '"2026-01-08"')
    )
    with pytest.raises(BadInputError, match="extended"):
        extend(copy, days=1, progress=False)
