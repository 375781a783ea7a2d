with

base as (

    select * from {{ ref('base_stripe__price') }}

),

final as (

    select
        price_id,
        product_id,
        nickname,
        currency_code,
        unit_amount,
        billing_interval,
        interval_count,
        monthly_unit_amount,
        is_active,
        created_at,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
