with

campaign_members as (

    select * from {{ ref('base_salesforce__campaign_member') }}
    where _dq_status = 'staged'

),

campaigns as (

    select * from {{ ref('base_salesforce__campaign') }}
    where _dq_status = 'staged'

),

final as (

    select
        campaign_members.campaign_member_id,
        campaign_members.campaign_id,
        campaign_members.lead_id,
        campaign_members.contact_id,
        campaign_members.status,
        campaign_members.has_responded,
        campaign_members.first_responded_date,
        campaign_members.created_at,
        campaign_members._fivetran_synced,
        (campaign_members.campaign_id is not null and campaigns.campaign_id is null) as is_orphan_campaign
    from campaign_members
    left join campaigns
        on campaign_members.campaign_id = campaigns.campaign_id

)

select * from final
