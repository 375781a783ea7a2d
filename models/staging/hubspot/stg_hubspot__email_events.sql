with

base as (

    select * from {{ ref('base_hubspot__email_event') }}

),

email_campaigns as (

    select email_campaign_id from {{ ref('base_hubspot__email_campaign') }}
    where _dq_status = 'staged'

),

staged as (

    select * from base
    where _dq_status = 'staged'

),

final as (

    select
        staged.email_event_id,
        staged.event_type,
        staged.occurred_at,
        staged.recipient_email,
        staged.email_campaign_id,
        staged.sent_by_event_id,
        staged.url,
        staged.utm_source,
        staged.utm_medium,
        staged.utm_campaign,
        staged.utm_content,
        staged.utm_term,
        staged._fivetran_synced,
        staged.email_campaign_id is not null
        and email_campaigns.email_campaign_id is null as is_orphan_email_campaign
    from staged
    left join email_campaigns
        on staged.email_campaign_id = email_campaigns.email_campaign_id

)

select * from final
