"""Incremental builds after `gtm generate --extend-days` equal a full refresh (issue 11).

At ``small`` scale: generate -> load -> full ``dbt build``; then extend the sample by one day
(new part files only), load again and run ``dbt build`` incrementally with the new
``as_of_date``. The extension repeats old activity, so two identify calls are added to the new
day that change who is who (two people merge; a device moves to a new person), for the
incremental identity graph. A second warehouse loads the same extended sample and builds from
scratch.
Every public mart (listed from the manifest, so new marts are covered automatically) and the
incremental models themselves (sessions and the two incremental base models, raw-row text and
dedupe versions included) must hold exactly the same rows in both: EXCEPT ALL both ways,
with doubles compared at single precision (parallel sums may add in another order and differ
in the last bits of a double).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from gtm.build import dbt_build
from gtm.generate import generate
from gtm.generate.extend import EXTENDED_TABLES, extend
from gtm.load import load
from warehouse_diff import ran_incrementally, relation_differences

pytestmark = pytest.mark.integration

AS_OF = date(2025, 12, 31)
INCREMENTAL_MODELS = [  # compared too
    "int_identifiers_resolved",
    "int_web_sessions",
    "fct_web_sessions",
    "fct_email_engagement",
    "base_segment__pages",
    "base_segment__tracks",
    "base_segment__identifies",
    "base_hubspot__email_event",
    "base_salesforce__lead",
    "base_salesforce__task",
    "base_salesforce__lead_history",
    "base_hubspot__contact",
    "base_hubspot__contact_form_submission",
]


def _build(database: Path, work: Path, as_of: date, extra: list[str] | None = None) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(work / "target"))
        patch.setenv("DBT_LOG_PATH", str(work / "logs"))
        dbt_build(database, ["--vars", json.dumps({"as_of_date": as_of.isoformat()}), *(extra or [])])


def _digests(raw: Path) -> dict[str, str]:
    return {
        str(p.relative_to(raw)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(raw.rglob("*.parquet"))
        if "truth" not in p.parts
    }


def _relations(manifest: Path) -> list[tuple[str, str]]:
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return sorted(
        (n["schema"], n["alias"] or n["name"])
        for n in nodes
        if n["resource_type"] == "model"
        and (n["original_file_path"].startswith("models/marts/") or n["name"] in INCREMENTAL_MODELS)
    )


def _change_identities(raw: Path, built: Path, new_day: date) -> dict[str, tuple[str, str]]:
    """Append two identify calls to the new day that change who is who, so the incremental
    identity graph has work: a new device identifies as one person's email and logs in as
    another person's user id (the two people merge), and a late identify, stamped a day before a
    device's only link, gives that device another email first (it leaves its person for a new
    one). Returns the identifiers concerned, as (identifier_type, identifier_value)."""
    with duckdb.connect(str(built), read_only=True) as con:
        edges, identifiers = "intermediate.int_identity_edges", "intermediate.int_identifiers_resolved"
        # a device whose one active link is an identify to the email of a person with more identifiers
        device, first_seen = con.execute(
            f"""
            select e.left_value, e.first_observed_at
            from {edges} as e
            join {identifiers} as i on i.identifier_type = 'email' and i.identifier_value = e.right_value
            where e.is_active and e.edge_source = 'segment.identifies'
                and e.left_type = 'segment_anonymous_id' and e.right_type = 'email'
                and (select count(*) from {edges} as o
                     where o.is_active and o.left_type = e.left_type and o.left_value = e.left_value) = 1
                and (select count(*) from {identifiers} as p where p.person_id = i.person_id) >= 3
            order by e.left_value
            limit 1
            """
        ).fetchone()
        # a login of one person and an email of another
        user_id, email = con.execute(
            f"""
            select u.identifier_value, m.identifier_value
            from {identifiers} as u
            join {identifiers} as m on m.identifier_type = 'email' and m.person_id != u.person_id
            where u.identifier_type = 'segment_user_id'
            order by u.identifier_value, m.identifier_value
            limit 1
            """
        ).fetchone()
        folder = raw / "segment" / "identifies"
        template = f"read_parquet('{folder}/part-00000.parquet')"
        loaded_at = f"timestamp '{new_day} 23:00:00'"
        con.execute(
            f"""
            copy (
                (select * replace (
                    'ajs-identity-merge' as id, 'device-identity-merge' as anonymous_id,
                    '{user_id}' as user_id, '{email}' as email,
                    timestamp '{new_day} 12:00:00' as timestamp, timestamp '{new_day} 12:00:01' as received_at,
                    {loaded_at} as uuid_ts
                ) from {template} limit 1)
                union all
                (select * replace (
                    'ajs-identity-late' as id, '{device}' as anonymous_id, null as user_id,
                    'late.identify@splitco.com' as email,
                    timestamp '{first_seen}' - interval 1 day as timestamp,
                    timestamp '{first_seen}' - interval 1 day as received_at,
                    {loaded_at} as uuid_ts
                ) from {template} limit 1)
            ) to '{folder}/part-ext-identity.parquet' (format parquet)
            """
        )
    return {
        "merged_user": ("segment_user_id", user_id),
        "merged_email": ("email", email),
        "moved_device": ("segment_anonymous_id", device),
        "new_email": ("email", "late.identify@splitco.com"),
    }


def _people_of(database: Path, identifiers: dict[str, tuple[str, str]]) -> dict[str, str | None]:
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            name: (
                con.execute(
                    "select person_id from intermediate.int_identifiers_resolved"
                    " where identifier_type = ? and identifier_value = ?",
                    list(key),
                ).fetchone()
                or [None]
            )[0]
            for name, key in identifiers.items()
        }


def test_incremental_build_after_one_day_equals_full_refresh(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    generate(raw, scale="small", seed=11, as_of=AS_OF, progress=False)
    before = _digests(raw)

    # day 1: full build of the original sample
    incremental_db = tmp_path / "incremental" / "warehouse.duckdb"
    incremental_db.parent.mkdir()
    load(raw, incremental_db, progress=False)
    _build(incremental_db, tmp_path / "incremental", AS_OF)

    # day 2: one more day of activity, appended as new part files
    result = extend(raw, days=1, progress=False)
    new_day = AS_OF + timedelta(days=1)
    assert result.as_of == new_day
    after = _digests(raw)
    moved = {k.replace(".parquet", "/part-00000.parquet") if k not in after else k: v for k, v in before.items()}
    assert {k: after[k] for k in moved} == moved, "existing raw files must stay byte-identical"
    added = sorted(set(after) - set(moved))
    assert added == sorted(f"{s.fqn.replace('.', '/')}/part-ext-{new_day:%Y%m%d}.parquet" for s in EXTENDED_TABLES)
    summary = json.loads((raw / "truth" / "summary.json").read_text())
    assert summary["as_of_date"] == new_day.isoformat()
    assert result.rows["segment.pages"] > 100
    with duckdb.connect() as con:
        part = raw / "segment" / "pages" / f"part-ext-{new_day:%Y%m%d}.parquet"
        on_new_day, late = con.execute(
            f"select count(*) filter (where cast(timestamp as date) = ?), "
            f"count(*) filter (where cast(timestamp as date) = ?) from read_parquet('{part}')",
            [new_day, AS_OF],
        ).fetchone()
    assert on_new_day + late == result.rows["segment.pages"]
    assert late > 0, "the extension should carry late-arriving page views"
    # the extension repeats old activity, so it changes no identity: two identify calls do
    changed = _change_identities(raw, incremental_db, new_day)
    people_before = _people_of(incremental_db, changed)
    assert people_before["merged_user"] != people_before["merged_email"]
    assert people_before["new_email"] is None

    load(raw, incremental_db, progress=False)
    _build(incremental_db, tmp_path / "incremental", new_day)
    people_after = _people_of(incremental_db, changed)
    assert people_after["merged_user"] == people_after["merged_email"], "the two people should have merged"
    assert people_after["moved_device"] == people_after["new_email"] != people_before["moved_device"]

    for model in INCREMENTAL_MODELS:
        assert ran_incrementally(tmp_path / "incremental" / "target", model), f"{model} should have run incrementally"

    # the same data built from scratch
    full_db = tmp_path / "full" / "warehouse.duckdb"
    full_db.parent.mkdir()
    load(raw, full_db, progress=False)
    _build(full_db, tmp_path / "full", new_day)

    relations = _relations(tmp_path / "full" / "target" / "manifest.json")
    assert len(relations) >= 20
    found = relation_differences(incremental_db, full_db, relations)
    print("\n".join(f"{name}: {v[0]:,} rows, {v[1]} / {v[2]} different" for name, v in found.items()))
    different = {name: v for name, v in found.items() if v[1] or v[2]}
    assert not different, f"incremental != full refresh (rows, only incremental, only full): {different}"
    assert found["fct_web_sessions"][0] > 0
