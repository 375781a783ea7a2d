{#-
    Every raw row of segment.pages, typed, normalised and classified for staging (see
    dq_classify). The largest raw table, so it is materialised once, and every reader
    (stg_segment__pages, the data-quality marts, tests) scans the table instead of re-running
    the URL parsing and the dedupe window. Only the rows of keys delivered more than once go
    through the dedupe window (dq_split_by_delivery); every other row is classified as it is
    read. The raw row as text and the raw key are kept only for quarantined rows. Incremental
    on DuckDB (dq_source_rows: new deliveries, other deliveries of their keys and
    future-timestamp rows are re-classified; delete+insert on page_view_id); a plain table on
    Spark, where Parquet tables have no row-level delete.
-#}
{#- duckdb_uncompressed_columns: unique hashes / UUIDs, stored uncompressed on DuckDB
    (macro duckdb__create_table_as). gtm_heavy: `gtm build` never runs this model beside another
    heavy one (gtm.schedule) -#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='page_view_id',
    on_schema_change='fail',
    meta={'duckdb_uncompressed_columns': ['page_view_id'], 'gtm_heavy': True},
) }}

{#- the rows dq_classify quarantines: no key, or a timestamp past the future cutoff. dq_classify
    keeps the raw text of quarantined rows only anyway; the condition saves building it for the
    tens of millions of rows staged -#}
{%- set quarantined_when = blank_to_null('source.id') ~ " is null or source.timestamp > " ~ future_cutoff() %}
{#- the typing, URL parsing and channel rules, written once for both halves of the raw rows:
    `__rows__` is replaced by each half's suffix (_once, _again) -#}
{%- set typed_rows %}
renamed__rows__ as (

    select
        {{ blank_to_null('source.id') }} as page_view_id,
        {{ blank_to_null('source.anonymous_id') }} as anonymous_id,
        {{ blank_to_null('source.user_id') }} as user_id,
        source.timestamp as viewed_at,
        source.received_at,
        {{ blank_to_null('source.url') }} as url,
        {{ blank_to_null('source.path') }} as page_path,
        {{ blank_to_null('source.title') }} as title,
        {{ blank_to_null('source.referrer') }} as referrer,
        {{ url_domain('source.referrer') }} as referrer_domain,
        -- UTM parameters: Segment's parsed context.campaign first, else the landing URL's query string
        coalesce(
            {{ blank_to_null('source.context_campaign_source') }}, {{ url_parameter('source.url', 'utm_source') }}
        ) as utm_source,
        coalesce(
            {{ blank_to_null('source.context_campaign_medium') }}, {{ url_parameter('source.url', 'utm_medium') }}
        ) as utm_medium,
        coalesce(
            {{ blank_to_null('source.context_campaign_name') }}, {{ url_parameter('source.url', 'utm_campaign') }}
        ) as utm_campaign,
        coalesce(
            {{ blank_to_null('source.context_campaign_content') }}, {{ url_parameter('source.url', 'utm_content') }}
        ) as utm_content,
        coalesce(
            {{ blank_to_null('source.context_campaign_term') }}, {{ url_parameter('source.url', 'utm_term') }}
        ) as utm_term,
        {{ blank_to_null('source.context_user_agent') }} as user_agent,
        {{ blank_to_null('source.context_ip') }} as ip,
        {{ is_bot_user_agent('source.context_user_agent') }} as is_bot,
        {{ is_internal_ip('source.context_ip') }} as is_internal,
        source.uuid_ts as loaded_at,
        {{ dq_raw_values('segment', 'pages', when=quarantined_when) }} as _dq_raw_values,
        source.id as _dq_raw_key
    from source__rows__ as source

),

with_referrer__rows__ as (

    select
        renamed.*,
        {{ is_site_domain('renamed.referrer_domain') }} as is_internal_referrer
    from renamed__rows__ as renamed

),

-- the channel rules' inputs, lower-cased once here rather than in each of the rules' LIKEs
-- (at `large`, 17 s -> 8 s of the query); the referrer of internal navigation is no input
channel_inputs__rows__ as (

    select
        with_referrer.*,
        {{ channel_rule_input('with_referrer.utm_medium') }} as channel_utm_medium,
        {{ channel_rule_input('with_referrer.utm_source') }} as channel_utm_source,
        {{ channel_rule_input('case when with_referrer.is_internal_referrer then null else with_referrer.referrer end') }}
            as channel_referrer
    from with_referrer__rows__ as with_referrer

),

with_channel__rows__ as (

    select
        channel_inputs.page_view_id,
        channel_inputs.anonymous_id,
        channel_inputs.user_id,
        channel_inputs.viewed_at,
        channel_inputs.received_at,
        channel_inputs.url,
        channel_inputs.page_path,
        channel_inputs.title,
        channel_inputs.referrer,
        channel_inputs.referrer_domain,
        channel_inputs.utm_source,
        channel_inputs.utm_medium,
        channel_inputs.utm_campaign,
        channel_inputs.utm_content,
        channel_inputs.utm_term,
        channel_inputs.user_agent,
        channel_inputs.ip,
        channel_inputs.is_bot,
        channel_inputs.is_internal,
        channel_inputs.loaded_at,
        channel_inputs._dq_raw_values,
        channel_inputs._dq_raw_key,
        channel_inputs.is_internal_referrer,
        -- internal navigation (a referrer on our own site and no campaign tags) has no channel;
        -- a tagged page keeps its tags' channel, with an internal referrer ignored
        case
            when
                channel_inputs.is_internal_referrer
                and channel_inputs.utm_medium is null
                and channel_inputs.utm_source is null
                then null
            else {{ channel_from_rules(
                'channel_inputs.channel_utm_medium',
                'channel_inputs.channel_utm_source',
                'channel_inputs.channel_referrer'
            ) }}
        end as channel
    from channel_inputs__rows__ as channel_inputs

)
{%- endset %}
with

{{ dq_split_by_delivery('segment', 'pages', blank_to_null('id'), 'uuid_ts', 'page_view_id', 'loaded_at') }},

{{ typed_rows | replace('__rows__', '_once') }},

{{ typed_rows | replace('__rows__', '_again') }},

classified_once as (

    {{ dq_classify(
        'with_channel_once',
        key_columns=['page_view_id'],
        loaded_at='loaded_at',
        rules=[('viewed_at > ' ~ future_cutoff(), 'future_timestamp')],
        single_delivery=true
    ) }}

),

classified_again as (

    {{ dq_classify(
        'with_channel_again',
        key_columns=['page_view_id'],
        loaded_at='loaded_at',
        rules=[('viewed_at > ' ~ future_cutoff(), 'future_timestamp')]
    ) }}

),

classified as (

    select * from classified_once
    union all
    select * from classified_again

)

select
    classified.*,
    -- the run that wrote the row: run-scoped tests check only newer rows (written_at)
    {{ written_at() }} as _written_at
from classified
