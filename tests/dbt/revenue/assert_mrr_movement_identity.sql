-- The MRR movement identity holds for every month: start MRR + new + expansion + reactivation −
-- contraction − churn = end MRR, summed over fct_mrr per month and in kpi_revenue_monthly; the
-- opening MRR is the previous month's closing MRR plus its FX revaluation; and
-- kpi_revenue_monthly's MRR is fct_mrr's. Returns one row per month that breaks any of these.
with

fct as (

    select
        month_start_date,
        sum(start_mrr_reporting) as start_mrr,
        sum(new_mrr_reporting) as new_mrr,
        sum(expansion_mrr_reporting) as expansion_mrr,
        sum(reactivation_mrr_reporting) as reactivation_mrr,
        sum(contraction_mrr_reporting) as contraction_mrr,
        sum(churned_mrr_reporting) as churned_mrr,
        sum(mrr_reporting) as end_mrr
    from {{ ref('fct_mrr') }}
    group by month_start_date

),

kpi as (

    select * from {{ ref('kpi_revenue_monthly') }}

),

checked as (

    select
        kpi.month_start_date,
        kpi.mrr_reporting as kpi_end_mrr,
        kpi.starting_mrr_reporting as kpi_start_mrr,
        kpi.previous_mrr_reporting as kpi_previous_mrr,
        coalesce(fct.start_mrr, 0) + coalesce(fct.new_mrr, 0) + coalesce(fct.expansion_mrr, 0)
        + coalesce(fct.reactivation_mrr, 0) - coalesce(fct.contraction_mrr, 0) - coalesce(fct.churned_mrr, 0)
            as fct_start_plus_movements,
        coalesce(fct.end_mrr, 0) as fct_end_mrr,
        kpi.starting_mrr_reporting + kpi.new_mrr_reporting + kpi.expansion_mrr_reporting
        + kpi.reactivation_mrr_reporting - kpi.contraction_mrr_reporting - kpi.churned_mrr_reporting
            as kpi_start_plus_movements,
        kpi.previous_mrr_reporting + kpi.fx_revaluation_reporting as kpi_previous_plus_fx,
        coalesce(previous_month.mrr_reporting, 0) as previous_month_end_mrr
    from kpi
    left join fct
        on kpi.month_start_date = fct.month_start_date
    left join kpi as previous_month
        on previous_month.month_start_date = cast({{ dbt.dateadd('month', -1, 'kpi.month_start_date') }} as date)

)

select *
from checked
where
    fct_start_plus_movements != fct_end_mrr
    or kpi_start_plus_movements != kpi_end_mrr
    or kpi_end_mrr != fct_end_mrr
    or kpi_previous_plus_fx != kpi_start_mrr
    or kpi_previous_mrr != previous_month_end_mrr
