"""The incremental base models re-classify re-deliveries like a full refresh does (issue 11).

The base models of the event streams (`base_segment__pages`, `base_segment__tracks`,
`base_segment__identifies`, `base_hubspot__email_event`) and of the CRM snapshots (here
`base_salesforce__lead`, `base_salesforce__task`, `base_salesforce__contact`,
`base_salesforce__event`, and `base_hubspot__contact_property_history`, re-classified per
contact) are incremental: a run classifies the
rows loaded after the latest load time they hold, plus every other delivery of those rows' keys
(dq_source_rows); in the two largest only keys delivered more than once go through the
dedupe window (dq_split_by_delivery). The daily-extension test runs on a clean sample; this one makes the
next day dirty on purpose, on top of a dirty tiny sample:

* rows already built, delivered again with a later load time and new content: the new delivery
  must be staged and the old one become a duplicate;
* rows delivered again with a timestamp far in the future: quarantined, the old delivery stays;
* rows without a key.

After the incremental run, the base and staging models, `dq_rejected_rows` and
`dq_source_reconciliation` (every raw row accounted for, its test part of the build) must equal
a full build of the same raw data.
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
SELECT = [  # the data-quality chain only; tests whose other parents are not built are left out
    "--indirect-selection",
    "cautious",
    "--select",
    "+dq_source_reconciliation",
    "+dq_rejected_rows",
    "stg_segment__pages",
    "stg_segment__tracks",
    "stg_segment__identifies",
    "stg_hubspot__email_events",
    "stg_salesforce__leads",
    "stg_salesforce__tasks",
]
# base model: (raw folder, key column, load-time column, column given new content, event-time column)
TABLES = {
    "base_segment__pages": ("segment/pages", "id", "uuid_ts", "title", "timestamp"),
    "base_segment__tracks": ("segment/tracks", "id", "uuid_ts", "event_text", "timestamp"),
    "base_segment__identifies": ("segment/identifies", "id", "uuid_ts", "company", "timestamp"),
    "base_hubspot__email_event": ("hubspot/email_event", "id", "_fivetran_synced", "url", "created"),
    # CRM snapshots (a sync delivers changed records again): the extension leaves them unchanged
    "base_salesforce__lead": ("salesforce/lead", "id", "_fivetran_synced", "company", "created_date"),
    "base_salesforce__task": ("salesforce/task", "id", "_fivetran_synced", "subject", "created_date"),
    "base_salesforce__contact": ("salesforce/contact", "id", "_fivetran_synced", "title", "created_date"),
    "base_salesforce__event": ("salesforce/event", "id", "_fivetran_synced", "subject", "created_date"),
    # keyed by (contact, property, time) and re-classified per contact: the picked contacts have one row
    "base_hubspot__contact_property_history": (
        "hubspot/contact_property_history",
        "contact_id",
        "_fivetran_synced",
        "value",
        "timestamp",
    ),
}
# the key a keyless row gets: blank for text keys, NULL for integer ones
KEYLESS_VALUE = {"base_hubspot__contact_property_history": "null"}
# base model: (key, the changed column as staged)
STAGED = {
    "base_segment__pages": ("page_view_id", "title"),
    "base_segment__tracks": ("track_id", "event_text"),
    "base_segment__identifies": ("identify_id", "company"),
    "base_hubspot__email_event": ("email_event_id", "url"),
    "base_salesforce__lead": ("lead_id", "company"),
    "base_salesforce__task": ("task_id", "subject"),
    "base_salesforce__contact": ("contact_id", "title"),
    "base_salesforce__event": ("event_id", "subject"),
    "base_hubspot__contact_property_history": ("contact_id", "property_value"),
}
COMPARED = [
    *(("staging", model) for model in TABLES),
    ("staging", "stg_segment__pages"),
    ("staging", "stg_segment__tracks"),
    ("staging", "stg_segment__identifies"),
    ("staging", "stg_hubspot__email_events"),
    ("staging", "stg_salesforce__leads"),
    ("staging", "stg_salesforce__tasks"),
    ("marts", "dq_rejected_rows"),
    ("marts", "dq_source_reconciliation"),
]
REDELIVERED, FUTURE, KEYLESS = 25, 5, 4


def _build(database: Path, work: Path, as_of: date) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(work / "target"))
        patch.setenv("DBT_LOG_PATH", str(work / "logs"))
        dbt_build(database, ["--vars", json.dumps({"as_of_date": as_of.isoformat()}), *SELECT])


def _redeliver(raw: Path) -> dict[str, list[str]]:
    """Write a dirty part file per table; return the keys re-delivered with new content."""
    keys = {}
    with duckdb.connect() as con:
        for model, (folder, key, loaded, changed, event_time) in TABLES.items():
            single = raw / f"{folder}.parquet"
            if single.exists():  # a table the extension left as one file: a folder of parts, as gtm load reads
                (raw / folder).mkdir()
                single.rename(raw / folder / "part-00000.parquet")
            parts = f"'{raw / folder}/*.parquet'"
            con.execute(f"create or replace view t as select * from read_parquet({parts})")
            later = f"(select max({loaded}) from t) + interval 2 second"
            # the first part file is the original sample: its keys were built on day 1
            day_one = f"read_parquet('{raw / folder}/part-00000.parquet')"
            picked = f"""
                select * from {day_one}
                where
                    nullif(trim(cast({key} as varchar)), '') is not null
                    and {event_time} < '{AS_OF + timedelta(days=1)}'
                qualify count(*) over (partition by {key}) = 1
                order by {key}
            """
            con.execute(f"""
                copy (
                    select * replace ({later} as {loaded}, 'redelivered ' || cast({key} as varchar) as {changed})
                    from ({picked} limit {REDELIVERED})
                    union all
                    select * replace ({later} as {loaded}, timestamp '2099-01-01' as {event_time})
                    from ({picked} offset {REDELIVERED} limit {FUTURE})
                    union all
                    select * replace ({later} as {loaded}, {KEYLESS_VALUE.get(model, "'  '")} as {key})
                    from ({picked} offset {REDELIVERED + FUTURE} limit {KEYLESS})
                ) to '{raw / folder}/part-redelivery.parquet' (format parquet)
            """)
            keys[model] = [r[0] for r in con.execute(f"select {key} from ({picked} limit {REDELIVERED})").fetchall()]
    return keys


def test_incremental_base_models_reclassify_redeliveries(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    generate(raw, scale="tiny", seed=5, dirty_rate=0.05, as_of=AS_OF, progress=False)

    incremental_db = tmp_path / "incremental" / "warehouse.duckdb"
    incremental_db.parent.mkdir()
    load(raw, incremental_db, progress=False)
    _build(incremental_db, tmp_path / "incremental", AS_OF)

    extend(raw, days=1, progress=False)
    redelivered = _redeliver(raw)
    new_day = AS_OF + timedelta(days=1)
    load(raw, incremental_db, progress=False)
    _build(incremental_db, tmp_path / "incremental", new_day)
    for model in TABLES:
        assert ran_incrementally(tmp_path / "incremental" / "target", model), f"{model} should have run incrementally"

    full_db = tmp_path / "full" / "warehouse.duckdb"
    full_db.parent.mkdir()
    load(raw, full_db, progress=False)
    _build(full_db, tmp_path / "full", new_day)

    found = relation_differences(incremental_db, full_db, COMPARED)
    print("\n".join(f"{name}: {v[0]:,} rows, {v[1]} / {v[2]} different" for name, v in found.items()))
    assert not {n: v for n, v in found.items() if v[1] or v[2]}, f"incremental != full refresh: {found}"

    with duckdb.connect(str(incremental_db), read_only=True) as con:
        for model, (key, changed) in STAGED.items():
            keys = redelivered[model]
            statuses = con.execute(
                f"""
                select _dq_status, coalesce({changed} like 'redelivered %', false), count(*)
                from staging.{model} where {key} in (select unnest(?))
                group by all order by all
                """,
                [keys],
            ).fetchall()
            # each key: the new delivery staged, the day-1 delivery now a duplicate
            assert statuses == [("duplicate", False, REDELIVERED), ("staged", True, REDELIVERED)], (model, statuses)
            reasons = dict(
                con.execute(
                    f"select _dq_reason, count(*) from staging.{model} where _dq_status = 'quarantined' group by 1"
                ).fetchall()
            )
            assert reasons.get("future_timestamp", 0) >= FUTURE and reasons.get("missing_primary_key", 0) >= KEYLESS
        unaccounted = con.execute("select sum(unaccounted_rows) from marts.dq_source_reconciliation").fetchone()
        assert unaccounted == (0,)
