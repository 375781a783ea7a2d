with

base as (

    select * from {{ ref('base_stripe__subscription_item') }}

),

subscriptions as (

    select distinct subscription_id
    from {{ ref('base_stripe__subscription_history') }}
    where _dq_status = 'staged'

),

prices as (

    select price_id
    from {{ ref('base_stripe__price') }}
    where _dq_status = 'staged'

),

items as (

    select *
    from base
    where _dq_status = 'staged'

),

flagged as (

    select
        items.*,
        items.subscription_id is not null and subscriptions.subscription_id is null as is_orphan_subscription,
        items.price_id is not null and prices.price_id is null as is_orphan_price
    from items
    left join subscriptions
        on items.subscription_id = subscriptions.subscription_id
    left join prices
        on items.price_id = prices.price_id

),

final as (

    select
        subscription_item_id,
        subscription_id,
        price_id,
        quantity,
        created_at,
        is_orphan_subscription,
        is_orphan_price,
        _fivetran_synced
    from flagged

)

select * from final
