-- Every raw row of salesforce.user_role, typed and classified for staging (deletion flag: _fivetran_deleted).
with

source as (

    select * from {{ gtm_source('salesforce', 'user_role') }}

),

renamed as (

    select
        {{ blank_to_null('id') }} as user_role_id,
        name,
        {{ blank_to_null('parent_role_id') }} as parent_role_id,
        developer_name,
        _fivetran_deleted as is_deleted,
        _fivetran_synced,
        {{ dq_raw_values('salesforce', 'user_role') }} as _dq_raw_values,
        id as _dq_raw_key
    from source

),

classified as (

    {{ dq_classify(
        'renamed',
        key_columns=['user_role_id'],
        loaded_at='_fivetran_synced',
        deleted='is_deleted'
    ) }}

)

select * from classified
