{#-
    Derived staging model (the one staging model not 1:1 with a raw table, because every
    staging model with money needs it): for every day of the rate history and every known
    currency, the rate into the reporting currency. Gaps (weekends, holidays) carry the last
    known rate forward. Rates are triangulated through the quote currency of the FX table
    (USD in the sample: EUR->USD and GBP->USD), so any reporting currency with rates works.
-#}
{%- set reporting = var('reporting_currency') -%}

with

rates as (

    select * from {{ ref('stg_finance__fx_rates') }}

),

bounds as (

    select
        min(rate_date) as first_date,
        max(rate_date) as last_date
    from rates

),

spine as (

    {{ dbt.date_spine(
        'day',
        "cast('2000-01-01' as date)",
        "cast('2040-01-01' as date)"
    ) }}

),

days as (

    select cast(spine.date_day as date) as rate_date
    from spine
    inner join bounds
        on
            cast(spine.date_day as date) >= bounds.first_date
            and cast(spine.date_day as date) <= bounds.last_date

),

quote_currency as (

    -- the currency the FX table quotes into (the most common to_currency)
    select to_currency as currency_code
    from rates
    group by to_currency
    order by count(*) desc, to_currency
    limit 1

),

currencies as (

    select distinct from_currency as currency_code from rates
    union
    select currency_code from quote_currency

),

-- rate of one unit of each currency in the quote currency, per day, with gaps filled
to_quote as (

    select
        days.rate_date,
        currencies.currency_code,
        case
            when currencies.currency_code = quote_currency.currency_code then 1.0
            else {{ last_value_ignore_nulls('rates.rate') }} over (
                    partition by currencies.currency_code
                    order by days.rate_date
                    rows between unbounded preceding and current row
                )
        end as rate_to_quote
    from days
    cross join currencies
    cross join quote_currency
    left join rates
        on
            days.rate_date = rates.rate_date
            and currencies.currency_code = rates.from_currency
            and quote_currency.currency_code = rates.to_currency

),

final as (

    select
        currency.rate_date,
        currency.currency_code,
        '{{ reporting }}' as reporting_currency,
        currency.rate_to_quote / reporting.rate_to_quote as rate_to_reporting
    from to_quote as currency
    inner join to_quote as reporting
        on
            currency.rate_date = reporting.rate_date
            and reporting.currency_code = '{{ reporting }}'
    where currency.rate_to_quote is not null

)

select * from final
