{#-
    One row per fiscal quarter the pipeline forecast covers: from the quarter of the first
    opportunity to the quarter after the one holding as_of_date. For each, when the forecast is
    made and which closed opportunities its stage-to-win rates learn from:

    - a completed quarter (it ends on or before as_of_date) is forecast as it began: at its
      first instant (the backtest: that forecast against the quarter's actual bookings);
    - the current and the next quarter are forecast today: at the end of as_of_date;
    - stage-to-win rates learn from opportunities closed in the 4 fiscal quarters before the
      quarter, and before the forecast is made (no look-ahead).
-#}
{%- set as_of = "cast('" ~ as_of_date() ~ "' as date)" %}
{%- set day_after_as_of = 'cast(' ~ dbt.dateadd('day', 1, as_of) ~ ' as ' ~ dbt.type_timestamp() ~ ')' %}
with

dates as (

    select * from {{ ref('dim_dates') }}

),

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

quarters as (

    select distinct
        fiscal_year,
        fiscal_quarter,
        fiscal_quarter_label,
        fiscal_quarter_start_date,
        fiscal_quarter_end_date
    from dates

),

scope as (

    select
        min(cast(opportunities.created_at as date)) as first_date,
        cast({{ dbt.dateadd('month', 3, "cast('" ~ as_of_date() ~ "' as date)") }} as date) as last_date
    from opportunities

),

in_scope as (

    select quarters.*
    from quarters
    cross join scope
    where
        quarters.fiscal_quarter_end_date >= scope.first_date
        and quarters.fiscal_quarter_start_date <= scope.last_date

),

final as (

    select
        fiscal_year,
        fiscal_quarter,
        fiscal_quarter_label,
        fiscal_quarter_start_date,
        fiscal_quarter_end_date,
        fiscal_quarter_end_date <= cast('{{ as_of_date() }}' as date) as is_quarter_complete,
        case
            when fiscal_quarter_end_date <= cast('{{ as_of_date() }}' as date)
                then cast(fiscal_quarter_start_date as {{ dbt.type_timestamp() }})
            else {{ day_after_as_of }}
        end as forecast_made_at,
        case
            when fiscal_quarter_end_date <= cast('{{ as_of_date() }}' as date) then fiscal_quarter_start_date
            else cast('{{ as_of_date() }}' as date)
        end as forecast_as_of_date,
        cast({{ dbt.dateadd('month', -12, 'fiscal_quarter_start_date') }} as {{ dbt.type_timestamp() }})
            as rate_window_start_at
    from in_scope

)

select * from final
