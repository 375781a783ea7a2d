-- Every raw row of salesforce.event (meetings, demos), typed and classified for staging (see dq_classify).
-- Incremental on DuckDB like the event streams' base models (dq_source_rows: new deliveries,
-- the other deliveries of their keys and future-timestamp rows are re-classified; delete+insert
-- on event_id); a plain table on Spark, where Parquet tables have no row-level delete.
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='event_id',
    on_schema_change='fail',
) }}

with

source as (

    {{ dq_source_rows(
        'salesforce', 'event', blank_to_null('id'), '_fivetran_synced', 'event_id', '_fivetran_synced'
    ) }}

),

renamed as (

    select
        {{ blank_to_null('id') }} as event_id,
        {{ blank_to_null('who_id') }} as who_id,
        -- Salesforce id key prefixes: 00Q = lead, 003 = contact
        case
            when {{ trim_spaces('who_id') }} like '00Q%' then 'lead'
            when {{ trim_spaces('who_id') }} like '003%' then 'contact'
        end as who_type,
        {{ blank_to_null('what_id') }} as what_id,
        {{ blank_to_null('account_id') }} as account_id,
        {{ blank_to_null('owner_id') }} as owner_id,
        subject,
        type as event_type,
        start_date_time as started_at,
        end_date_time as ended_at,
        duration_in_minutes as duration_minutes,
        created_date as created_at,
        is_deleted,
        _fivetran_synced,
        {{ dq_raw_values('salesforce', 'event') }} as _dq_raw_values,
        id as _dq_raw_key
    from source

),

classified as (

    {#- future_timestamp on the creation time only: a meeting may be scheduled ahead #}
    {{ dq_classify(
        'renamed',
        key_columns=['event_id'],
        loaded_at='_fivetran_synced',
        deleted='is_deleted',
        rules=[
            ('created_at > ' ~ future_cutoff(), 'future_timestamp'),
        ]
    ) }}

)

select * from classified
