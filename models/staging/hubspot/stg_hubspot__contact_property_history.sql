with

base as (

    select * from {{ ref('base_hubspot__contact_property_history') }}

),

final as (

    select
        contact_id,
        property_name,
        property_value,
        changed_at,
        change_source,
        is_lifecycle_stage,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
