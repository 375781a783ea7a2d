-- Win rate (count and amount), average deal size and the sales cycle (mean, median) per fiscal
-- quarter in kpi_pipeline_forecast's company rows equal an independent recomputation from
-- staging: opportunities closed in the quarter of their close date; the cycle runs from
-- creation to the stage log's first closed-stage entry. Returns the quarters that differ.
{%- set start_month = var('fiscal_year_start_month') | int %}
with

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

history as (

    select * from {{ ref('stg_salesforce__opportunity_history') }}

),

forecast as (

    select * from {{ ref('kpi_pipeline_forecast') }}
    where rollup_level = 'total'

),

closing_entries as (

    select
        opportunity_id,
        min(changed_at) as closed_at
    from history
    where stage_name in ('Closed Won', 'Closed Lost')
    group by opportunity_id

),

closed as (

    select
        cast(
            {{ dbt.dateadd(
                'month',
                '-1 * ((cast(extract(month from opportunities.close_date) as ' ~ dbt.type_bigint() ~ ') - ' ~ start_month ~ ' + 12) % 3)',
                dbt.date_trunc('month', 'opportunities.close_date')
            ) }} as date
        ) as fiscal_quarter_start_date,
        opportunities.is_won,
        coalesce(opportunities.amount_reporting, 0) as amount_reporting,
        cast(
            {{ dbt.datediff('opportunities.created_at', 'closing_entries.closed_at', 'second') }}
            as double
        ) / 86400 as cycle_days
    from opportunities
    left join closing_entries
        on opportunities.opportunity_id = closing_entries.opportunity_id
    where opportunities.is_closed

),

expected as (

    select
        fiscal_quarter_start_date,
        sum(case when is_won then 1 else 0 end) as won_count,
        sum(case when is_won then 0 else 1 end) as lost_count,
        cast(sum(case when is_won then 1 else 0 end) as double) / count(*) as win_rate,
        cast(sum(case when is_won then amount_reporting else 0 end) as double)
        / nullif(cast(sum(amount_reporting) as double), 0) as win_rate_amount,
        cast(sum(case when is_won then amount_reporting else 0 end) as double)
        / nullif(sum(case when is_won then 1 else 0 end), 0) as average_deal_size,
        avg(case when is_won then cycle_days end) as cycle_mean,
        {{ percentile_cont_agg('case when is_won then cycle_days end', 0.5) }} as cycle_median
    from closed
    group by fiscal_quarter_start_date

),

compared as (

    select
        expected.*,
        forecast.win_rate as forecast_win_rate,
        forecast.win_rate_amount as forecast_win_rate_amount,
        forecast.average_deal_size as forecast_average_deal_size,
        forecast.sales_cycle_days_mean as forecast_cycle_mean,
        forecast.sales_cycle_days_median as forecast_cycle_median
    from expected
    left join forecast
        on expected.fiscal_quarter_start_date = forecast.fiscal_quarter_start_date

)

select *
from compared
where
    forecast_win_rate is null
    or abs(forecast_win_rate - win_rate) > 1e-9
    or abs(coalesce(forecast_win_rate_amount, -1) - coalesce(win_rate_amount, -1)) > 1e-9
    or abs(coalesce(forecast_average_deal_size, -1) - coalesce(average_deal_size, -1)) > 1e-6
    or abs(coalesce(forecast_cycle_mean, -1) - coalesce(cycle_mean, -1)) > 1e-9
    or abs(coalesce(forecast_cycle_median, -1) - coalesce(cycle_median, -1)) > 1e-9
