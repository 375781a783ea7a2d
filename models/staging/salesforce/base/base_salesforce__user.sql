-- Every raw row of salesforce.user, typed and classified for staging (deletion flag: _fivetran_deleted).
with

source as (

    select * from {{ gtm_source('salesforce', 'user') }}

),

renamed as (

    select
        {{ blank_to_null('id') }} as user_id,
        name,
        first_name,
        last_name,
        {{ normalize_email('email') }} as email,
        title,
        department,
        {{ blank_to_null('user_role_id') }} as user_role_id,
        {{ blank_to_null('manager_id') }} as manager_id,
        is_active,
        created_date as created_at,
        _fivetran_deleted as is_deleted,
        _fivetran_synced,
        {{ dq_raw_values('salesforce', 'user') }} as _dq_raw_values,
        id as _dq_raw_key
    from source

),

classified as (

    {{ dq_classify(
        'renamed',
        key_columns=['user_id'],
        loaded_at='_fivetran_synced',
        deleted='is_deleted',
        rules=[
            ('created_at > ' ~ future_cutoff(), 'future_timestamp'),
        ]
    ) }}

)

select * from classified
