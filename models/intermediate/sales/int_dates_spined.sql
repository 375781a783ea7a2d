{#-
    One row per day of the date dimension's range, built portably (a cross join of digit
    CTEs: no engine-specific series function). The range runs from the first day of the fiscal
    year holding the earliest CRM or quota date (var dim_dates_start_date overrides it) to the
    last day of the fiscal year after the one holding as_of_date (later when an open
    opportunity is expected to close after it).
-#}
{%- set start_month = var('fiscal_year_start_month') | int %}
{%- set start_override = var('dim_dates_start_date', none) %}
{%- set as_of = "cast('" ~ as_of_date() ~ "' as date)" %}
{%- set year_after_as_of = 'cast(' ~ dbt.dateadd('year', 1, as_of) ~ ' as date)' %}
{%- if start_override %}
    {%- set first_date_expression = "cast('" ~ start_override ~ "' as date)" %}
{%- else %}
    {%- set first_date_expression = 'coalesce(min(first_date), ' ~ as_of ~ ')' %}
{%- endif %}
with

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

accounts as (

    select * from {{ ref('stg_salesforce__accounts') }}

),

quotas as (

    select * from {{ ref('stg_sales_ops__quotas') }}

),

data_dates as (

    select
        cast(min(created_at) as date) as first_date,
        max(close_date) as last_date
    from opportunities
    union all
    select
        cast(min(created_at) as date) as first_date,
        cast(null as date) as last_date
    from leads
    union all
    select
        cast(min(created_at) as date) as first_date,
        cast(null as date) as last_date
    from accounts
    union all
    select
        min(fiscal_quarter_start_date) as first_date,
        max(fiscal_quarter_start_date) as last_date
    from quotas

),

range_dates as (

    select
        {{ first_date_expression }} as first_date,
        case
            when max(last_date) > {{ year_after_as_of }} then max(last_date)
            else {{ year_after_as_of }}
        end as last_date
    from data_dates

),

month_offsets as (

    -- months from the fiscal year's first month back to each bound's month (0-11)
    select
        first_date,
        last_date,
        (cast(extract(month from first_date) as {{ dbt.type_bigint() }}) - {{ start_month }} + 12) % 12
            as first_fiscal_month_offset,
        (cast(extract(month from last_date) as {{ dbt.type_bigint() }}) - {{ start_month }} + 12) % 12
            as last_fiscal_month_offset
    from range_dates

),

bounds as (

    select
        cast(
            {{ dbt.dateadd(
                'month',
                '-1 * first_fiscal_month_offset',
                dbt.date_trunc('month', 'first_date')
            ) }} as date
        ) as spine_start_date,
        cast(
            {{ dbt.dateadd(
                'day',
                -1,
                dbt.dateadd('month', '12 - last_fiscal_month_offset', dbt.date_trunc('month', 'last_date'))
            ) }} as date
        ) as spine_end_date
    from month_offsets

),

digits as (

    select 0 as digit
    union all
    select 1 as digit
    union all
    select 2 as digit
    union all
    select 3 as digit
    union all
    select 4 as digit
    union all
    select 5 as digit
    union all
    select 6 as digit
    union all
    select 7 as digit
    union all
    select 8 as digit
    union all
    select 9 as digit

),

day_offsets as (

    -- 0 .. 99,999: enough for 273 years of days
    select
        ones.digit
        + 10 * tens.digit
        + 100 * hundreds.digit
        + 1000 * thousands.digit
        + 10000 * ten_thousands.digit as day_offset
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands
    cross join digits as ten_thousands

),

final as (

    select cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'bounds.spine_start_date') }} as date) as date_day
    from day_offsets
    cross join bounds
    where day_offsets.day_offset <= {{ dbt.datediff('bounds.spine_start_date', 'bounds.spine_end_date', 'day') }}

)

select * from final
