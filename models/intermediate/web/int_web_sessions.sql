{#-
    Web sessions: page views of one visitor (Segment anonymous_id) with no gap longer than
    var session_timeout_minutes between consecutive page views. A gap of exactly the timeout
    continues the session; a longer one starts a new session. Window functions over the page
    views, two passes with the same partition and order (lag -> session-start flag, then
    running sum -> session number), then one group by: no self-join, so it scales to the
    largest page-view tables (the second pass sorts narrow rows: landing-page attributes
    are kept on session starts only). Bot, internal and unidentifiable traffic is
    sessionised too and flagged with exclusion_reason, so the mart can leave it out and the
    data-quality mart can count it.

    Incremental (DuckDB; a plain table on Spark, where Parquet tables have no row-level
    delete): a run re-sessionises the whole history of every visitor with a page view in the
    lookback window (var incremental_lookback_days before the latest session end already
    built) and replaces that visitor's sessions (delete+insert on visitor_key). Sessions only
    depend on the visitor's own page views, so the result equals a full refresh as long as
    no page view arrives more than the lookback window late.
-#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='visitor_key',
    on_schema_change='fail',
) }}
{%- set timeout_microseconds = (var('session_timeout_minutes', 30) | float * 60 * 1000000) | int -%}

with

pages as (

    select * from {{ ref('stg_segment__pages') }}

),

-- the visitor whose page views are sessionised together: the device (anonymous_id); a page
-- view without one (Segment requires anonymous_id or user_id) falls back to its user_id
pages_keyed as (

    select
        pages.page_view_id,
        coalesce(pages.anonymous_id, {{ dbt.concat(["'user_id:'", 'pages.user_id']) }}) as visitor_key,
        pages.anonymous_id is not null as has_anonymous_id,
        pages.user_id,
        pages.viewed_at,
        {{ epoch_microseconds('pages.viewed_at') }} as viewed_at_us,
        pages.url,
        pages.page_path,
        pages.referrer,
        pages.referrer_domain,
        pages.utm_source,
        pages.utm_medium,
        pages.utm_campaign,
        pages.utm_content,
        pages.utm_term,
        pages.channel,
        pages.is_bot,
        pages.is_internal
    from pages

),

-- incremental run: only the visitors with a page view in the lookback window (late arrivals
-- included), over their whole history, so session boundaries across the cutoff come out as
-- in a full refresh
pages_selected as (

    select pages_keyed.*
    from pages_keyed
    {%- if is_incremental() %}
    where coalesce(pages_keyed.visitor_key, '') in (
        select coalesce(recent.visitor_key, '') as visitor_key
        from pages_keyed as recent
        where recent.viewed_at >= (
            select {{ dbt.dateadd('day', -1 * var('incremental_lookback_days', 3), 'max(existing.ended_at)') }}
            from {{ this }} as existing
        )
    )
    {%- endif %}

),

-- window pass 1: gap to the visitor's previous page view (ties broken by page_view_id)
pages_with_gap as (

    select
        pages_selected.*,
        pages_selected.viewed_at_us - lag(pages_selected.viewed_at_us) over (
            partition by pages_selected.visitor_key
            order by pages_selected.viewed_at, pages_selected.page_view_id
        ) as gap_microseconds
    from pages_selected

),

pages_flagged as (

    select
        pages_with_gap.*,
        case
            when pages_with_gap.gap_microseconds is null then 1
            when pages_with_gap.gap_microseconds > {{ timeout_microseconds }} then 1
            else 0
        end as is_session_start
    from pages_with_gap

),

