with

base as (

    select * from {{ ref('base_salesforce__lead') }}

),

final as (

    select
        lead_id,
        first_name,
        last_name,
        email,
        is_valid_email,
        email_domain,
        is_free_mail_email,
        is_test_record,
        is_internal_record,
        company,
        title,
        phone,
        industry,
        number_of_employees,
        country,
        lead_source,
        channel,
        status,
        unqualified_reason,
        is_converted,
        converted_date,
        converted_account_id,
        converted_contact_id,
        converted_opportunity_id,
        owner_id,
        created_at,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
