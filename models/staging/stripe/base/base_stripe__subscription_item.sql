-- Every raw row of stripe.subscription_item, typed and classified for staging (see dq_classify).
-- Incremental on DuckDB like the event streams' base models (dq_source_rows: new deliveries,
-- the other deliveries of their keys and future-timestamp rows are re-classified; delete+insert
-- on subscription_item_id); a plain table on Spark, where Parquet tables have no row-level delete.
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='subscription_item_id',
    on_schema_change='fail',
) }}

with

source as (

    {{ dq_source_rows(
        'stripe', 'subscription_item', blank_to_null('id'), '_fivetran_synced', 'subscription_item_id', '_fivetran_synced'
    ) }}

),

renamed as (

    select
        {{ blank_to_null('source.id') }} as subscription_item_id,
        {{ blank_to_null('source.subscription_id') }} as subscription_id,
        {{ blank_to_null('source.price_id') }} as price_id,
        source.quantity,
        source.created as created_at,
        coalesce(source.is_deleted, false) as is_deleted,
        source._fivetran_synced,
        {{ dq_raw_values('stripe', 'subscription_item') }} as _dq_raw_values,
        cast(source.id as {{ dbt.type_string() }}) as _dq_raw_key
    from source

),

classified as (

    {{ dq_classify(
        'renamed',
        key_columns=['subscription_item_id'],
        loaded_at='_fivetran_synced',
        deleted='is_deleted',
    ) }}

)

select * from classified
