with

base as (

    select * from {{ ref('base_google_ads__campaign_stats') }}

),

campaigns as (

    select distinct campaign_id
    from {{ ref('base_google_ads__campaign_history') }}
    where _dq_status = 'staged'

),

stats as (

    select *
    from base
    where _dq_status = 'staged'

),

flagged as (

    select
        stats.*,
        stats.campaign_id is not null and campaigns.campaign_id is null as is_orphan_campaign
    from stats
    left join campaigns
        on stats.campaign_id = campaigns.campaign_id

),

final as (

    select
        platform,
        campaign_id,
        date_day,
        account_id,
        currency_code,
        spend,
        spend_reporting,
        impressions,
        clicks,
        conversions,
        channel,
        is_orphan_campaign,
        _fivetran_synced
    from flagged

)

select * from final
