-- One row per unified person (one identity component of int_identifiers_resolved: an email, CRM,
-- HubSpot or login record, or a device that identified itself): source ids, contact details (PII:
-- stays in this intermediate model; dim_people exposes none of it), and the person's account.
--
-- Attributes come from the most authoritative record: the latest CRM contact, else the latest CRM
-- lead, else the latest HubSpot contact, else the latest Segment identify.
-- Account: the account of the person's (latest) CRM contact, else the converted account of a CRM
-- lead, else the account of the email's company domain (free-mail, internal and test emails never
-- match an account by domain), else the CRM account whose name is exactly the company the person
-- gave (case and surrounding spaces ignored; only names one account has).
{#- duckdb_uncompressed_columns: unique hashes / ids, and other ids and keys of tens of thousands
    of values or more (person, account, identifier, email), stored uncompressed on DuckDB (macro
    duckdb__create_table_as; picked by measuring, BENCHMARKS.md) -#}
{{ config(
    meta={'duckdb_uncompressed_columns': ['person_id', 'email', 'account_id']},
) }}
with

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

account_identifiers as (

    select * from {{ ref('int_account_identifiers_resolved') }}

),

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

salesforce_leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

salesforce_contacts as (

    select * from {{ ref('stg_salesforce__contacts') }}

),

identifies as (

    select * from {{ ref('stg_segment__identifies') }}

),

free_mail_domains as (

    select * from {{ ref('free_mail_domains') }}

),

-- CRM account names that identify one account (for people whose email says nothing about the company)
unique_account_names as (

    select
        lower({{ trim_spaces('account_name') }}) as company_key,
        min(account_id) as account_id
    from {{ ref('int_accounts_unified') }}
    where is_crm_account and account_name is not null
    group by lower({{ trim_spaces('account_name') }})
    having count(*) = 1

),

-- every source record with the attributes it can contribute; priority 1 is the most authoritative
records as (

    select
        'salesforce_contact_id' as identifier_type,
        contact_id as identifier_value,
        1 as priority,
        email,
        first_name,
        last_name,
        title,
        phone,
        cast(null as {{ dbt.type_string() }}) as company,
        owner_id,
        account_id as crm_account_id,
        created_at
    from salesforce_contacts

    union all

    select
        'salesforce_lead_id' as identifier_type,
        lead_id as identifier_value,
        2 as priority,
        email,
        first_name,
        last_name,
        title,
        phone,
        company,
        owner_id,
        converted_account_id as crm_account_id,
        created_at
    from salesforce_leads

    union all

    select
        'hubspot_contact_id' as identifier_type,
        cast(contact_id as {{ dbt.type_string() }}) as identifier_value,
        3 as priority,
        email,
        first_name,
        last_name,
        job_title as title,
        cast(null as {{ dbt.type_string() }}) as phone,
        company,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as crm_account_id,
        created_at
    from hubspot_contacts

    union all

    select
        'segment_anonymous_id' as identifier_type,
        anonymous_id as identifier_value,
        4 as priority,
        email,
        first_name,
        last_name,
        cast(null as {{ dbt.type_string() }}) as title,
        cast(null as {{ dbt.type_string() }}) as phone,
        company,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as crm_account_id,
        identified_at as created_at
    from identifies

),

person_records as (

    select
        records.*,
        identifiers.person_id,
        row_number() over (
            partition by identifiers.person_id
            order by records.priority asc, records.created_at desc, records.identifier_value asc
        ) as authority_rank
    from records
    inner join identifiers
        on
            records.identifier_type = identifiers.identifier_type
            and records.identifier_value = identifiers.identifier_value

),

-- the person's CRM account: the latest contact's, else a converted lead's (latest conversion)
crm_account_ranked as (

    select
        person_records.person_id,
        account_identifiers.account_id,
        case person_records.identifier_type
            when 'salesforce_contact_id' then 'crm_contact'
            else 'crm_lead_conversion'
        end as account_match_method,
        row_number() over (
            partition by person_records.person_id
            order by person_records.priority asc, person_records.created_at desc, person_records.identifier_value asc
        ) as account_rank
    from person_records
    inner join account_identifiers
        on
            account_identifiers.identifier_type = 'salesforce_account_id'
            and person_records.crm_account_id = account_identifiers.identifier_value

),

people as (

    select
        identifiers.person_id,
        min(case when identifiers.is_anchor then identifiers.identifier_type end) as anchor_type,
        min(case when identifiers.identifier_type = 'email' then identifiers.identifier_value end) as email,
        count(case when identifiers.identifier_type = 'email' then 1 end) as emails,
        count(case when identifiers.identifier_type = 'salesforce_contact_id' then 1 end) as salesforce_contacts,
        count(case when identifiers.identifier_type = 'salesforce_lead_id' then 1 end) as salesforce_leads,
        count(case when identifiers.identifier_type = 'hubspot_contact_id' then 1 end) as hubspot_contacts,
        count(case when identifiers.identifier_type = 'segment_user_id' then 1 end) as segment_user_ids,
        count(case when identifiers.identifier_type = 'segment_anonymous_id' then 1 end) as segment_anonymous_ids,
        min(case when identifiers.identifier_type = 'segment_user_id' then identifiers.identifier_value end)
            as segment_user_id
    from identifiers
    group by identifiers.person_id

),

record_summary as (

    select
        person_id,
        min(case when identifier_type = 'salesforce_lead_id' then created_at end) as first_lead_created_at,
        min(case when identifier_type = 'salesforce_contact_id' then created_at end) as first_contact_created_at,
        min(case when identifier_type = 'hubspot_contact_id' then created_at end) as first_hubspot_created_at,
        min(case when identifier_type = 'segment_anonymous_id' then created_at end) as first_identified_at,
        min(created_at) as first_record_at
    from person_records
    group by person_id

),

first_of_type as (

    select
        person_id,
        identifier_type,
        identifier_value,
        row_number() over (
            partition by person_id, identifier_type
            order by created_at desc, identifier_value asc
        ) as latest_rank
    from person_records
    where identifier_type in ('salesforce_contact_id', 'salesforce_lead_id', 'hubspot_contact_id')

),

source_ids as (

    select
        person_id,
        max(case when identifier_type = 'salesforce_contact_id' then identifier_value end)
            as salesforce_contact_id,
        max(case when identifier_type = 'salesforce_lead_id' then identifier_value end) as salesforce_lead_id,
        max(case when identifier_type = 'hubspot_contact_id' then identifier_value end) as hubspot_contact_id
    from first_of_type
    where latest_rank = 1
    group by person_id

),

authoritative as (

    select * from person_records
    where authority_rank = 1

),

-- owner: the latest CRM contact's, else the latest CRM lead's
owners as (

    select
        person_id,
        owner_id,
        row_number() over (
            partition by person_id
            order by priority asc, created_at desc, identifier_value asc
        ) as owner_rank
    from person_records
    where owner_id is not null

),

with_email_flags as (

    select
        people.*,
        {{ email_domain('people.email') }} as email_domain,
        free_mail_domains.domain is not null as is_free_mail_email,
        {{ is_internal_email('people.email') }} as is_internal,
        {{ is_test_email('people.email') }} as is_test
    from people
    left join free_mail_domains
        on {{ email_domain('people.email') }} = free_mail_domains.domain

),

final as (

    select
        with_email_flags.person_id,
        with_email_flags.anchor_type,
        with_email_flags.email,
        with_email_flags.email_domain,
        with_email_flags.is_free_mail_email,
        with_email_flags.is_internal,
        with_email_flags.is_test,
        authoritative.first_name,
        authoritative.last_name,
        authoritative.title,
        authoritative.phone,
        authoritative.company,
        authoritative.identifier_type as attributes_from,
        owners.owner_id,
        source_ids.salesforce_contact_id,
        source_ids.salesforce_lead_id,
        source_ids.hubspot_contact_id,
        with_email_flags.segment_user_id,
        with_email_flags.emails,
        with_email_flags.salesforce_contacts,
        with_email_flags.salesforce_leads,
        with_email_flags.hubspot_contacts,
        with_email_flags.segment_user_ids,
        with_email_flags.segment_anonymous_ids,
        record_summary.first_lead_created_at,
        record_summary.first_contact_created_at,
        record_summary.first_hubspot_created_at,
        record_summary.first_identified_at,
        record_summary.first_record_at,
        coalesce(crm_account.account_id, domain_account.account_id, named_account.account_id) as account_id,
        case
            when crm_account.account_id is not null then crm_account.account_match_method
            when domain_account.account_id is not null then domain_account.match_method
            when named_account.account_id is not null then 'company_name'
            when with_email_flags.email is null then 'no_email'
            when with_email_flags.is_free_mail_email then 'free_mail'
            when with_email_flags.is_internal then 'internal'
            when with_email_flags.is_test then 'test'
            else 'unmatched'
        end as account_match_method
    from with_email_flags
    left join authoritative
        on with_email_flags.person_id = authoritative.person_id
    left join record_summary
        on with_email_flags.person_id = record_summary.person_id
    left join source_ids
        on with_email_flags.person_id = source_ids.person_id
    left join owners
        on
            with_email_flags.person_id = owners.person_id
            and owners.owner_rank = 1
    left join crm_account_ranked as crm_account
        on
            with_email_flags.person_id = crm_account.person_id
            and crm_account.account_rank = 1
    left join account_identifiers as domain_account
        on
            domain_account.identifier_type = 'domain'
            and with_email_flags.email_domain = domain_account.identifier_value
            and not with_email_flags.is_free_mail_email
            and not with_email_flags.is_internal
            and not with_email_flags.is_test
    left join unique_account_names as named_account
        on
            lower({{ trim_spaces('authoritative.company') }}) = named_account.company_key
            and not with_email_flags.is_internal
            and not with_email_flags.is_test

)

select * from final
