with

base as (

    select * from {{ ref('base_google_ads__account_history') }}

),

final as (

    select
        account_id,
        updated_at,
        account_name,
        currency_code,
        time_zone,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
