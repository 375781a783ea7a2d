-- One row per unified account that ever had a paying subscription (a version in a revenue status
-- with MRR): when its revenue began, its acquisition month, and the retention milestone of
-- KPIS.md, churned_at: the end of its last subscription when no subscription is still running
-- at the end of as_of_date ("billing subscription ended with no active subscription after it").
-- A subscription ends at its ended_at, else at its first version in a terminal status (canceled,
-- incomplete_expired). first_churned_at is the first time the account was left without a running
-- subscription (an end no other subscription of the account spans), also when it came back
-- later; churn_events counts those moments. The journeys (fct_account_journey /
-- fct_customer_journey) take churned_at from here.
{%- set as_of = "cast('" ~ as_of_date() ~ "' as date)" %}
{%- set as_of_end = "cast(" ~ dbt.dateadd('day', 1, as_of) ~ " as " ~ dbt.type_timestamp() ~ ")" %}
with

versions as (

    select * from {{ ref('int_subscription_versions_normalized') }}
    where account_id is not null

),

snapshots as (

    select * from {{ ref('int_account_mrr_snapshots') }}

),

subscriptions as (

    select
        account_id,
        subscription_id,
        min(case when is_revenue_status and mrr > 0 then valid_from end) as revenue_started_at,
        coalesce(
            max(ended_at),
            min(case when status in ('canceled', 'incomplete_expired') then valid_from end)
        ) as raw_ended_at
    from versions
    group by account_id, subscription_id

),

-- paying subscriptions, with their end if it happened by the end of as_of_date
paying as (

    select
        account_id,
        subscription_id,
        revenue_started_at,
        case when raw_ended_at < {{ as_of_end }} then raw_ended_at end as ended_at
    from subscriptions
    where revenue_started_at is not null

),

-- ends that no other paying subscription of the account spans: the account had none left
uncovered_ends as (

    select
        ended.account_id,
        ended.ended_at
    from paying as ended
    left join paying as other
        on
            ended.account_id = other.account_id
            and ended.subscription_id != other.subscription_id
            and ended.ended_at >= other.revenue_started_at
            and (other.ended_at is null or ended.ended_at < other.ended_at)
    where ended.ended_at is not null
    group by ended.account_id, ended.subscription_id, ended.ended_at
    having count(other.subscription_id) = 0

),

churn_events as (

    select
        account_id,
        min(ended_at) as first_churned_at,
        count(distinct ended_at) as churn_events
    from uncovered_ends
    group by account_id

),

accounts as (

    select
        account_id,
        min(revenue_started_at) as first_revenue_at,
        count(*) as paying_subscriptions,
        sum(case when ended_at is null then 1 else 0 end) as running_subscriptions,
        max(ended_at) as last_ended_at
    from paying
    group by account_id

),

acquisition as (

    select
        account_id,
        min(month_start_date) as acquisition_month_date
    from snapshots
    group by account_id

),

final as (

    select
        accounts.account_id,
        accounts.first_revenue_at,
        acquisition.acquisition_month_date,
        case when accounts.running_subscriptions = 0 then accounts.last_ended_at end as churned_at,
        accounts.running_subscriptions = 0 as is_churned,
        churn_events.first_churned_at,
        cast(coalesce(churn_events.churn_events, 0) as {{ dbt.type_bigint() }}) as churn_events,
        cast(accounts.paying_subscriptions as {{ dbt.type_bigint() }}) as paying_subscriptions,
        cast(accounts.running_subscriptions as {{ dbt.type_bigint() }}) as running_subscriptions
    from accounts
    left join acquisition
        on accounts.account_id = acquisition.account_id
    left join churn_events
        on accounts.account_id = churn_events.account_id

)

select * from final
