"""Tests of `gtm generate`: determinism, volumes, time causality, referential coherence,
injected faults, ground truth and a few realism properties later issues rely on.

The sample companies come from conftest.py (generated once per session). Checks are
DuckDB SQL over the Parquet files; each counts violations, so a failure says how many
rows broke the rule.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import Dataset, make_dataset, raw_path
from gtm import contract
from gtm.cli import main
from gtm.errors import EXIT_BAD_INPUT
from gtm.generate import faults as F
from gtm.generate import generate
from gtm.generate import vocab as V
from gtm.generate.core import SCALES
from gtm.paths import PROJECT_ROOT

# ----------------------------------------------------------------------------- 1. determinism


def _file_hashes(root: Path) -> dict[str, str]:
    """sha256 of the bytes of every file under root (raw tables, part files, truth, summary.json)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_bytes_via_the_cli(tiny_clean: Dataset, tmp_path: Path) -> None:
    # The second run goes through the CLI, so argument handling is covered too.
    out = tmp_path / "again"
    assert main(["-q", "generate", "--scale", "tiny", "--seed", "42", "--out", str(out)]) == 0
    first, second = _file_hashes(tiny_clean.out_dir), _file_hashes(out)
    assert len(first) >= len(contract.TABLES) + 7  # every raw table, the truth files and summary.json
    assert second.keys() == first.keys()
    assert [f for f in first if first[f] != second[f]] == []


def test_same_seed_gives_identical_bytes_with_faults(tiny_dirty: Dataset, tmp_path: Path) -> None:
    again = make_dataset(tmp_path / "again", "tiny", dirty_rate=0.1)
    first, second = _file_hashes(tiny_dirty.out_dir), _file_hashes(again.out_dir)
    assert second.keys() == first.keys()
    assert [f for f in first if first[f] != second[f]] == []


def test_page_files_do_not_depend_on_processes_or_how_the_chunks_are_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page views are written chunk by chunk in two child processes; part numbers, session ids and the
    # hash-based randomness are fixed per chunk, so neither the processes nor the split of the anonymous
    # chunks between them may show in the files. Small chunks make the tiny company five anonymous chunks.
    import gtm.generate as G

    monkeypatch.setattr(G, "ANON_CHUNK", 600)
    runs = {}
    for split, processes in ((0, "2"), (2, "1"), (5, "2")):
        monkeypatch.setattr(G, "_split_anonymous_chunks", lambda ctx, person_sessions, n_chunks, s=split: s)
        monkeypatch.setenv("GTM_GENERATE_PROCESSES", processes)
        out = make_dataset(tmp_path / f"{split}-{processes}", "tiny", dirty_rate=0.1).out_dir
        runs[split, processes] = _file_hashes(out)
    first = runs[0, "2"]
    assert all(hashes == first for hashes in runs.values())
    parts = sorted(f for f in first if f.startswith("segment/pages/"))
    assert len(parts) >= 6
    assert parts == [f"segment/pages/part-{i:05d}.parquet" for i in range(len(parts))]


def test_page_duplicates_and_cta_tracks_hit_their_shares(tiny_dirty: Dataset) -> None:
    ds = tiny_dirty
    humans = ds.one("select sum(pageviews) from truth.web_sessions")
    dups = ds.one("select count(*) from truth.faults where table_name = 'segment.pages' and fault = 'duplicate_event'")
    expected = 0.1 * F.WEIGHTS["duplicate_event"] * humans
    assert abs(dups - expected) < 5 * expected**0.5 + 5, (dups, expected)
    # a duplicate repeats its message: same id and content, uuid_ts one day later
    same = ds.one("""
        select count(*) from (
            select id from segment.pages group by id, anonymous_id, timestamp, url, referrer
            having count(*) = 2 and max(uuid_ts) - min(uuid_ts) = interval 1 day
        )
    """)
    assert same == dups
    # CTA clicks: 3% of human page views other than the demo page
    ctas = ds.one("select count(*) from segment.tracks where event = 'cta_clicked'")
    eligible = (
        ds.one(
            "select count(*) from segment.pages where path <> '/demo' and id not in (select row_key from truth.faults "
            "where table_name = 'segment.pages' and fault in ('bot_traffic', 'internal_traffic'))"
        )
        - dups
    )
    assert abs(ctas - 0.03 * eligible) < 5 * (0.03 * eligible) ** 0.5, (ctas, eligible)


def test_different_seed_gives_different_data(tiny_clean: Dataset, tmp_path: Path) -> None:
    other = make_dataset(tmp_path / "seed43", "tiny", seed=43)
    first, second = _file_hashes(tiny_clean.out_dir), _file_hashes(other.out_dir)
    big = [
        "salesforce/lead.parquet",
        "salesforce/opportunity.parquet",
        "salesforce/task.parquet",
        "hubspot/email_event.parquet",
        "segment/pages/part-00000.parquet",
        "stripe/invoice.parquet",
        "truth/people.parquet",
    ]
    assert [f for f in big if first[f] == second[f]] == []
    # the content differs, not just the bytes: people, amounts and volumes move with the seed
    fingerprint = "select md5(string_agg(email, ',' order by id)) from salesforce.lead"
    assert other.one(fingerprint) != tiny_clean.one(fingerprint)
    amounts = "select sum(amount) from salesforce.opportunity"
    assert other.one(amounts) != tiny_clean.one(amounts)
    assert other.summary["rows"] != tiny_clean.summary["rows"]


def test_generation_works_for_a_seed_whose_last_person_has_no_later_visits(tmp_path: Path) -> None:
    result = generate(tmp_path / "seed12", scale="tiny", seed=12, progress=False)
    assert result.rows["salesforce.lead"] == SCALES["tiny"].people


def test_as_of_moves_the_history_window(tiny_clean: Dataset, tmp_path: Path) -> None:
    as_of = date(2024, 6, 30)
    shifted = make_dataset(tmp_path / "asof", "tiny", as_of=as_of)
    end = shifted.end
    start = end.replace(year=end.year - 3)
    # history is the three years up to as_of: it starts and ends where as_of says
    assert start <= shifted.one("select min(first_touch_at) from truth.people") < start + timedelta(days=30)
    assert shifted.one("select max(created_date) from salesforce.lead") >= end - timedelta(days=3)
    assert shifted.one("select max(created_date) from salesforce.lead") < end
    assert shifted.one("select max(timestamp) from segment.pages") >= end - timedelta(days=3)
    assert shifted.one("select max(month_end) from truth.mrr_monthly") == as_of
    assert shifted.summary["as_of_date"] == as_of.isoformat()
    # and nothing in the raw files happens after it
    problems = [p for t in contract.TABLES if t.fqn != "finance.fx_rate" for p in _timestamp_problems(shifted, t)]
    assert problems == []
    # the default run reaches well past the shifted end
    assert tiny_clean.one("select max(created_date) from salesforce.lead") > end + timedelta(days=365)


