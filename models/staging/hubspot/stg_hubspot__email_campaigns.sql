with

base as (

    select * from {{ ref('base_hubspot__email_campaign') }}

),

final as (

    select
        email_campaign_id,
        email_campaign_name,
        subject,
        campaign_type,
        app_name,
        email_content_id,
        utm_campaign,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
