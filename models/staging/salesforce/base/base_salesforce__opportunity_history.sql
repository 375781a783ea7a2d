{#-
    Every raw row of salesforce.opportunity_history (the stage log), typed and classified for
    staging. The raw table has no currency column: amount is in the opportunity's currency
    (opportunity.currency_iso_code) and is not converted here.

    Incremental on DuckDB like the event streams' base models (dq_source_rows: new
    deliveries, the other deliveries of their keys and future-timestamp rows are re-classified;
    delete+insert on opportunity_history_id); a plain table on Spark, where Parquet tables have
    no row-level delete.
-#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='opportunity_history_id',
    on_schema_change='fail',
) }}

with

source as (

    {{ dq_source_rows(
        'salesforce', 'opportunity_history', blank_to_null('id'), '_fivetran_synced', 'opportunity_history_id', '_fivetran_synced'
    ) }}

),

renamed as (

    select
        {{ blank_to_null('id') }} as opportunity_history_id,
        {{ blank_to_null('opportunity_id') }} as opportunity_id,
        stage_name,
        {{ to_decimal(nan_to_null("amount"), 18, 2) }} as amount,
        probability,
        close_date as expected_close_date,
        {{ blank_to_null('created_by_id') }} as changed_by_user_id,
        created_date as changed_at,
        is_deleted,
        _fivetran_synced,
        {{ dq_raw_values('salesforce', 'opportunity_history') }} as _dq_raw_values,
        id as _dq_raw_key
    from source

),

classified as (

    {{ dq_classify(
        'renamed',
        key_columns=['opportunity_history_id'],
        loaded_at='_fivetran_synced',
        deleted='is_deleted',
        rules=[
            ('changed_at > ' ~ future_cutoff(), 'future_timestamp'),
            ('amount < 0', 'negative_amount'),
        ]
    ) }}

)

select * from classified
