{#-
    One row per forecast quarter × open stage of the stage map: the historical stage-to-win
    rate the quarter's weighted forecast uses. Of the opportunities closed (won or lost) in the
    4 fiscal quarters before the quarter, and before the forecast was made, that had entered
    the stage, the share closed won (count-based). NULL when no such opportunity exists.
-#}
with

quarters as (

    select * from {{ ref('int_forecast_quarters') }}

),

stages as (

    select * from {{ ref('opportunity_stages') }}
    where stage_category = 'open'

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}
    where is_closed

),

stage_history as (

    select * from {{ ref('fct_opportunity_stage_history') }}

),

stages_entered as (

    select distinct
        opportunity_id,
        stage_name
    from stage_history

),

closed_with_stage as (

    select
        opportunities.opportunity_id,
        opportunities.closed_at,
        opportunities.is_won,
        stages_entered.stage_name
    from opportunities
    inner join stages_entered
        on opportunities.opportunity_id = stages_entered.opportunity_id

),

quarter_stages as (

    select
        quarters.fiscal_quarter_start_date,
        quarters.rate_window_start_at,
        case
            when quarters.forecast_made_at < cast(quarters.fiscal_quarter_start_date as {{ dbt.type_timestamp() }})
                then quarters.forecast_made_at
            else cast(quarters.fiscal_quarter_start_date as {{ dbt.type_timestamp() }})
        end as rate_window_end_at,
        stages.stage_name,
        stages.stage_order
    from quarters
    cross join stages

),

counted as (

    select
        quarter_stages.fiscal_quarter_start_date,
        quarter_stages.stage_name,
        quarter_stages.stage_order,
        quarter_stages.rate_window_start_at,
        quarter_stages.rate_window_end_at,
        count(closed_with_stage.opportunity_id) as closed_count,
        sum(case when closed_with_stage.is_won then 1 else 0 end) as won_count
    from quarter_stages
    left join closed_with_stage
        on
            quarter_stages.stage_name = closed_with_stage.stage_name
            and quarter_stages.rate_window_start_at <= closed_with_stage.closed_at
            and quarter_stages.rate_window_end_at > closed_with_stage.closed_at
    group by
        quarter_stages.fiscal_quarter_start_date,
        quarter_stages.stage_name,
        quarter_stages.stage_order,
        quarter_stages.rate_window_start_at,
        quarter_stages.rate_window_end_at

),

final as (

    select
        fiscal_quarter_start_date,
        stage_name,
        cast(stage_order as {{ dbt.type_bigint() }}) as stage_order,
        rate_window_start_at,
        rate_window_end_at,
        cast(closed_count as {{ dbt.type_bigint() }}) as closed_count,
        cast(coalesce(won_count, 0) as {{ dbt.type_bigint() }}) as won_count,
        case when closed_count > 0 then cast(coalesce(won_count, 0) as double) / closed_count end as stage_win_rate
    from counted

)

select * from final