# ----------------------------------------------------------------------------- 2. volumes per scale

# Accepted row counts per scale: about +-25% around counts measured over seeds 1, 7 and 42
# (medium over seeds 1, 7 and 42). large is derived from
# the scale parameters (10x medium's accounts and people, 28x its anonymous visitors) and is
# approximate. README.md's "Scale presets" section shows the same table
# (test_readme_documents_the_row_count_ranges).
ROW_KEYS = (
    "salesforce.lead",
    "salesforce.opportunity",
    "segment.pages",
    "hubspot.email_event",
    "stripe.customer",
    "raw rows",
)
ROW_RANGES: dict[str, dict[str, tuple[int, int]]] = {
    "tiny": {
        "salesforce.lead": (900, 1_500),
        "salesforce.opportunity": (130, 220),
        "segment.pages": (24_000, 41_000),
        "hubspot.email_event": (20_000, 35_000),
        "stripe.customer": (43, 73),
        "raw rows": (70_000, 118_000),
    },
    "small": {
        "salesforce.lead": (9_000, 15_000),
        "salesforce.opportunity": (1_350, 2_300),
        "segment.pages": (265_000, 440_000),
        "hubspot.email_event": (205_000, 345_000),
        "stripe.customer": (420, 700),
        "raw rows": (630_000, 1_050_000),
    },
    "medium": {
        "salesforce.lead": (45_000, 75_000),
        "salesforce.opportunity": (6_900, 11_500),
        "segment.pages": (1_900_000, 3_150_000),
        "hubspot.email_event": (1_040_000, 1_730_000),
        "stripe.customer": (2_150, 3_600),
        "raw rows": (3_700_000, 6_150_000),
    },
    "large": {
        "salesforce.lead": (450_000, 750_000),
        "salesforce.opportunity": (69_000, 115_000),
        "segment.pages": (50_000_000, 62_000_000),
        "hubspot.email_event": (10_400_000, 17_300_000),
        "stripe.customer": (21_500, 36_000),
        "raw rows": (65_000_000, 100_000_000),
    },
}
README_LABEL = {"large": "large (approx.)"}


@pytest.mark.parametrize("name", ["tiny_clean", pytest.param("small_clean", marks=pytest.mark.integration)])
def test_row_counts_within_the_documented_ranges(name: str, request: pytest.FixtureRequest) -> None:
    ds: Dataset = request.getfixturevalue(name)
    ranges = ROW_RANGES[ds.scale]
    counts = {k: ds.one(f"select count(*) from {k}") for k in ROW_KEYS if k != "raw rows"}
    counts["raw rows"] = ds.summary["raw_rows"]
    outside = {k: (n, ranges[k]) for k, n in counts.items() if not ranges[k][0] <= n <= ranges[k][1]}
    assert outside == {}
    # nearly every person of the scale becomes a lead; the few whose form fill would fall after the end of
    # history are not leads yet
    people = SCALES[ds.scale].people
    assert 0.97 * people <= counts["salesforce.lead"] <= people


def _range_row(scale: str) -> str:
    s = SCALES[scale]
    cells = [README_LABEL.get(scale, scale), f"{s.accounts:,} / {s.people:,} / {s.anonymous_visitors:,}"]
    cells += [f"{lo:,} – {hi:,}" for lo, hi in (ROW_RANGES[scale][k] for k in ROW_KEYS)]
    return "| " + " | ".join(cells) + " |"


def test_readme_documents_the_row_count_ranges() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("## Scale presets", 1)[1].split("\n## ", 1)[0]
    missing = [scale for scale in SCALES if _range_row(scale) not in section]
    assert missing == [], "README.md 'Scale presets' must show:\n" + "\n".join(_range_row(s) for s in missing)


@pytest.mark.parametrize("name", ["tiny_clean", "tiny_dirty"])
def test_summary_counts_match_the_files(name: str, request: pytest.FixtureRequest) -> None:
    ds: Dataset = request.getfixturevalue(name)
    rows = ds.summary["rows"]
    assert sorted(rows) == sorted(t.fqn for t in contract.TABLES)
    actual = {t.fqn: ds.one(f"select count(*) from {t.fqn}") for t in contract.TABLES}
    assert {k: (rows[k], n) for k, n in actual.items() if rows[k] != n} == {}
    assert ds.summary["raw_rows"] == sum(actual.values())
    assert ds.summary["faults"] == ds.one("select count(*) from truth.faults")
    assert (ds.summary["scale"], ds.summary["seed"], ds.summary["dirty_rate"]) == (ds.scale, ds.seed, ds.dirty_rate)


# ----------------------------------------------------------------------------- 3. time causality

# Orderings crm.lifecycle / crm.opportunities guarantee for every person (count of violations).
PEOPLE_ORDER = {
    "inbound/event: first touch before the lead": "motion <> 'outbound' and first_touch_at > lead_created_at",
    "outbound: the SDR creates the lead just before the first touch": (
        "motion = 'outbound' and lead_created_at is distinct from first_touch_at - interval 5 minute"
    ),
    "outbound: the first touch is the SAL": "motion = 'outbound' and sal_at is distinct from first_touch_at",
    "outbound: no MAP MQL": "motion = 'outbound' and map_mql_at is not null",
    "everybody has a first touch": "first_touch_at is null",
    "nearly everybody becomes a lead within history": (
        "(select count(lead_created_at) from truth.people) < 0.97 * (select count(*) from truth.people)"
    ),
    "history starts three years before as_of": "first_touch_at < timestamp '2023-01-01'",
    "MQL not before the lead": "map_mql_at < lead_created_at",
    "SAL not before the lead": "sal_at < lead_created_at",
    "SAL not before the MQL": "sal_at < map_mql_at",
    "SQL after the SAL": "sql_at <= sal_at or (sql_at is not null and sal_at is null)",
    "opportunity not before the lead": "opportunity_created_at < lead_created_at",
    "opportunity milestone iff first opportunity": "(opportunity_created_at is null) <> (first_opportunity_id is null)",
    "proposal not before the opportunity": (
        "proposal_at < opportunity_created_at or (proposal_at is not null and opportunity_created_at is null)"
    ),
    "won after the opportunity": "won_at <= opportunity_created_at",
    "won deals went through proposal": "won_at < proposal_at or (won_at is not null and proposal_at is null)",
    "churn after the win": "churned_at <= won_at",
    "no milestone after history": (
        "greatest(first_touch_at, lead_created_at, map_mql_at, sal_at, sql_at, opportunity_created_at, "
        "proposal_at, won_at, churned_at) >= timestamp '2026-01-01'"
    ),
}


