with

base as (

    select * from {{ ref('base_salesforce__user_role') }}

),

final as (

    select
        user_role_id,
        name,
        parent_role_id,
        developer_name,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
