-- One row per unified person. No raw PII: the email is hashed, the name follows the display-name
-- policy (macro display_name); phones and full names stay in int_people_resolved.
{#- duckdb_uncompressed_columns: unique hashes / ids, and other ids and keys of tens of thousands
    of values or more (person, account, identifier, email), stored uncompressed on DuckDB (macro
    duckdb__create_table_as; picked by measuring, BENCHMARKS.md) -#}
{{ config(
    meta={'duckdb_uncompressed_columns': ['person_id', 'email_sha256', 'account_id']},
) }}
with

people as (

    select * from {{ ref('int_people_resolved') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

sessions as (

    select * from {{ ref('int_web_sessions') }}

),

-- the first human web visit of any of the person's devices, also from before they identified
first_visits as (

    select
        identifiers.person_id,
        min(sessions.started_at) as first_visit_at
    from sessions
    inner join identifiers
        on
            identifiers.identifier_type = 'segment_anonymous_id'
            and sessions.anonymous_id = identifiers.identifier_value
    where sessions.exclusion_reason is null
    group by identifiers.person_id

),

final as (

    select
        people.person_id,
        {{ sha256_hex('people.email') }} as email_sha256,
        people.email_domain,
        people.is_free_mail_email,
        people.is_internal,
        people.is_test,
        {{ display_name('people.first_name', 'people.last_name') }} as display_name,
        people.title,
        people.account_id,
        people.account_match_method,
        people.owner_id,
        people.salesforce_contact_id,
        people.salesforce_lead_id,
        people.hubspot_contact_id,
        people.segment_user_id,
        people.salesforce_contacts,
        people.salesforce_leads,
        people.hubspot_contacts,
        people.segment_anonymous_ids,
        people.emails,
        people.first_lead_created_at,
        people.first_hubspot_created_at,
        people.first_contact_created_at,
        people.first_identified_at,
        first_visits.first_visit_at,
        case
            when first_visits.first_visit_at < people.first_record_at then first_visits.first_visit_at
            else coalesce(people.first_record_at, first_visits.first_visit_at)
        end as first_seen_at
    from people
    left join first_visits
        on people.person_id = first_visits.person_id

)

select * from final