@pytest.mark.parametrize("rule", PEOPLE_ORDER)
def test_milestones_in_order(tiny_clean: Dataset, rule: str) -> None:
    assert tiny_clean.one(f"select count(*) from truth.people where {PEOPLE_ORDER[rule]}") == 0


def test_milestones_happen(tiny_clean: Dataset) -> None:
    # the ordering checks above are not vacuous: every milestone occurs for a fair share of people
    counts = tiny_clean.sql(
        "select count(*), count(map_mql_at), count(sal_at), count(sql_at), count(opportunity_created_at), "
        "count(proposal_at), count(won_at), count(churned_at) from truth.people"
    )[0]
    people, *milestones = counts
    assert people == SCALES["tiny"].people
    assert all(n >= 0.02 * people for n in milestones), milestones


def test_an_sql_that_opens_an_opportunity_creates_it_at_the_sql(tiny_clean: Dataset) -> None:
    own, off = tiny_clean.sql(
        "select count(*), count(*) filter (where p.opportunity_created_at <> p.sql_at) from truth.people p "
        "join truth.opportunities o on o.opportunity_id = p.first_opportunity_id and o.person_id = p.person_id"
    )[0]
    assert own >= 0.8 * tiny_clean.one("select count(*) from truth.opportunities")
    assert off == 0


# Raw activity never happens before the record it belongs to exists:
# rule -> (rows to check, violation).
RAW_ORDER = {
    "sdr task on a lead": (
        "from salesforce.task t join salesforce.lead l on t.who_id = l.id",
        "t.created_date < l.created_date",
    ),
    "lead history": (
        "from salesforce.lead_history h join salesforce.lead l on h.lead_id = l.id",
        "h.created_date < l.created_date",
    ),
    "task on a contact": (
        "from salesforce.task t join salesforce.contact c on t.who_id = c.id",
        "t.created_date < c.created_date",
    ),
    "task on an opportunity": (
        "from salesforce.task t join salesforce.opportunity o on t.what_id = o.id",
        "t.created_date < o.created_date",
    ),
    "event on an opportunity": (
        "from salesforce.event e join salesforce.opportunity o on e.what_id = o.id",
        "e.created_date < o.created_date",
    ),
    "opportunity stage log": (
        "from salesforce.opportunity_history h join salesforce.opportunity o on h.opportunity_id = o.id",
        "h.created_date < o.created_date",
    ),
    "opportunity on its account": (
        "from salesforce.opportunity o join salesforce.account a on o.account_id = a.id",
        "o.created_date < a.created_date",
    ),
    "contact on its account": (
        "from salesforce.contact c join salesforce.account a on c.account_id = a.id",
        "c.created_date < a.created_date",
    ),
    "lead converted when its contact is created": (
        "from salesforce.lead l join salesforce.contact c on l.converted_contact_id = c.id",
        "l.converted_date <> c.created_date::date or l.converted_date < l.created_date::date",
    ),
    "campaign member lead": (
        "from salesforce.campaign_member m join salesforce.lead l on m.lead_id = l.id",
        "m.created_date < l.created_date",
    ),
    "campaign member contact": (
        "from salesforce.campaign_member m join salesforce.contact c on m.contact_id = c.id",
        "m.created_date < c.created_date",
    ),
    "email event to a contact": (
        "from hubspot.email_event e join hubspot.contact c on e.recipient = c.property_email",
        "e.created < c.property_createdate",
    ),
    "form submission": (
        "from hubspot.contact_form_submission f join hubspot.contact c on f.contact_id = c.id",
        "f.timestamp < c.property_createdate",
    ),
    "lifecycle history": (
        "from hubspot.contact_property_history h join hubspot.contact c on h.contact_id = c.id",
        "h.timestamp < c.property_createdate",
    ),
    "subscription of a customer": (
        "from stripe.subscription_history s join stripe.customer c on s.customer_id = c.id",
        "s.start_date < c.created",
    ),
    "invoice of a subscription": (
        "from stripe.invoice i join (select id, min(start_date) as start_date from stripe.subscription_history "
        "group by id) s on i.subscription_id = s.id",
        "i.created < s.start_date",
    ),
    "page view with a user id": (
        "from segment.pages p left join (select anonymous_id, min(timestamp) as identified "
        "from segment.identifies group by all) i using (anonymous_id) where p.user_id is not null",
        "i.identified is null or p.timestamp < i.identified",
    ),
    "track with a user id": (
        "from segment.tracks t left join (select anonymous_id, min(timestamp) as identified "
        "from segment.identifies group by all) i using (anonymous_id) where t.user_id is not null",
        "i.identified is null or t.timestamp < i.identified",
    ),
}


@pytest.mark.parametrize("rule", list(RAW_ORDER))
def test_no_activity_before_its_record_exists(tiny_clean: Dataset, rule: str) -> None:
    rows, condition = RAW_ORDER[rule]
    checked, violations = tiny_clean.sql(f"select count(*), count(*) filter (where {condition}) {rows}")[0]
    assert checked > 0
    assert violations == 0


def test_subscription_versions_are_ordered(tiny_clean: Dataset) -> None:
    checks = tiny_clean.sql("""
        with v as (
            select *,
                lead(_fivetran_start) over (partition by id order by _fivetran_start) as next_start,
                row_number() over (partition by id order by _fivetran_start desc) as from_last
            from stripe.subscription_history
        )
        select
            count(*),
            count(*) filter (where _fivetran_end is distinct from next_start),
            count(*) filter (where _fivetran_active <> (from_last = 1)),
            count(*) filter (where status = 'canceled' and from_last <> 1),
            count(*) filter (where _fivetran_start < start_date or created <> start_date),
            count(*) filter (where not (current_period_start <= _fivetran_start
                                        and _fivetran_start < current_period_end)),
            count(*) filter (where ended_at < canceled_at)
        from v
    """)[0]
    versions, *violations = checks
    assert versions > SCALES["tiny"].accounts / 4
    assert violations == [0] * len(violations)


# Timestamp and date columns that legitimately point past history: plans and expectations.
PLANNED = {
    ("salesforce.opportunity", "close_date"),  # expected close of open deals
    ("salesforce.opportunity_history", "close_date"),
    ("salesforce.campaign", "end_date"),  # partner programmes run on
    ("salesforce.event", "end_date_time"),  # a meeting running at the end of history
    ("google_ads.campaign_history", "end_date"),
    ("facebook_ads.campaign_history", "stop_time"),
    ("stripe.subscription_history", "current_period_end"),
    ("stripe.invoice", "period_end"),
    ("stripe.invoice", "due_date"),
    ("stripe.invoice_line_item", "period_end"),
}
LOADED_AT = {"_fivetran_synced", "uuid_ts", "received_at"}


