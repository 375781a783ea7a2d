with

events as (

    select * from {{ ref('base_salesforce__event') }}
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
        events.event_id,
        events.who_id,
        events.who_type,
        events.what_id,
        events.account_id,
        events.owner_id,
        events.subject,
        events.event_type,
        events.started_at,
        events.ended_at,
        events.duration_minutes,
        events.created_at,
        events._fivetran_synced,
        (events.who_id is not null and leads.lead_id is null and contacts.contact_id is null) as is_orphan_who
    from events
    left join leads
        on events.who_id = leads.lead_id
    left join contacts
        on events.who_id = contacts.contact_id

)

select * from final
