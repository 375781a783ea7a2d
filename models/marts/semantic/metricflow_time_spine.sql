-- One row per day: MetricFlow's time spine (the semantic layer in models/semantic/ joins
-- cumulative, offset and conversion metrics to it), with the fiscal quarter and fiscal year
-- start dates as custom granularities (metric_time__fiscal_quarter, metric_time__fiscal_year).
-- The days of dim_dates: its range covers every fact the marts hold, plus a fiscal year ahead.
with

dates as (

    select * from {{ ref('dim_dates') }}

),

final as (

    select
        date_day,
        fiscal_quarter_start_date,
        fiscal_year_start_date
    from dates

)

select * from final
