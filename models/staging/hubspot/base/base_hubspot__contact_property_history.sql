-- Every raw row of hubspot.contact_property_history, typed and classified for staging (see dq_classify).
-- Incremental on DuckDB like the event streams' base models, per contact: the key is (contact,
-- property, change time), and dq_source_rows takes the contact, so a run re-classifies every
-- row of each contact with a new delivery or a future-timestamp row (delete+insert on
-- contact_id); a plain table on Spark, where Parquet tables have no row-level delete. A row
-- without a contact has no key and is quarantined either way: it is picked up by its load time
-- and inserted.
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='contact_id',
    on_schema_change='fail',
) }}
with

source as (

    {{ dq_source_rows(
        'hubspot', 'contact_property_history', 'contact_id', '_fivetran_synced', 'contact_id', '_fivetran_synced'
    ) }}

),

renamed as (

    select
        source.contact_id,
        {{ blank_to_null('source.name') }} as property_name,
        source.value as property_value,
        source.timestamp as changed_at,
        nullif(upper({{ trim_spaces('source.source') }}), '') as change_source,
        coalesce(lower({{ trim_spaces('source.name') }}) = 'lifecyclestage', false) as is_lifecycle_stage,
        source._fivetran_synced,
        {{ dq_raw_values('hubspot', 'contact_property_history') }} as _dq_raw_values,
        {{ dbt.concat([
            "coalesce(cast(source.contact_id as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(source.name, '')", "'|'",
            "coalesce(cast(source.timestamp as " ~ dbt.type_string() ~ "), '')"
        ]) }} as _dq_raw_key
    from source

),

classified as (

    {{ dq_classify(
        'renamed',
        key_columns=['contact_id', 'property_name', 'changed_at'],
        loaded_at='_fivetran_synced',
        rules=[
            ('changed_at > ' ~ future_cutoff(), 'future_timestamp'),
        ]
    ) }}

)

select * from classified