def _timestamp_problems(ds: Dataset, table: contract.Table) -> list[str]:
    """Timestamp/date columns outside history: events before the end, loads within a day, plans within a year."""
    end = ds.end
    floor = end.replace(year=end.year - 6)  # reps and target accounts predate the three years of history
    problems = []
    for col in table.columns:
        if col.type not in (contract.TIMESTAMP, contract.DATE):
            continue
        if (table.fqn, col.name) in PLANNED:
            limit = end + timedelta(days=366)
        elif col.name in LOADED_AT:
            limit = end + timedelta(days=1)
        else:
            limit = end
        lo, hi = ds.sql(f'select min("{col.name}")::timestamp, max("{col.name}")::timestamp from {table.fqn}')[0]
        if hi is not None and (hi >= limit or lo < floor):
            problems.append(f"{table.fqn}.{col.name}: {lo} .. {hi}, expected {floor} .. < {limit}")
    return problems


@pytest.mark.parametrize(
    "fqn",
    [t.fqn for t in contract.TABLES],
)
def test_no_timestamp_after_history(tiny_clean: Dataset, fqn: str) -> None:
    assert _timestamp_problems(tiny_clean, contract.table(fqn)) == []


# ----------------------------------------------------------------------------- 4. referential coherence

# (child table, column, parent table, parent column): every non-null value resolves.
FOREIGN_KEYS = [
    ("salesforce.account", "owner_id", "salesforce.user", "id"),
    ("salesforce.contact", "account_id", "salesforce.account", "id"),
    ("salesforce.contact", "owner_id", "salesforce.user", "id"),
    ("salesforce.lead", "owner_id", "salesforce.user", "id"),
    ("salesforce.lead", "converted_account_id", "salesforce.account", "id"),
    ("salesforce.lead", "converted_contact_id", "salesforce.contact", "id"),
    ("salesforce.lead", "converted_opportunity_id", "salesforce.opportunity", "id"),
    ("salesforce.lead_history", "lead_id", "salesforce.lead", "id"),
    ("salesforce.lead_history", "created_by_id", "salesforce.user", "id"),
    ("salesforce.opportunity", "account_id", "salesforce.account", "id"),
    ("salesforce.opportunity", "owner_id", "salesforce.user", "id"),
    ("salesforce.opportunity", "campaign_id", "salesforce.campaign", "id"),
    ("salesforce.opportunity_history", "opportunity_id", "salesforce.opportunity", "id"),
    ("salesforce.opportunity_history", "created_by_id", "salesforce.user", "id"),
    ("salesforce.campaign_member", "campaign_id", "salesforce.campaign", "id"),
    ("salesforce.campaign_member", "lead_id", "salesforce.lead", "id"),
    ("salesforce.campaign_member", "contact_id", "salesforce.contact", "id"),
    ("salesforce.task", "who_id", "(select id from salesforce.lead union all select id from salesforce.contact)", "id"),
    ("salesforce.task", "what_id", "salesforce.opportunity", "id"),
    ("salesforce.task", "account_id", "salesforce.account", "id"),
    ("salesforce.task", "owner_id", "salesforce.user", "id"),
    ("salesforce.event", "who_id", "salesforce.contact", "id"),
    ("salesforce.event", "what_id", "salesforce.opportunity", "id"),
    ("salesforce.event", "account_id", "salesforce.account", "id"),
    ("salesforce.event", "owner_id", "salesforce.user", "id"),
    ("salesforce.user", "manager_id", "salesforce.user", "id"),
    ("salesforce.user", "user_role_id", "salesforce.user_role", "id"),
    ("salesforce.user_role", "parent_role_id", "salesforce.user_role", "id"),
    ("hubspot.contact_property_history", "contact_id", "hubspot.contact", "id"),
    ("hubspot.email_event", "email_campaign_id", "hubspot.email_campaign", "id"),
    ("hubspot.email_event", "recipient", "hubspot.contact", "property_email"),
    ("hubspot.contact_form_submission", "contact_id", "hubspot.contact", "id"),
    ("google_ads.campaign_history", "customer_id", "google_ads.account_history", "id"),
    ("google_ads.campaign_stats", "id", "google_ads.campaign_history", "id"),
    ("google_ads.campaign_stats", "customer_id", "google_ads.account_history", "id"),
    ("linkedin_ads.campaign_history", "account_id", "linkedin_ads.account_history", "id"),
    ("linkedin_ads.ad_analytics_by_campaign", "campaign_id", "linkedin_ads.campaign_history", "id"),
    ("facebook_ads.campaign_history", "account_id", "facebook_ads.account_history", "id"),
    ("facebook_ads.basic_campaign", "campaign_id", "facebook_ads.campaign_history", "id"),
    ("facebook_ads.basic_campaign", "account_id", "facebook_ads.account_history", "id"),
    ("segment.identifies", "anonymous_id", "segment.pages", "anonymous_id"),
    ("segment.tracks", "anonymous_id", "segment.pages", "anonymous_id"),
    ("stripe.subscription_history", "customer_id", "stripe.customer", "id"),
    ("stripe.subscription_history", "plan_id", "stripe.price", "id"),
    ("stripe.subscription_item", "subscription_id", "stripe.subscription_history", "id"),
    ("stripe.subscription_item", "price_id", "stripe.price", "id"),
    ("stripe.invoice", "customer_id", "stripe.customer", "id"),
    ("stripe.invoice", "subscription_id", "stripe.subscription_history", "id"),
    ("stripe.invoice_line_item", "invoice_id", "stripe.invoice", "id"),
    ("stripe.invoice_line_item", "subscription_id", "stripe.subscription_history", "id"),
    ("stripe.invoice_line_item", "price_id", "stripe.price", "id"),
    ("sales_ops.quota", "rep_id", "salesforce.user", "id"),
]


def _unresolved(ds: Dataset, child: str, column: str, parent: str, parent_column: str) -> tuple[int, int]:
    """(non-null references, references that match no parent row)."""
    return ds.sql(
        f"select count({column}), count(*) filter (where {column} is not null and {column} not in "
        f"(select {parent_column} from {parent} where {parent_column} is not null)) from {child}"
    )[0]