-- the landing page's attributes, kept on session starts only: the second window pass then
-- sorts mostly-NULL columns instead of every page's URL, referrer and tags
pages_landing as (

    select
        pages_flagged.visitor_key,
        pages_flagged.has_anonymous_id,
        pages_flagged.page_view_id,
        pages_flagged.user_id,
        pages_flagged.viewed_at,
        pages_flagged.viewed_at_us,
        pages_flagged.page_path,
        pages_flagged.is_bot,
        pages_flagged.is_internal,
        pages_flagged.is_session_start,
        case when pages_flagged.is_session_start = 1 then pages_flagged.page_path end as landing_page_path,
        case when pages_flagged.is_session_start = 1 then pages_flagged.url end as landing_url,
        case when pages_flagged.is_session_start = 1 then pages_flagged.referrer end as landing_referrer,
        case when pages_flagged.is_session_start = 1 then pages_flagged.referrer_domain end as landing_referrer_domain,
        case when pages_flagged.is_session_start = 1 then pages_flagged.utm_source end as landing_utm_source,
        case when pages_flagged.is_session_start = 1 then pages_flagged.utm_medium end as landing_utm_medium,
        case when pages_flagged.is_session_start = 1 then pages_flagged.utm_campaign end as landing_utm_campaign,
        case when pages_flagged.is_session_start = 1 then pages_flagged.utm_content end as landing_utm_content,
        case when pages_flagged.is_session_start = 1 then pages_flagged.utm_term end as landing_utm_term,
        case when pages_flagged.is_session_start = 1 then pages_flagged.channel end as landing_channel
    from pages_flagged

),

-- window pass 2 (same partition and order): session number = running count of session
-- starts; a page is its session's exit page when the next page starts a new session
pages_sessionised as (

    select
        pages_landing.*,
        sum(pages_landing.is_session_start) over (
            partition by pages_landing.visitor_key
            order by pages_landing.viewed_at, pages_landing.page_view_id
            rows between unbounded preceding and current row
        ) as visitor_session_number,
        row_number() over (
            partition by pages_landing.visitor_key
            order by pages_landing.viewed_at, pages_landing.page_view_id
        ) as visitor_page_number,
        coalesce(
            lead(pages_landing.is_session_start) over (
                partition by pages_landing.visitor_key
                order by pages_landing.viewed_at, pages_landing.page_view_id
            ),
            1
        ) as is_session_end
    from pages_landing

),

-- one group by: exactly one page per session is its start (landing page) and one its end
-- (exit page), so max() over the landing columns and max(case ...) pick their values
sessions as (

    select
        pages_sessionised.visitor_key,
        pages_sessionised.visitor_session_number,
        max(case when pages_sessionised.has_anonymous_id then pages_sessionised.visitor_key end) as anonymous_id,
        {{ first_non_null_by('pages_sessionised.user_id', 'pages_sessionised.visitor_page_number') }} as user_id,
        min(pages_sessionised.viewed_at) as started_at,
        max(pages_sessionised.viewed_at) as ended_at,
        min(pages_sessionised.viewed_at_us) as started_at_us,
        max(pages_sessionised.viewed_at_us) as ended_at_us,
        count(*) as pageviews,
        sum(case when pages_sessionised.is_bot then 1 else 0 end) as bot_pageviews,
        sum(case when pages_sessionised.is_internal then 1 else 0 end) as internal_pageviews,
        max(pages_sessionised.landing_page_path) as landing_page_path,
        max(pages_sessionised.landing_url) as landing_page_url,
        max(pages_sessionised.landing_referrer) as referrer,
        max(pages_sessionised.landing_referrer_domain) as referrer_domain,
        max(pages_sessionised.landing_utm_source) as utm_source,
        max(pages_sessionised.landing_utm_medium) as utm_medium,
        max(pages_sessionised.landing_utm_campaign) as utm_campaign,
        max(pages_sessionised.landing_utm_content) as utm_content,
        max(pages_sessionised.landing_utm_term) as utm_term,
        max(pages_sessionised.landing_channel) as landing_page_channel,
        max(case when pages_sessionised.is_session_end = 1 then pages_sessionised.page_path end) as exit_page_path
    from pages_sessionised
    group by pages_sessionised.visitor_key, pages_sessionised.visitor_session_number

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
        end as exclusion_reason
    from sessions

)

select * from final
