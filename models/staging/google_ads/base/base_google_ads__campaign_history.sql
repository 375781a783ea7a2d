-- Every raw row of google_ads.campaign_history (campaign versions), typed and classified for
-- staging (see dq_classify). Key: campaign id × updated_at.
with

source as (

    select * from {{ gtm_source('google_ads', 'campaign_history') }}

),

renamed as (

    select
        'google_ads' as platform,
        source.id as campaign_id,
        source.updated_at,
        source.customer_id as account_id,
        source.name as campaign_name,
        {{ utm_campaign_slug('source.name') }} as utm_campaign,
        nullif(upper({{ trim_spaces('source.status') }}), '') as status,
        source.advertising_channel_type,
        source.start_date,
        source.end_date,
        source._fivetran_synced,
        {{ dq_raw_values('google_ads', 'campaign_history') }} as _dq_raw_values,
        {{ dbt.concat([
            "coalesce(cast(source.id as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(cast(source.updated_at as " ~ dbt.type_string() ~ "), '')"
        ]) }} as _dq_raw_key
    from source

),

with_channel as (

    select
        renamed.*,
        {{ channel_from_mapping('ads', 'platform', 'renamed.platform') }} as channel
    from renamed

),

classified as (

    {{ dq_classify(
        'with_channel',
        key_columns=['campaign_id', 'updated_at'],
        loaded_at='_fivetran_synced',
    ) }}

)

select * from classified
