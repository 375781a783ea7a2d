{#-
    One row per web session of a human visitor: int_web_sessions without bot, internal and
    unidentifiable traffic (counted in dq_web_traffic_exclusions), with the unified person
    and account. The person comes from the identity graph through the session's
    anonymous_id, so sessions from before the visitor identified get the person too
    (retroactive stitching); the session's user_id is the fallback for page views sent
    without an anonymous_id.

    Incremental (DuckDB; a plain table on Spark, like int_web_sessions). A run rewrites every
    session of the affected visitors (strategy replace_keys on visitor_key) and leaves the
    others as built:
    - the visitors int_web_sessions may have re-sessionised: every visitor with a session
      ending in the window (var incremental_lookback_days before the latest session end
      here). int_web_sessions rebuilds only visitors with a page view in its own window, which
      starts at or after this one (its latest session end is at least this one's), and each
      of them has a session ending in it;
    - the visitors whose person or account changed since they were built (an identity merge,
      a contact moving to another account): their sessions here are compared with the
      identity graph and int_people_resolved as they are now.
    An affected visitor left with no counted session (e.g. a late internal page view made
    their only session internal) gets a key marker: a row with no session_id, which deletes
    the visitor's sessions and is not written. The result equals a full refresh as long as
    int_web_sessions does (see its notes); after a --full-refresh of int_web_sessions alone,
    run --full-refresh here too.
-#}
{#- duckdb_uncompressed_columns: unique hashes / UUIDs, stored uncompressed on DuckDB
    (macro duckdb__create_table_as) -#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='replace_keys',
    unique_key='visitor_key',
    row_id_column='session_id',
    on_schema_change='fail',
    meta={'duckdb_uncompressed_columns': ['session_id']},
) }}

with

sessions as (

    select * from {{ ref('int_web_sessions') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

-- the person's account from int_people_resolved, not dim_people: dim_people waits for the sessions
-- (first visits), so this model would wait for it
people as (

    select * from {{ ref('int_people_resolved') }}

),

anonymous_id_people as (

    select
        identifiers.identifier_value as anonymous_id,
        identifiers.person_id
    from identifiers
    where identifiers.identifier_type = 'segment_anonymous_id'

),

user_id_people as (

    select
        identifiers.identifier_value as user_id,
        identifiers.person_id
    from identifiers
    where identifiers.identifier_type = 'segment_user_id'

),

{%- if is_incremental() %}

-- incremental run: the window int_web_sessions re-sessionises in, at the latest (an empty table,
-- e.g. after `dbt build --empty`: every session)
run_window as (

    select {{ lookback_window_start('max(existing.ended_at)') }} as window_start
    from {{ this }} as existing

),

-- (read from the model, not from the sessions CTE: a CTE referenced twice is materialised, here
-- every session of the table)
resessionised_visitors as (

    select recent.visitor_key
    from {{ ref('int_web_sessions') }} as recent
    where recent.ended_at >= (select run_window.window_start from run_window)

),

-- sessions built whose person or account is no longer the one the identity graph gives
restitched_visitors as (

    select existing.visitor_key
    from {{ this }} as existing
    left join anonymous_id_people
        on existing.anonymous_id = anonymous_id_people.anonymous_id
    left join user_id_people
        on existing.user_id = user_id_people.user_id
    left join people
        on coalesce(anonymous_id_people.person_id, user_id_people.person_id) = people.person_id
    where
        coalesce(existing.person_id, '') != coalesce(anonymous_id_people.person_id, user_id_people.person_id, '')
        or coalesce(existing.account_id, '') != coalesce(people.account_id, '')

),

affected_visitors as (

    select resessionised_visitors.visitor_key from resessionised_visitors
    union
    select restitched_visitors.visitor_key from restitched_visitors

),
{%- endif %}

counted_sessions as (

    select sessions.*
    from sessions
    where sessions.exclusion_reason is null
    {%- if is_incremental() %}
        and sessions.visitor_key in (select affected_visitors.visitor_key from affected_visitors)
    {%- endif %}

),

sessions_with_person as (

    select
        counted_sessions.*,
        coalesce(anonymous_id_people.person_id, user_id_people.person_id) as person_id
    from counted_sessions
    left join anonymous_id_people
        on counted_sessions.anonymous_id = anonymous_id_people.anonymous_id
    left join user_id_people
        on counted_sessions.user_id = user_id_people.user_id

),

final as (

    select
        sessions_with_person.session_id,
        sessions_with_person.visitor_key,
        sessions_with_person.anonymous_id,
        sessions_with_person.user_id,
        sessions_with_person.person_id,
        people.account_id,
        sessions_with_person.started_at,
        sessions_with_person.ended_at,
        cast(sessions_with_person.started_at as date) as session_date,
        sessions_with_person.duration_seconds,
        sessions_with_person.pageviews,
        sessions_with_person.is_bounce,
        sessions_with_person.landing_page_path,
        sessions_with_person.landing_page_url,
        sessions_with_person.referrer,
        sessions_with_person.referrer_domain,
        sessions_with_person.utm_source,
        sessions_with_person.utm_medium,
        sessions_with_person.utm_campaign,
        sessions_with_person.utm_content,
        sessions_with_person.utm_term,
        sessions_with_person.channel,
        sessions_with_person.exit_page_path,
        -- the run that wrote the row: run-scoped tests check only newer rows (written_at)
        {{ written_at() }} as _written_at
    from sessions_with_person
    left join people
        on sessions_with_person.person_id = people.person_id

)

select * from final
{%- if is_incremental() %}

union all

-- key markers: affected visitors with no counted session left (not written; see the notes above)
select
    null as session_id,
    affected_visitors.visitor_key,
    {%- for column in ['anonymous_id', 'user_id', 'person_id', 'account_id', 'started_at', 'ended_at',
        'session_date', 'duration_seconds', 'pageviews', 'is_bounce', 'landing_page_path', 'landing_page_url',
        'referrer', 'referrer_domain', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term',
        'channel', 'exit_page_path', '_written_at'] %}
    null as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
from affected_visitors
where affected_visitors.visitor_key not in (select final.visitor_key from final)
{%- endif %}
