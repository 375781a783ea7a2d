with

base as (

    select * from {{ ref('base_salesforce__lead_history') }}

),

final as (

    select
        lead_history_id,
        lead_id,
        field,
        old_value,
        new_value,
        is_status_change,
        changed_by_user_id,
        changed_at,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
