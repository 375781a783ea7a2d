-- Every raw row of linkedin_ads.ad_analytics_by_campaign (campaign × day), typed, converted and
-- classified for staging (see dq_classify). The rows carry no account: it comes from the
-- campaign's latest staged version, the currency from that account's latest staged version;
-- spend is converted into the reporting currency at the FX rate of the day.
with

source as (

    select * from {{ gtm_source('linkedin_ads', 'ad_analytics_by_campaign') }}

),

campaign_versions as (

    select
        campaign_id,
        account_id,
        row_number() over (
            partition by campaign_id
            order by updated_at desc
        ) as version_rank
    from {{ ref('base_linkedin_ads__campaign_history') }}
    where _dq_status = 'staged'

),

campaigns as (

    select
        campaign_id,
        account_id
    from campaign_versions
    where version_rank = 1

),

account_versions as (

    select
        account_id,
        currency_code,
        row_number() over (
            partition by account_id
            order by updated_at desc
        ) as version_rank
    from {{ ref('base_linkedin_ads__account_history') }}
    where _dq_status = 'staged'

),

accounts as (

    select
        account_id,
        currency_code
    from account_versions
    where version_rank = 1

),

renamed as (

    select
        'linkedin_ads' as platform,
        source.campaign_id,
        source.day as date_day,
        {{ to_decimal('source.cost_in_local_currency', 18, 6) }} as spend,
        source.impressions,
        source.clicks,
        cast(source.external_website_conversions as decimal(18, 6)) as conversions,
        source._fivetran_synced,
        {{ dq_raw_values('linkedin_ads', 'ad_analytics_by_campaign') }} as _dq_raw_values,
        {{ dbt.concat([
            "coalesce(cast(source.campaign_id as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(cast(source.day as " ~ dbt.type_string() ~ "), '')"
        ]) }} as _dq_raw_key
    from source

),

with_currency as (

    select
        renamed.*,
        campaigns.account_id,
        accounts.currency_code
    from renamed
    left join campaigns
        on renamed.campaign_id = campaigns.campaign_id
    left join accounts
        on campaigns.account_id = accounts.account_id

),

converted as (

    select
        with_currency.*,
        {{ to_reporting_currency('with_currency.spend', 'with_currency.currency_code', 'fx') }} as spend_reporting,
        {{ channel_from_mapping('ads', 'platform', 'with_currency.platform') }} as channel
    from with_currency
    {{ join_fx_rate('fx', 'with_currency.currency_code', 'with_currency.date_day') }}

),

classified as (

    {{ dq_classify(
        'converted',
        key_columns=['campaign_id', 'date_day'],
        loaded_at='_fivetran_synced',
        rules=[
            ('spend < 0', 'negative_amount'),
        ]
    ) }}

)

select * from classified
