-- kpi_retention_cohorts adds up: the channel rows of a cohort and month sum to its 'all' row; a
-- cohort's month-0 'all' row holds the month's new customers and new MRR of kpi_revenue_monthly;
-- and the 'all' rows of every cohort measured in a calendar month hold all of that month's
-- customers and MRR (every paying account belongs to exactly one cohort). One row per failure.
with

cohorts as (

    select * from {{ ref('kpi_retention_cohorts') }}

),

kpi as (

    select * from {{ ref('kpi_revenue_monthly') }}

),

channels_summed as (

    select
        cohort_month_date,
        months_since_acquisition,
        sum(cohort_customers) as cohort_customers,
        sum(customers_retained) as customers_retained,
        sum(starting_mrr_reporting) as starting_mrr_reporting,
        sum(mrr_retained_reporting) as mrr_retained_reporting,
        sum(gross_mrr_retained_reporting) as gross_mrr_retained_reporting
    from cohorts
    where first_touch_channel != 'all'
    group by cohort_month_date, months_since_acquisition

),

all_rows as (

    select * from cohorts
    where first_touch_channel = 'all'

),

channel_failures as (

    select
        'channels do not sum to all' as failure,
        all_rows.cohort_month_date as month_start_date,
        all_rows.months_since_acquisition
    from all_rows
    left join channels_summed
        on
            all_rows.cohort_month_date = channels_summed.cohort_month_date
            and all_rows.months_since_acquisition = channels_summed.months_since_acquisition
    where
        channels_summed.cohort_month_date is null
        or all_rows.cohort_customers != channels_summed.cohort_customers
        or all_rows.customers_retained != channels_summed.customers_retained
        or all_rows.starting_mrr_reporting != channels_summed.starting_mrr_reporting
        or all_rows.mrr_retained_reporting != channels_summed.mrr_retained_reporting
        or all_rows.gross_mrr_retained_reporting != channels_summed.gross_mrr_retained_reporting

),

new_failures as (

    select
        'month 0 differs from the new customers of the month' as failure,
        kpi.month_start_date,
        0 as months_since_acquisition
    from kpi
    left join all_rows
        on
            kpi.month_start_date = all_rows.cohort_month_date
            and all_rows.months_since_acquisition = 0
    where
        coalesce(all_rows.cohort_customers, 0) != kpi.new_customers
        or coalesce(all_rows.starting_mrr_reporting, 0) != kpi.new_mrr_reporting

),

calendar as (

    select
        month_start_date,
        sum(customers_retained) as customers,
        sum(mrr_retained_reporting) as mrr_reporting
    from all_rows
    group by month_start_date

),

calendar_failures as (

    select
        'cohorts do not hold all customers and MRR of the month' as failure,
        kpi.month_start_date,
        -1 as months_since_acquisition
    from kpi
    left join calendar
        on kpi.month_start_date = calendar.month_start_date
    where
        coalesce(calendar.customers, 0) != kpi.customers
        or coalesce(calendar.mrr_reporting, 0) != kpi.mrr_reporting

)

select * from channel_failures
union all
select * from new_failures
union all
select * from calendar_failures