@pytest.mark.parametrize(
    ("child", "column", "parent", "parent_column"), FOREIGN_KEYS, ids=[f"{c}.{col}" for c, col, *_ in FOREIGN_KEYS]
)
def test_foreign_keys_resolve_on_clean_data(
    tiny_clean: Dataset, child: str, column: str, parent: str, parent_column: str
) -> None:
    references, unresolved = _unresolved(tiny_clean, child, column, parent, parent_column)
    assert references > 0, f"{child}.{column} is never set: the check would be vacuous"
    assert unresolved == 0


def test_crm_links_are_complete_on_clean_data(tiny_clean: Dataset) -> None:
    ds = tiny_clean
    # contacts and opportunities always sit on an account; a member is a lead or a contact, never both
    assert ds.one("select count(*) from salesforce.contact where account_id is null") == 0
    assert ds.one("select count(*) from salesforce.opportunity where account_id is null") == 0
    assert ds.one("select count(*) from salesforce.campaign_member where (lead_id is null) = (contact_id is null)") == 0
    # converted leads name their account, contact and (usually) opportunity
    assert (
        ds.one(
            "select count(*) from salesforce.lead where is_converted and "
            "(converted_account_id is null or converted_contact_id is null or converted_date is null)"
        )
        == 0
    )
    assert ds.one("select count(*) from salesforce.lead where is_converted") == ds.one(
        "select count(*) from salesforce.contact"
    )
    # Stripe metadata, when present, names a real CRM account
    present, unresolved = ds.sql(
        "select count(a), count(*) filter (where a not in (select id from salesforce.account)) from "
        "(select json_extract_string(metadata, '$.salesforce_account_id') as a from stripe.customer)"
    )[0]
    assert present >= 0.7 * ds.one("select count(*) from stripe.customer")
    assert unresolved == 0
    # exactly one top role; every other role reports up to it
    assert ds.one("select count(*) from salesforce.user_role where parent_role_id is null") == 1


@pytest.mark.parametrize("fqn", [t.fqn for t in contract.TABLES])
def test_primary_keys_unique_and_not_null_on_clean_data(tiny_clean: Dataset, fqn: str) -> None:
    table = contract.table(fqn)
    key = ", ".join(f'"{c}"' for c in table.primary_key)
    missing = " or ".join(f'"{c}" is null' for c in table.primary_key)
    rows, distinct, nulls = tiny_clean.sql(
        f"select count(*), count(distinct ({key})), count(*) filter (where {missing}) from {fqn}"
    )[0]
    assert rows > 0
    assert (distinct, nulls) == (rows, 0)


@pytest.mark.parametrize("fqn", [t.fqn for t in contract.TABLES])
def test_clean_files_have_exactly_the_contract_columns(tiny_clean: Dataset, fqn: str) -> None:
    columns = [r[0] for r in tiny_clean.sql(f"select column_name from (describe {fqn})")]
    assert columns == contract.table(fqn).column_names


# ----------------------------------------------------------------------------- 5. faults

ROW_ADDING_FAULTS = (
    "redelivery",
    "duplicate_event",
    "soft_deleted",
    "null_primary_key",
    "future_timestamp",
    "negative_amount",
    "unknown_currency",
    "orphan_foreign_key",
    "malformed_email",
    "test_record",
    "internal_record",
    "bot_traffic",
    "internal_traffic",
)
ALL_FAULTS = (*ROW_ADDING_FAULTS, "email_case_padding", "extra_column")
# what an orphan's foreign key (faults.ORPHAN_COLUMN) should have matched
ORPHAN_PARENTS = {
    "salesforce.contact": "select id from salesforce.account where id is not null",
    "salesforce.task": (
        "select id from salesforce.lead where id is not null "
        "union all select id from salesforce.contact where id is not null"
    ),
    "salesforce.campaign_member": "select id from salesforce.campaign where id is not null",
    "hubspot.email_event": "select id from hubspot.email_campaign where id is not null",
}
VALID_EMAIL = r"^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$"
TEST_EMAIL = r"^test\+[0-9]+@example\.com$"
BOT_AGENTS = "(" + ", ".join(f"'{ua}'" for ua in V.BOT_USER_AGENTS) + ")"
KNOWN_CURRENCIES = "('USD', 'EUR', 'GBP')"


def _listed(ds: Dataset, fqn: str, kind: str) -> int:
    return ds.one("select count(*) from truth.faults where table_name = ? and fault = ?", fqn, kind)


def _keys(fqn: str, kind: str) -> str:
    return f"(select row_key from truth.faults where table_name = '{fqn}' and fault = '{kind}')"


def _email_invalid(col: str) -> str:
    return f"not regexp_full_match(lower(trim({col})), '{VALID_EMAIL}')"


def test_fault_listing_is_well_formed(tiny_clean: Dataset, tiny_dirty: Dataset) -> None:
    ds = tiny_dirty
    assert set(ORPHAN_PARENTS) == set(F.ORPHAN_COLUMN)
    kinds = {r[0] for r in ds.sql("select distinct fault from truth.faults")}
    assert kinds == set(ALL_FAULTS)  # at --dirty-rate 0.1 the tiny company shows every kind of fault
    allowed = {t.fqn: set(F.kinds_for(t.fqn)) for t in contract.TABLES}
    for fqn in F.EXTRA_COLUMN_TABLES:
        allowed[fqn].add("extra_column")
    allowed["segment.pages"] = {"duplicate_event", "bot_traffic", "internal_traffic"}
    listed = ds.sql("select table_name, fault, count(*) from truth.faults group by all")
    assert [(t, k) for t, k, _ in listed if k not in allowed.get(t, set())] == []
    # each kind of fault hits its share (faults.WEIGHTS x the dirty rate) of the table's clean rows
    for fqn in ("salesforce.task", "hubspot.email_event", "salesforce.lead"):
        rows = tiny_clean.summary["rows"][fqn]
        shares = {kind: round(0.1 * F.WEIGHTS[kind] * rows) for kind in F.kinds_for(fqn)}
        assert {kind: _listed(ds, fqn, kind) for kind in shares} == shares, fqn


