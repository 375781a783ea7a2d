with

base as (

    select * from {{ ref('base_sales_ops__gtm_cost') }}

),

final as (

    select
        cost_row_id,
        cost_month,
        team,
        category,
        amount,
        currency_code,
        amount_reporting,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
