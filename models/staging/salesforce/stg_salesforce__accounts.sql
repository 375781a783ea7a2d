with

base as (

    select * from {{ ref('base_salesforce__account') }}

),

final as (

    select
        account_id,
        name,
        website,
        account_domain,
        industry,
        number_of_employees,
        annual_revenue,
        billing_country,
        type,
        owner_id,
        created_at,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
