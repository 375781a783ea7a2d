{#-
    One row per sales rep × fiscal quarter in which the rep had a quota, created pipeline or
    closed an opportunity. Bookings: won amount (reporting currency, FX rate of the close
    date) of opportunities closed won in the quarter; attainment = bookings / quota. Win rate
    by close period: won / (won + lost), count-based and amount-based.
-#}
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

quotas as (

    select * from {{ ref('stg_sales_ops__quotas') }}

),

reps as (

    select * from {{ ref('dim_sales_reps') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

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

quota_rows as (

    select
        rep_id as sales_rep_id,
        fiscal_quarter_start_date,
        sum(quota_amount_reporting) as quota_amount
    from quotas
    group by rep_id, fiscal_quarter_start_date

),

created_rows as (

    select
        sales_rep_id,
        created_fiscal_quarter_start_date as fiscal_quarter_start_date,
        count(*) as pipeline_created_count,
        sum(coalesce(amount_reporting, 0)) as pipeline_created_amount
    from opportunities
    group by sales_rep_id, created_fiscal_quarter_start_date

),

closed_rows as (

    select
        sales_rep_id,
        close_fiscal_quarter_start_date as fiscal_quarter_start_date,
        sum(case when is_won then 1 else 0 end) as won_count,
        sum(case when not is_won then 1 else 0 end) as lost_count,
        sum(case when is_won then coalesce(amount_reporting, 0) else 0 end) as won_amount,
        sum(case when not is_won then coalesce(amount_reporting, 0) else 0 end) as lost_amount
    from opportunities
    where is_closed
    group by sales_rep_id, close_fiscal_quarter_start_date

),

rep_quarters as (

    select
        sales_rep_id,
        fiscal_quarter_start_date
    from quota_rows
    union
    select
        sales_rep_id,
        fiscal_quarter_start_date
    from created_rows
    union
    select
        sales_rep_id,
        fiscal_quarter_start_date
    from closed_rows

),

joined as (

    select
        rep_quarters.sales_rep_id,
        reps.team,
        quarters.fiscal_year,
        quarters.fiscal_quarter,
        quarters.fiscal_quarter_label,
        quarters.fiscal_quarter_start_date,
        quarters.fiscal_quarter_end_date,
        quota_rows.quota_amount,
        coalesce(closed_rows.won_amount, 0) as bookings_amount,
        coalesce(created_rows.pipeline_created_count, 0) as pipeline_created_count,
        coalesce(created_rows.pipeline_created_amount, 0) as pipeline_created_amount,
        coalesce(closed_rows.won_count, 0) as won_count,
        coalesce(closed_rows.lost_count, 0) as lost_count,
        coalesce(closed_rows.lost_amount, 0) as lost_amount
    from rep_quarters
    inner join quarters
        on rep_quarters.fiscal_quarter_start_date = quarters.fiscal_quarter_start_date
    left join reps
        on rep_quarters.sales_rep_id = reps.sales_rep_id
    left join quota_rows
        on
            rep_quarters.sales_rep_id = quota_rows.sales_rep_id
            and rep_quarters.fiscal_quarter_start_date = quota_rows.fiscal_quarter_start_date
    left join created_rows
        on
            rep_quarters.sales_rep_id = created_rows.sales_rep_id
            and rep_quarters.fiscal_quarter_start_date = created_rows.fiscal_quarter_start_date
    left join closed_rows
        on
            rep_quarters.sales_rep_id = closed_rows.sales_rep_id
            and rep_quarters.fiscal_quarter_start_date = closed_rows.fiscal_quarter_start_date

),

final as (

    select
        sales_rep_id,
        team,
        cast(fiscal_year as {{ dbt.type_bigint() }}) as fiscal_year,
        cast(fiscal_quarter as {{ dbt.type_bigint() }}) as fiscal_quarter,
        fiscal_quarter_label,
        fiscal_quarter_start_date,
        fiscal_quarter_end_date,
        fiscal_quarter_end_date <= cast('{{ as_of_date() }}' as date) as is_quarter_complete,
        quota_amount is not null as has_quota,
        cast(quota_amount as decimal(18, 2)) as quota_amount,
        cast(bookings_amount as decimal(18, 2)) as bookings_amount,
        case
            when quota_amount > 0 then cast(bookings_amount as double) / cast(quota_amount as double)
        end as quota_attainment,
        cast(pipeline_created_count as {{ dbt.type_bigint() }}) as pipeline_created_count,
        cast(pipeline_created_amount as decimal(18, 2)) as pipeline_created_amount,
        cast(won_count as {{ dbt.type_bigint() }}) as won_count,
        cast(lost_count as {{ dbt.type_bigint() }}) as lost_count,
        cast(lost_amount as decimal(18, 2)) as lost_amount,
        case
            when won_count + lost_count > 0 then cast(won_count as double) / (won_count + lost_count)
        end as win_rate,
        case
            when bookings_amount + lost_amount > 0
                then cast(bookings_amount as double) / cast(bookings_amount + lost_amount as double)
        end as win_rate_amount,
        case
            when won_count > 0 then cast(bookings_amount as double) / won_count
        end as average_deal_size
    from joined

)

select * from final
