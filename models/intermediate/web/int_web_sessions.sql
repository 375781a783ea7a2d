{#-
    Web sessions: page views of one visitor (Segment anonymous_id) with no gap longer than
    var session_timeout_minutes between consecutive page views. A gap of exactly the timeout
    continues the session; a longer one starts a new session. Window functions over the page
    views in two passes (lag / lead / row_number / running counts -> session start and end
    flags, page number and bot / internal page views so far; then, over each session's first,
    last and identified pages only, in page-number order, the next session end and the next
    identified page from each page on), keeping the session starts: no self-join and no group
    by over the page views, so it scales to the largest page-view tables. Both passes sort
    narrow rows (ids, times, path, flags); the landing page's URL, referrer, tags and channel
    are joined to the sessions afterwards by the landing page_view_id. Bot, internal and
    unidentifiable traffic is sessionised too and flagged with exclusion_reason, so the mart
    can leave it out and the data-quality mart can count it.

    Incremental (DuckDB; a plain table on Spark, where Parquet tables have no row-level
    delete). The window starts var incremental_lookback_days before the latest session end
    already built; late page views arrive inside it. A session built before that ended more
    than the timeout before the window is final: no page view of the window can join it. A
    run re-sessionises, for every visitor with a page view in the window, the page views after
    the end of their last final session, and replaces that visitor's sessions from the first
    one it rebuilt on (strategy replace_from on visitor_key, from started_at). Sessions only
    depend on the visitor's own page views, so the result equals a full refresh as long as no
    page view arrives more than the window late and none already sessionised is re-delivered
    with another time, visitor or landing attributes. The run reads the page views once,
    bounded by time (the earliest start of a session that is not final), so the scan skips the
    columns of older rows instead of joining every page view. On an empty table (after an
    --empty build) every page view is in the window.
-#}
{#- duckdb_uncompressed_columns: unique hashes / UUIDs, stored uncompressed on DuckDB
    (macro duckdb__create_table_as). gtm_heavy: `gtm build` never runs this model beside another
    heavy one (gtm.schedule) -#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='replace_from',
    unique_key='visitor_key',
    replace_from_column='started_at',
    on_schema_change='fail',
    meta={'duckdb_uncompressed_columns': ['session_id'], 'gtm_heavy': True},
) }}
{%- set timeout_microseconds = (var('session_timeout_minutes', 30) | float * 60 * 1000000) | int -%}
{#- the visitor of a page view, over a page-view relation `__pages__` (written once: the window's
    visitors must be keyed exactly as the page views they select) -#}
{%- set visitor_key_of = "coalesce(__pages__.anonymous_id, " ~ dbt.concat(["'user_id:'", '__pages__.user_id']) ~ ")" -%}
{#- the landing page's attributes a session takes (landing_pages) -#}
{%- set landing_columns = [
    'url', 'page_path', 'referrer', 'referrer_domain',
    'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'channel',
] -%}
{#- whole seconds, rounded up: a session ending this long before the window is final -#}
{%- set timeout_seconds = ((timeout_microseconds / 1000000) | round(0, 'ceil')) | int -%}

with
{%- if is_incremental() %}

-- incremental run: the window (late page views arrive inside it) and the end before which a
-- session built is final (more than the timeout before the window). An empty table (e.g. after
-- `dbt build --empty`) has no sessions: every page view is in the window.
run_window_start as (

    select {{ lookback_window_start('max(existing.ended_at)') }} as window_start
    from {{ this }} as existing

),

run_window as (

    select
        run_window_start.window_start,
        {{ dbt.dateadd('second', -1 * timeout_seconds, 'run_window_start.window_start') }} as final_before
    from run_window_start

),

-- the earliest page view a run can re-sessionise: the start of the earliest session built that
-- is not final, or the window; it bounds every read of the page views
rebuild_start as (

    select
        least(
            coalesce(min(existing.started_at), max(run_window.window_start)),
            max(run_window.window_start)
        ) as rebuilt_from
    from run_window
    left join {{ this }} as existing
        on existing.ended_at >= run_window.final_before

),
{%- endif %}

-- the page views: on an incremental run those it can re-sessionise, read once with the columns
-- the passes and the landing pages need. window_visitors, pages_keyed and landing_pages read
-- them, and DuckDB materialises a CTE read more than once (here the few hundred thousand recent
-- rows; the page table's rows are in no time order, so each bounded read would scan the whole
-- table)
pages as (

    select
        page_view_id,
        anonymous_id,
        user_id,
        viewed_at,
        is_bot,
        is_internal,
        {{ landing_columns | join(',\n        ') }}
    from {{ ref('stg_segment__pages') }}
    {%- if is_incremental() %}
    where viewed_at >= (select rebuild_start.rebuilt_from from rebuild_start)
    {%- endif %}

),
{%- if is_incremental() %}

-- the visitors with a page view in the window
window_visitors as (

    select distinct
        coalesce({{ visitor_key_of | replace('__pages__', 'recent') }}, '') as visitor_key
    from pages as recent
    where recent.viewed_at >= (select run_window.window_start from run_window)

),

-- per window visitor, the end of their last final session: their page views up to it stay
-- sessionised as built, and the first one after it starts a session. Only sessions ending at or
-- after rebuilt_from can matter: every page view read is at or after it, so an earlier end lets
-- them all through, as no final session does. That bound leaves a few recent sessions to look up
-- by visitor instead of all of them (at `large`, 18.5M sessions: 4 CPU s of the run)
final_session_ends as (

    select
        existing.visitor_key,
        max(existing.ended_at) as final_until
    from {{ this }} as existing
    inner join window_visitors
        on existing.visitor_key = window_visitors.visitor_key
    where
        existing.ended_at < (select run_window.final_before from run_window)
        and existing.ended_at >= (select rebuild_start.rebuilt_from from rebuild_start)
    group by existing.visitor_key

),
{%- endif %}

-- the landing page's attributes, joined to each session by its first page view (read separately,
-- so the window passes sort narrow rows instead of every page's URL, referrer and tags)
landing_pages as (

    select
        page_view_id,
        {{ landing_columns | join(',\n        ') }}
    {#- the full refresh reads the model a second time: a CTE read twice is materialised, here
        every page view #}
    from {{ 'pages' if is_incremental() else ref('stg_segment__pages') }}

),

-- the visitor whose page views are sessionised together: the device (anonymous_id); a page
-- view without one (Segment requires anonymous_id or user_id) falls back to its user_id
pages_keyed as (

    select
        pages.page_view_id,
        {{ visitor_key_of | replace('__pages__', 'pages') }} as visitor_key,
        pages.anonymous_id is not null as has_anonymous_id,
        pages.user_id,
        pages.viewed_at,
        {{ epoch_microseconds('pages.viewed_at') }} as viewed_at_us,
        pages.page_path,
        pages.is_bot,
        pages.is_internal
    from pages

),

-- incremental run: the page views of the window's visitors after their last final session
-- (late arrivals included), so session boundaries across the cutoff come out as in a full
-- refresh
pages_selected as (

    select pages_keyed.*
    from pages_keyed
    {%- if is_incremental() %}
    inner join window_visitors
        on coalesce(pages_keyed.visitor_key, '') = window_visitors.visitor_key
    left join final_session_ends
        on window_visitors.visitor_key = final_session_ends.visitor_key
    where
        pages_keyed.viewed_at >= (select rebuild_start.rebuilt_from from rebuild_start)
        and (
            final_session_ends.final_until is null
            or pages_keyed.viewed_at > final_session_ends.final_until
        )
    {%- endif %}

),

-- window pass 1: gaps to the visitor's previous and next page views (ties broken by
-- page_view_id), the page's number in the visitor's history and the visitor's bot and internal
-- page views up to it (all one sort)
pages_with_gaps as (

    select
        pages_selected.*,
        pages_selected.viewed_at_us - lag(pages_selected.viewed_at_us) over (
            partition by pages_selected.visitor_key
            order by pages_selected.viewed_at, pages_selected.page_view_id
        ) as gap_before_microseconds,
        lead(pages_selected.viewed_at_us) over (
            partition by pages_selected.visitor_key
            order by pages_selected.viewed_at, pages_selected.page_view_id
        ) - pages_selected.viewed_at_us as gap_after_microseconds,
        row_number() over (
            partition by pages_selected.visitor_key
            order by pages_selected.viewed_at, pages_selected.page_view_id
        ) as visitor_page_number,
        sum(case when pages_selected.is_bot then 1 else 0 end) over (
            partition by pages_selected.visitor_key
            order by pages_selected.viewed_at, pages_selected.page_view_id
            rows between unbounded preceding and current row
        ) as bot_pages_through,
        sum(case when pages_selected.is_internal then 1 else 0 end) over (
            partition by pages_selected.visitor_key
            order by pages_selected.viewed_at, pages_selected.page_view_id
            rows between unbounded preceding and current row
        ) as internal_pages_through
    from pages_selected

),

-- a page starts a session after a gap longer than the timeout (or as the visitor's first
-- page), and ends one before such a gap (or as the visitor's last page)
pages_flagged as (

    select
        pages_with_gaps.visitor_key,
        pages_with_gaps.has_anonymous_id,
        pages_with_gaps.page_view_id,
        pages_with_gaps.user_id,
        pages_with_gaps.viewed_at,
        pages_with_gaps.viewed_at_us,
        pages_with_gaps.page_path,
        pages_with_gaps.visitor_page_number,
        pages_with_gaps.bot_pages_through,
        pages_with_gaps.bot_pages_through - (case when pages_with_gaps.is_bot then 1 else 0 end)
            as bot_pages_before,
        pages_with_gaps.internal_pages_through,
        pages_with_gaps.internal_pages_through - (case when pages_with_gaps.is_internal then 1 else 0 end)
            as internal_pages_before,
        case
            when pages_with_gaps.gap_before_microseconds is null then 1
            when pages_with_gaps.gap_before_microseconds > {{ timeout_microseconds }} then 1
            else 0
        end as is_session_start,
        case
            when pages_with_gaps.gap_after_microseconds is null then 1
            when pages_with_gaps.gap_after_microseconds > {{ timeout_microseconds }} then 1
            else 0
        end as is_session_end
    from pages_with_gaps

),

-- the pages a session's columns are read from: its first and last page and every page with a
-- user_id. A page in between adds only its count, which the page numbers and running counts of
-- the first and last page give, so pass 2 sorts about half the pages
session_pages as (

    select
        pages_flagged.*,
        -- what pass 2 looks for: a session end's values, an identified page's number (else NULL)
        case when pages_flagged.is_session_end = 1 then pages_flagged.visitor_page_number end as end_page_number,
        case when pages_flagged.is_session_end = 1 then pages_flagged.viewed_at end as end_viewed_at,
        case when pages_flagged.is_session_end = 1 then pages_flagged.viewed_at_us end as end_viewed_at_us,
        case when pages_flagged.is_session_end = 1 then pages_flagged.bot_pages_through end
            as end_bot_pages_through,
        case when pages_flagged.is_session_end = 1 then pages_flagged.internal_pages_through end
            as end_internal_pages_through,
        case when pages_flagged.is_session_end = 1 then pages_flagged.page_path end as end_page_path,
        case when pages_flagged.user_id is not null then pages_flagged.visitor_page_number end
            as identified_page_number
    from pages_flagged
    where
        pages_flagged.is_session_start = 1
        or pages_flagged.is_session_end = 1
        or pages_flagged.user_id is not null

),

-- window pass 2, in page-number order (one integer to sort by): from each page on, the first
-- session end (its own session's end; itself on a one-page session) and the first page with a
-- user_id
pages_with_session_end as (

    select
        session_pages.visitor_key,
        session_pages.has_anonymous_id,
        session_pages.page_view_id,
        session_pages.viewed_at,
        session_pages.viewed_at_us,
        session_pages.visitor_page_number,
        session_pages.bot_pages_before,
        session_pages.internal_pages_before,
        session_pages.is_session_start,
        {{ first_value_ignore_nulls('session_pages.end_page_number') }} over pages_onwards as end_page_number,
        {{ first_value_ignore_nulls('session_pages.end_viewed_at') }} over pages_onwards as end_viewed_at,
        {{ first_value_ignore_nulls('session_pages.end_viewed_at_us') }} over pages_onwards as end_viewed_at_us,
        {{ first_value_ignore_nulls('session_pages.end_bot_pages_through') }} over pages_onwards
            as end_bot_pages_through,
        {{ first_value_ignore_nulls('session_pages.end_internal_pages_through') }} over pages_onwards
            as end_internal_pages_through,
        {{ first_value_ignore_nulls('session_pages.end_page_path') }} over pages_onwards as end_page_path,
        {{ first_value_ignore_nulls('session_pages.identified_page_number') }} over pages_onwards
            as identified_page_number,
        {{ first_value_ignore_nulls('session_pages.user_id') }} over pages_onwards as identified_user_id
    from session_pages
    window pages_onwards as (
        partition by session_pages.visitor_key
        order by session_pages.visitor_page_number
        rows between current row and unbounded following
    )

),

-- one row per session, its start: counts are differences of page numbers and running counts
-- between its first and last page; its user_id is that of the first identified page at or
-- after its start if that page is not past its end
sessions as (

    select
        pages.visitor_key,
        case when pages.has_anonymous_id then pages.visitor_key end as anonymous_id,
        case when pages.identified_page_number <= pages.end_page_number then pages.identified_user_id end
            as user_id,
        pages.viewed_at as started_at,
        pages.end_viewed_at as ended_at,
        pages.viewed_at_us as started_at_us,
        pages.end_viewed_at_us as ended_at_us,
        -- row_number() is an int on Spark, a bigint on DuckDB: the contract says bigint
        cast(pages.end_page_number - pages.visitor_page_number + 1 as {{ dbt.type_bigint() }}) as pageviews,
        pages.end_bot_pages_through - pages.bot_pages_before as bot_pageviews,
        pages.end_internal_pages_through - pages.internal_pages_before as internal_pageviews,
        pages.page_view_id as landing_page_view_id,
        pages.end_page_path as exit_page_path
    from pages_with_session_end as pages
    where pages.is_session_start = 1

),

sessions_landed as (

    select
        sessions.*,
        landing_pages.page_path as landing_page_path,
        landing_pages.url as landing_page_url,
        landing_pages.referrer,
        landing_pages.referrer_domain,
        landing_pages.utm_source,
        landing_pages.utm_medium,
        landing_pages.utm_campaign,
        landing_pages.utm_content,
        landing_pages.utm_term,
        landing_pages.channel as landing_page_channel
    from sessions
    inner join landing_pages
        on sessions.landing_page_view_id = landing_pages.page_view_id

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            "coalesce(sessions.visitor_key, '')",
            "'|'",
            "cast(sessions.started_at_us as " ~ dbt.type_string() ~ ")",
        ])) }} as session_id,
        -- the sessionised visitor ('' for page views without anonymous_id and user_id): the
        -- incremental unit, whose sessions a run replaces together
        coalesce(sessions.visitor_key, '') as visitor_key,
        sessions.anonymous_id,
        sessions.user_id,
        sessions.started_at,
        sessions.ended_at,
        cast(sessions.ended_at_us - sessions.started_at_us as double) / 1000000 as duration_seconds,
        sessions.pageviews,
        sessions.pageviews = 1 as is_bounce,
        sessions.landing_page_path,
        sessions.landing_page_url,
        sessions.referrer,
        sessions.referrer_domain,
        sessions.utm_source,
        sessions.utm_medium,
        sessions.utm_campaign,
        sessions.utm_content,
        sessions.utm_term,
        -- a session that starts with internal navigation (a tab left open past the timeout)
        -- has no external source: direct
        coalesce(sessions.landing_page_channel, 'direct') as channel,
        sessions.exit_page_path,
        sessions.bot_pageviews,
        sessions.internal_pageviews,
        case
            when sessions.visitor_key is null then 'no_visitor_id'
            when sessions.bot_pageviews > 0 then 'bot'
            when sessions.internal_pageviews > 0 then 'internal'
        end as exclusion_reason,
        -- the run that wrote the row: run-scoped tests check only newer rows (written_at)
        {{ written_at() }} as _written_at
    from sessions_landed as sessions

)

select * from final
