-- One row per candidate identity edge: two identifiers observed together in a source record.
-- Edges that break a conflict rule stay here with `conflict_reason` set and `is_active` false,
-- so every observed link is accounted for; only active edges join identifiers into people.
{#- duckdb_uncompressed_columns: unique hashes / ids, and other ids and keys of tens of thousands
    of values or more (person, account, identifier, email), stored uncompressed on DuckDB (macro
    duckdb__create_table_as; picked by measuring, BENCHMARKS.md) -#}
{{ config(
    meta={'duckdb_uncompressed_columns': ['edge_id', 'left_value', 'right_value']},
) }}
{%- set shared_inboxes = var('shared_inbox_local_parts') %}
with

identifies as (

    select * from {{ ref('stg_segment__identifies') }}

),

pages as (

    select * from {{ ref('stg_segment__pages') }}

),

tracks as (

    select * from {{ ref('stg_segment__tracks') }}

),

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

salesforce_leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

salesforce_contacts as (

    select * from {{ ref('stg_salesforce__contacts') }}

),

-- the (device, login) pairs of the event tables, one row per pair before the union: page views
-- and tracks are the largest inputs by far
page_pairs as (

    select
        anonymous_id,
        user_id,
        min(viewed_at) as observed_at,
        count(*) as observations
    from pages
    where anonymous_id is not null and user_id is not null
    group by anonymous_id, user_id

),

track_pairs as (

    select
        anonymous_id,
        user_id,
        min(occurred_at) as observed_at,
        count(*) as observations
    from tracks
    where anonymous_id is not null and user_id is not null
    group by anonymous_id, user_id

),

-- every (left identifier, right identifier) pair as a source shows it, with when it was seen
-- and how often (event pairs pre-counted above, every other row once)
observed as (

    select
        'segment.identifies' as edge_source,
        'segment_anonymous_id' as left_type,
        anonymous_id as left_value,
        'email' as right_type,
        email as right_value,
        is_valid_email,
        identified_at as observed_at,
        1 as observations
    from identifies
    where anonymous_id is not null and email is not null

    union all

    select
        'segment.identifies' as edge_source,
        'segment_anonymous_id' as left_type,
        anonymous_id as left_value,
        'segment_user_id' as right_type,
        user_id as right_value,
        true as is_valid_email,
        identified_at as observed_at,
        1 as observations
    from identifies
    where anonymous_id is not null and user_id is not null

    union all

    select
        'segment.identifies' as edge_source,
        'segment_user_id' as left_type,
        user_id as left_value,
        'email' as right_type,
        email as right_value,
        is_valid_email,
        identified_at as observed_at,
        1 as observations
    from identifies
    where user_id is not null and email is not null

    union all

    select
        'segment.pages' as edge_source,
        'segment_anonymous_id' as left_type,
        anonymous_id as left_value,
        'segment_user_id' as right_type,
        user_id as right_value,
        true as is_valid_email,
        observed_at,
        observations
    from page_pairs

    union all

    select
        'segment.tracks' as edge_source,
        'segment_anonymous_id' as left_type,
        anonymous_id as left_value,
        'segment_user_id' as right_type,
        user_id as right_value,
        true as is_valid_email,
        observed_at,
        observations
    from track_pairs

    union all

    select
        'hubspot.contact' as edge_source,
        'hubspot_contact_id' as left_type,
        cast(contact_id as {{ dbt.type_string() }}) as left_value,
        'email' as right_type,
        email as right_value,
        is_valid_email,
        created_at as observed_at,
        1 as observations
    from hubspot_contacts
    where email is not null

    union all

    select
        'salesforce.lead' as edge_source,
        'salesforce_lead_id' as left_type,
        lead_id as left_value,
        'email' as right_type,
        email as right_value,
        is_valid_email,
        created_at as observed_at,
        1 as observations
    from salesforce_leads
    where email is not null

    union all

    select
        'salesforce.lead' as edge_source,
        'salesforce_lead_id' as left_type,
        lead_id as left_value,
        'salesforce_contact_id' as right_type,
        converted_contact_id as right_value,
        true as is_valid_email,
        cast(converted_date as {{ dbt.type_timestamp() }}) as observed_at,
        1 as observations
    from salesforce_leads
    where converted_contact_id is not null

    union all

    select
        'salesforce.contact' as edge_source,
        'salesforce_contact_id' as left_type,
        contact_id as left_value,
        'email' as right_type,
        email as right_value,
        is_valid_email,
        created_at as observed_at,
        1 as observations
    from salesforce_contacts
    where email is not null

),

edges as (

    select
        edge_source,
        left_type,
        left_value,
        right_type,
        right_value,
        is_valid_email,
        min(observed_at) as first_observed_at,
        cast(sum(observations) as {{ dbt.type_bigint() }}) as observations
    from observed
    group by edge_source, left_type, left_value, right_type, right_value, is_valid_email

),

flagged as (

    select
        edges.*,
        edges.right_type = 'email' and not edges.is_valid_email as is_invalid_email,
        coalesce(
            edges.right_type = 'email'
            and edges.is_valid_email
            and {{ dbt.split_part('edges.right_value', "'@'", 1) }} in ({{ sql_string_list(shared_inboxes) }}),
            false
        ) as is_shared_inbox
    from edges

),

-- a device or a login seen with several emails (or a device with several logins): only the first
-- one seen links; the others would merge different people into one
rankable as (

    select
        flagged.*,
        flagged.left_type in ('segment_anonymous_id', 'segment_user_id')
        and flagged.right_type in ('email', 'segment_user_id')
        and not flagged.is_invalid_email
        and not flagged.is_shared_inbox as is_one_per_identifier
    from flagged

),

-- the identifier each device / login links to: the one first seen with it, by any source (ties:
-- the smaller value). One aggregate over the edges: the earliest edge belongs to the pair seen
-- first, since every edge of a pair shares is_one_per_identifier (the same email validity and
-- shared-inbox rules apply in every source)
first_rights as (

    select
        left_type,
        left_value,
        right_type,
        {{ value_at_min('right_value', ['first_observed_at', 'right_value']) }} as first_right_value
    from rankable
    where is_one_per_identifier
    group by left_type, left_value, right_type

),

ranked as (

    select
        rankable.*,
        coalesce(rankable.right_value = first_rights.first_right_value, false) as is_first_right
    from rankable
    left join first_rights
        on
            rankable.is_one_per_identifier
            and rankable.left_type = first_rights.left_type
            and rankable.left_value = first_rights.left_value
            and rankable.right_type = first_rights.right_type

),

classified as (

    select
        ranked.*,
        case
            when ranked.is_invalid_email then 'invalid_email'
            when ranked.is_shared_inbox then 'shared_inbox'
            when not ranked.is_one_per_identifier or ranked.is_first_right then null
            when ranked.left_type = 'segment_anonymous_id' and ranked.right_type = 'email'
                then 'device_identified_as_another_email'
            when ranked.left_type = 'segment_anonymous_id'
                then 'device_logged_in_as_another_user'
            else 'user_id_with_another_email'
        end as conflict_reason
    from ranked

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'edge_source', "'|'", 'left_type', "'|'", 'left_value', "'|'", 'right_type', "'|'", 'right_value'
        ])) }} as edge_id,
        edge_source,
        left_type,
        left_value,
        right_type,
        right_value,
        first_observed_at,
        observations,
        conflict_reason,
        conflict_reason is null as is_active
    from classified

)

select * from final
