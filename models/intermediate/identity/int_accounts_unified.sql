-- One row per unified account (company): every CRM account, plus every company email domain seen on
-- people or billing customers that no CRM account claims (a prospect company not yet in the CRM),
-- plus billing customers that match neither (billing-only accounts).
--
-- Domain of a CRM account: its website's domain; when the website is missing, the most common
-- company email domain of its contacts, else of the CRM leads and HubSpot contacts whose company
-- name is the account's name (an inferred domain is never one another account's website has). A domain
-- claimed by exactly one CRM account belongs to it; a domain claimed by several is ambiguous and
-- belongs to the oldest of them (earliest created, then smallest id), flagged in
-- int_account_identifiers_resolved.
--
-- account_id is a hash of the account's anchor: its domain when it owns one, else its CRM id, else
-- its billing customer id. A prospect company therefore keeps its account_id when it is later
-- created in the CRM with the same website domain.
with

salesforce_accounts as (

    select * from {{ ref('stg_salesforce__accounts') }}

),

salesforce_contacts as (

    select * from {{ ref('stg_salesforce__contacts') }}

),

salesforce_leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

people_emails as (

    select identifier_value as email
    from {{ ref('int_identifiers_resolved') }}
    where identifier_type = 'email'

),

stripe_customers as (

    select * from {{ ref('stg_stripe__customers') }}

),

free_mail_domains as (

    select * from {{ ref('free_mail_domains') }}

),

website_domains as (

    select distinct account_domain
    from salesforce_accounts
    where account_domain is not null

),

-- the most common company email domain among each account's contacts that no website claims
contact_domains as (

    select
        salesforce_contacts.account_id,
        salesforce_contacts.email_domain,
        count(*) as contacts
    from salesforce_contacts
    left join website_domains
        on salesforce_contacts.email_domain = website_domains.account_domain
    where
        salesforce_contacts.account_id is not null
        and salesforce_contacts.email_domain is not null
        and not salesforce_contacts.is_free_mail_email
        and not salesforce_contacts.is_internal_record
        and not salesforce_contacts.is_test_record
        and website_domains.account_domain is null
    group by salesforce_contacts.account_id, salesforce_contacts.email_domain

),

contact_domain_ranked as (

    select
        contact_domains.*,
        row_number() over (
            partition by contact_domains.account_id
            order by contact_domains.contacts desc, contact_domains.email_domain asc
        ) as domain_rank
    from contact_domains

),

-- leads and MAP contacts naming the company, for accounts whose name no other account has
unique_names as (

    select
        lower({{ trim_spaces('name') }}) as company_key,
        min(account_id) as account_id
    from salesforce_accounts
    where name is not null
    group by lower({{ trim_spaces('name') }})
    having count(*) = 1

),

company_records as (

    select
        company,
        email_domain,
        is_free_mail_email,
        is_internal_record,
        is_test_record
    from salesforce_leads
    union all
    select
        company,
        email_domain,
        is_free_mail_email,
        is_internal_record,
        is_test_record
    from hubspot_contacts

),

name_domains as (

    select
        unique_names.account_id,
        company_records.email_domain,
        count(*) as records
    from company_records
    inner join unique_names
        on lower({{ trim_spaces('company_records.company') }}) = unique_names.company_key
    left join website_domains
        on company_records.email_domain = website_domains.account_domain
    where
        company_records.email_domain is not null
        and not company_records.is_free_mail_email
        and not company_records.is_internal_record
        and not company_records.is_test_record
        and website_domains.account_domain is null
    group by unique_names.account_id, company_records.email_domain

),

name_domain_ranked as (

    select
        name_domains.*,
        row_number() over (
            partition by name_domains.account_id
            order by name_domains.records desc, name_domains.email_domain asc
        ) as domain_rank
    from name_domains

),

crm_with_domain as (

    select
        salesforce_accounts.*,
        coalesce(salesforce_accounts.account_domain, from_contacts.email_domain, from_name.email_domain)
            as company_domain,
        case
            when salesforce_accounts.account_domain is not null then 'website'
            when from_contacts.email_domain is not null then 'contact_emails'
            when from_name.email_domain is not null then 'company_name'
        end as domain_source
    from salesforce_accounts
    left join contact_domain_ranked as from_contacts
        on
            salesforce_accounts.account_id = from_contacts.account_id
            and from_contacts.domain_rank = 1
            and salesforce_accounts.account_domain is null
    left join name_domain_ranked as from_name
        on
            salesforce_accounts.account_id = from_name.account_id
            and from_name.domain_rank = 1
            and salesforce_accounts.account_domain is null

),

