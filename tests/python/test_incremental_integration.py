"""Incremental builds after `gtm generate --extend-days` equal a full refresh (issue 11).

At ``small`` scale: generate -> load -> full ``dbt build``; then extend the sample by one day
(new part files only), load again and run ``dbt build`` incrementally with the new
``as_of_date``. A second warehouse loads the same extended sample and builds from scratch.
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

    load(raw, incremental_db, progress=False)
    _build(incremental_db, tmp_path / "incremental", new_day)

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
