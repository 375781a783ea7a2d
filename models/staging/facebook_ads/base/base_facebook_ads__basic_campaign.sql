-- Every raw row of facebook_ads.basic_campaign (campaign × day), typed, converted and classified
-- for staging (see dq_classify). Spend is in the currency of the account's latest staged
-- version, converted into the reporting currency at the FX rate of the day. The report has no
-- conversions column: conversions stay NULL (same shape as the other platforms' stats).
with

source as (

    select * from {{ gtm_source('facebook_ads', 'basic_campaign') }}

),

account_versions as (

    select
        account_id,
        currency_code,
        row_number() over (
            partition by account_id
            order by updated_at desc
        ) as version_rank
    from {{ ref('base_facebook_ads__account_history') }}
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
        'facebook_ads' as platform,
        source.campaign_id,
        source.date as date_day,
        source.account_id,
        {{ to_decimal('source.spend', 18, 6) }} as spend,
        source.impressions,
        source.inline_link_clicks as clicks,
        cast(null as decimal(18, 6)) as conversions,
        source.reach,
        source._fivetran_synced,
        {{ dq_raw_values('facebook_ads', 'basic_campaign') }} as _dq_raw_values,
        {{ dbt.concat([
            "coalesce(cast(source.campaign_id as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(cast(source.date as " ~ dbt.type_string() ~ "), '')"
        ]) }} as _dq_raw_key
    from source

),

with_currency as (

    select
        renamed.*,
        accounts.currency_code
    from renamed
    left join accounts
        on renamed.account_id = accounts.account_id

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
