with

contacts as (

    select * from {{ ref('base_salesforce__contact') }}
    where _dq_status = 'staged'

),

accounts as (

    select * from {{ ref('base_salesforce__account') }}
    where _dq_status = 'staged'

),

final as (

    select
        contacts.contact_id,
        contacts.account_id,
        contacts.first_name,
        contacts.last_name,
        contacts.email,
        contacts.is_valid_email,
        contacts.email_domain,
        contacts.is_free_mail_email,
        contacts.is_test_record,
        contacts.is_internal_record,
        contacts.title,
        contacts.phone,
        contacts.lead_source,
        contacts.channel,
        contacts.owner_id,
        contacts.created_at,
        contacts._fivetran_synced,
        (contacts.account_id is not null and accounts.account_id is null) as is_orphan_account
    from contacts
    left join accounts
        on contacts.account_id = accounts.account_id

)

select * from final
