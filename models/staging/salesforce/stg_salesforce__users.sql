with

base as (

    select * from {{ ref('base_salesforce__user') }}

),

final as (

    select
        user_id,
        name,
        first_name,
        last_name,
        email,
        title,
        department,
        user_role_id,
        manager_id,
        is_active,
        created_at,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
