-- Per closed opportunity, the days spent in its stages (fct_opportunity_stage_history) add up
-- to its days from creation to close (fct_opportunities.days_to_close), the first stage is
-- entered when the opportunity is created, and the closed stage is entered on the close date.
-- Returns the opportunities where any of that fails.
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}
    where is_closed

),

stage_history as (

    select * from {{ ref('fct_opportunity_stage_history') }}

),

summed as (

    select
        opportunity_id,
        sum(coalesce(days_in_stage, 0)) as days_in_stages,
        min(entered_at) as first_entered_at,
        max(case when is_terminal_stage then entered_date end) as closed_stage_date
    from stage_history
    group by opportunity_id

),

compared as (

    select
        opportunities.opportunity_id,
        opportunities.created_at,
        opportunities.close_date,
        opportunities.days_to_close,
        summed.days_in_stages,
        summed.first_entered_at,
        summed.closed_stage_date
    from opportunities
    left join summed
        on opportunities.opportunity_id = summed.opportunity_id

)

select *
from compared
where
    days_in_stages is null
    or abs(days_in_stages - days_to_close) > 1e-9
    or first_entered_at != created_at
    or closed_stage_date != close_date
