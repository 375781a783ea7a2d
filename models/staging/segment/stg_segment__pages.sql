with

base as (

    select * from {{ ref('base_segment__pages') }}

),

final as (

    select
        page_view_id,
        anonymous_id,
        user_id,
        viewed_at,
        received_at,
        url,
        page_path,
        title,
        referrer,
        referrer_domain,
        is_internal_referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        channel,
        user_agent,
        ip,
        is_bot,
        is_internal,
        loaded_at,
        _written_at
    from base
    where _dq_status = 'staged'

)

select * from final
