with

base as (

    select * from {{ ref('base_stripe__customer') }}

),

final as (

    select
        customer_id,
        email,
        is_valid_email,
        email_domain,
        is_free_mail_email,
        is_test_email,
        is_internal_email,
        customer_name,
        customer_description,
        currency_code,
        crm_account_id,
        created_at,
        is_delinquent,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
