"""Web sessions against the generator's ground truth (issue 4, item 3).

The sample company's true sessions (``truth_web_sessions``: humans only) are built so that a
30-minute inactivity rule recovers them exactly: sessions of one device are at least 31
minutes apart, page views within a session less than 30 minutes apart. So on clean data the
warehouse must find the same sessions, with the same channel, page views and bounces, and the
person of every session whose device the raw data links to a person (truth ``is_linkable``),
including the sessions from before the visitor identified. On dirty data, the bot and
office-network page views the generator injected are exactly what is excluded.

Measured at ``small`` scale, seed 7 (the shared fixtures); the figures are printed (``-s``).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

# a warehouse session is a truth session when the device and both ends agree
MATCHED = """
    truth_web_sessions as truth
    inner join marts.fct_web_sessions as sessions
        on sessions.anonymous_id = truth.anonymous_id
        and sessions.started_at = truth.started_at
        and sessions.ended_at = truth.ended_at
"""

# the truth person behind each warehouse person: the majority of the truth persons of its
# source records (HubSpot contacts, CRM leads and contacts, Segment anonymous ids)
PERSON_MAP = """
    with identifier_truth as (
        select
            resolved.person_id as warehouse_person_id,
            truth.person_id as truth_person_id,
            count(*) as records
        from intermediate.int_identifiers_resolved as resolved
        inner join truth_identity as truth
            on resolved.identifier_value = truth.record_id
            and resolved.identifier_type = case truth.source || '.' || truth.record_type
                when 'hubspot.contact' then 'hubspot_contact_id'
                when 'salesforce.lead' then 'salesforce_lead_id'
                when 'salesforce.contact' then 'salesforce_contact_id'
                when 'segment.anonymous_id' then 'segment_anonymous_id'
            end
        group by all
    ),
    person_map as (
        select warehouse_person_id, arg_max(truth_person_id, records) as truth_person_id
        from identifier_truth
        group by warehouse_person_id
    ),
    devices as (
        select record_id as anonymous_id, is_linkable
        from truth_identity
        where source = 'segment' and record_type = 'anonymous_id'
    ),
    known_sessions as (
        select
            truth.person_id as truth_person_id,
            coalesce(devices.is_linkable, false) as is_linkable,
            sessions.person_id as warehouse_person_id,
            sessions.user_id,
            person_map.truth_person_id as mapped_person_id
        from truth_web_sessions as truth
        left join marts.fct_web_sessions as sessions
            on sessions.anonymous_id = truth.anonymous_id and sessions.started_at = truth.started_at
        left join person_map on sessions.person_id = person_map.warehouse_person_id
        left join devices on truth.anonymous_id = devices.anonymous_id
        where truth.person_id is not null
    )
