"""Staging and data quality on the real pipeline: generate -> load -> dbt build, against the generator's truth.

Runs the whole chain at `small` scale three times: with 5% injected faults, on clean data, and
with the ad platforms, web tracking and billing switched off.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from conftest import build_warehouse
from gtm import contract

pytestmark = pytest.mark.integration

# how each injected fault must show up in staging (see scripts/gtm/generate/faults.py)
DUPLICATE_FAULTS = {"redelivery", "duplicate_event"}
QUARANTINE_REASON = {
    "null_primary_key": "missing_primary_key",
    "future_timestamp": "future_timestamp",
    "negative_amount": "negative_amount",
    "unknown_currency": "unknown_currency",
}
OFF = ("google_ads", "linkedin_ads", "facebook_ads", "segment", "stripe")


@pytest.fixture(scope="module")
def dirty(small_dirty_warehouse):
    return small_dirty_warehouse.raw, small_dirty_warehouse.database


@pytest.fixture(scope="module")
def clean(small_clean_warehouse):
    return small_clean_warehouse.raw, small_clean_warehouse.database


def _query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def _reconciliation(database: Path) -> dict[str, dict]:
    rows = _query(
        database,
        "select raw_table, is_enabled, raw_rows, staged_rows, duplicate_rows, soft_deleted_rows, quarantined_rows,"
        " unaccounted_rows from marts.dq_source_reconciliation",
    )
    keys = ("is_enabled", "raw", "staged", "duplicate", "soft_deleted", "quarantined", "unaccounted")
    return {row[0]: dict(zip(keys, row[1:], strict=True)) for row in rows}


def test_every_raw_table_is_reconciled_with_nothing_unaccounted(dirty):
    raw, database = dirty
    recon = _reconciliation(database)
    assert set(recon) == {t.fqn for t in contract.TABLES}
    summary = json.loads((raw / "truth" / "summary.json").read_text())
    for fqn, row in recon.items():
        assert row["unaccounted"] == 0, fqn
        assert row["raw"] == summary["rows"][fqn], f"{fqn}: raw rows differ from what the generator wrote"
        assert row["staged"] > 0, f"{fqn}: nothing staged"


def test_duplicates_soft_deletes_and_quarantine_equal_the_injected_faults(dirty):
    raw, database = dirty
    faults = _query(
        database, f"select table_name, fault, count(*) from '{raw / 'truth' / 'faults.parquet'}' group by all"
    )
    expected: dict[str, dict[str, int]] = {}
    for table, fault, n in faults:
        bucket = expected.setdefault(table, {})
        if fault in DUPLICATE_FAULTS:
            bucket["duplicate"] = bucket.get("duplicate", 0) + n
        elif fault == "soft_deleted":
            bucket["soft_deleted"] = bucket.get("soft_deleted", 0) + n
        elif fault in QUARANTINE_REASON:
            key = "quarantined:" + QUARANTINE_REASON[fault]
            bucket[key] = bucket.get(key, 0) + n
    rejected = _query(database, "select raw_table, reason, count(*) from marts.dq_rejected_rows group by all")
    actual: dict[str, dict[str, int]] = {}
    for table, reason, n in rejected:
        actual.setdefault(table, {})["quarantined:" + reason] = n
    for fqn, row in _reconciliation(database).items():
        for bucket in ("duplicate", "soft_deleted"):
            if row[bucket]:
                actual.setdefault(fqn, {})[bucket] = row[bucket]
    assert actual == expected
    # the fault mix really exercises every bucket
    kinds = {k.split(":")[0] for bucket in expected.values() for k in bucket}
    assert kinds == {"duplicate", "soft_deleted", "quarantined"}
    reasons = {k for bucket in expected.values() for k in bucket if k.startswith("quarantined:")}
    assert len(reasons) == 4


def test_quarantined_rows_keep_their_raw_values(dirty):
    _, database = dirty
    rows = _query(
        database,
        "select raw_values, raw_key from marts.dq_rejected_rows"
        " where raw_table = 'salesforce.opportunity' and reason = 'negative_amount' limit 1",
    )
    raw_values, raw_key = rows[0]
    assert "amount=-" in raw_values and f"id={raw_key}" in raw_values


def test_clean_data_quarantines_nothing(clean):
    _, database = clean
    recon = _reconciliation(database)
    for fqn, row in recon.items():
        assert (row["duplicate"], row["soft_deleted"], row["quarantined"], row["unaccounted"]) == (0, 0, 0, 0), fqn
        assert row["staged"] == row["raw"], fqn
    assert _query(database, "select count(*) from marts.dq_rejected_rows") == [(0,)]


def test_optional_sources_can_be_switched_off(tmp_path):
    variables = "{" + ", ".join(f"{s}_enabled: false" for s in OFF) + "}"
    database = build_warehouse(tmp_path, "small", seed=7, dirty_rate=0.0, dbt_args=["--vars", variables]).database
    recon = _reconciliation(database)
    for fqn, row in recon.items():
        source = fqn.split(".")[0]
        if source in OFF:
            assert not row["is_enabled"] and row["raw"] == 0 and row["staged"] == 0, fqn
        else:
            assert row["is_enabled"] and row["staged"] > 0, fqn
    pages = _query(database, "select count(*) from staging.stg_segment__pages")
    assert pages == [(0,)]
