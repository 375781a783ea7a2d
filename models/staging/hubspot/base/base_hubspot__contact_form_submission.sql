-- Every raw row of hubspot.contact_form_submission, typed and classified for staging (see dq_classify).
-- Incremental on DuckDB like the event streams' base models (dq_source_rows: new deliveries,
-- the other deliveries of their keys and future-timestamp rows are re-classified; delete+insert
-- on form_submission_id); a plain table on Spark, where Parquet tables have no row-level delete.
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='form_submission_id',
    on_schema_change='fail',
) }}

with

source as (

    {{ dq_source_rows(
        'hubspot', 'contact_form_submission', blank_to_null('conversion_id'), '_fivetran_synced', 'form_submission_id', '_fivetran_synced'
    ) }}

),

renamed as (

    select
        {{ blank_to_null('source.conversion_id') }} as form_submission_id,
        source.contact_id,
        {{ blank_to_null('source.form_id') }} as form_id,
        {{ blank_to_null('source.title') }} as form_title,
        {{ blank_to_null('source.page_url') }} as page_url,
        source.timestamp as submitted_at,
        source._fivetran_synced,
        {{ dq_raw_values('hubspot', 'contact_form_submission') }} as _dq_raw_values,
        source.conversion_id as _dq_raw_key
    from source

),

with_path as (

    select
        renamed.form_submission_id,
        renamed.contact_id,
        renamed.form_id,
        renamed.form_title,
        renamed.page_url,
        {{ url_path('renamed.page_url') }} as page_path,
        renamed.submitted_at,
        renamed._fivetran_synced,
        renamed._dq_raw_values,
        renamed._dq_raw_key
    from renamed

),

classified as (

    {{ dq_classify(
        'with_path',
        key_columns=['form_submission_id'],
        loaded_at='_fivetran_synced',
        rules=[
            ('submitted_at > ' ~ future_cutoff(), 'future_timestamp'),
        ]
    ) }}

)

select * from classified
