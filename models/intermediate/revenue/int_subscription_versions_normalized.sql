-- One row per staged subscription version (stripe subscription_history, type 2) with its unified
-- account, its price and its MRR: the version's recurring amount normalised to one month, in the
-- price's (billing) currency. The same normalisation as stg_stripe__prices.monthly_unit_amount
-- (a year is 12 months, a week 52/12, a day 365/12 of a month, divided by the interval count),
-- applied to quantity × unit price before rounding to the cent, so 1,000 seats at 100.00 a year
-- are 8,333.33 a month, not 1,000 × 8.3333. The Stripe contract carries no discounts or
-- coupons: MRR is list price × quantity. Only versions in a revenue status
-- (var mrr_active_statuses, default active and past_due) carry MRR; trialing, canceled, unpaid
-- … versions carry 0.
{%- set active_statuses = var('mrr_active_statuses', ['active', 'past_due']) %}
{%- set active_status_list = "'" ~ active_statuses | join("', '") ~ "'" %}
with

versions as (

    select * from {{ ref('stg_stripe__subscription_history') }}

),

prices as (

    select * from {{ ref('stg_stripe__prices') }}

),

account_identifiers as (

    select * from {{ ref('int_account_identifiers_resolved') }}
    where identifier_type = 'stripe_customer_id'

),

joined as (

    select
        versions.subscription_id,
        versions.valid_from,
        versions.valid_to,
        versions.is_current,
        versions.customer_id,
        account_identifiers.account_id,
        versions.status,
        versions.status in ({{ active_status_list }}) as is_revenue_status,
        versions.price_id,
        prices.currency_code,
        versions.quantity,
        prices.unit_amount,
        prices.billing_interval,
        prices.interval_count,
        prices.price_id is null as is_unpriced,
        versions.started_at,
        versions.canceled_at,
        versions.ended_at
    from versions
    left join prices
        on versions.price_id = prices.price_id
    left join account_identifiers
        on versions.customer_id = account_identifiers.identifier_value

),

normalized as (

    select
        joined.*,
        -- months per billing interval as a fraction n / 12, computed in double and rounded to the
        -- cent by to_decimal (the same result on every engine); NULL for an unknown interval
        case
            when not joined.is_revenue_status then cast(0 as decimal(18, 2))
            else {{ to_decimal(
                "cast(joined.quantity as double)
                * cast(joined.unit_amount as double)
                * case joined.billing_interval
                    when 'month' then 12
                    when 'year' then 1
                    when 'week' then 52
                    when 'day' then 365
                end
                / (12 * nullif(joined.interval_count, 0))",
                18, 2
            ) }}
        end as mrr
    from joined

),

final as (

    select
        subscription_id,
        valid_from,
        valid_to,
        is_current,
        customer_id,
        account_id,
        status,
        is_revenue_status,
        price_id,
        currency_code,
        quantity,
        unit_amount,
        billing_interval,
        interval_count,
        mrr,
        is_unpriced,
        started_at,
        canceled_at,
        ended_at
    from normalized

)

select * from final
