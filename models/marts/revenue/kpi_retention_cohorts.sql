-- One row per acquisition cohort (month of first MRR, fct_mrr.first_revenue_month_date) ×
-- first-touch channel of the account (fct_account_journey; 'unknown' when the account has no
-- known touch), plus an 'all' channel row per cohort, × months since acquisition (0 .. the
-- month holding as_of_date): customers retained, MRR retained, and NRR / GRR against the
-- cohort's starting MRR (its MRR in the acquisition month). NRR and GRR are in constant
-- currency: month k's MRR and the starting MRR (in the billing currency) both converted at
-- month k's closing rate, so rate moves do not read as expansion or churn. GRR caps each
-- account at its starting MRR (expansion excluded). A churned customer that came back counts
-- as retained again from its reactivation month.
with

mrr as (

    select * from {{ ref('fct_mrr') }}

),

months as (

    select * from {{ ref('int_revenue_months') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_month_end') }}

),

journeys as (

    select * from {{ ref('fct_account_journey') }}

),

cohort_accounts as (

    select
        mrr.account_id,
        mrr.currency_code,
        mrr.month_start_date as cohort_month_date,
        mrr.mrr as starting_mrr,
        mrr.mrr_reporting as starting_mrr_reporting,
        coalesce(journeys.first_touch_channel, 'unknown') as first_touch_channel
    from mrr
    left join journeys
        on mrr.account_id = journeys.account_id
    where mrr.movement_type = 'new'

),

account_months as (

    select
        cohort_accounts.account_id,
        cohort_accounts.cohort_month_date,
        cohort_accounts.first_touch_channel,
        months.month_start_date,
        {{ dbt.datediff('cohort_accounts.cohort_month_date', 'months.month_start_date', 'month') }}
            as months_since_acquisition,
        cohort_accounts.starting_mrr_reporting,
        coalesce(mrr.mrr_reporting, 0) as mrr_reporting,
        coalesce(mrr.mrr, 0) > 0 as is_retained,
        -- constant currency: the starting MRR and the month's MRR at the month's closing rate
        cast({{ round_places(
            'cast(cohort_accounts.starting_mrr as double) * fx_rates.fx_rate_to_reporting', 2
        ) }} as decimal(18, 2)) as starting_mrr_restated_reporting,
        cast({{ round_places(
            'cast(case when coalesce(mrr.mrr, 0) < cohort_accounts.starting_mrr then coalesce(mrr.mrr, 0)
            else cohort_accounts.starting_mrr end as double) * fx_rates.fx_rate_to_reporting', 2
        ) }} as decimal(18, 2)) as gross_mrr_retained_reporting
    from cohort_accounts
    inner join months
        on cohort_accounts.cohort_month_date <= months.month_start_date
    left join fx_rates
        on
            cohort_accounts.currency_code = fx_rates.currency_code
            and months.month_start_date = fx_rates.month_start_date
    left join mrr
        on
            cohort_accounts.account_id = mrr.account_id
            and months.month_start_date = mrr.month_start_date

),

-- each account once under its channel and once under 'all'
channel_rows as (

    select * from account_months
    union all
    select
        account_id,
        cohort_month_date,
        'all' as first_touch_channel,
        month_start_date,
        months_since_acquisition,
        starting_mrr_reporting,
        mrr_reporting,
        is_retained,
        starting_mrr_restated_reporting,
        gross_mrr_retained_reporting
    from account_months

),

aggregated as (

    select
        cohort_month_date,
        first_touch_channel,
        months_since_acquisition,
        month_start_date,
        count(*) as cohort_customers,
        sum(case when is_retained then 1 else 0 end) as customers_retained,
        sum(starting_mrr_reporting) as starting_mrr_reporting,
        sum(mrr_reporting) as mrr_retained_reporting,
        sum(starting_mrr_restated_reporting) as starting_mrr_restated_reporting,
        sum(gross_mrr_retained_reporting) as gross_mrr_retained_reporting
    from channel_rows
    group by cohort_month_date, first_touch_channel, months_since_acquisition, month_start_date

),

final as (

    select
        cohort_month_date,
        first_touch_channel,
        cast(months_since_acquisition as {{ dbt.type_bigint() }}) as months_since_acquisition,
        month_start_date,
        cast(cohort_customers as {{ dbt.type_bigint() }}) as cohort_customers,
        cast(customers_retained as {{ dbt.type_bigint() }}) as customers_retained,
        cast(customers_retained as double) / cohort_customers as logo_retention_rate,
        cast(starting_mrr_reporting as decimal(18, 2)) as starting_mrr_reporting,
        cast(mrr_retained_reporting as decimal(18, 2)) as mrr_retained_reporting,
        cast(starting_mrr_restated_reporting as decimal(18, 2)) as starting_mrr_restated_reporting,
        cast(gross_mrr_retained_reporting as decimal(18, 2)) as gross_mrr_retained_reporting,
        cast(mrr_retained_reporting as double)
        / nullif(cast(starting_mrr_restated_reporting as double), 0) as net_revenue_retention,
        cast(gross_mrr_retained_reporting as double)
        / nullif(cast(starting_mrr_restated_reporting as double), 0) as gross_revenue_retention
    from aggregated

)

select * from final
