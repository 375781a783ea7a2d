with

base as (

    select * from {{ ref('base_salesforce__campaign') }}

),

final as (

    select
        campaign_id,
        name,
        type,
        channel,
        status,
        start_date,
        end_date,
        is_active,
        budgeted_cost,
        actual_cost,
        created_at,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
