-- kpi_funnel_cohorts recomputed independently from fct_customer_journey's timestamps: a person
-- reached a stage when that milestone or any later one has a time. Any row here is a difference.
with

journeys as (

    select
        cast({{ dbt.date_trunc('month', 'lead_created_at') }} as date) as cohort_month,
        coalesce(first_touch_channel, 'other') as channel,
        coalesce(mql_at, sal_at, sql_at, opportunity_created_at, proposal_at, won_at) is not null as is_mql,
        coalesce(sql_at, opportunity_created_at, proposal_at, won_at) is not null as is_sql,
        won_at is not null as is_won
    from {{ ref('fct_customer_journey') }}
    where lead_created_at is not null

),

expected as (

    select
        cohort_month,
        channel,
        count(*) as leads,
        sum(case when is_mql then 1 else 0 end) as mqls,
        sum(case when is_sql then 1 else 0 end) as sqls,
        sum(case when is_won then 1 else 0 end) as won
    from journeys
    group by cohort_month, channel

    union all

    select
        cohort_month,
        'all' as channel,
        count(*) as leads,
        sum(case when is_mql then 1 else 0 end) as mqls,
        sum(case when is_sql then 1 else 0 end) as sqls,
        sum(case when is_won then 1 else 0 end) as won
    from journeys
    group by cohort_month

),

actual as (

    select * from {{ ref('kpi_funnel_cohorts') }}

),

final as (

    select
        expected.leads as expected_leads,
        actual.leads as actual_leads,
        expected.mqls as expected_mqls,
        actual.mqls as actual_mqls,
        expected.sqls as expected_sqls,
        actual.sqls as actual_sqls,
        expected.won as expected_won,
        actual.won as actual_won,
        coalesce(expected.cohort_month, actual.cohort_month) as cohort_month,
        coalesce(expected.channel, actual.channel) as channel
    from expected
    full outer join actual
        on
            expected.cohort_month = actual.cohort_month
            and expected.channel = actual.channel
    where
        expected.leads is distinct from actual.leads
        or expected.mqls is distinct from actual.mqls
        or expected.sqls is distinct from actual.sqls
        or expected.won is distinct from actual.won

)

select * from final
