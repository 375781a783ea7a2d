{#-
    One row per forecast quarter × opportunity open when that quarter's forecast was made
    (int_forecast_quarters.forecast_made_at), rebuilt from the CRM stage log: the opportunity's
    latest log row before that instant gives its stage, amount, CRM probability and expected
    close date as the CRM showed them then. The amount is converted at the FX rate of the
    forecast date. Each row carries the stage-to-win rate of its stage for that quarter
    (int_stage_win_rates) and both weighted amounts.
-#}
with

quarters as (

    select * from {{ ref('int_forecast_quarters') }}

),

history as (

    select * from {{ ref('stg_salesforce__opportunity_history') }}

),

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

stages as (

    select * from {{ ref('opportunity_stages') }}

),

win_rates as (

    select * from {{ ref('int_stage_win_rates') }}

),

log_before_forecast as (

    select
        quarters.fiscal_quarter_start_date,
        quarters.fiscal_quarter_end_date,
        quarters.forecast_made_at,
        quarters.forecast_as_of_date,
        history.opportunity_id,
        history.stage_name,
        history.amount,
        history.probability,
        history.expected_close_date,
        row_number() over (
            partition by quarters.fiscal_quarter_start_date, history.opportunity_id
            order by history.changed_at desc, stages.stage_order desc, history.opportunity_history_id desc
        ) as recency_rank
    from quarters
    inner join history
        on quarters.forecast_made_at > history.changed_at
    left join stages
        on history.stage_name = stages.stage_name

),

open_at_forecast as (

    select
        log_before_forecast.*,
        stages.stage_order,
        opportunities.owner_id,
        opportunities.currency_code
    from log_before_forecast
    inner join stages
        on log_before_forecast.stage_name = stages.stage_name
    inner join opportunities
        on log_before_forecast.opportunity_id = opportunities.opportunity_id
    where
        log_before_forecast.recency_rank = 1
        and stages.stage_category = 'open'

),

converted as (

    select
        open_at_forecast.*,
        {{ to_reporting_currency('open_at_forecast.amount', 'open_at_forecast.currency_code', 'fx') }}
            as amount_reporting
    from open_at_forecast
    {{ join_fx_rate('fx', 'open_at_forecast.currency_code', 'open_at_forecast.forecast_as_of_date') }}

),

final as (

    select
        converted.fiscal_quarter_start_date,
        converted.forecast_made_at,
        converted.forecast_as_of_date,
        converted.opportunity_id,
        converted.owner_id as sales_rep_id,
        converted.stage_name,
        cast(converted.stage_order as {{ dbt.type_bigint() }}) as stage_order,
        converted.currency_code,
        converted.amount,
        converted.amount_reporting,
        converted.probability,
        converted.expected_close_date,
        (
            converted.expected_close_date >= converted.fiscal_quarter_start_date
            and converted.expected_close_date <= converted.fiscal_quarter_end_date
        ) as is_closing_in_quarter,
        win_rates.stage_win_rate,
        -- decimals with 6 places: sums of them are exact, so every build (and any summation
        -- order) gives the same forecast to the cent; doubles did not
        {{ to_decimal('cast(converted.amount_reporting as double) * win_rates.stage_win_rate', 18, 6) }}
            as weighted_amount_reporting,
        {{ to_decimal('cast(converted.amount_reporting as double) * converted.probability / 100', 18, 6) }}
            as crm_weighted_amount_reporting
    from converted
    left join win_rates
        on
            converted.fiscal_quarter_start_date = win_rates.fiscal_quarter_start_date
            and converted.stage_name = win_rates.stage_name

)

select * from final
