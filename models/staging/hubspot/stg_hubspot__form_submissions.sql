with

base as (

    select * from {{ ref('base_hubspot__contact_form_submission') }}

),

contacts as (

    select contact_id from {{ ref('base_hubspot__contact') }}
    where _dq_status = 'staged'

),

staged as (

    select * from base
    where _dq_status = 'staged'

),

final as (

    select
        staged.form_submission_id,
        staged.contact_id,
        staged.form_id,
        staged.form_title,
        staged.page_url,
        staged.page_path,
        staged.submitted_at,
        staged._fivetran_synced,
        staged.contact_id is not null
        and contacts.contact_id is null as is_orphan_contact
    from staged
    left join contacts
        on staged.contact_id = contacts.contact_id

)

select * from final
