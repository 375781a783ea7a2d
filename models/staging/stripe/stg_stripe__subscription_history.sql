with

base as (

    select * from {{ ref('base_stripe__subscription_history') }}

),

customers as (

    select customer_id
    from {{ ref('base_stripe__customer') }}
    where _dq_status = 'staged'

),

prices as (

    select price_id
    from {{ ref('base_stripe__price') }}
    where _dq_status = 'staged'

),

versions as (

    select *
    from base
    where _dq_status = 'staged'

),

flagged as (

    select
        versions.*,
        versions.customer_id is not null and customers.customer_id is null as is_orphan_customer,
        versions.price_id is not null and prices.price_id is null as is_orphan_price
    from versions
    left join customers
        on versions.customer_id = customers.customer_id
    left join prices
        on versions.price_id = prices.price_id

),

final as (

    select
        subscription_id,
        valid_from,
        valid_to,
        is_current,
        customer_id,
        status,
        price_id,
        quantity,
        started_at,
        current_period_start_at,
        current_period_end_at,
        is_cancel_at_period_end,
        canceled_at,
        ended_at,
        created_at,
        is_orphan_customer,
        is_orphan_price,
        _fivetran_synced
    from flagged

)

select * from final
