with

base as (

    select * from {{ ref('base_finance__fx_rate') }}

),

final as (

    select
        rate_date,
        from_currency,
        to_currency,
        rate,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
