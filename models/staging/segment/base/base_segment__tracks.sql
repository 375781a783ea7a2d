{#-
    Every raw row of segment.tracks, typed and classified for staging (see dq_classify).
    An event stream like segment.pages: incremental on DuckDB (dq_source_rows: new
    deliveries, the other deliveries of their keys and future-timestamp rows are re-classified;
    delete+insert on track_id), a plain table on Spark, where Parquet tables have no row-level
    delete.
-#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='track_id',
    on_schema_change='fail',
) }}

{#- the rows dq_classify quarantines (as in base_segment__pages): no key, or a timestamp past the
    future cutoff -#}
{%- set quarantined_when = blank_to_null('source.id') ~ " is null or source.timestamp > " ~ future_cutoff() %}

with

source as (

    {{ dq_source_rows(
        'segment', 'tracks', blank_to_null('id'), 'uuid_ts', 'track_id', 'loaded_at'
    ) }}

),

renamed as (

    select
        {{ blank_to_null('source.id') }} as track_id,
        {{ blank_to_null('source.anonymous_id') }} as anonymous_id,
        {{ blank_to_null('source.user_id') }} as user_id,
        nullif(lower({{ trim_spaces('source.event') }}), '') as event_name,
        {{ blank_to_null('source.event_text') }} as event_text,
        source.timestamp as occurred_at,
        source.received_at,
        {{ blank_to_null('source.context_page_url') }} as page_url,
        {{ blank_to_null('source.context_page_path') }} as page_path,
        {{ blank_to_null('source.context_user_agent') }} as user_agent,
        {{ is_bot_user_agent('source.context_user_agent') }} as is_bot,
        source.uuid_ts as loaded_at,
        {{ dq_raw_values('segment', 'tracks', when=quarantined_when) }} as _dq_raw_values,
        source.id as _dq_raw_key
    from source

),

classified as (

    {{ dq_classify(
        'renamed',
        key_columns=['track_id'],
        loaded_at='loaded_at',
        rules=[
            ('occurred_at > ' ~ future_cutoff(), 'future_timestamp'),
        ]
    ) }}

)

select
    classified.*,
    -- the run that wrote the row: run-scoped tests check only newer rows (written_at)
    {{ written_at() }} as _written_at
from classified
