-- Won per cohort month × channel in kpi_funnel_cohorts equals the people whose journey
-- opportunity is closed won in the CRM (stg_salesforce__opportunities.is_won). Any row here is a
-- difference.
with

journeys as (

    select * from {{ ref('fct_customer_journey') }}

),

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

crm_won as (

    select
        cast({{ dbt.date_trunc('month', 'journeys.lead_created_at') }} as date) as cohort_month,
        coalesce(journeys.first_touch_channel, 'other') as channel,
        count(*) as won
    from journeys
    inner join opportunities
        on journeys.first_opportunity_id = opportunities.opportunity_id
    where opportunities.is_won and journeys.lead_created_at is not null
    group by
        cast({{ dbt.date_trunc('month', 'journeys.lead_created_at') }} as date),
        coalesce(journeys.first_touch_channel, 'other')

),

cohorts as (

    select * from {{ ref('kpi_funnel_cohorts') }}
    where channel <> 'all'

),

final as (

    select
        coalesce(crm_won.cohort_month, cohorts.cohort_month) as cohort_month,
        coalesce(crm_won.channel, cohorts.channel) as channel,
        coalesce(crm_won.won, 0) as crm_won,
        coalesce(cohorts.won, 0) as cohort_won
    from crm_won
    full outer join cohorts
        on
            crm_won.cohort_month = cohorts.cohort_month
            and crm_won.channel = cohorts.channel
    where coalesce(crm_won.won, 0) <> coalesce(cohorts.won, 0)

)

select * from final
