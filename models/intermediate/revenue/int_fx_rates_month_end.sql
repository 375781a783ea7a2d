-- One row per revenue month (int_revenue_months) × currency of the daily FX series: the rate into
-- the reporting currency of the month's last day (as_of_date for the month holding it). MRR is a
-- month-end state, so it is converted at the month-end rate (as the generator's truth does); the
-- retention ratios restate earlier MRR at this rate to compare in constant currency.
{%- set reporting = var('reporting_currency') %}
with

months as (

    select * from {{ ref('int_revenue_months') }}

),

fx_rates as (

    select * from {{ ref('stg_finance__fx_rates_daily') }}

),

currencies as (

    select distinct currency_code from fx_rates
    union
    select '{{ reporting }}' as currency_code

),

final as (

    select
        months.month_start_date,
        currencies.currency_code,
        months.fx_rate_date,
        case
            when currencies.currency_code = '{{ reporting }}' then cast(1 as double)
            else fx_rates.rate_to_reporting
        end as fx_rate_to_reporting
    from months
    cross join currencies
    left join fx_rates
        on
            currencies.currency_code = fx_rates.currency_code
            and months.fx_rate_date = fx_rates.rate_date

)

select * from final
