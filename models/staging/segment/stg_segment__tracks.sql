with

base as (

    select * from {{ ref('base_segment__tracks') }}

),

final as (

    select
        track_id,
        anonymous_id,
        user_id,
        event_name,
        event_text,
        occurred_at,
        received_at,
        page_url,
        page_path,
        user_agent,
        is_bot,
        loaded_at,
        _written_at
    from base
    where _dq_status = 'staged'

)

select * from final
