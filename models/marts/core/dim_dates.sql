{#-
    One row per day with calendar and fiscal attributes. The fiscal year starts on day 1 of
    month var('fiscal_year_start_month') and is named by the calendar year it ends in (with a
    February start, FY2026 runs 2025-02-01 .. 2026-01-31).
-#}
{%- set start_month = var('fiscal_year_start_month') | int %}
with

days as (

    select * from {{ ref('int_dates_spined') }}

),

calendar as (

    select
        date_day,
        cast(extract(year from date_day) as {{ dbt.type_bigint() }}) as calendar_year,
        cast(extract(quarter from date_day) as {{ dbt.type_bigint() }}) as calendar_quarter,
        cast(extract(month from date_day) as {{ dbt.type_bigint() }}) as calendar_month,
        cast(extract(day from date_day) as {{ dbt.type_bigint() }}) as day_of_month,
        -- ISO day of week (1 = Monday) counted from a known Monday, the same on every engine
        (
            (
                {{ dbt.datediff("cast('1970-01-05' as date)", 'date_day', 'day') }}
                % 7
            ) + 7
        ) % 7 + 1 as day_of_week_iso,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date
    from days

),

fiscal as (

    select
        calendar.*,
        (calendar.calendar_month - {{ start_month }} + 12) % 12 + 1 as fiscal_month,
        calendar.calendar_year
        + case when {{ start_month }} > 1 and calendar.calendar_month >= {{ start_month }} then 1 else 0 end
            as fiscal_year
    from calendar

),

fiscal_quarters as (

    select
        fiscal.*,
        cast(floor((fiscal.fiscal_month - 1) / 3) as {{ dbt.type_bigint() }}) + 1 as fiscal_quarter
    from fiscal

),

final as (

    select
        date_day,
        calendar_year,
        calendar_quarter,
        calendar_month,
        day_of_month,
        day_of_week_iso,
        day_of_week_iso >= 6 as is_weekend,
        month_start_date,
        cast({{ dbt.dateadd('day', '1 - day_of_week_iso', 'date_day') }} as date) as week_start_date,
        fiscal_year,
        fiscal_quarter,
        fiscal_month,
        {{ dbt.concat([
            "'FY'", 'cast(fiscal_year as ' ~ dbt.type_string() ~ ')',
            "'-Q'", 'cast(fiscal_quarter as ' ~ dbt.type_string() ~ ')'
        ]) }} as fiscal_quarter_label,
        {{ fiscal_quarter_start_date('fiscal_year', 1) }} as fiscal_year_start_date,
        {{ fiscal_quarter_start_date('fiscal_year', 'fiscal_quarter') }} as fiscal_quarter_start_date,
        cast(
            {{ dbt.dateadd(
                'day', -1, dbt.dateadd('month', 3, fiscal_quarter_start_date('fiscal_year', 'fiscal_quarter'))
            ) }}
            as date
        ) as fiscal_quarter_end_date,
        date_day <= cast('{{ as_of_date() }}' as date) as is_past
    from fiscal_quarters

)

select * from final