def _fault_rows_missing(ds: Dataset, fqn: str, kind: str) -> int:
    """How many listed faults of this kind are not in the raw table as faults.py describes them."""
    table = contract.table(fqn)
    kt = ds.keyed(fqn)
    keys = _keys(fqn, kind)
    exists = f"select count(*) from {keys} f where not exists (select 1 from {kt} k where k._key = f.row_key and "
    per_key = f"(select _key, count(*) as n{{}} from {kt} group by _key)"
    if kind in ("redelivery", "duplicate_event"):  # the key is delivered more than once
        rows = per_key.format("")
        return ds.one(
            f"select count(*) from {keys} f left join {rows} k on k._key = f.row_key where coalesce(k.n, 0) < 2"
        )
    if kind == "soft_deleted":  # one row with a new key, flagged deleted
        rows = per_key.format(f", count(*) filter (where {table.soft_delete}) as deleted")
        return ds.one(
            f"select count(*) from {keys} f left join {rows} k on k._key = f.row_key "
            "where k.n is distinct from 1 or k.deleted is distinct from 1"
        )
    if kind == "null_primary_key":
        return ds.one(f"select count(*) from {keys} f where f.row_key is not null and trim(f.row_key) <> ''")
    if kind == "future_timestamp":
        return ds.one(exists + f"\"{F.TIME_COLUMN[fqn]}\" >= timestamp '2099-01-01')")
    if kind == "negative_amount":
        return ds.one(exists + f"{F.AMOUNT_COLUMN[fqn]} < 0)")
    if kind == "unknown_currency":
        return ds.one(exists + f"{F.CURRENCY_COLUMN[fqn]} = 'XXX')")
    if kind == "orphan_foreign_key":
        col = F.ORPHAN_COLUMN[fqn]
        return ds.one(exists + f"{col} is not null and {col} not in ({ORPHAN_PARENTS[fqn]}))")
    if kind == "malformed_email":
        return ds.one(exists + _email_invalid(F.EMAIL_COLUMN[fqn]) + ")")
    if kind == "test_record":
        return ds.one(exists + f"regexp_full_match({F.EMAIL_COLUMN[fqn]}, '{TEST_EMAIL}'))")
    if kind == "internal_record":
        return ds.one(exists + f"ends_with({F.EMAIL_COLUMN[fqn]}, '@{V.COMPANY_DOMAIN}'))")
    if kind == "email_case_padding":
        col = F.EMAIL_COLUMN[fqn]
        return ds.one(exists + f"{col} <> lower(trim({col})))")
    if kind == "bot_traffic":
        return ds.one(exists + f"context_user_agent in {BOT_AGENTS})")
    if kind == "internal_traffic":
        return ds.one(exists + f"starts_with(context_ip, '{V.INTERNAL_IP_PREFIX}'))")
    if kind == "extra_column":
        extra = set(r[0] for r in ds.sql(f"select column_name from (describe {fqn})")) - set(table.column_names)
        return 0 if extra else 1
    raise AssertionError(f"no check for fault kind {kind}")


@pytest.mark.parametrize("kind", ALL_FAULTS)
def test_every_listed_fault_is_in_the_raw_files(tiny_dirty: Dataset, kind: str) -> None:
    tables = [r[0] for r in tiny_dirty.sql("select distinct table_name from truth.faults where fault = ?", kind)]
    assert tables, f"no {kind} fault listed"
    missing = {fqn: n for fqn in tables if (n := _fault_rows_missing(tiny_dirty, fqn, kind))}
    assert missing == {}


def _unlisted(ds: Dataset, fqn: str, kind: str) -> int | None:
    """Faults of this kind in the raw table minus those listed (None: the kind cannot occur in the table)."""
    table = contract.table(fqn)
    kt = ds.keyed(fqn)
    listed = _listed(ds, fqn, kind)
    if kind in ("redelivery", "duplicate_event"):
        both = _listed(ds, fqn, "redelivery") + _listed(ds, fqn, "duplicate_event")
        return ds.one(f"select count(*) - count(distinct _key) from {kt} where trim(_key) <> ''") - both
    if kind == "soft_deleted":
        return ds.one(f"select count(*) from {kt} where {table.soft_delete}") - listed if table.soft_delete else None
    if kind == "null_primary_key":
        key = table.primary_key[0]
        blank = f""" or trim("{key}") = ''""" if table.column(key).type == contract.VARCHAR else ""
        return ds.one(f'select count(*) from {kt} where "{key}" is null{blank}') - listed
    if kind == "future_timestamp":
        cols = [c.name for c in table.columns if c.type in (contract.TIMESTAMP, contract.DATE)]
        far = " or ".join(f"\"{c}\" >= timestamp '2099-01-01'" for c in cols)
        return ds.one(f"select count(*) from {kt} where {far}") - listed if cols else None
    if kind == "negative_amount":
        col = F.AMOUNT_COLUMN.get(fqn)
        return ds.one(f"select count(*) from {kt} where {col} < 0") - listed if col else None
    if kind == "unknown_currency":
        cols = [c for c in table.column_names if c in ("currency", "currency_code", "currency_iso_code")]
        odd = " or ".join(f"upper({c}) not in {KNOWN_CURRENCIES}" for c in cols)
        return ds.one(f"select count(*) from {kt} where {odd}") - listed if cols else None
    if kind == "orphan_foreign_key":
        col = F.ORPHAN_COLUMN.get(fqn)
        if col is None:
            return None
        orphans = f"{col} is not null and {col} not in ({ORPHAN_PARENTS[fqn]})"
        return ds.one(f"select count(*) from {kt} where {orphans}") - listed
    email = F.EMAIL_COLUMN.get(fqn)
    if kind in ("malformed_email", "test_record", "internal_record", "email_case_padding") and email is None:
        return None
    if kind == "malformed_email":
        return ds.one(f"select count(*) from {kt} where {_email_invalid(email)}") - listed
    if kind == "test_record":
        test = f"regexp_full_match(lower(trim({email})), '{TEST_EMAIL}')"
        return ds.one(f"select count(*) from {kt} where {test}") - listed
    if kind == "internal_record":
        internal = f"ends_with(lower(trim({email})), '@{V.COMPANY_DOMAIN}')"
        return ds.one(f"select count(*) from {kt} where {internal}") - listed
    if kind == "email_case_padding":
        return ds.one(f"select count(*) from {kt} where {email} <> lower(trim({email}))") - listed
    if kind in ("bot_traffic", "internal_traffic"):
        if fqn != "segment.pages":
            return None
        cond = (
            f"context_user_agent in {BOT_AGENTS}"
            if kind == "bot_traffic"
            else f"starts_with(context_ip, '{V.INTERNAL_IP_PREFIX}')"
        )
        return ds.one(f"select count(*) from {kt} where {cond}") - listed
    if kind == "extra_column":
        extra = set(r[0] for r in ds.sql(f"select column_name from (describe {fqn})")) - set(table.column_names)
        return len(extra) - listed
    raise AssertionError(f"no check for fault kind {kind}")


@pytest.mark.parametrize("kind", ALL_FAULTS)
def test_no_fault_beyond_those_listed(tiny_dirty: Dataset, kind: str) -> None:
    checked, unlisted = 0, {}
    for table in contract.TABLES:
        n = _unlisted(tiny_dirty, table.fqn, kind)
        if n is not None:
            checked += 1
            if n:
                unlisted[table.fqn] = n
    assert checked > 0
    assert unlisted == {}


