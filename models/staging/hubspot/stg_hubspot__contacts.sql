with

base as (

    select * from {{ ref('base_hubspot__contact') }}

),

final as (

    select
        contact_id,
        email,
        is_valid_email,
        email_domain,
        is_free_mail_email,
        is_test_record,
        is_internal_record,
        first_name,
        last_name,
        company,
        job_title,
        lifecycle_stage,
        analytics_source,
        channel,
        analytics_source_detail,
        map_mql_at,
        created_at,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
