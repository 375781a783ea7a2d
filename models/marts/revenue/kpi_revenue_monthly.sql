-- One row per calendar month from the first month with MRR to the month holding as_of_date: the
-- company-level revenue KPIs of KPIS.md, in the reporting currency, from fct_mrr.
--   MRR at month end, ARR = 12 × MRR; the month's movements (new, expansion, reactivation,
--   contraction, churn) and the FX revaluation of last month's MRR:
--   previous_mrr + fx_revaluation = starting_mrr (last month's MRR at this month's rate),
--   starting_mrr + new + expansion + reactivation − contraction − churn = mrr.
--   Logo churn rate = customers lost in the month / customers at its start; ARPA = MRR / active
--   customers; revenue churn rate = (churned + contraction MRR) / starting MRR (the monthly
--   revenue churn rate of LTV).
--   NRR / GRR trailing 12 months: the accounts with MRR 12 months earlier, their MRR now over
--   their MRR then, both in constant currency (billing-currency MRR at this month's closing
--   rate); GRR caps each account at its MRR 12 months earlier. NULL for the first 12 months.
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

monthly as (

    select
        month_start_date,
        sum(mrr_reporting) as mrr_reporting,
        sum(previous_mrr_reporting) as previous_mrr_reporting,
        sum(fx_revaluation_reporting) as fx_revaluation_reporting,
        sum(start_mrr_reporting) as starting_mrr_reporting,
        sum(new_mrr_reporting) as new_mrr_reporting,
        sum(expansion_mrr_reporting) as expansion_mrr_reporting,
        sum(reactivation_mrr_reporting) as reactivation_mrr_reporting,
        sum(contraction_mrr_reporting) as contraction_mrr_reporting,
        sum(churned_mrr_reporting) as churned_mrr_reporting,
        sum(case when is_active then 1 else 0 end) as customers,
        sum(case when previous_mrr > 0 then 1 else 0 end) as starting_customers,
        sum(case when movement_type = 'new' then 1 else 0 end) as new_customers,
        sum(case when movement_type = 'reactivation' then 1 else 0 end) as reactivated_customers,
        sum(case when movement_type = 'churn' then 1 else 0 end) as churned_customers,
        sum(case when movement_type = 'expansion' then 1 else 0 end) as expanded_customers,
        sum(case when movement_type = 'contraction' then 1 else 0 end) as contracted_customers
    from mrr
    group by month_start_date

),

-- accounts with MRR 12 months before each month, and their MRR in that month (0 when gone)
trailing_accounts as (

    select
        months.month_start_date,
        {{ round_places('cast(base.mrr as double) * fx_rates.fx_rate_to_reporting', 2) }} as base_mrr_restated,
        {{ round_places('cast(coalesce(current_mrr.mrr, 0) as double) * fx_rates.fx_rate_to_reporting', 2) }}
            as current_mrr_restated,
        {{ round_places(
            'cast(case when coalesce(current_mrr.mrr, 0) < base.mrr then coalesce(current_mrr.mrr, 0)
            else base.mrr end as double) * fx_rates.fx_rate_to_reporting', 2
        ) }} as gross_mrr_restated
    from months
    inner join mrr as base
        on
            base.month_start_date = cast({{ dbt.dateadd('month', -12, 'months.month_start_date') }} as date)
            and base.is_active
    inner join fx_rates
        on
            base.currency_code = fx_rates.currency_code
            and months.month_start_date = fx_rates.month_start_date
    left join mrr as current_mrr
        on
            base.account_id = current_mrr.account_id
            and months.month_start_date = current_mrr.month_start_date

),

retention_12m as (

    select
        month_start_date,
        sum(cast(base_mrr_restated as decimal(18, 2))) as base_mrr,
        sum(cast(current_mrr_restated as decimal(18, 2))) as current_mrr,
        sum(cast(gross_mrr_restated as decimal(18, 2))) as gross_mrr
    from trailing_accounts
    group by month_start_date

),