@pytest.mark.parametrize(
    "fqn",
    [t.fqn for t in contract.TABLES],
)
def test_dirty_run_is_the_clean_run_plus_the_listed_faults(tiny_clean: Dataset, tiny_dirty: Dataset, fqn: str) -> None:
    """Same seed: the dirty files hold every clean row (bar in-place email changes) plus one row per listed fault."""
    added = tiny_dirty.one(
        f"select count(*) from truth.faults where table_name = ? and fault in {ROW_ADDING_FAULTS}", fqn
    )
    assert tiny_dirty.summary["rows"][fqn] - tiny_clean.summary["rows"][fqn] == added
    path = raw_path(tiny_clean.out_dir, fqn)
    clean = f"read_parquet('{path}/*.parquet')" if path.is_dir() else f"read_parquet('{path}')"
    cols = ", ".join(f'"{c}"' for c in contract.table(fqn).column_names)
    changed = tiny_dirty.one(f"select count(*) from (select {cols} from {clean} except all select {cols} from {fqn})")
    assert changed == _listed(tiny_dirty, fqn, "email_case_padding")


# ----------------------------------------------------------------------------- 6. ground truth


def test_identity_truth_matches_the_raw_records(tiny_clean: Dataset) -> None:
    ds = tiny_clean
    people = "(select person_id from truth.people)"
    assert ds.one(f"select count(*) from truth.identity where person_id not in {people}") == 0
    assert ds.one("select count(*) - count(distinct (source, record_type, record_id)) from truth.identity") == 0
    assert ds.one("select count(*) - count(distinct person_id) from truth.people") == 0
    for source, record_type, raw, key in (
        ("salesforce", "lead", "salesforce.lead", "id"),
        ("salesforce", "contact", "salesforce.contact", "id"),
        ("hubspot", "contact", "hubspot.contact", "id::varchar"),
    ):
        truth = f"(select record_id from truth.identity where source = '{source}' and record_type = '{record_type}')"
        assert ds.one(f"select count(*) from {raw} where {key} not in {truth}") == 0, raw
        assert ds.one(f"select count(*) from {truth} t where record_id not in (select {key} from {raw})") == 0, raw
    # linkable anonymous ids are exactly those Segment identified
    linkable = "(select record_id from truth.identity where record_type = 'anonymous_id' and is_linkable)"
    assert ds.one(f"select count(*) from segment.identifies where anonymous_id not in {linkable}") == 0
    identified = "(select anonymous_id from segment.identifies)"
    assert ds.one(f"select count(*) from {linkable} where record_id not in {identified}") == 0
    # a lead's email is its person's email
    assert (
        ds.one(
            "select count(*) from salesforce.lead l join truth.identity i on i.record_id = l.id "
            "join truth.people p using (person_id) where p.email <> l.email"
        )
        == 0
    )


@pytest.mark.parametrize("name", ["tiny_clean", "tiny_dirty"])
def test_truth_sessions_account_for_every_page_view(name: str, request: pytest.FixtureRequest) -> None:
    ds: Dataset = request.getfixturevalue(name)
    page_faults = ds.one("select count(*) from truth.faults where table_name = 'segment.pages'")
    pageviews = ds.one("select sum(pageviews) from truth.web_sessions")
    assert pageviews == ds.one("select count(*) from segment.pages") - page_faults
    assert (page_faults == 0) == (ds.dirty_rate == 0)
    people = "(select person_id from truth.people)"
    assert ds.one(f"select count(*) from truth.web_sessions where person_id not in {people}") == 0
    # a known person's session is on one of that person's devices
    assert (
        ds.one(
            "select count(*) from truth.web_sessions s join truth.identity i on i.record_id = s.anonymous_id "
            "where i.person_id <> s.person_id"
        )
        == 0
    )


def test_a_30_minute_inactivity_rule_recovers_the_truth_sessions(tiny_clean: Dataset) -> None:
    ds = tiny_clean
    recovered, sessions = ds.sql("""
        with p as (
            select anonymous_id, timestamp,
                case when timestamp - lag(timestamp) over (partition by anonymous_id order by timestamp)
                     <= interval 30 minute then 0 else 1 end as is_new
            from segment.pages
        )
        select sum(is_new), (select count(*) from truth.web_sessions) from p
    """)[0]
    assert recovered == sessions
    # each truth session starts with exactly one landing page view
    joined, distinct = ds.sql(
        "select count(*), count(distinct session_id) from truth.web_sessions s "
        "join segment.pages p on p.anonymous_id = s.anonymous_id and p.timestamp = s.started_at"
    )[0]
    assert joined == distinct == sessions


def test_mrr_truth(tiny_clean: Dataset) -> None:
    ds = tiny_clean
    rows, negative, late, not_month_end, unknown = ds.sql(f"""
        select count(*), count(*) filter (where mrr_minor <= 0 or mrr_usd <= 0),
            count(*) filter (where month_end > date '{ds.as_of}'),
            count(*) filter (where month_end <> last_day(month_end)),
            count(*) filter (where customer_id not in (select id from stripe.customer))
        from truth.mrr_monthly
    """)[0]
    assert rows > 0
    assert (negative, late, not_month_end, unknown) == (0, 0, 0, 0)
    assert ds.one("select count(*) - count(distinct (customer_id, month_end)) from truth.mrr_monthly") == 0
    # customers with MRR at the last month end are the customers with an active subscription version
    active = ds.one(
        "select count(distinct customer_id) from stripe.subscription_history "
        "where _fivetran_active and status = 'active'"
    )
    assert ds.one(f"select count(*) from truth.mrr_monthly where month_end = date '{ds.as_of}'") == active


def test_opportunity_truth_matches_raw(tiny_clean: Dataset) -> None:
    ds = tiny_clean
    assert ds.one("select count(*) from truth.opportunities") == ds.one("select count(*) from salesforce.opportunity")
    mismatched = ds.one("""
        select count(*) from truth.opportunities t left join salesforce.opportunity o on o.id = t.opportunity_id
        where o.id is null or o.amount <> t.amount or o.currency_iso_code <> t.currency or o.is_won <> t.is_won
           or o.is_closed <> t.is_closed or o.close_date <> t.close_date or o.created_date <> t.created_at
    """)
    assert mismatched == 0
    fx = ds.one("""
        select count(*) from truth.opportunities
        where abs(amount_usd - round(amount * fx_rate_to_usd, 2)) > 0.005
           or (currency = 'USD') <> (fx_rate_to_usd = 1) or fx_rate_to_usd not between 0.5 and 2
    """)
    assert fx == 0
    # accounts in truth: a CRM id exactly for the accounts in the CRM, a Stripe id for every customer
    sf, stripe = ds.sql("select count(sf_account_id), count(stripe_customer_id) from truth.accounts")[0]
    assert sf == ds.one("select count(*) from salesforce.account")
    assert stripe == ds.one("select count(*) from stripe.customer")


