-- One row per calendar month from the month of the first revenue-carrying subscription version
-- to the month holding var as_of_date: the month spine of the revenue models. MRR of a month is
-- the state at its last instant (snapshot_at: the first instant of the next month, or the end
-- of as_of_date for the month holding it), converted at the FX rate of its last day
-- (fx_rate_date: the month's last day, or as_of_date). Generated portably with dbt.date_spine.
{%- set as_of = "cast('" ~ as_of_date() ~ "' as date)" %}
with

versions as (

    select * from {{ ref('int_subscription_versions_normalized') }}

),

bounds as (

    select
        cast({{ dbt.date_trunc('month', 'min(valid_from)') }} as date) as first_month_start_date,
        cast({{ dbt.date_trunc('month', as_of) }} as date) as last_month_start_date
    from versions
    where is_revenue_status

),

spine as (

    {{ dbt.date_spine(
        'month',
        "cast('2000-01-01' as date)",
        "cast('2060-01-01' as date)"
    ) }}

),

months as (

    select
        cast(spine.date_month as date) as month_start_date,
        cast({{ dbt.dateadd('month', 1, 'spine.date_month') }} as {{ dbt.type_timestamp() }}) as next_month_start_at,
        cast({{ dbt.dateadd('day', 1, as_of) }} as {{ dbt.type_timestamp() }}) as as_of_end_at
    from spine
    inner join bounds
        on
            cast(spine.date_month as date) >= bounds.first_month_start_date
            and cast(spine.date_month as date) <= bounds.last_month_start_date

),

final as (

    select
        month_start_date,
        cast({{ dbt.dateadd('day', -1, 'next_month_start_at') }} as date) as month_end_date,
        cast(extract(year from month_start_date) as {{ dbt.type_bigint() }}) * 12
        + cast(extract(month from month_start_date) as {{ dbt.type_bigint() }}) as month_number,
        case
            when next_month_start_at > as_of_end_at then as_of_end_at
            else next_month_start_at
        end as snapshot_at,
        case
            when next_month_start_at > as_of_end_at then {{ as_of }}
            else cast({{ dbt.dateadd('day', -1, 'next_month_start_at') }} as date)
        end as fx_rate_date
    from months

)

select * from final
