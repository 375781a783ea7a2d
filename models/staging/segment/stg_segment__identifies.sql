with

base as (

    select * from {{ ref('base_segment__identifies') }}

),

final as (

    select
        identify_id,
        anonymous_id,
        user_id,
        email,
        is_valid_email,
        email_domain,
        is_free_mail_email,
        is_test_record,
        is_internal_record,
        first_name,
        last_name,
        company,
        identified_at,
        received_at,
        user_agent,
        loaded_at,
        _written_at
    from base
    where _dq_status = 'staged'

)

select * from final
