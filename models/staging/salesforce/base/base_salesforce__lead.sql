-- Every raw row of salesforce.lead, typed, email normalised, channel mapped and classified for staging.
-- Incremental on DuckDB like the event streams' base models (dq_source_rows: new deliveries,
-- the other deliveries of their keys and future-timestamp rows are re-classified; delete+insert
-- on lead_id); a plain table on Spark, where Parquet tables have no row-level delete.
-- Rows already classified keep what the rules said then: after editing the channel_mapping or
-- free_mail_domains seed or the test / internal email vars, run with --full-refresh.
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='lead_id',
    on_schema_change='fail',
) }}

with

source as (

    {{ dq_source_rows(
        'salesforce', 'lead', blank_to_null('id'), '_fivetran_synced', 'lead_id', '_fivetran_synced'
    ) }}

),

free_mail_domains as (

    select * from {{ ref('free_mail_domains') }}

),

renamed as (

    select
        {{ blank_to_null('id') }} as lead_id,
        first_name,
        last_name,
        {{ normalize_email('email') }} as email,
        company,
        title,
        phone,
        industry,
        number_of_employees,
        country,
        lead_source,
        status,
        unqualified_reason_c as unqualified_reason,
        is_converted,
        converted_date,
        {{ blank_to_null('converted_account_id') }} as converted_account_id,
        {{ blank_to_null('converted_contact_id') }} as converted_contact_id,
        {{ blank_to_null('converted_opportunity_id') }} as converted_opportunity_id,
        {{ blank_to_null('owner_id') }} as owner_id,
        created_date as created_at,
        is_deleted,
        _fivetran_synced,
        {{ dq_raw_values('salesforce', 'lead') }} as _dq_raw_values,
        id as _dq_raw_key
    from source

),

flagged as (

    select
        renamed.*,
        {{ is_valid_email('renamed.email') }} as is_valid_email,
        {{ email_domain('renamed.email') }} as email_domain,
        {{ is_test_email('renamed.email') }} as is_test_record,
        {{ is_internal_email('renamed.email') }} as is_internal_record,
        {{ channel_from_mapping('salesforce', 'lead_source', 'renamed.lead_source') }} as channel
    from renamed

),

with_free_mail as (

    select
        flagged.*,
        free_mail_domains.domain is not null as is_free_mail_email
    from flagged
    left join free_mail_domains
        on flagged.email_domain = free_mail_domains.domain

),

classified as (

    {{ dq_classify(
        'with_free_mail',
        key_columns=['lead_id'],
        loaded_at='_fivetran_synced',
        deleted='is_deleted',
        rules=[
            ('created_at > ' ~ future_cutoff(), 'future_timestamp'),
        ]
    ) }}

)

select * from classified