# ----------------------------------------------------------------------------- 7. realism


@pytest.mark.integration
def test_win_rate_is_plausible(small_clean: Dataset) -> None:
    rate = small_clean.one("select avg(is_won::int) from salesforce.opportunity where is_closed")
    assert 0.15 <= rate <= 0.5


@pytest.mark.integration
def test_partner_and_referral_people_convert_better_than_paid_social(small_clean: Dataset) -> None:
    groups = """case when p.first_touch_channel in ('partner', 'referral') then 'partner_referral'
                     when p.first_touch_channel = 'paid_social' then 'paid_social' end"""
    # share of people whose account went on to win after their lead
    won = dict(small_clean.sql(f"select {groups}, avg((won_at is not null)::int) from truth.people p group by 1"))
    assert won["partner_referral"] > won["paid_social"]
    # share of people whose own lead became a won opportunity: the channel-quality signal, about 3x
    own = dict(
        small_clean.sql(f"""
            select {groups}, avg(coalesce(o.is_won, false)::int)
            from truth.people p left join truth.opportunities o using (person_id) group by 1
        """)
    )
    assert own["partner_referral"] > 1.5 * own["paid_social"] > 0


WEB_DATASETS = ["tiny_clean", pytest.param("small_clean", marks=pytest.mark.integration)]


@pytest.mark.parametrize("name", WEB_DATASETS)
def test_paid_sessions_carry_utm_parameters(name: str, request: pytest.FixtureRequest) -> None:
    ds: Dataset = request.getfixturevalue(name)
    paid, incomplete, wrong_source = ds.sql("""
        select count(*),
            count(*) filter (where context_campaign_source is null or context_campaign_name is null
                             or context_campaign_content is null or referrer is null
                             or not contains(url, 'utm_campaign=' || context_campaign_name)),
            count(*) filter (where (context_campaign_medium = 'cpc') <> (context_campaign_source = 'google'))
        from segment.pages where context_campaign_medium in ('cpc', 'paid_social')
    """)[0]
    assert paid > 0.03 * ds.one("select count(*) from segment.pages")
    assert (incomplete, wrong_source) == (0, 0)


@pytest.mark.parametrize("name", WEB_DATASETS)
def test_sessions_without_referrer_or_utm_are_direct(name: str, request: pytest.FixtureRequest) -> None:
    ds: Dataset = request.getfixturevalue(name)
    direct, unmarked_not_direct, direct_marked = ds.sql("""
        with landing as (
            select s.channel, p.referrer, p.context_campaign_source
            from truth.web_sessions s
            join segment.pages p on p.anonymous_id = s.anonymous_id and p.timestamp = s.started_at
        )
        select count(*) filter (where channel = 'direct'),
            count(*) filter (where referrer is null and context_campaign_source is null and channel <> 'direct'),
            count(*) filter (where channel = 'direct' and (referrer is not null or context_campaign_source is not null))
        from landing
    """)[0]
    assert direct > 0.1 * ds.one("select count(*) from truth.web_sessions")
    assert (unmarked_not_direct, direct_marked) == (0, 0)


@pytest.mark.parametrize("name", WEB_DATASETS)
def test_ad_clicks_cover_the_paid_sessions_they_drove(name: str, request: pytest.FixtureRequest) -> None:
    ds: Dataset = request.getfixturevalue(name)
    # utm_campaign is web.slug(campaign name): lower case, ' - ' -> '_', spaces -> '-'
    days, without_stats, short, sessions, clicks = ds.sql("""
        with stats as (
            select 'google' as source, c.name, s.date as day, s.clicks
            from google_ads.campaign_stats s
            join (select distinct id, name from google_ads.campaign_history) c using (id)
            union all
            select 'linkedin', c.name, s.day, s.clicks
            from linkedin_ads.ad_analytics_by_campaign s
            join (select distinct id, name from linkedin_ads.campaign_history) c on c.id = s.campaign_id
            union all
            select 'facebook', c.name, s.date, s.inline_link_clicks
            from facebook_ads.basic_campaign s
            join (select distinct id, name from facebook_ads.campaign_history) c on c.id = s.campaign_id
        ),
        slugged as (
            select source, lower(replace(replace(name, ' - ', '_'), ' ', '-')) as slug, day, clicks from stats
        ),
        landed as (
            select context_campaign_source as source, context_campaign_name as slug, timestamp::date as day,
                count(*) as sessions
            from segment.pages where context_campaign_medium in ('cpc', 'paid_social') group by all
        )
        select count(*), count(*) filter (where s.clicks is null), count(*) filter (where s.clicks < l.sessions),
            sum(l.sessions), sum(s.clicks)
        from landed l left join slugged s using (source, slug, day)
    """)[0]
    assert days > 100
    assert (without_stats, short) == (0, 0)
    assert sessions <= clicks <= 3 * sessions  # about 78-95% of clicks land, plus a little noise


# ----------------------------------------------------------------------------- 8. the CLI


def test_cli_rejects_an_unknown_scale_and_keeps_existing_files(tmp_path: Path, capsys) -> None:
    out = tmp_path / "raw"
    keep = out / "salesforce" / "lead.parquet"
    keep.parent.mkdir(parents=True)
    keep.write_bytes(b"previous run")
    assert main(["-q", "generate", "--scale", "nope", "--out", str(out)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "gtm generate: error: unknown scale 'nope'; choose one of: tiny, small, medium, large" in err
    assert keep.read_bytes() == b"previous run"


@pytest.mark.parametrize("rate", ["0.9", "-0.1"])
def test_cli_rejects_a_dirty_rate_out_of_range(tmp_path: Path, capsys, rate: str) -> None:
    out = tmp_path / "raw"
    code = main(["-q", "generate", "--scale", "tiny", "--dirty-rate", rate, "--out", str(out)])
    assert code == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert re.search(rf"--dirty-rate must be between 0 and 0\.5, got {re.escape(str(float(rate)))}", err)
    assert not out.exists()


def test_cli_process_exit_code(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "gtm.cli", "generate", "--scale", "nope", "--out", str(tmp_path / "raw")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == EXIT_BAD_INPUT
    assert "unknown scale 'nope'" in proc.stderr
    assert "Traceback" not in proc.stderr
