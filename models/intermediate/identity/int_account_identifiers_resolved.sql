-- One row per account identifier (CRM account id, company domain, billing customer id) with the
-- unified account it belongs to and how it was matched:
--   salesforce_account_id  the CRM account itself                                  (crm_account)
--   domain                 the one account with that domain                        (domain)
--                          several CRM accounts with it: the oldest one            (domain_ambiguous)
--   stripe_customer_id     the CRM account in the customer's metadata              (billing_metadata)
--                          else the account of the customer's email domain         (email_domain)
--                          else a billing-only account of its own                  (billing_only)
with

accounts as (

    select * from {{ ref('int_accounts_unified') }}

),

stripe_customers as (

    select * from {{ ref('stg_stripe__customers') }}

),

crm_ids as (

    select
        'salesforce_account_id' as identifier_type,
        salesforce_account_id as identifier_value,
        account_id,
        'crm_account' as match_method,
        1 as candidate_accounts
    from accounts
    where salesforce_account_id is not null

),

domain_candidates as (

    select
        company_domain,
        account_id,
        count(*) over (partition by company_domain) as candidate_accounts,
        row_number() over (
            partition by company_domain
            order by is_crm_account desc, created_at asc, salesforce_account_id asc
        ) as candidate_rank
    from accounts
    where company_domain is not null

),

domains as (

    select
        'domain' as identifier_type,
        company_domain as identifier_value,
        account_id,
        case when candidate_accounts > 1 then 'domain_ambiguous' else 'domain' end as match_method,
        candidate_accounts
    from domain_candidates
    where candidate_rank = 1

),

customers as (

    select
        'stripe_customer_id' as identifier_type,
        stripe_customers.customer_id as identifier_value,
        coalesce(crm_ids.account_id, domains.account_id, billing_only.account_id) as account_id,
        case
            when crm_ids.account_id is not null then 'billing_metadata'
            when domains.account_id is not null then 'email_domain'
            when billing_only.account_id is not null then 'billing_only'
        end as match_method,
        1 as candidate_accounts
    from stripe_customers
    left join crm_ids
        on stripe_customers.crm_account_id = crm_ids.identifier_value
    left join domains
        on
            stripe_customers.email_domain = domains.identifier_value
            and not stripe_customers.is_free_mail_email
    left join accounts as billing_only
        on
            billing_only.anchor_type = 'stripe_customer_id'
            and stripe_customers.customer_id = billing_only.anchor_value

),

final as (

    select * from crm_ids
    union all
    select * from domains
    union all
    select * from customers

)

select * from final
