-- One row per channel of the taxonomy (seed channels): the values every `channel` column takes.
with

channels as (

    select * from {{ ref('channels') }}

),

final as (

    select
        channel,
        channel_name,
        channel_group,
        is_paid,
        is_marketing,
        sort_order,
        description
    from channels

)

select * from final
