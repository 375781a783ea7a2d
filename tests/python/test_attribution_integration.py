"""Attribution, ad spend and email engagement on the real pipeline, against the generator's truth.

Uses the shared ``small_clean_warehouse`` build (small, seed 7). KPIS.md's first touch (the first
*marketing* touch of *any person of the account* in the 90 days before creation) is recomputed
from the generator's truth and must agree per channel within 2% (it agrees to the cent). The
truth also knows the first-touch channel of the *person who created* each opportunity
(truth_opportunities.first_touch_channel, 'sales_outbound' for prospected people): a different
question, compared and printed too; they agree exactly where the attribution's first touch is
the opportunity's own lead person's touch.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

MODELS = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay")

# truth's won revenue per first-touch channel, and fct_attribution's first-touch won revenue per
# channel; the model's 'no_marketing_touch' row is compared with truth's 'sales_outbound'
FIRST_TOUCH_BY_CHANNEL = """
    with truth as (
        select first_touch_channel as channel, round(sum(case when is_won then amount_usd else 0 end), 2) as revenue
        from truth_opportunities
        group by all
    ),
    model as (
        select
            case when touch_channel = 'no_marketing_touch' then 'sales_outbound' else touch_channel end as channel,
            sum(attributed_revenue_first_touch) as revenue
        from marts.fct_attribution
        group by all
    )
    select coalesce(truth.channel, model.channel), coalesce(truth.revenue, 0), coalesce(model.revenue, 0)
    from truth full outer join model on truth.channel = model.channel
    order by 1
"""


def test_attributed_totals_equal_pipeline_and_won_revenue_to_the_cent(small_clean_warehouse):
    pipeline, won = small_clean_warehouse.query(
        "select sum(amount_reporting), sum(case when is_won then amount_reporting end) from marts.fct_opportunities"
    )[0]
    truth_won = small_clean_warehouse.one("select sum(round(amount_usd, 2)) from truth_opportunities where is_won")
    sums = ", ".join(f"sum(attributed_pipeline_{m}), sum(attributed_revenue_{m})" for m in MODELS)
    row = small_clean_warehouse.query(f"select {sums} from marts.fct_attribution")[0]
    print(f"\ntotal pipeline {pipeline:,.2f}, won revenue {won:,.2f} (truth {truth_won:,.2f})")
    assert round(float(won), 2) == round(float(truth_won), 2)
    for i, model in enumerate(MODELS):
        assert row[2 * i] == pipeline, model
        assert row[2 * i + 1] == won, model
    # every opportunity is there once per model: its touches or one 'no_marketing_touch' row
    missing = small_clean_warehouse.one("""
        select count(*) from marts.fct_opportunities
        where opportunity_id not in (select opportunity_id from marts.fct_attribution)
    """)
    assert missing == 0


def test_first_touch_revenue_per_channel_against_truth(small_clean_warehouse):
    rows = small_clean_warehouse.query(FIRST_TOUCH_BY_CHANNEL)
    print("\nfirst-touch won revenue per channel (small, seed 7): truth | fct_attribution | diff")
    for channel, truth, model in rows:
        diff = f"{(float(model) / float(truth) - 1) * 100:+.1f}%" if truth else "n/a"
        print(f"  {channel:<16} {float(truth):>14,.2f} {float(model):>14,.2f} {diff:>8}")
    assert round(sum(float(t) for _, t, _ in rows), 2) == round(sum(float(m) for _, _, m in rows), 2)

    # Where the first eligible touch is the opportunity's own lead person's touch and that person
    # was not prospected by sales, the attributed channel is the truth's channel (measured: all
    # of it). The rest of the gap is definitional (KPIS.md: touches of any person of the account,
    # marketing touches only), measured below.
    split = small_clean_warehouse.query("""
        with first_touches as (
            select
                attribution.attributed_revenue_first_touch as revenue,
                attribution.touch_channel,
                credits.person_id = credits.lead_person_id as is_lead_persons_touch,
                truth.first_touch_channel as truth_channel
            from marts.fct_attribution as attribution
            left join intermediate.int_attribution_credits as credits
                using (opportunity_id, touchpoint_id)
            inner join truth_opportunities as truth using (opportunity_id)
            where attribution.touch_sequence <= 1
        )
        select
            sum(revenue),
            sum(revenue) filter (where is_lead_persons_touch and truth_channel != 'sales_outbound'),
            sum(revenue) filter (
                where is_lead_persons_touch and truth_channel != 'sales_outbound' and touch_channel = truth_channel
            ),
            sum(revenue) filter (where not is_lead_persons_touch),
            sum(revenue) filter (where truth_channel = 'sales_outbound' and touch_channel != 'no_marketing_touch')
        from first_touches
    """)[0]
    total, own, own_matching, colleague, outbound_credited = (float(x or 0) for x in split)
    print(
        f"  won revenue {total:,.2f}: first touch by the lead person {own:,.2f} (channel = truth: {own_matching:,.2f});"
        f" by a colleague on the account {colleague:,.2f} ({colleague / total:.1%});"
        f" sales-sourced deals credited to a marketing touch {outbound_credited:,.2f}"
    )
    assert own > 0.2 * total
    assert own_matching >= 0.99 * own


# The generator's truth recomputed with KPIS.md's rule: the first *marketing* touch of *any person
# of the opportunity's account* in the attribution window. People, accounts, device links, session
# boundaries and channels come from the truth files (not from the warehouse's identity resolution,
# sessionisation or channel rules); email clicks, event attendances and webinar registrations
# (an events touch) from the raw events, tied to people through truth's emails and CRM / HubSpot
# records. Other form fills are left out: each happens inside a session of the same person,
# which starts earlier.
TRUTH_FIRST_TOUCH_BY_CHANNEL = """
    with linked_devices as (
        select record_id as anonymous_id from truth_identity
        where record_type = 'anonymous_id' and is_linkable
    ),
    touches as (
        select sessions.person_id, sessions.started_at as touched_at, sessions.channel, 1 as type_order
        from truth_web_sessions as sessions
        inner join linked_devices using (anonymous_id)
        where sessions.person_id is not null
        union all
        select people.person_id, events.created, 'email', 2
        from hubspot.email_event as events
        inner join truth_people as people on lower(events.recipient) = lower(people.email)
        where events.type = 'CLICK'
        union all
        select identity.person_id,
               coalesce(cast(members.first_responded_date as timestamp), members.created_date),
               case when campaigns.type = 'Partner' then 'partner' else 'events' end, 3
        from salesforce.campaign_member as members
        inner join salesforce.campaign as campaigns on members.campaign_id = campaigns.id
        inner join truth_identity as identity
            on identity.source = 'salesforce'
            and identity.record_id = coalesce(members.contact_id, members.lead_id)
            and identity.record_type = case when members.contact_id is not null then 'contact' else 'lead' end
        where members.has_responded
        union all
        select identity.person_id, forms.timestamp, 'events', 4
        from hubspot.contact_form_submission as forms
        inner join truth_identity as identity
            on identity.source = 'hubspot' and identity.record_type = 'contact'
            and identity.record_id = cast(forms.contact_id as varchar)
        where forms.title = 'Webinar Registration'
    ),
    eligible as (
        select
            opportunities.opportunity_id,
            case when opportunities.is_won then opportunities.amount_usd else 0 end as revenue,
            touches.channel,
            row_number() over (
                partition by opportunities.opportunity_id
                order by touches.touched_at, touches.type_order
            ) as touch_rank
        from truth_opportunities as opportunities
        inner join truth_people as people on opportunities.account_key = people.account_key
        inner join touches on people.person_id = touches.person_id
        where touches.touched_at >= opportunities.created_at - interval 90 days
          and touches.touched_at < opportunities.created_at
    ),
    first_touches as (
        select
            coalesce(eligible.channel, 'no_marketing_touch') as channel,
            case when opportunities.is_won then opportunities.amount_usd else 0 end as revenue
        from truth_opportunities as opportunities
        left join eligible
            on opportunities.opportunity_id = eligible.opportunity_id and eligible.touch_rank = 1
    ),
    truth as (
        select channel, round(sum(revenue), 2) as revenue from first_touches group by all
    ),
    model as (
        select touch_channel as channel, sum(attributed_revenue_first_touch) as revenue
        from marts.fct_attribution
        group by all
    )
    select coalesce(truth.channel, model.channel), coalesce(truth.revenue, 0), coalesce(model.revenue, 0)
    from truth full outer join model on truth.channel = model.channel
    order by 1
