{#-
    Web traffic left out of fct_web_sessions, counted: one row per month (of the session
    start) and exclusion reason (bot, internal, no_visitor_id), with its sessions and page
    views. Together with fct_web_sessions it accounts for every session of int_web_sessions
    (a test on int_web_sessions fails the build otherwise). Months without excluded traffic
    have no row.
-#}
with

sessions as (

    select * from {{ ref('int_web_sessions') }}

),

excluded as (

    select
        cast({{ dbt.date_trunc('month', 'sessions.started_at') }} as date) as session_month,
        sessions.exclusion_reason,
        sessions.pageviews,
        sessions.anonymous_id
    from sessions
    where sessions.exclusion_reason is not null

),

final as (

    select
        excluded.session_month,
        excluded.exclusion_reason,
        cast(count(*) as {{ dbt.type_bigint() }}) as sessions,
        cast(sum(excluded.pageviews) as {{ dbt.type_bigint() }}) as pageviews,
        cast(count(distinct excluded.anonymous_id) as {{ dbt.type_bigint() }}) as visitors
    from excluded
    group by excluded.session_month, excluded.exclusion_reason

)

select * from final
