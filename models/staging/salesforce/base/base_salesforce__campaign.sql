-- Every raw row of salesforce.campaign, typed, channel mapped and classified for staging (see dq_classify).
with

source as (

    select * from {{ gtm_source('salesforce', 'campaign') }}

),

renamed as (

    select
        {{ blank_to_null('id') }} as campaign_id,
        name,
        type,
        {{ channel_from_mapping('salesforce', 'campaign_type', 'type') }} as channel,
        status,
        start_date,
        end_date,
        is_active,
        {{ to_decimal(nan_to_null("budgeted_cost"), 18, 2) }} as budgeted_cost,
        {{ to_decimal(nan_to_null("actual_cost"), 18, 2) }} as actual_cost,
        created_date as created_at,
        is_deleted,
        _fivetran_synced,
        {{ dq_raw_values('salesforce', 'campaign') }} as _dq_raw_values,
        id as _dq_raw_key
    from source

),

classified as (

    {{ dq_classify(
        'renamed',
        key_columns=['campaign_id'],
        loaded_at='_fivetran_synced',
        deleted='is_deleted',
        rules=[
            ('created_at > ' ~ future_cutoff(), 'future_timestamp'),
            ('budgeted_cost < 0 or actual_cost < 0', 'negative_amount'),
        ]
    ) }}

)

select * from classified