crm_claims as (

    select
        crm_with_domain.*,
        count(*) over (partition by crm_with_domain.company_domain) as domain_claimants
    from crm_with_domain

),

crm_accounts as (

    select
        case
            when company_domain is not null and domain_claimants = 1 then 'domain'
            else 'salesforce_account_id'
        end as anchor_type,
        case
            when company_domain is not null and domain_claimants = 1 then company_domain
            else account_id
        end as anchor_value,
        account_id as salesforce_account_id,
        company_domain,
        domain_source,
        name as account_name,
        industry,
        number_of_employees,
        annual_revenue,
        billing_country,
        type as account_type,
        owner_id,
        created_at,
        true as is_crm_account
    from crm_claims

),

claimed_domains as (

    select distinct company_domain
    from crm_accounts
    where company_domain is not null

),

-- company email domains of people and billing customers that no CRM account claims
candidate_domains as (

    select
        {{ email_domain('people_emails.email') }} as company_domain,
        {{ is_internal_email('people_emails.email') }} as is_internal,
        {{ is_test_email('people_emails.email') }} as is_test
    from people_emails

    union all

    select
        email_domain as company_domain,
        is_internal_email as is_internal,
        is_test_email as is_test
    from stripe_customers

),

prospect_accounts as (

    select
        'domain' as anchor_type,
        candidate_domains.company_domain as anchor_value,
        cast(null as {{ dbt.type_string() }}) as salesforce_account_id,
        candidate_domains.company_domain,
        'email_domain' as domain_source,
        cast(null as {{ dbt.type_string() }}) as account_name,
        cast(null as {{ dbt.type_string() }}) as industry,
        cast(null as {{ dbt.type_bigint() }}) as number_of_employees,
        cast(null as double) as annual_revenue,
        cast(null as {{ dbt.type_string() }}) as billing_country,
        cast(null as {{ dbt.type_string() }}) as account_type,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        false as is_crm_account
    from candidate_domains
    left join free_mail_domains
        on candidate_domains.company_domain = free_mail_domains.domain
    left join claimed_domains
        on candidate_domains.company_domain = claimed_domains.company_domain
    where
        candidate_domains.company_domain is not null
        and not candidate_domains.is_internal
        and not candidate_domains.is_test
        and free_mail_domains.domain is null
        and claimed_domains.company_domain is null
    group by candidate_domains.company_domain

),

crm_ids as (

    select salesforce_account_id from crm_accounts

),

-- billing customers with no CRM account (by metadata id) and no company domain to go by
billing_only_accounts as (

    select
        'stripe_customer_id' as anchor_type,
        stripe_customers.customer_id as anchor_value,
        cast(null as {{ dbt.type_string() }}) as salesforce_account_id,
        cast(null as {{ dbt.type_string() }}) as company_domain,
        cast(null as {{ dbt.type_string() }}) as domain_source,
        stripe_customers.customer_name as account_name,
        cast(null as {{ dbt.type_string() }}) as industry,
        cast(null as {{ dbt.type_bigint() }}) as number_of_employees,
        cast(null as double) as annual_revenue,
        cast(null as {{ dbt.type_string() }}) as billing_country,
        cast(null as {{ dbt.type_string() }}) as account_type,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        stripe_customers.created_at,
        false as is_crm_account
    from stripe_customers
    left join crm_ids
        on stripe_customers.crm_account_id = crm_ids.salesforce_account_id
    where
        crm_ids.salesforce_account_id is null
        and (
            stripe_customers.email_domain is null
            or stripe_customers.is_free_mail_email
            or stripe_customers.is_internal_email
            or stripe_customers.is_test_email
        )

),

unioned as (

    select * from crm_accounts
    union all
    select * from prospect_accounts
    union all
    select * from billing_only_accounts

),

final as (

    select
        {{ dbt.hash(dbt.concat(['anchor_type', "':'", 'anchor_value'])) }} as account_id,
        unioned.*
    from unioned

)

select * from final
