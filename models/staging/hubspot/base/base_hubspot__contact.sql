-- Every raw row of hubspot.contact, typed, normalised and classified for staging (see dq_classify).
-- Unknown raw columns (custom properties the contract does not know) are ignored.
-- Incremental on DuckDB like the event streams' base models (dq_source_rows: new deliveries,
-- the other deliveries of their keys and future-timestamp rows are re-classified; delete+insert
-- on contact_id); a plain table on Spark, where Parquet tables have no row-level delete.
-- Rows already classified keep what the rules said then: after editing the free_mail_domains seed or the
-- test / internal email vars, run with --full-refresh.
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='contact_id',
    on_schema_change='fail',
) }}

with

source as (

    {{ dq_source_rows(
        'hubspot', 'contact', 'id', '_fivetran_synced', 'contact_id', '_fivetran_synced'
    ) }}

),

free_mail_domains as (

    select domain from {{ ref('free_mail_domains') }}

),

renamed as (

    select
        source.id as contact_id,
        {{ normalize_email('source.property_email') }} as email,
        {{ blank_to_null('source.property_firstname') }} as first_name,
        {{ blank_to_null('source.property_lastname') }} as last_name,
        {{ blank_to_null('source.property_company') }} as company,
        {{ blank_to_null('source.property_jobtitle') }} as job_title,
        nullif(lower({{ trim_spaces('source.property_lifecyclestage') }}), '') as lifecycle_stage,
        nullif(upper({{ trim_spaces('source.property_hs_analytics_source') }}), '') as analytics_source,
        {{ blank_to_null('source.property_hs_analytics_source_data_1') }} as analytics_source_detail,
        source.property_hs_lifecyclestage_marketingqualifiedlead_date as map_mql_at,
        source.property_createdate as created_at,
        source._fivetran_deleted as is_deleted,
        source._fivetran_synced,
        {{ dq_raw_values('hubspot', 'contact') }} as _dq_raw_values,
        cast(source.id as {{ dbt.type_string() }}) as _dq_raw_key
    from source

),

normalized as (

    select
        renamed.contact_id,
        renamed.email,
        {{ is_valid_email('renamed.email') }} as is_valid_email,
        {{ email_domain('renamed.email') }} as email_domain,
        free_mail_domains.domain is not null as is_free_mail_email,
        {{ is_test_email('renamed.email') }} as is_test_record,
        {{ is_internal_email('renamed.email') }} as is_internal_record,
        renamed.first_name,
        renamed.last_name,
        renamed.company,
        renamed.job_title,
        renamed.lifecycle_stage,
        renamed.analytics_source,
        {{ channel_from_mapping('hubspot', 'hs_analytics_source', 'renamed.analytics_source') }} as channel,
        renamed.analytics_source_detail,
        renamed.map_mql_at,
        renamed.created_at,
        renamed.is_deleted,
        renamed._fivetran_synced,
        renamed._dq_raw_values,
        renamed._dq_raw_key
    from renamed
    left join free_mail_domains
        on {{ email_domain('renamed.email') }} = free_mail_domains.domain

),

classified as (

    {{ dq_classify(
        'normalized',
        key_columns=['contact_id'],
        loaded_at='_fivetran_synced',
        deleted='is_deleted',
        rules=[
            ('created_at > ' ~ future_cutoff(), 'future_timestamp'),
        ]
    ) }}

)

select * from classified
