-- One row per unified account (company): CRM accounts, prospect companies known only by the email
-- domain of their people, and billing-only customers.
with

accounts as (

    select * from {{ ref('int_accounts_unified') }}

),

account_identifiers as (

    select * from {{ ref('int_account_identifiers_resolved') }}

),

stripe_customers as (

    select * from {{ ref('stg_stripe__customers') }}

),

people as (

    select * from {{ ref('int_people_resolved') }}

),

billing as (

    select
        account_identifiers.account_id,
        stripe_customers.customer_id,
        stripe_customers.created_at,
        count(*) over (partition by account_identifiers.account_id) as stripe_customers,
        row_number() over (
            partition by account_identifiers.account_id
            order by stripe_customers.created_at, stripe_customers.customer_id
        ) as customer_rank
    from account_identifiers
    inner join stripe_customers
        on account_identifiers.identifier_value = stripe_customers.customer_id
    where account_identifiers.identifier_type = 'stripe_customer_id'

),

people_per_account as (

    select
        account_id,
        count(*) as people,
        min(first_record_at) as first_person_seen_at
    from people
    where account_id is not null
    group by account_id

),

final as (

    select
        accounts.account_id,
        accounts.account_name,
        accounts.company_domain,
        accounts.domain_source,
        accounts.anchor_type,
        accounts.is_crm_account,
        accounts.salesforce_account_id,
        billing.customer_id as stripe_customer_id,
        accounts.industry,
        accounts.number_of_employees,
        accounts.annual_revenue,
        accounts.billing_country,
        accounts.account_type,
        accounts.owner_id,
        accounts.created_at as crm_created_at,
        coalesce(billing.stripe_customers, 0) as stripe_customers,
        coalesce(people_per_account.people, 0) as people,
        case
            when people_per_account.first_person_seen_at is null then accounts.created_at
            when accounts.created_at is null then people_per_account.first_person_seen_at
            when accounts.created_at < people_per_account.first_person_seen_at then accounts.created_at
            else people_per_account.first_person_seen_at
        end as first_seen_at
    from accounts
    left join billing
        on
            accounts.account_id = billing.account_id
            and billing.customer_rank = 1
    left join people_per_account
        on accounts.account_id = people_per_account.account_id

)

select * from final
