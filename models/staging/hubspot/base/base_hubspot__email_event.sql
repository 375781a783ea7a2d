{#-
    Every raw row of hubspot.email_event, typed, normalised and classified for staging (see
    dq_classify). The second-largest raw table: materialised once like base_segment__pages
    (raw row as text and raw key for quarantined rows only; only redelivered keys go through
    the dedupe window, dq_split_by_delivery; incremental on DuckDB with dq_source_rows
    and delete+insert on email_event_id, a table on Spark).
-#}
{#- duckdb_uncompressed_columns: unique hashes / UUIDs, stored uncompressed on DuckDB
    (macro duckdb__create_table_as) -#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='email_event_id',
    on_schema_change='fail',
    meta={'duckdb_uncompressed_columns': ['email_event_id']},
) }}

{#- the rows dq_classify quarantines: no key, or a timestamp past the future cutoff. dq_classify
    keeps the raw text of quarantined rows only anyway; the condition saves building it for the
    tens of millions of rows staged -#}
{%- set quarantined_when = blank_to_null('source.id') ~ " is null or source.created > " ~ future_cutoff() %}
{#- typing and UTM parsing, written once for both halves of the raw rows: `__rows__` is
    replaced by each half's suffix (_once, _again) -#}
{%- set typed_rows %}
renamed__rows__ as (

    select
        {{ blank_to_null('source.id') }} as email_event_id,
        nullif(upper({{ trim_spaces('source.type') }}), '') as event_type,
        source.created as occurred_at,
        {{ normalize_email('source.recipient') }} as recipient_email,
        source.email_campaign_id,
        {{ blank_to_null('source.sent_by_id') }} as sent_by_event_id,
        {{ blank_to_null('source.url') }} as url,
        source._fivetran_synced,
        {{ dq_raw_values('hubspot', 'email_event', when=quarantined_when) }} as _dq_raw_values,
        source.id as _dq_raw_key
    from source__rows__ as source

),

with_utm__rows__ as (

    select
        renamed.email_event_id,
        renamed.event_type,
        renamed.occurred_at,
        renamed.recipient_email,
        renamed.email_campaign_id,
        renamed.sent_by_event_id,
        renamed.url,
        {{ url_parameter('renamed.url', 'utm_source') }} as utm_source,
        {{ url_parameter('renamed.url', 'utm_medium') }} as utm_medium,
        {{ url_parameter('renamed.url', 'utm_campaign') }} as utm_campaign,
        {{ url_parameter('renamed.url', 'utm_content') }} as utm_content,
        {{ url_parameter('renamed.url', 'utm_term') }} as utm_term,
        renamed._fivetran_synced,
        renamed._dq_raw_values,
        renamed._dq_raw_key
    from renamed__rows__ as renamed

)
{%- endset %}

with

{{ dq_split_by_delivery(
    'hubspot', 'email_event', blank_to_null('id'), '_fivetran_synced', 'email_event_id', '_fivetran_synced'
) }},

{{ typed_rows | replace('__rows__', '_once') }},

{{ typed_rows | replace('__rows__', '_again') }},

classified_once as (

    {{ dq_classify(
        'with_utm_once',
        key_columns=['email_event_id'],
        loaded_at='_fivetran_synced',
        rules=[('occurred_at > ' ~ future_cutoff(), 'future_timestamp')],
        single_delivery=true
    ) }}

),

classified_again as (

    {{ dq_classify(
        'with_utm_again',
        key_columns=['email_event_id'],
        loaded_at='_fivetran_synced',
        rules=[('occurred_at > ' ~ future_cutoff(), 'future_timestamp')]
    ) }}

),

classified as (

    select * from classified_once
    union all
    select * from classified_again

)

select * from classified
