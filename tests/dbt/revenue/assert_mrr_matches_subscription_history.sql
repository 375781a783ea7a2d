-- Total MRR per month equals an independent recomputation from the staged subscription history:
-- its own month ends (the FX calendar's last days of months, and as_of_date), its own live-version
-- rule and its own normalisation per billing interval, without the revenue intermediate models.
-- Billing currency per month × currency and reporting currency per month must agree to the cent.
-- Returns one row per month (and currency) that differs.
{%- set as_of = "cast('" ~ as_of_date() ~ "' as date)" %}
{%- set active_statuses = var('mrr_active_statuses', ['active', 'past_due']) %}
{%- set active_status_list = "'" ~ active_statuses | join("', '") ~ "'" %}
{%- set reporting = var('reporting_currency') %}
with

history as (

    select * from {{ ref('stg_stripe__subscription_history') }}
    where
        not is_orphan_customer
        and status in ({{ active_status_list }})

),

prices as (

    select * from {{ ref('stg_stripe__prices') }}

),

accounts as (

    select
        identifier_value as customer_id,
        account_id
    from {{ ref('int_account_identifiers_resolved') }}
    where identifier_type = 'stripe_customer_id'

),

fx_days as (

    select * from {{ ref('stg_finance__fx_rates_daily') }}

),

-- month ends: the last day of each month of the FX calendar up to as_of_date, and as_of_date
month_ends as (

    select distinct rate_date as month_end_date
    from fx_days
    where
        rate_date <= {{ as_of }}
        and (
            extract(day from {{ dbt.dateadd('day', 1, 'rate_date') }}) = 1
            or rate_date = {{ as_of }}
        )

),

version_mrr as (

    select
        history.customer_id,
        history.valid_from,
        history.valid_to,
        prices.currency_code,
        {{ round_places(
            "case prices.billing_interval
                when 'month' then cast(history.quantity * prices.unit_amount as double) / prices.interval_count
                when 'year' then cast(history.quantity * prices.unit_amount as double) / (12 * prices.interval_count)
                when 'week' then cast(history.quantity * prices.unit_amount as double) * 52 / (12 * prices.interval_count)
                when 'day' then cast(history.quantity * prices.unit_amount as double) * 365 / (12 * prices.interval_count)
            end", 2
        ) }} as version_mrr
    from history
    inner join prices
        on history.price_id = prices.price_id

),

account_month_mrr as (

    select
        accounts.account_id,
        month_ends.month_end_date,
        version_mrr.currency_code,
        sum(cast(version_mrr.version_mrr as decimal(18, 2))) as mrr
    from version_mrr
    inner join accounts
        on version_mrr.customer_id = accounts.customer_id
    inner join month_ends
        on
            version_mrr.valid_from < {{ dbt.dateadd('day', 1, 'month_ends.month_end_date') }}
            and (
                version_mrr.valid_to is null
                or version_mrr.valid_to >= {{ dbt.dateadd('day', 1, 'month_ends.month_end_date') }}
            )
    group by accounts.account_id, month_ends.month_end_date, version_mrr.currency_code

),

converted as (

    select
        account_month_mrr.month_end_date,
        account_month_mrr.currency_code,
        account_month_mrr.mrr,
        cast({{ round_places(
            "cast(account_month_mrr.mrr as double) * case when account_month_mrr.currency_code = '"
            ~ reporting ~ "' then 1.0 else fx_days.rate_to_reporting end", 2
        ) }} as decimal(18, 2)) as mrr_reporting
    from account_month_mrr
    left join fx_days
        on
            account_month_mrr.currency_code = fx_days.currency_code
            and account_month_mrr.month_end_date = fx_days.rate_date

),

recomputed as (

    select
        month_end_date,
        currency_code,
        sum(mrr) as mrr,
        sum(mrr_reporting) as mrr_reporting
    from converted
    group by month_end_date, currency_code

),

modelled as (

    select
        fx_rate_date as month_end_date,
        currency_code,
        sum(mrr) as mrr,
        sum(mrr_reporting) as mrr_reporting
    from {{ ref('fct_mrr') }}
    group by fx_rate_date, currency_code

),

compared as (

    select
        coalesce(recomputed.month_end_date, modelled.month_end_date) as month_end_date,
        coalesce(recomputed.currency_code, modelled.currency_code) as currency_code,
        coalesce(recomputed.mrr, 0) as recomputed_mrr,
        coalesce(modelled.mrr, 0) as modelled_mrr,
        coalesce(recomputed.mrr_reporting, 0) as recomputed_mrr_reporting,
        coalesce(modelled.mrr_reporting, 0) as modelled_mrr_reporting
    from recomputed
    full outer join modelled
        on
            recomputed.month_end_date = modelled.month_end_date
            and recomputed.currency_code = modelled.currency_code

),

by_month as (

    select
        month_end_date,
        sum(recomputed_mrr_reporting) as recomputed_mrr_reporting,
        sum(modelled_mrr_reporting) as modelled_mrr_reporting
    from compared
    group by month_end_date

)

select
    'billing currency' as check_name,
    compared.month_end_date,
    compared.currency_code,
    compared.recomputed_mrr as recomputed,
    compared.modelled_mrr as modelled
from compared
where compared.recomputed_mrr != compared.modelled_mrr

union all

select
    'reporting currency' as check_name,
    by_month.month_end_date,
    '{{ reporting }}' as currency_code,
    by_month.recomputed_mrr_reporting as recomputed,
    by_month.modelled_mrr_reporting as modelled
from by_month
where by_month.recomputed_mrr_reporting != by_month.modelled_mrr_reporting
