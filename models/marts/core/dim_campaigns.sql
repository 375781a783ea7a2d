-- One row per campaign across the ad platforms (latest version of the campaign history), HubSpot
-- marketing emails and CRM campaigns (webinars, trade shows, partner programmes), each with its
-- channel and the utm_campaign value web sessions carry for it.
with

google_ads as (

    select * from {{ ref('stg_google_ads__campaign_history') }}

),

linkedin_ads as (

    select * from {{ ref('stg_linkedin_ads__campaign_history') }}

),

facebook_ads as (

    select * from {{ ref('stg_facebook_ads__campaign_history') }}

),

email_campaigns as (

    select * from {{ ref('stg_hubspot__email_campaigns') }}

),

crm_campaigns as (

    select * from {{ ref('stg_salesforce__campaigns') }}

),

ad_versions as (

    select
        platform as campaign_source,
        cast(campaign_id as {{ dbt.type_string() }}) as source_campaign_id,
        campaign_name,
        advertising_channel_type as campaign_type,
        channel,
        utm_campaign,
        status,
        start_date,
        end_date,
        updated_at
    from google_ads

    union all

    select
        platform as campaign_source,
        cast(campaign_id as {{ dbt.type_string() }}) as source_campaign_id,
        campaign_name,
        campaign_type,
        channel,
        utm_campaign,
        status,
        cast(created_at as date) as start_date,
        cast(null as date) as end_date,
        updated_at
    from linkedin_ads

    union all

    select
        platform as campaign_source,
        cast(campaign_id as {{ dbt.type_string() }}) as source_campaign_id,
        campaign_name,
        objective as campaign_type,
        channel,
        utm_campaign,
        status,
        cast(started_at as date) as start_date,
        cast(stopped_at as date) as end_date,
        updated_at
    from facebook_ads

),

-- the campaign as it is now: its latest history version
ad_latest as (

    select
        ad_versions.*,
        row_number() over (
            partition by ad_versions.campaign_source, ad_versions.source_campaign_id
            order by ad_versions.updated_at desc
        ) as version_rank
    from ad_versions

),

unioned as (

    select
        campaign_source,
        source_campaign_id,
        campaign_name,
        campaign_type,
        channel,
        utm_campaign,
        status,
        start_date,
        end_date
    from ad_latest
    where version_rank = 1

    union all

    select
        'hubspot' as campaign_source,
        cast(email_campaign_id as {{ dbt.type_string() }}) as source_campaign_id,
        email_campaign_name as campaign_name,
        campaign_type,
        'email' as channel,
        utm_campaign,
        cast(null as {{ dbt.type_string() }}) as status,
        cast(null as date) as start_date,
        cast(null as date) as end_date
    from email_campaigns

    union all

    select
        'salesforce' as campaign_source,
        campaign_id as source_campaign_id,
        name as campaign_name,
        type as campaign_type,
        channel,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        status,
        start_date,
        end_date
    from crm_campaigns

),

final as (

    select
        {{ dbt.hash(dbt.concat(['campaign_source', "':'", 'source_campaign_id'])) }} as campaign_id,
        campaign_source,
        source_campaign_id,
        campaign_name,
        campaign_type,
        coalesce(channel, 'other') as channel,
        utm_campaign,
        status,
        start_date,
        end_date
    from unioned

)

select * from final
