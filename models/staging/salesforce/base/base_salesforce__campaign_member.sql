-- Every raw row of salesforce.campaign_member, typed and classified for staging (see dq_classify).
-- Incremental on DuckDB like the event streams' base models (dq_source_rows: new deliveries,
-- the other deliveries of their keys and future-timestamp rows are re-classified; delete+insert
-- on campaign_member_id); a plain table on Spark, where Parquet tables have no row-level delete.
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='campaign_member_id',
    on_schema_change='fail',
) }}

with

source as (

    {{ dq_source_rows(
        'salesforce', 'campaign_member', blank_to_null('id'), '_fivetran_synced', 'campaign_member_id', '_fivetran_synced'
    ) }}

),

renamed as (

    select
        {{ blank_to_null('id') }} as campaign_member_id,
        {{ blank_to_null('campaign_id') }} as campaign_id,
        {{ blank_to_null('lead_id') }} as lead_id,
        {{ blank_to_null('contact_id') }} as contact_id,
        status,
        has_responded,
        first_responded_date,
        created_date as created_at,
        is_deleted,
        _fivetran_synced,
        {{ dq_raw_values('salesforce', 'campaign_member') }} as _dq_raw_values,
        id as _dq_raw_key
    from source

),

classified as (

    {{ dq_classify(
        'renamed',
        key_columns=['campaign_member_id'],
        loaded_at='_fivetran_synced',
        deleted='is_deleted',
        rules=[
            ('created_at > ' ~ future_cutoff(), 'future_timestamp'),
        ]
    ) }}

)

select * from classified
