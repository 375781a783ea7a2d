-- The pipeline rebuilt from the stage log for today's forecast (int_pipeline_snapshots at the
-- end of as_of_date) holds exactly the opportunities open now (fct_opportunities), in the
-- same stage, with the same amount and expected close date. Returns the mismatches.
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}
    where is_open

),

quarters as (

    select * from {{ ref('int_forecast_quarters') }}
    where
        fiscal_quarter_start_date <= cast('{{ as_of_date() }}' as date)
        and fiscal_quarter_end_date >= cast('{{ as_of_date() }}' as date)

),

snapshots as (

    select snapshots.*
    from {{ ref('int_pipeline_snapshots') }} as snapshots
    inner join quarters
        on snapshots.fiscal_quarter_start_date = quarters.fiscal_quarter_start_date

),

compared as (

    select
        opportunities.stage_name as current_stage_name,
        snapshots.stage_name as snapshot_stage_name,
        opportunities.amount as current_amount,
        snapshots.amount as snapshot_amount,
        opportunities.close_date as current_close_date,
        snapshots.expected_close_date as snapshot_close_date,
        coalesce(opportunities.opportunity_id, snapshots.opportunity_id) as opportunity_id
    from opportunities
    full outer join snapshots
        on opportunities.opportunity_id = snapshots.opportunity_id

)

select *
from compared
where
    current_stage_name is null
    or snapshot_stage_name is null
    or current_stage_name != snapshot_stage_name
    or current_amount != snapshot_amount
    or current_close_date != snapshot_close_date
