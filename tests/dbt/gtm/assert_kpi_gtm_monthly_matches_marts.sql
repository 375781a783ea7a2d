-- The all-channels rows of kpi_gtm_monthly equal a recomputation straight from the public marts,
-- month by month: each fact is put in its month through dim_dates (the day's month_start_date),
-- not through date_trunc as the model does. Covers spend, leads, MQLs, SQLs, opportunities,
-- pipeline, won deals, bookings, win rate, new customers and paid CAC. Returns the months that differ.
with

dates as (

    select * from {{ ref('dim_dates') }}

),

kpi as (

    select * from {{ ref('kpi_gtm_monthly') }}
    where channel = 'all'

),

-- one row per lead milestone and its day: an equi-join to the days each (a join on created OR
-- mql OR sql day compares every lead with every day)
lead_milestones as (

    select
        cast(leads.lead_created_at as date) as milestone_date,
        1 as leads,
        0 as mqls,
        0 as sqls
    from {{ ref('fct_leads') }} as leads
    union all
    select
        cast(leads.mql_at as date) as milestone_date,
        0 as leads,
        1 as mqls,
        0 as sqls
    from {{ ref('fct_leads') }} as leads
    union all
    select
        cast(leads.sql_at as date) as milestone_date,
        0 as leads,
        0 as mqls,
        1 as sqls
    from {{ ref('fct_leads') }} as leads

),

channels as (

    select * from {{ ref('dim_channels') }}

),

facts as (

    select
        dates.month_start_date,
        ad_spend.spend_reporting as spend,
        0 as leads,
        0 as mqls,
        0 as sqls,
        0 as opportunities,
        0 as pipeline,
        0 as won,
        0 as lost,
        0 as bookings,
        0 as new_customers,
        0 as paid_new_customers
    from {{ ref('fct_ad_spend_daily') }} as ad_spend
    inner join dates on ad_spend.date_day = dates.date_day
    union all
    select
        dates.month_start_date,
        0 as spend,
        lead_milestones.leads,
        lead_milestones.mqls,
        lead_milestones.sqls,
        0 as opportunities,
        0 as pipeline,
        0 as won,
        0 as lost,
        0 as bookings,
        0 as new_customers,
        0 as paid_new_customers
    from lead_milestones
    inner join dates on lead_milestones.milestone_date = dates.date_day
    union all
    select
        dates.month_start_date,
        0 as spend,
        0 as leads,
        0 as mqls,
        0 as sqls,
        1 as opportunities,
        coalesce(opportunities.amount_reporting, 0) as pipeline,
        0 as won,
        0 as lost,
        0 as bookings,
        0 as new_customers,
        0 as paid_new_customers
    from {{ ref('fct_opportunities') }} as opportunities
    inner join dates on cast(opportunities.created_at as date) = dates.date_day
    union all
    select
        dates.month_start_date,
        0 as spend,
        0 as leads,
        0 as mqls,
        0 as sqls,
        0 as opportunities,
        0 as pipeline,
        case when opportunities.is_won then 1 else 0 end as won,
        case when opportunities.is_won then 0 else 1 end as lost,
        case when opportunities.is_won then coalesce(opportunities.amount_reporting, 0) else 0 end as bookings,
        0 as new_customers,
        0 as paid_new_customers
    from {{ ref('fct_opportunities') }} as opportunities
    inner join dates on opportunities.close_date = dates.date_day
    where opportunities.is_closed
    union all
    select
        mrr.month_start_date,
        0 as spend,
        0 as leads,
        0 as mqls,
        0 as sqls,
        0 as opportunities,
        0 as pipeline,
        0 as won,
        0 as lost,
        0 as bookings,
        1 as new_customers,
        case when channels.is_paid then 1 else 0 end as paid_new_customers
    from {{ ref('fct_mrr') }} as mrr
    left join {{ ref('fct_account_journey') }} as journeys
        on mrr.account_id = journeys.account_id
    left join channels
        on journeys.first_touch_channel = channels.channel
    where mrr.movement_type = 'new'

),

expected as (

    select
        month_start_date,
        sum(spend) as spend,
        sum(leads) as leads,
        sum(mqls) as mqls,
        sum(sqls) as sqls,
        sum(opportunities) as opportunities,
        sum(pipeline) as pipeline,
        sum(won) as won,
        sum(lost) as lost,
        sum(bookings) as bookings,
        sum(new_customers) as new_customers,
        sum(paid_new_customers) as paid_new_customers
    from facts
    group by month_start_date

),

compared as (

    select
        kpi.spend_reporting,
        expected.spend,
        kpi.leads,
        expected.leads as expected_leads,
        kpi.mqls,
        expected.mqls as expected_mqls,
        kpi.pipeline_reporting,
        expected.pipeline,
        kpi.bookings_reporting,
        expected.bookings,
        kpi.win_rate,
        kpi.paid_cac,
        coalesce(kpi.month_start_date, expected.month_start_date) as month_start_date,
        (
            coalesce(kpi.spend_reporting, 0) = coalesce(expected.spend, 0)
            and coalesce(kpi.leads, 0) = coalesce(expected.leads, 0)
            and coalesce(kpi.mqls, 0) = coalesce(expected.mqls, 0)
            and coalesce(kpi.sqls, 0) = coalesce(expected.sqls, 0)
            and coalesce(kpi.opportunities, 0) = coalesce(expected.opportunities, 0)
            and coalesce(kpi.pipeline_reporting, 0) = coalesce(expected.pipeline, 0)
            and coalesce(kpi.won_deals, 0) = coalesce(expected.won, 0)
            and coalesce(kpi.lost_deals, 0) = coalesce(expected.lost, 0)
            and coalesce(kpi.bookings_reporting, 0) = coalesce(expected.bookings, 0)
            and coalesce(kpi.new_customers, 0) = coalesce(expected.new_customers, 0)
            and coalesce(kpi.paid_new_customers, 0) = coalesce(expected.paid_new_customers, 0)
            and coalesce(
                abs(kpi.win_rate - cast(expected.won as double) / nullif(expected.won + expected.lost, 0)) < 1e-12,
                kpi.win_rate is null and coalesce(expected.won + expected.lost, 0) = 0
            )
            and coalesce(
                abs(kpi.paid_cac - cast(expected.spend as double) / nullif(expected.paid_new_customers, 0))
                < 1e-9,
                kpi.paid_cac is null and coalesce(expected.paid_new_customers, 0) = 0
            )
        ) as is_equal
    from kpi
    full outer join expected
        on kpi.month_start_date = expected.month_start_date

)

select *
from compared
where not coalesce(is_equal, false)
