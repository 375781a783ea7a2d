"""Identity resolution, accounts and touchpoints on the real pipeline, against the generator's truth.

Uses the shared ``small_clean_warehouse`` (and ``small_dirty_warehouse``) build. Truth:
``truth_identity`` lists every HubSpot contact, CRM lead, CRM contact and Segment anonymous id
with the person behind it (``is_linkable``: the device ever identified, so the warehouse can know
it); ``truth_people`` / ``truth_accounts`` give each person's email and account.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

# truth record types -> warehouse identifier types
TRUTH_IDENTIFIERS = """
    select
        case
            when record_type = 'anonymous_id' then 'segment_anonymous_id'
            when source = 'hubspot' then 'hubspot_contact_id'
            when record_type = 'lead' then 'salesforce_lead_id'
            else 'salesforce_contact_id'
        end as identifier_type,
        record_id as identifier_value,
        person_id as true_person_id
    from truth_identity
    where is_linkable
"""

# pairs of source records in the same true person / the same warehouse person / both
PAIR_COUNTS = f"""
    with truth as ({TRUTH_IDENTIFIERS}),
    joined as (
        select truth.*, coalesce(resolved.person_id, 'missing:' || truth.identifier_type || truth.identifier_value)
            as person_id
        from truth
        left join intermediate.int_identifiers_resolved as resolved
            using (identifier_type, identifier_value)
    ),
    both_pairs as (
        select sum(n * (n - 1) // 2) as n
        from (select count(*) as n from joined group by true_person_id, person_id)
    ),
    true_pairs as (select sum(n * (n - 1) // 2) as n from (select count(*) as n from joined group by true_person_id)),
    found_pairs as (select sum(n * (n - 1) // 2) as n from (select count(*) as n from joined group by person_id))
    select
        (select count(*) from joined) as records,
        (select count(*) from joined where person_id like 'missing:%') as missing,
        true_pairs.n, found_pairs.n, both_pairs.n
    from true_pairs, found_pairs, both_pairs
""".replace("group by true_person_id, person_id", "group by true_person_id, person_id")

# people with a company email the warehouse knows, and whether their account is the true one
ACCOUNT_MATCH = """
    with truth as (
        select people.email, accounts.sf_account_id, accounts.domain as true_domain
        from truth_people as people
        inner join truth_accounts as accounts using (account_key)
        where not people.is_free_mail
    ),
    found as (
        select
            resolved.identifier_value as email,
            unified.salesforce_account_id,
            unified.company_domain
        from intermediate.int_identifiers_resolved as resolved
        inner join intermediate.int_people_resolved as people using (person_id)
        left join intermediate.int_accounts_unified as unified using (account_id)
        where resolved.identifier_type = 'email'
    )
    select
        count(*) as people,
        count(*) filter (
            where coalesce(
                case
                    when truth.sf_account_id is not null then found.salesforce_account_id = truth.sf_account_id
                    -- a company not in the CRM: the prospect account of its domain
                    else found.salesforce_account_id is null and found.company_domain = truth.true_domain
                end,
                false
            )
        ) as correct
    from truth
    inner join found using (email)
"""


def _identity_scores(warehouse) -> tuple[int, int, float, float]:
    records, missing, true_pairs, found_pairs, both = warehouse.query(PAIR_COUNTS)[0]
    return records, missing, both / found_pairs, both / true_pairs


def test_identity_stitching_precision_and_recall_on_clean_data(small_clean_warehouse):
    records, missing, precision, recall = _identity_scores(small_clean_warehouse)
    print(f"\nidentity (small, clean): {records} records, {missing} unresolved, P={precision:.5f} R={recall:.5f}")
    assert records > 30_000  # contacts, leads, CRM contacts and identified devices
    assert missing == 0
    assert precision >= 0.99
    assert recall >= 0.99


def test_identity_stitching_survives_dirty_data(small_dirty_warehouse):
    """5% injected faults (case and whitespace noise, duplicates, soft deletes, bad rows): records the
    warehouse still has (quarantined and deleted ones are gone) stay stitched."""
    records, missing, precision, recall = _identity_scores(small_dirty_warehouse)
    print(f"\nidentity (small, dirty 5%): {records} records, {missing} unresolved, P={precision:.5f} R={recall:.5f}")
    assert missing < records * 0.05
    assert precision >= 0.99
    assert recall >= 0.95


def test_people_with_a_company_email_get_their_true_account(small_clean_warehouse):
    people, correct = small_clean_warehouse.query(ACCOUNT_MATCH)[0]
    print(f"\naccounts (small, clean): {correct} of {people} company-email people on their true account")
    assert people > 10_000
    assert correct / people >= 0.98


def test_free_mail_people_are_never_matched_by_domain(small_clean_warehouse):
    methods = dict(
        small_clean_warehouse.query(
            "select account_match_method, count(*) from marts.dim_people where is_free_mail_email group by all"
        )
    )
    assert set(methods) <= {"crm_contact", "crm_lead_conversion", "company_name", "free_mail"}
    assert methods["free_mail"] > 0 and methods["company_name"] > 0


def test_every_crm_account_and_billing_customer_is_an_account(small_clean_warehouse):
    wh = small_clean_warehouse
    crm = wh.one("select count(*) from staging.stg_salesforce__accounts")
    assert wh.one("select count(*) from marts.dim_accounts where is_crm_account") == crm
    customers = wh.one("select count(*) from staging.stg_stripe__customers")
    matched = wh.one(
        "select count(*) from intermediate.int_account_identifiers_resolved"
        " where identifier_type = 'stripe_customer_id'"
    )
    assert matched == customers
    # billing customers land on the account the generator billed
    wrong = wh.one("""
        select count(*)
        from truth_accounts as truth
        inner join intermediate.int_account_identifiers_resolved as resolved
            on resolved.identifier_type = 'stripe_customer_id' and resolved.identifier_value = truth.stripe_customer_id
        inner join marts.dim_accounts as accounts on accounts.account_id = resolved.account_id
        where accounts.salesforce_account_id is distinct from truth.sf_account_id
          and accounts.company_domain is distinct from truth.domain
    """)
    assert wrong == 0


def test_touchpoints_cover_every_source_touch(small_clean_warehouse):
    wh = small_clean_warehouse
    counts = dict(wh.query("select touch_type, count(*) from marts.fct_touchpoints group by all"))
    assert counts["sales_call"] + counts["sales_email"] == wh.one("select count(*) from staging.stg_salesforce__tasks")
    assert counts["sales_meeting"] == wh.one("select count(*) from staging.stg_salesforce__events")
    assert counts["form_submission"] == wh.one("select count(*) from staging.stg_hubspot__form_submissions")
    assert counts["email_click"] == wh.one(
        "select count(*) from staging.stg_hubspot__email_events where event_type = 'CLICK'"
    )
    assert counts["event_attendance"] == wh.one(
        "select count(*) from staging.stg_salesforce__campaign_members where has_responded"
    )
    assert counts["web_session"] == wh.one("select count(*) from marts.fct_web_sessions where person_id is not null")
    # paid sessions and email clicks always find their campaign
    unmatched = wh.one("""
        select count(*) from marts.fct_touchpoints
        where campaign_id is null and (channel in ('paid_search', 'paid_social') and touch_type = 'web_session'
                                       or touch_type in ('email_click', 'event_attendance'))
    """)
    assert unmatched == 0


PII_COLUMNS = ("email", "first_name", "last_name", "phone", "ip", "user_agent", "customer_name", "full_name")


def test_no_raw_pii_in_marts(small_clean_warehouse):
    columns = small_clean_warehouse.query(
        "select table_name, column_name from information_schema.columns where table_schema = 'marts'"
    )
    assert {table for table, _ in columns} >= {"dim_people", "dim_accounts", "fct_touchpoints"}
    leaks = [(table, column) for table, column in columns if column in PII_COLUMNS]
    assert leaks == []