"""


def test_first_touch_revenue_within_two_percent_of_truth_per_channel(small_clean_warehouse):
    """KPIS.md's first touch recomputed from the generator's truth: every channel within 2%."""
    rows = small_clean_warehouse.query(TRUTH_FIRST_TOUCH_BY_CHANNEL)
    print("\nfirst-touch won revenue per channel, KPIS.md rule on truth (small, seed 7): truth | model | diff")
    for channel, truth, model in rows:
        diff = f"{(float(model) / float(truth) - 1) * 100:+.2f}%" if truth else "n/a"
        print(f"  {channel:<18} {float(truth):>14,.2f} {float(model):>14,.2f} {diff:>8}")
    assert round(sum(float(t) for _, t, _ in rows), 2) == round(sum(float(m) for _, _, m in rows), 2)
    for channel, truth, model in rows:
        assert abs(float(model) - float(truth)) <= 0.02 * float(truth), (channel, float(truth), float(model))


def test_ad_spend_and_email_engagement_against_raw(small_clean_warehouse):
    spend = dict(
        small_clean_warehouse.query("select platform, sum(spend_reporting) from marts.fct_ad_spend_daily group by all")
    )
    staged = dict(
        small_clean_warehouse.query("""
            select platform, sum(spend_reporting) from (
                select platform, spend_reporting from staging.stg_google_ads__campaign_stats
                union all select platform, spend_reporting from staging.stg_linkedin_ads__campaign_stats
                union all select platform, spend_reporting from staging.stg_facebook_ads__campaign_stats
            ) group by all
        """)
    )
    print(f"\nad spend (USD) by platform: { {k: float(v) for k, v in sorted(spend.items())} }")
    assert spend == staged and set(spend) == {"google_ads", "linkedin_ads", "facebook_ads"}

    sends, missing, opens, clicks, delivered, resolved = small_clean_warehouse.query("""
        select count(*), count(*) filter (where is_send_event_missing), sum(open_count), sum(click_count),
               count(*) filter (where is_delivered), count(person_id)
        from marts.fct_email_engagement
    """)[0]
    raw = dict(small_clean_warehouse.query("select type, count(*) from hubspot.email_event group by all"))
    print(
        f"email: {sends:,} sends ({missing} reconstructed), {delivered:,} delivered, {opens:,} opens,"
        f" {clicks:,} clicks, {resolved:,} to a known person"
    )
    # clean data: every send has its SENT event and every raw event is counted once
    assert missing == 0
    assert sends == raw["SENT"] and opens == raw["OPEN"] and clicks == raw["CLICK"] and delivered == raw["DELIVERED"]
    assert resolved == sends
