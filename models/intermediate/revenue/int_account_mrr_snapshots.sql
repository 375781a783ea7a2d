-- One row per unified account × month in which the account has MRR at the month's last instant
-- (int_revenue_months.snapshot_at): the sum of the MRR of its subscription versions live at that
-- instant (valid_from before it, valid_to at or after it or open), in the billing currency.
-- Changes within a month (an upgrade and a downgrade in the same month) net out: only the
-- month-end state counts. Versions of billing customers the identity graph does not know (orphan
-- customers) have no account and are left out; a test on int_subscription_versions_normalized
-- counts them.
with

versions as (

    select * from {{ ref('int_subscription_versions_normalized') }}
    where is_revenue_status and account_id is not null

),

months as (

    select * from {{ ref('int_revenue_months') }}

),

live as (

    select
        versions.account_id,
        months.month_start_date,
        versions.currency_code,
        versions.subscription_id,
        versions.customer_id,
        versions.quantity,
        versions.mrr
    from versions
    inner join months
        on
            versions.valid_from < months.snapshot_at
            and (versions.valid_to is null or versions.valid_to >= months.snapshot_at)

),

final as (

    select
        account_id,
        month_start_date,
        currency_code,
        sum(mrr) as mrr,
        count(distinct subscription_id) as active_subscriptions,
        count(distinct customer_id) as active_billing_customers,
        sum(quantity) as seats
    from live
    group by account_id, month_start_date, currency_code
    having sum(mrr) > 0

)

select * from final
