-- One row per ad platform × campaign × day: spend in the ad account's currency and in the reporting
-- currency, impressions, clicks and the platform's own conversions, with the campaign's name (its
-- latest history version) and channel. Rows of campaigns the platform's campaign history does not
-- know are kept (flagged), so spend here always equals spend in staging.
{%- set platforms = ['google_ads', 'linkedin_ads', 'facebook_ads'] %}

with

google_ads as (

    select * from {{ ref('stg_google_ads__campaign_stats') }}

),

linkedin_ads as (

    select * from {{ ref('stg_linkedin_ads__campaign_stats') }}

),

facebook_ads as (

    select * from {{ ref('stg_facebook_ads__campaign_stats') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

stats as (

    {% for platform in platforms %}
        select
            platform,
            cast(campaign_id as {{ dbt.type_string() }}) as source_campaign_id,
            date_day,
            cast(account_id as {{ dbt.type_string() }}) as account_id,
            currency_code,
            spend,
            spend_reporting,
            impressions,
            clicks,
            conversions,
            channel,
            is_orphan_campaign
        from {{ platform }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'stats.platform', "'|'", 'stats.source_campaign_id', "'|'",
            'cast(stats.date_day as ' ~ dbt.type_string() ~ ')'
        ])) }} as ad_spend_id,
        stats.platform,
        {{ dbt.hash(dbt.concat(['stats.platform', "':'", 'stats.source_campaign_id'])) }} as campaign_id,
        stats.source_campaign_id,
        campaigns.campaign_name,
        stats.account_id,
        stats.date_day,
        coalesce(stats.channel, campaigns.channel, 'other') as channel,
        stats.currency_code,
        {{ to_decimal('stats.spend', 18, 2) }} as spend,
        stats.spend_reporting,
        stats.impressions,
        stats.clicks,
        cast(stats.conversions as double) as platform_conversions,
        stats.is_orphan_campaign
    from stats
    left join campaigns
        on
            stats.platform = campaigns.campaign_source
            and stats.source_campaign_id = campaigns.source_campaign_id

)

select * from final
