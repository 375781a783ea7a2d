-- Spend in the reporting currency, impressions and clicks of fct_ad_spend_daily
-- per platform and day equal the staged daily stats of the three ad platforms, to the cent.
-- Returns the platform-days that differ (or exist on one side only).
with

staged as (

    select
        platform,
        date_day,
        spend_reporting,
        impressions,
        clicks
    from {{ ref('stg_google_ads__campaign_stats') }}
    union all
    select
        platform,
        date_day,
        spend_reporting,
        impressions,
        clicks
    from {{ ref('stg_linkedin_ads__campaign_stats') }}
    union all
    select
        platform,
        date_day,
        spend_reporting,
        impressions,
        clicks
    from {{ ref('stg_facebook_ads__campaign_stats') }}

),

staged_days as (

    select
        platform,
        date_day,
        sum(spend_reporting) as spend_reporting,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        count(*) as campaign_days
    from staged
    group by platform, date_day

),

mart_days as (

    select
        platform,
        date_day,
        sum(spend_reporting) as spend_reporting,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        count(*) as campaign_days
    from {{ ref('fct_ad_spend_daily') }}
    group by platform, date_day

),

compared as (

    select
        staged_days.spend_reporting as staged_spend_reporting,
        mart_days.spend_reporting as mart_spend_reporting,
        staged_days.impressions as staged_impressions,
        mart_days.impressions as mart_impressions,
        staged_days.clicks as staged_clicks,
        mart_days.clicks as mart_clicks,
        staged_days.campaign_days as staged_campaign_days,
        mart_days.campaign_days as mart_campaign_days,
        coalesce(staged_days.platform, mart_days.platform) as platform,
        coalesce(staged_days.date_day, mart_days.date_day) as date_day
    from staged_days
    full outer join mart_days
        on
            staged_days.platform = mart_days.platform
            and staged_days.date_day = mart_days.date_day

)

select *
from compared
where
    staged_campaign_days is null
    or mart_campaign_days is null
    or staged_campaign_days != mart_campaign_days
    or coalesce(staged_spend_reporting, -1) != coalesce(mart_spend_reporting, -1)
    or coalesce(staged_impressions, -1) != coalesce(mart_impressions, -1)
    or coalesce(staged_clicks, -1) != coalesce(mart_clicks, -1)
