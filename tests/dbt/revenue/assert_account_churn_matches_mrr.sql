-- The churn milestone (int_account_churn, used by the journeys) agrees with fct_mrr: every
-- account in fct_mrr has a milestone row and the same first month; an account is churned
-- exactly when its last fct_mrr row is a churn, in the month of churned_at; churn_events equals
-- its churn rows. One row per account that disagrees.
with

churn as (

    select * from {{ ref('int_account_churn') }}

),

mrr as (

    select * from {{ ref('fct_mrr') }}

),

last_rows as (

    select
        account_id,
        month_start_date,
        movement_type,
        first_revenue_month_date,
        row_number() over (partition by account_id order by month_start_date desc) as recency
    from mrr

),

churn_rows as (

    select
        account_id,
        count(*) as churn_rows
    from mrr
    where movement_type = 'churn'
    group by account_id

),

compared as (

    select
        last_rows.account_id,
        last_rows.month_start_date as last_month_start_date,
        last_rows.movement_type as last_movement_type,
        last_rows.first_revenue_month_date,
        churn.acquisition_month_date,
        churn.churned_at,
        churn.churn_events,
        coalesce(churn_rows.churn_rows, 0) as churn_rows
    from last_rows
    left join churn
        on last_rows.account_id = churn.account_id
    left join churn_rows
        on last_rows.account_id = churn_rows.account_id
    where last_rows.recency = 1

)

select *
from compared
where
    acquisition_month_date is null
    or acquisition_month_date != first_revenue_month_date
    or (churned_at is not null) != (last_movement_type = 'churn')
    or (
        churned_at is not null
        and cast({{ dbt.date_trunc('month', 'churned_at') }} as date) != last_month_start_date
    )
    or churn_events != churn_rows
