with

base as (

    select * from {{ ref('base_salesforce__opportunity') }}

),

final as (

    select
        opportunity_id,
        account_id,
        name,
        type,
        stage_name,
        amount,
        currency_code,
        has_amount,
        amount_reporting,
        fx_rate_date,
        probability,
        forecast_category,
        close_date,
        is_closed,
        is_won,
        loss_reason,
        lead_source,
        channel,
        campaign_id,
        owner_id,
        created_at,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
