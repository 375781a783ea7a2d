-- One row per unified account × calendar month from the account's first month with MRR to
-- as_of_date, while it has MRR, plus the month it churned (MRR 0, movement churn); after a
-- churn the rows resume with the month of reactivation. MRR is the month-end state
-- (int_account_mrr_snapshots) in the billing currency and in the reporting currency at the FX
-- rate of the month's last day (int_fx_rates_month_end).
-- Movements compare the month's MRR with the previous month's, in the billing currency:
--   new           no MRR last month, never had MRR before
--   reactivation  no MRR last month, had MRR before (came back after a churn)
--   expansion     more than last month;   contraction  less, but not 0
--   churn         MRR last month, none now;  unchanged  the same
-- In the reporting currency the opening MRR is last month's MRR at THIS month's rate
-- (start_mrr_reporting), so start + new + expansion + reactivation − contraction − churn = end
-- holds to the cent in every row; the effect of the rate change on last month's MRR is
-- fx_revaluation_reporting (previous_mrr_reporting + fx_revaluation_reporting = start).
{%- set reporting = var('reporting_currency') %}
with

snapshots as (

    select * from {{ ref('int_account_mrr_snapshots') }}

),

months as (

    select * from {{ ref('int_revenue_months') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_month_end') }}

),

accounts as (

    select
        account_id,
        currency_code,
        min(month_start_date) as first_revenue_month_date
    from snapshots
    group by account_id, currency_code

),

-- every month from the account's first month with MRR to as_of_date
account_months as (

    select
        accounts.account_id,
        accounts.currency_code,
        accounts.first_revenue_month_date,
        months.month_start_date,
        months.month_end_date,
        months.month_number,
        months.fx_rate_date,
        coalesce(snapshots.mrr, 0) as mrr,
        coalesce(snapshots.active_subscriptions, 0) as active_subscriptions,
        coalesce(snapshots.seats, 0) as seats,
        min(months.month_number) over (partition by accounts.account_id) as first_revenue_month_number
    from accounts
    inner join months
        on accounts.first_revenue_month_date <= months.month_start_date
    left join snapshots
        on
            accounts.account_id = snapshots.account_id
            and accounts.currency_code = snapshots.currency_code
            and months.month_start_date = snapshots.month_start_date

),

converted as (

    select
        account_months.*,
        fx_rates.fx_rate_to_reporting
    from account_months
    left join fx_rates
        on
            account_months.currency_code = fx_rates.currency_code
            and account_months.month_start_date = fx_rates.month_start_date

),

with_previous as (

    select
        converted.*,
        cast(
            {{ round_places('cast(converted.mrr as double) * converted.fx_rate_to_reporting', 2) }}
            as decimal(18, 2)
        ) as mrr_reporting,
        coalesce(
            lag(converted.mrr) over (partition by converted.account_id order by converted.month_start_date),
            0
        ) as previous_mrr
    from converted

),

with_start as (

    select
        with_previous.*,
        cast(
            {{ round_places('cast(with_previous.previous_mrr as double) * with_previous.fx_rate_to_reporting', 2) }}
            as decimal(18, 2)
        ) as start_mrr_reporting,
        coalesce(
            lag(with_previous.mrr_reporting) over (
                partition by with_previous.account_id order by with_previous.month_start_date
            ),
            0
        ) as previous_mrr_reporting,
        case
            when with_previous.previous_mrr = 0 and with_previous.mrr > 0
                then
                    case
                        when with_previous.month_start_date = with_previous.first_revenue_month_date then 'new'
                        else 'reactivation'
                    end
            when with_previous.previous_mrr > 0 and with_previous.mrr = 0 then 'churn'
            when with_previous.mrr > with_previous.previous_mrr then 'expansion'
            when with_previous.mrr < with_previous.previous_mrr then 'contraction'
            else 'unchanged'
        end as movement_type
    from with_previous

),

-- keep the months with MRR and the churn months
movements as (

    select
        with_start.*,
        with_start.mrr_reporting - with_start.start_mrr_reporting as change_reporting,
        -- revenue spell: 1 from the first month with MRR, 2 from the first reactivation, …
        sum(case when with_start.movement_type in ('new', 'reactivation') then 1 else 0 end) over (
            partition by with_start.account_id
            order by with_start.month_start_date
            rows between unbounded preceding and current row
        ) as revenue_spell
    from with_start
    where with_start.mrr > 0 or with_start.previous_mrr > 0

),

final as (

    select
        account_id,
        month_start_date,
        month_end_date,
        movement_type,
        mrr > 0 as is_active,
        currency_code,
        cast(mrr as decimal(18, 2)) as mrr,
        cast(previous_mrr as decimal(18, 2)) as previous_mrr,
        cast(mrr - previous_mrr as decimal(18, 2)) as mrr_change,
        '{{ reporting }}' as reporting_currency,
        fx_rate_date,
        fx_rate_to_reporting,
        mrr_reporting,
        cast(previous_mrr_reporting as decimal(18, 2)) as previous_mrr_reporting,
        cast(start_mrr_reporting - previous_mrr_reporting as decimal(18, 2)) as fx_revaluation_reporting,
        start_mrr_reporting,
        cast(case when movement_type = 'new' then change_reporting else 0 end as decimal(18, 2)) as new_mrr_reporting,
        cast(case when movement_type = 'expansion' then change_reporting else 0 end as decimal(18, 2))
            as expansion_mrr_reporting,
        cast(case when movement_type = 'reactivation' then change_reporting else 0 end as decimal(18, 2))
            as reactivation_mrr_reporting,
        cast(case when movement_type = 'contraction' then -change_reporting else 0 end as decimal(18, 2))
            as contraction_mrr_reporting,
        cast(case when movement_type = 'churn' then -change_reporting else 0 end as decimal(18, 2))
            as churned_mrr_reporting,
        cast(active_subscriptions as {{ dbt.type_bigint() }}) as active_subscriptions,
        cast(seats as {{ dbt.type_bigint() }}) as seats,
        first_revenue_month_date,
        cast(month_number - first_revenue_month_number as {{ dbt.type_bigint() }}) as months_since_first_revenue,
        cast(revenue_spell as {{ dbt.type_bigint() }}) as revenue_spell
    from movements

)

select * from final