final as (

    select
        months.month_start_date,
        months.month_end_date,
        '{{ var("reporting_currency") }}' as reporting_currency,
        cast(coalesce(monthly.mrr_reporting, 0) as decimal(18, 2)) as mrr_reporting,
        cast(12 * coalesce(monthly.mrr_reporting, 0) as decimal(18, 2)) as arr_reporting,
        cast(coalesce(monthly.previous_mrr_reporting, 0) as decimal(18, 2)) as previous_mrr_reporting,
        cast(coalesce(monthly.fx_revaluation_reporting, 0) as decimal(18, 2)) as fx_revaluation_reporting,
        cast(coalesce(monthly.starting_mrr_reporting, 0) as decimal(18, 2)) as starting_mrr_reporting,
        cast(coalesce(monthly.new_mrr_reporting, 0) as decimal(18, 2)) as new_mrr_reporting,
        cast(coalesce(monthly.expansion_mrr_reporting, 0) as decimal(18, 2)) as expansion_mrr_reporting,
        cast(coalesce(monthly.reactivation_mrr_reporting, 0) as decimal(18, 2)) as reactivation_mrr_reporting,
        cast(coalesce(monthly.contraction_mrr_reporting, 0) as decimal(18, 2)) as contraction_mrr_reporting,
        cast(coalesce(monthly.churned_mrr_reporting, 0) as decimal(18, 2)) as churned_mrr_reporting,
        cast(
            coalesce(
                monthly.new_mrr_reporting + monthly.expansion_mrr_reporting + monthly.reactivation_mrr_reporting
                - monthly.contraction_mrr_reporting - monthly.churned_mrr_reporting,
                0
            ) as decimal(18, 2)
        ) as net_new_mrr_reporting,
        cast(coalesce(monthly.customers, 0) as {{ dbt.type_bigint() }}) as customers,
        cast(coalesce(monthly.starting_customers, 0) as {{ dbt.type_bigint() }}) as starting_customers,
        cast(coalesce(monthly.new_customers, 0) as {{ dbt.type_bigint() }}) as new_customers,
        cast(coalesce(monthly.reactivated_customers, 0) as {{ dbt.type_bigint() }}) as reactivated_customers,
        cast(coalesce(monthly.churned_customers, 0) as {{ dbt.type_bigint() }}) as churned_customers,
        cast(coalesce(monthly.expanded_customers, 0) as {{ dbt.type_bigint() }}) as expanded_customers,
        cast(coalesce(monthly.contracted_customers, 0) as {{ dbt.type_bigint() }}) as contracted_customers,
        cast(monthly.churned_customers as double) / nullif(monthly.starting_customers, 0) as logo_churn_rate,
        cast(
            {{ round_places('cast(monthly.mrr_reporting as double) / nullif(monthly.customers, 0)', 2) }}
            as decimal(18, 2)
        ) as arpa_reporting,
        cast(monthly.churned_mrr_reporting + monthly.contraction_mrr_reporting as double)
        / nullif(cast(monthly.starting_mrr_reporting as double), 0) as revenue_churn_rate,
        cast(retention_12m.base_mrr as decimal(18, 2)) as trailing_12m_base_mrr_reporting,
        cast(retention_12m.current_mrr as decimal(18, 2)) as trailing_12m_retained_mrr_reporting,
        cast(retention_12m.gross_mrr as decimal(18, 2)) as trailing_12m_gross_retained_mrr_reporting,
        cast(retention_12m.current_mrr as double)
        / nullif(cast(retention_12m.base_mrr as double), 0) as nrr_trailing_12m,
        cast(retention_12m.gross_mrr as double)
        / nullif(cast(retention_12m.base_mrr as double), 0) as grr_trailing_12m
    from months
    left join monthly
        on months.month_start_date = monthly.month_start_date
    left join retention_12m
        on months.month_start_date = retention_12m.month_start_date

)

select * from final
