-- Bookings per fiscal quarter in fct_quota_attainment and in kpi_pipeline_forecast's company
-- rows equal an independent recomputation straight from staging: the reporting-currency amount
-- of opportunities closed won, grouped by the fiscal quarter of the close date computed here
-- by month arithmetic (not through dim_dates). Returns the quarters that differ.
{%- set start_month = var('fiscal_year_start_month') | int %}
with

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

attainment as (

    select * from {{ ref('fct_quota_attainment') }}

),

forecast as (

    select * from {{ ref('kpi_pipeline_forecast') }}
    where rollup_level = 'total'

),

won as (

    select
        cast(
            {{ dbt.dateadd(
                'month',
                '-1 * ((cast(extract(month from close_date) as ' ~ dbt.type_bigint() ~ ') - ' ~ start_month ~ ' + 12) % 3)',
                dbt.date_trunc('month', 'close_date')
            ) }} as date
        ) as fiscal_quarter_start_date,
        amount_reporting
    from opportunities
    where is_won

),

expected as (

    select
        fiscal_quarter_start_date,
        sum(coalesce(amount_reporting, 0)) as bookings_amount
    from won
    group by fiscal_quarter_start_date

),

from_attainment as (

    select
        fiscal_quarter_start_date,
        sum(bookings_amount) as bookings_amount
    from attainment
    group by fiscal_quarter_start_date

),

compared as (

    select
        forecast.bookings_amount as forecast_bookings,
        coalesce(expected.fiscal_quarter_start_date, from_attainment.fiscal_quarter_start_date)
            as fiscal_quarter_start_date,
        coalesce(expected.bookings_amount, 0) as expected_bookings,
        coalesce(from_attainment.bookings_amount, 0) as attainment_bookings
    from expected
    full outer join from_attainment
        on expected.fiscal_quarter_start_date = from_attainment.fiscal_quarter_start_date
    left join forecast
        on coalesce(expected.fiscal_quarter_start_date, from_attainment.fiscal_quarter_start_date)
            = forecast.fiscal_quarter_start_date

)

select *
from compared
where
    expected_bookings != attainment_bookings
    or (forecast_bookings is not null and forecast_bookings != expected_bookings)
