with

base as (

    select * from {{ ref('base_salesforce__opportunity_history') }}

),

final as (

    select
        opportunity_history_id,
        opportunity_id,
        stage_name,
        amount,
        probability,
        expected_close_date,
        changed_by_user_id,
        changed_at,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