"""


def test_session_count_is_within_one_percent_of_truth(small_clean_warehouse):
    wh = small_clean_warehouse
    truth = wh.one("select count(*) from truth_web_sessions")
    measured = wh.one("select count(*) from marts.fct_web_sessions")
    print(f"\nsessions: warehouse {measured:,}, truth {truth:,}, difference {measured - truth:+,}")
    assert truth > 50_000  # the small company has about 120k true sessions: the fixture is not empty
    assert abs(measured - truth) <= 0.01 * truth


def test_sessions_have_the_true_boundaries_and_page_views(small_clean_warehouse):
    wh = small_clean_warehouse
    truth = wh.one("select count(*) from truth_web_sessions")
    matched = wh.one(f"select count(*) from {MATCHED} where sessions.pageviews = truth.pageviews")
    truth_pageviews = wh.one("select sum(pageviews) from truth_web_sessions")
    measured_pageviews = wh.one("select sum(pageviews) from marts.fct_web_sessions")
    print(f"\nsessions with the true start, end and page views: {matched:,} of {truth:,}")
    print(f"page views: warehouse {measured_pageviews:,}, truth {truth_pageviews:,}")
    assert matched >= 0.99 * truth
    assert abs(measured_pageviews - truth_pageviews) <= 0.01 * truth_pageviews


def test_session_channel_agrees_with_truth(small_clean_warehouse):
    wh = small_clean_warehouse
    matched, agree = wh.query(
        f"select count(*), count(*) filter (where sessions.channel = truth.channel) from {MATCHED}"
    )[0]
    disagreements = wh.query(
        f"""select truth.channel, sessions.channel, count(*) from {MATCHED}
            where sessions.channel <> truth.channel group by all order by 3 desc limit 5"""
    )
    print(f"\nchannel agreement: {agree:,} of {matched:,} matched sessions ({agree / matched:.4%}); {disagreements}")
    assert agree >= 0.99 * matched
    # every channel of the truth is found, with its true session count within 1%
    per_channel = wh.query(
        """with t as (select channel, count(*) as n from truth_web_sessions group by channel),
                w as (select channel, count(*) as n from marts.fct_web_sessions group by channel)
           select t.channel, t.n, coalesce(w.n, 0) from t left join w on t.channel = w.channel order by t.channel"""
    )
    print("sessions per channel (truth, warehouse):", per_channel)
    assert len(per_channel) >= 6
    for channel, truth_n, measured_n in per_channel:
        assert abs(measured_n - truth_n) <= 0.01 * truth_n, channel


def test_bounces_agree_with_truth(small_clean_warehouse):
    wh = small_clean_warehouse
    truth = wh.one("select count(*) from truth_web_sessions where pageviews = 1")
    measured = wh.one("select count(*) from marts.fct_web_sessions where is_bounce")
    sessions = wh.one("select count(*) from marts.fct_web_sessions")
    print(f"\nbounces: warehouse {measured:,}, truth {truth:,}; bounce rate {measured / sessions:.2%}")
    assert truth > 10_000
    assert abs(measured - truth) <= 0.01 * truth
    # bounces are also the same sessions, not only the same number
    same = wh.one(f"select count(*) from {MATCHED} where sessions.is_bounce = (truth.pageviews = 1)")
    matched = wh.one(f"select count(*) from {MATCHED}")
    assert same == matched


def test_sessions_get_the_true_person_including_before_identification(small_clean_warehouse):
    wh = small_clean_warehouse
    known, linkable, right, right_linkable, wrong, before_identify, before_identify_right = wh.query(
        PERSON_MAP
        + """
        select
            count(*),
            count(*) filter (where is_linkable),
            count(*) filter (where mapped_person_id = truth_person_id),
            count(*) filter (where is_linkable and mapped_person_id = truth_person_id),
            count(*) filter (
                where warehouse_person_id is not null and mapped_person_id is distinct from truth_person_id
            ),
            count(*) filter (where warehouse_person_id is not null and user_id is null),
            count(*) filter (where user_id is null and mapped_person_id = truth_person_id)
        from known_sessions
        """
    )[0]
    print(
        f"\ntruth sessions of known people: {known:,}; on devices the raw data links to the person: {linkable:,}"
        f"\nright person: {right:,} of {known:,} ({right / known:.2%}); of linkable {right_linkable:,} of"
        f" {linkable:,} ({right_linkable / linkable:.4%}); wrong person: {wrong:,}"
        f"\nstitched retroactively (no user_id in the session): {before_identify:,}, right: {before_identify_right:,}"
    )
    assert linkable > 0.8 * known  # most devices of known people are identified at some point
    assert right_linkable >= 0.99 * linkable
    assert wrong <= 0.01 * known
    # retroactive stitching: most sessions of known people carry no user_id, and still get their person
    assert before_identify > 0.5 * right
    assert before_identify_right >= 0.99 * before_identify
    # anonymous visitors never get a person
    strangers = wh.one(
        f"select count(*) from {MATCHED} where truth.person_id is null and sessions.person_id is not null"
    )
    assert strangers == 0


def test_bot_and_internal_traffic_is_excluded_and_counted(small_dirty_warehouse):
    wh = small_dirty_warehouse
    injected = dict(
        wh.query(
            """select fault, count(*) from truth_faults
               where table_name = 'segment.pages' and fault in ('bot_traffic', 'internal_traffic') group by fault"""
        )
    )
    counted = dict(
        wh.query("select exclusion_reason, sum(pageviews) from marts.dq_web_traffic_exclusions group by all")
    )
    print(f"\ninjected page views {injected}; excluded page views {counted}")
    assert injected["bot_traffic"] > 0 and injected["internal_traffic"] > 0
    assert counted.get("bot") == injected["bot_traffic"]
    assert counted.get("internal") == injected["internal_traffic"]
    assert counted.get("no_visitor_id") is None
    # humans only are left, and they are the true sessions
    truth = wh.one("select count(*) from truth_web_sessions")
    measured = wh.one("select count(*) from marts.fct_web_sessions")
    print(f"dirty data sessions: warehouse {measured:,}, truth {truth:,}")
    assert abs(measured - truth) <= 0.01 * truth
    # nothing lost: every session is in the mart or counted as excluded
    all_sessions = wh.one("select count(*) from intermediate.int_web_sessions")
    excluded = wh.one("select sum(sessions) from marts.dq_web_traffic_exclusions")
    assert all_sessions == measured + excluded
