-- Each account's months in fct_mrr are contiguous from its first month with MRR until it churns
-- or until the month holding as_of_date: no duplicate month, the first row is 'new', a month is
-- skipped only between a churn and a reactivation, a churn is followed only by a reactivation,
-- a 'new' or 'reactivation' row never follows a paying month, previous_mrr is the previous
-- row's mrr, and the last row is the as_of_date month or a churn. One row per violation.
{%- set as_of_month = "cast(" ~ dbt.date_trunc('month', "cast('" ~ as_of_date() ~ "' as date)") ~ " as date)" %}
with

mrr as (

    select * from {{ ref('fct_mrr') }}

),

sequenced as (

    select
        account_id,
        month_start_date,
        movement_type,
        mrr,
        previous_mrr,
        lag(month_start_date) over (partition by account_id order by month_start_date) as previous_row_month,
        lag(movement_type) over (partition by account_id order by month_start_date) as previous_row_movement,
        lag(mrr) over (partition by account_id order by month_start_date) as previous_row_mrr,
        lead(month_start_date) over (partition by account_id order by month_start_date) as next_row_month,
        count(*) over (partition by account_id, month_start_date) as rows_in_month,
        cast({{ dbt.dateadd('month', -1, 'month_start_date') }} as date) as calendar_previous_month
    from mrr

),

expected as (

    select
        sequenced.*,
        case
            when sequenced.previous_row_month = sequenced.calendar_previous_month then sequenced.previous_row_mrr
            else 0
        end as expected_previous_mrr
    from sequenced

),

violations as (

    select
        account_id,
        month_start_date,
        movement_type,
        case
            when rows_in_month > 1 then 'duplicate month'
            when previous_row_month is null and movement_type != 'new' then 'first row is not new'
            when previous_row_month is not null and movement_type = 'new' then 'new after an earlier row'
            when
                previous_row_month is not null
                and previous_row_month != calendar_previous_month
                and not (movement_type = 'reactivation' and previous_row_movement = 'churn')
                then 'gap not between a churn and a reactivation'
            when previous_row_movement = 'churn' and movement_type != 'reactivation'
                then 'churn not followed by a reactivation'
            when movement_type = 'reactivation' and previous_row_movement != 'churn'
                then 'reactivation not after a churn'
            when previous_row_month is not null and previous_mrr != expected_previous_mrr
                then 'previous_mrr differs from the mrr of the previous month'
            when next_row_month is null and month_start_date != {{ as_of_month }} and movement_type != 'churn'
                then 'ends before as_of_date without a churn'
            when month_start_date > {{ as_of_month }} then 'month after as_of_date'
        end as violation
    from expected

)

select *
from violations
where violation is not null
