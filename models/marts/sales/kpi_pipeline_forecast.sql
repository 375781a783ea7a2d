{#-
    One row per fiscal quarter × rep, plus one per fiscal quarter × team and one per fiscal
    quarter for the whole company (rollup_level 'rep' / 'team' / 'total'). See the model's yml
    for each column's definition and the backtest.
-#}
with

quarters as (

    select * from {{ ref('int_forecast_quarters') }}

),

snapshots as (

    select * from {{ ref('int_pipeline_snapshots') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}
    where is_closed

),

attainment as (

    select * from {{ ref('fct_quota_attainment') }}

),

reps as (

    select * from {{ ref('dim_sales_reps') }}

),

levels as (

    select 'rep' as rollup_level
    union all
    select 'team' as rollup_level
    union all
    select 'total' as rollup_level

),

fact_rows as (

    -- the open pipeline when the quarter's forecast was made
    select
        fiscal_quarter_start_date,
        sales_rep_id,
        false as is_placeholder,
        cast(null as decimal(18, 2)) as quota_amount,
        1 as open_count,
        case when is_closing_in_quarter then 1 else 0 end as open_pipeline_count,
        case when is_closing_in_quarter then amount_reporting end as open_pipeline_amount,
        case when is_closing_in_quarter then weighted_amount_reporting end as weighted_amount,
        case when is_closing_in_quarter then crm_weighted_amount_reporting end as crm_weighted_amount,
        case
            when is_closing_in_quarter and stage_win_rate is null then amount_reporting
        end as unrated_pipeline_amount,
        0 as won_count,
        0 as lost_count,
        cast(null as decimal(18, 2)) as won_amount,
        cast(null as decimal(18, 2)) as lost_amount,
        cast(null as decimal(18, 2)) as bookings_to_date_amount,
        cast(null as double) as won_cycle_days
    from snapshots
    union all
    -- opportunities closed in the quarter (as of as_of_date)
    select
        opportunities.close_fiscal_quarter_start_date as fiscal_quarter_start_date,
        opportunities.sales_rep_id,
        false as is_placeholder,
        cast(null as decimal(18, 2)) as quota_amount,
        0 as open_count,
        0 as open_pipeline_count,
        cast(null as decimal(18, 2)) as open_pipeline_amount,
        cast(null as decimal(18, 6)) as weighted_amount,
        cast(null as decimal(18, 6)) as crm_weighted_amount,
        cast(null as decimal(18, 2)) as unrated_pipeline_amount,
        case when opportunities.is_won then 1 else 0 end as won_count,
        case when opportunities.is_won then 0 else 1 end as lost_count,
        case when opportunities.is_won then coalesce(opportunities.amount_reporting, 0) end as won_amount,
        case when not opportunities.is_won then coalesce(opportunities.amount_reporting, 0) end as lost_amount,
        case
            when opportunities.is_won and opportunities.closed_at < quarters.forecast_made_at
                then coalesce(opportunities.amount_reporting, 0)
        end as bookings_to_date_amount,
        case when opportunities.is_won then opportunities.days_to_close end as won_cycle_days
    from opportunities
    inner join quarters
        on opportunities.close_fiscal_quarter_start_date = quarters.fiscal_quarter_start_date
    union all
    -- quotas
    select
        fiscal_quarter_start_date,
        sales_rep_id,
        false as is_placeholder,
        quota_amount,
        0 as open_count,
        0 as open_pipeline_count,
        cast(null as decimal(18, 2)) as open_pipeline_amount,
        cast(null as decimal(18, 6)) as weighted_amount,
        cast(null as decimal(18, 6)) as crm_weighted_amount,
        cast(null as decimal(18, 2)) as unrated_pipeline_amount,
        0 as won_count,
        0 as lost_count,
        cast(null as decimal(18, 2)) as won_amount,
        cast(null as decimal(18, 2)) as lost_amount,
        cast(null as decimal(18, 2)) as bookings_to_date_amount,
        cast(null as double) as won_cycle_days
    from attainment
    where has_quota
    union all
    -- one placeholder per quarter, so every quarter has its company total row
    select
        fiscal_quarter_start_date,
        cast(null as {{ dbt.type_string() }}) as sales_rep_id,
        true as is_placeholder,
        cast(null as decimal(18, 2)) as quota_amount,
        0 as open_count,
        0 as open_pipeline_count,
        cast(null as decimal(18, 2)) as open_pipeline_amount,
        cast(null as decimal(18, 6)) as weighted_amount,
        cast(null as decimal(18, 6)) as crm_weighted_amount,
        cast(null as decimal(18, 2)) as unrated_pipeline_amount,
        0 as won_count,
        0 as lost_count,
        cast(null as decimal(18, 2)) as won_amount,
        cast(null as decimal(18, 2)) as lost_amount,
        cast(null as decimal(18, 2)) as bookings_to_date_amount,
        cast(null as double) as won_cycle_days
    from quarters

),

rolled_out as (

    select
        fact_rows.*,
        levels.rollup_level,
        case levels.rollup_level when 'rep' then fact_rows.sales_rep_id end as rollup_sales_rep_id,
        case when levels.rollup_level in ('rep', 'team') then coalesce(reps.team, 'unassigned') end as rollup_team,
        case levels.rollup_level
            when 'rep' then fact_rows.sales_rep_id
            when 'team' then coalesce(reps.team, 'unassigned')
            else 'all'
        end as rollup_key
    from fact_rows
    cross join levels
    left join reps
        on fact_rows.sales_rep_id = reps.sales_rep_id
    where not (fact_rows.is_placeholder and levels.rollup_level != 'total')

),

aggregated as (

    select
        fiscal_quarter_start_date,
        rollup_level,
        rollup_key,
        max(rollup_sales_rep_id) as sales_rep_id,
        max(rollup_team) as team,
        sum(quota_amount) as quota_amount,
        sum(open_count) as open_opportunities_count,
        sum(open_pipeline_count) as open_pipeline_count,
        coalesce(sum(open_pipeline_amount), 0) as open_pipeline_amount,
        sum(weighted_amount) as weighted_amount,
        coalesce(sum(crm_weighted_amount), 0) as crm_weighted_amount,
        coalesce(sum(unrated_pipeline_amount), 0) as unrated_pipeline_amount,
        sum(won_count) as won_count,
        sum(lost_count) as lost_count,
        coalesce(sum(won_amount), 0) as bookings_amount,
        coalesce(sum(lost_amount), 0) as lost_amount,
        coalesce(sum(bookings_to_date_amount), 0) as bookings_to_date_amount,
        avg(won_cycle_days) as sales_cycle_days_mean,
        {{ percentile_cont_agg('won_cycle_days', 0.5) }} as sales_cycle_days_median,
        {{ percentile_cont_agg('won_cycle_days', 0.75) }} as sales_cycle_days_p75
    from rolled_out
    group by fiscal_quarter_start_date, rollup_level, rollup_key

),

metrics as (

    select
        aggregated.*,
        case
            when aggregated.open_pipeline_count = 0 then 0
            else aggregated.weighted_amount
        end as weighted_forecast,
        case
            when aggregated.won_count + aggregated.lost_count > 0
                then cast(aggregated.won_count as double) / (aggregated.won_count + aggregated.lost_count)
        end as win_rate,
        case
            when aggregated.bookings_amount + aggregated.lost_amount > 0
                then cast(aggregated.bookings_amount as double)
                    / cast(aggregated.bookings_amount + aggregated.lost_amount as double)
        end as win_rate_amount,
        case
            when aggregated.won_count > 0 then cast(aggregated.bookings_amount as double) / aggregated.won_count
        end as average_deal_size,
        aggregated.quota_amount - aggregated.bookings_to_date_amount as remaining_quota_amount
    from aggregated

),

final as (

    select
        {{ dbt.concat([
            'cast(metrics.fiscal_quarter_start_date as ' ~ dbt.type_string() ~ ')',
            "'|'", 'metrics.rollup_level', "'|'", 'metrics.rollup_key'
        ]) }} as forecast_row_id,
        quarters.fiscal_year,
        quarters.fiscal_quarter,
        quarters.fiscal_quarter_label,
        quarters.fiscal_quarter_start_date,
        quarters.fiscal_quarter_end_date,
        quarters.is_quarter_complete,
        quarters.forecast_made_at,
        quarters.forecast_as_of_date,
        metrics.rollup_level,
        metrics.rollup_key,
        metrics.sales_rep_id,
        metrics.team,
        cast(metrics.quota_amount as decimal(18, 2)) as quota_amount,
        cast(metrics.open_pipeline_count as {{ dbt.type_bigint() }}) as open_pipeline_count,
        cast(metrics.open_pipeline_amount as decimal(18, 2)) as open_pipeline_amount,
        cast(metrics.bookings_to_date_amount as decimal(18, 2)) as bookings_to_date_amount,
        cast(metrics.remaining_quota_amount as decimal(18, 2)) as remaining_quota_amount,
        case
            when metrics.remaining_quota_amount > 0
                then cast(metrics.open_pipeline_amount as double) / cast(metrics.remaining_quota_amount as double)
        end as pipeline_coverage,
        {{ to_decimal('metrics.crm_weighted_amount', 18, 2) }} as crm_probability_forecast_amount,
        {{ to_decimal('metrics.weighted_forecast', 18, 2) }} as weighted_forecast_amount,
        cast(metrics.unrated_pipeline_amount as decimal(18, 2)) as unrated_pipeline_amount,
        {{ to_decimal('metrics.bookings_to_date_amount + metrics.crm_weighted_amount', 18, 2) }}
            as crm_projected_bookings_amount,
        {{ to_decimal('metrics.bookings_to_date_amount + metrics.weighted_forecast', 18, 2) }}
            as projected_bookings_amount,
        cast(metrics.bookings_amount as decimal(18, 2)) as bookings_amount,
        case
            when quarters.is_quarter_complete and metrics.bookings_amount > 0
                then
                    (
                        cast(metrics.bookings_to_date_amount as double) + metrics.weighted_forecast
                        - cast(metrics.bookings_amount as double)
                    )
                    / cast(metrics.bookings_amount as double)
        end as forecast_error_pct,
        case
            when quarters.is_quarter_complete and metrics.bookings_amount > 0
                then
                    (
                        cast(metrics.bookings_to_date_amount as double) + metrics.crm_weighted_amount
                        - cast(metrics.bookings_amount as double)
                    )
                    / cast(metrics.bookings_amount as double)
        end as crm_forecast_error_pct,
        cast(metrics.won_count as {{ dbt.type_bigint() }}) as won_count,
        cast(metrics.lost_count as {{ dbt.type_bigint() }}) as lost_count,
        metrics.win_rate,
        metrics.win_rate_amount,
        metrics.average_deal_size,
        metrics.sales_cycle_days_mean,
        metrics.sales_cycle_days_median,
        metrics.sales_cycle_days_p75,
        cast(metrics.open_opportunities_count as {{ dbt.type_bigint() }}) as open_opportunities_count,
        case
            when metrics.sales_cycle_days_mean > 0
                then metrics.open_opportunities_count * metrics.win_rate * metrics.average_deal_size
                    / metrics.sales_cycle_days_mean
        end as sales_velocity_per_day
    from metrics
    inner join quarters
        on metrics.fiscal_quarter_start_date = quarters.fiscal_quarter_start_date

)

select * from final
