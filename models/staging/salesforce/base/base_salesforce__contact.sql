-- Every raw row of salesforce.contact, typed, email normalised and classified for staging (see dq_classify).
-- Incremental on DuckDB like the event streams' base models (dq_source_rows: new deliveries,
-- the other deliveries of their keys and future-timestamp rows are re-classified; delete+insert
-- on contact_id); a plain table on Spark, where Parquet tables have no row-level delete.
-- Rows already classified keep what the rules said then: after editing the free_mail_domains seed or
-- the test / internal email vars, run with --full-refresh.
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='contact_id',
    on_schema_change='fail',
) }}

with

source as (

    {{ dq_source_rows(
        'salesforce', 'contact', blank_to_null('id'), '_fivetran_synced', 'contact_id', '_fivetran_synced'
    ) }}

),

free_mail_domains as (

    select * from {{ ref('free_mail_domains') }}

),

renamed as (

    select
        {{ blank_to_null('id') }} as contact_id,
        {{ blank_to_null('account_id') }} as account_id,
        first_name,
        last_name,
        {{ normalize_email('email') }} as email,
        title,
        phone,
        lead_source,
        {{ blank_to_null('owner_id') }} as owner_id,
        created_date as created_at,
        is_deleted,
        _fivetran_synced,
        {{ dq_raw_values('salesforce', 'contact') }} as _dq_raw_values,
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
        key_columns=['contact_id'],
        loaded_at='_fivetran_synced',
        deleted='is_deleted',
        rules=[
            ('created_at > ' ~ future_cutoff(), 'future_timestamp'),
        ]
    ) }}

)

select * from classified
