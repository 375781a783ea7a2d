-- Every raw row of salesforce.campaign_member, typed and classified for staging (see dq_classify).
with

source as (

    select * from {{ gtm_source('salesforce', 'campaign_member') }}

),

renamed as (

    select
        {{ blank_to_null('id') }} as campaign_member_id,
        {{ blank_to_null('campaign_id') }} as campaign_id,
        {{ blank_to_null('lead_id') }} as lead_id,
        {{ blank_to_null('contact_id') }} as contact_id,
        status,
        has_responded,
        first_responded_date,
        created_date as created_at,
        is_deleted,
        _fivetran_synced,
        {{ dq_raw_values('salesforce', 'campaign_member') }} as _dq_raw_values,
        id as _dq_raw_key
    from source

),

classified as (

    {{ dq_classify(
        'renamed',
        key_columns=['campaign_member_id'],
        loaded_at='_fivetran_synced',
        deleted='is_deleted',
        rules=[
            ('created_at > ' ~ future_cutoff(), 'future_timestamp'),
        ]
    ) }}

)

select * from classified
