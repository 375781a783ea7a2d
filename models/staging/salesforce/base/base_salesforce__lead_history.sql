-- Every raw row of salesforce.lead_history (lead field changes), typed and classified for staging.
-- Incremental on DuckDB like the event streams' base models (dq_source_rows: new deliveries,
-- the other deliveries of their keys and future-timestamp rows are re-classified; delete+insert
-- on lead_history_id); a plain table on Spark, where Parquet tables have no row-level delete.
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='lead_history_id',
    on_schema_change='fail',
) }}

with

source as (

    {{ dq_source_rows(
        'salesforce', 'lead_history', blank_to_null('id'), '_fivetran_synced', 'lead_history_id', '_fivetran_synced'
    ) }}

),

renamed as (

    select
        {{ blank_to_null('id') }} as lead_history_id,
        {{ blank_to_null('lead_id') }} as lead_id,
        -- API name lower-cased: 'status', 'owner', 'created' (the creation marker)
        lower({{ trim_spaces('field') }}) as field,
        old_value,
        new_value,
        coalesce(lower({{ trim_spaces('field') }}) = 'status', false) as is_status_change,
        {{ blank_to_null('created_by_id') }} as changed_by_user_id,
        created_date as changed_at,
        is_deleted,
        _fivetran_synced,
        {{ dq_raw_values('salesforce', 'lead_history') }} as _dq_raw_values,
        id as _dq_raw_key
    from source

),

classified as (

    {{ dq_classify(
        'renamed',
        key_columns=['lead_history_id'],
        loaded_at='_fivetran_synced',
        deleted='is_deleted',
        rules=[
            ('changed_at > ' ~ future_cutoff(), 'future_timestamp'),
        ]
    ) }}

)

select * from classified
