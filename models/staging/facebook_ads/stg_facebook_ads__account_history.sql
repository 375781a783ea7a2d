with

base as (

    select * from {{ ref('base_facebook_ads__account_history') }}

),

final as (

    select
        account_id,
        updated_at,
        account_name,
        currency_code,
        status,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
