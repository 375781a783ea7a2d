-- Every raw row of salesforce.account, typed and classified for staging (see dq_classify).
with

source as (

    select * from {{ gtm_source('salesforce', 'account') }}

),

renamed as (

    select
        {{ blank_to_null('id') }} as account_id,
        name,
        website,
        {{ url_domain('website') }} as account_domain,
        industry,
        number_of_employees,
        {{ nan_to_null("annual_revenue") }} as annual_revenue,
        billing_country,
        type,
        {{ blank_to_null('owner_id') }} as owner_id,
        created_date as created_at,
        is_deleted,
        _fivetran_synced,
        {{ dq_raw_values('salesforce', 'account') }} as _dq_raw_values,
        id as _dq_raw_key
    from source

),

classified as (

    {{ dq_classify(
        'renamed',
        key_columns=['account_id'],
        loaded_at='_fivetran_synced',
        deleted='is_deleted',
        rules=[
            ('created_at > ' ~ future_cutoff(), 'future_timestamp'),
        ]
    ) }}

)

select * from classified
