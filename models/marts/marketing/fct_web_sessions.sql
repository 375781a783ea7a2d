{#-
    One row per web session of a human visitor: int_web_sessions without bot, internal and
    unidentifiable traffic (counted in dq_web_traffic_exclusions), with the unified person
    and account. The person comes from the identity graph through the session's
    anonymous_id, so sessions from before the visitor identified get the person too
    (retroactive stitching); the session's user_id is the fallback for page views sent
    without an anonymous_id.
-#}
with

sessions as (

    select * from {{ ref('int_web_sessions') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

people as (

    select * from {{ ref('dim_people') }}

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

counted_sessions as (

    select sessions.*
    from sessions
    where sessions.exclusion_reason is null

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
        sessions_with_person.exit_page_path
    from sessions_with_person
    left join people
        on sessions_with_person.person_id = people.person_id

)

select * from final
