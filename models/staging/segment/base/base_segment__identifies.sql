{#-
    Every raw row of segment.identifies, typed, normalised and classified for staging (see
    dq_classify). An event stream like segment.pages: incremental on DuckDB
    (dq_source_rows: new deliveries, the other deliveries of their keys and
    future-timestamp rows are re-classified; delete+insert on identify_id), a plain table on
    Spark, where Parquet tables have no row-level delete. Rows already classified keep the
    email flags of the build that classified them: after editing the free_mail_domains seed or
    the test / internal email vars, run with --full-refresh.
-#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='identify_id',
    on_schema_change='fail',
) }}

{#- the rows dq_classify quarantines (as in base_segment__pages): no key, or a timestamp past the
    future cutoff -#}
{%- set quarantined_when = blank_to_null('source.id') ~ " is null or source.timestamp > " ~ future_cutoff() %}

with

source as (

    {{ dq_source_rows(
        'segment', 'identifies', blank_to_null('id'), 'uuid_ts', 'identify_id', 'loaded_at'
    ) }}

),

free_mail_domains as (

    select domain from {{ ref('free_mail_domains') }}

),

renamed as (

    select
        {{ blank_to_null('source.id') }} as identify_id,
        {{ blank_to_null('source.anonymous_id') }} as anonymous_id,
        {{ blank_to_null('source.user_id') }} as user_id,
        {{ normalize_email('source.email') }} as email,
        {{ blank_to_null('source.first_name') }} as first_name,
        {{ blank_to_null('source.last_name') }} as last_name,
        {{ blank_to_null('source.company') }} as company,
        source.timestamp as identified_at,
        source.received_at,
        {{ blank_to_null('source.context_user_agent') }} as user_agent,
        source.uuid_ts as loaded_at,
        {{ dq_raw_values('segment', 'identifies', when=quarantined_when) }} as _dq_raw_values,
        source.id as _dq_raw_key
    from source

),

normalized as (

    select
        renamed.identify_id,
        renamed.anonymous_id,
        renamed.user_id,
        renamed.email,
        {{ is_valid_email('renamed.email') }} as is_valid_email,
        {{ email_domain('renamed.email') }} as email_domain,
        free_mail_domains.domain is not null as is_free_mail_email,
        {{ is_test_email('renamed.email') }} as is_test_record,
        {{ is_internal_email('renamed.email') }} as is_internal_record,
        renamed.first_name,
        renamed.last_name,
        renamed.company,
        renamed.identified_at,
        renamed.received_at,
        renamed.user_agent,
        renamed.loaded_at,
        renamed._dq_raw_values,
        renamed._dq_raw_key
    from renamed
    left join free_mail_domains
        on {{ email_domain('renamed.email') }} = free_mail_domains.domain

),

classified as (

    {{ dq_classify(
        'normalized',
        key_columns=['identify_id'],
        loaded_at='loaded_at',
        rules=[
            ('identified_at > ' ~ future_cutoff(), 'future_timestamp'),
        ]
    ) }}

)

select
    classified.*,
    -- the run that wrote the row: run-scoped tests check only newer rows (written_at)
    {{ written_at() }} as _written_at
from classified
