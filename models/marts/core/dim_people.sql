-- One row per unified person. No raw PII: the email is hashed, the name follows the display-name
-- policy (macro display_name); phones and full names stay in int_people_resolved.
with

people as (

    select * from {{ ref('int_people_resolved') }}

),

final as (

    select
        person_id,
        {{ sha256_hex('email') }} as email_sha256,
        email_domain,
        is_free_mail_email,
        is_internal,
        is_test,
        {{ display_name('first_name', 'last_name') }} as display_name,
        title,
        account_id,
        account_match_method,
        owner_id,
        salesforce_contact_id,
        salesforce_lead_id,
        hubspot_contact_id,
        segment_user_id,
        salesforce_contacts,
        salesforce_leads,
        hubspot_contacts,
        segment_anonymous_ids,
        emails,
        first_lead_created_at,
        first_hubspot_created_at,
        first_contact_created_at,
        first_identified_at,
        first_record_at as first_seen_at
    from people

)

select * from final
