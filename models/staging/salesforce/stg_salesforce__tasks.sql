with

tasks as (

    select * from {{ ref('base_salesforce__task') }}
    where _dq_status = 'staged'

),

leads as (

    select * from {{ ref('base_salesforce__lead') }}
    where _dq_status = 'staged'

),

contacts as (

    select * from {{ ref('base_salesforce__contact') }}
    where _dq_status = 'staged'

),

final as (

    select
        tasks.task_id,
        tasks.who_id,
        tasks.who_type,
        tasks.what_id,
        tasks.account_id,
        tasks.owner_id,
        tasks.subject,
        tasks.task_type,
        tasks.task_subtype,
        tasks.status,
        tasks.activity_date,
        tasks.created_at,
        tasks._fivetran_synced,
        (tasks.who_id is not null and leads.lead_id is null and contacts.contact_id is null) as is_orphan_who
    from tasks
    left join leads
        on tasks.who_id = leads.lead_id
    left join contacts
        on tasks.who_id = contacts.contact_id

)

select * from final
