-- The all-channels rows of kpi_unit_economics equal a recomputation from the marts (not through
-- kpi_gtm_monthly): per fiscal quarter, paid CAC = fct_ad_spend_daily spend / new customers
-- (fct_mrr 'new') whose account's first-touch channel is paid; blended CAC = (that spend +
-- stg_sales_ops__gtm_costs) / all new customers; ARPA = MRR / active customers in the quarter's
-- last month with MRR rows. Returns the quarters that differ. (dim_dates is read in each CTE, not
-- through a shared CTE: DuckDB 2.0 hits an internal error on that shared CTE here.)
with

kpi as (

    select * from {{ ref('kpi_unit_economics') }}
    where channel = 'all'

),

cost_rows as (

    select
        date_day,
        spend_reporting as spend,
        0 as non_media_costs
    from {{ ref('fct_ad_spend_daily') }}
    union all
    select
        cost_month as date_day,
        0 as spend,
        amount_reporting as non_media_costs
    from {{ ref('stg_sales_ops__gtm_costs') }}

),

costs as (

    select
        dates.fiscal_quarter_start_date,
        sum(cost_rows.spend) as spend,
        sum(cost_rows.non_media_costs) as non_media_costs
    from cost_rows
    inner join {{ ref('dim_dates') }} as dates on cost_rows.date_day = dates.date_day
    group by dates.fiscal_quarter_start_date

),

new_customers as (

    select
        dates.fiscal_quarter_start_date,
        count(*) as new_customers,
        sum(case when channels.is_paid then 1 else 0 end) as paid_new_customers
    from {{ ref('fct_mrr') }} as mrr
    inner join {{ ref('dim_dates') }} as dates on mrr.month_start_date = dates.date_day
    left join {{ ref('fct_account_journey') }} as journeys
        on mrr.account_id = journeys.account_id
    left join {{ ref('dim_channels') }} as channels
        on journeys.first_touch_channel = channels.channel
    where mrr.movement_type = 'new'
    group by dates.fiscal_quarter_start_date

),

mrr_month_totals as (

    select
        dates.fiscal_quarter_start_date,
        mrr.month_start_date,
        sum(case when mrr.is_active then mrr.mrr_reporting else 0 end) as mrr,
        sum(case when mrr.is_active then 1 else 0 end) as customers
    from {{ ref('fct_mrr') }} as mrr
    inner join {{ ref('dim_dates') }} as dates on mrr.month_start_date = dates.date_day
    group by dates.fiscal_quarter_start_date, mrr.month_start_date

),

last_months as (

    select
        fiscal_quarter_start_date,
        max(month_start_date) as month_start_date
    from mrr_month_totals
    group by fiscal_quarter_start_date

),

quarter_end_mrr as (

    select
        mrr_month_totals.fiscal_quarter_start_date,
        mrr_month_totals.mrr,
        mrr_month_totals.customers
    from mrr_month_totals
    inner join last_months
        on
            mrr_month_totals.fiscal_quarter_start_date = last_months.fiscal_quarter_start_date
            and mrr_month_totals.month_start_date = last_months.month_start_date

),

expected as (

    select
        kpi.fiscal_quarter_start_date,
        cast(costs.spend as double) / nullif(new_customers.paid_new_customers, 0) as paid_cac,
        cast(coalesce(costs.spend, 0) + coalesce(costs.non_media_costs, 0) as double)
        / nullif(new_customers.new_customers, 0) as blended_cac,
        cast(quarter_end_mrr.mrr as double) / nullif(quarter_end_mrr.customers, 0) as arpa
    from kpi
    left join costs on kpi.fiscal_quarter_start_date = costs.fiscal_quarter_start_date
    left join new_customers on kpi.fiscal_quarter_start_date = new_customers.fiscal_quarter_start_date
    left join quarter_end_mrr on kpi.fiscal_quarter_start_date = quarter_end_mrr.fiscal_quarter_start_date

)

select
    kpi.fiscal_quarter_start_date,
    kpi.paid_cac,
    expected.paid_cac as expected_paid_cac,
    kpi.blended_cac,
    expected.blended_cac as expected_blended_cac,
    kpi.arpa,
    expected.arpa as expected_arpa
from kpi
inner join expected
    on kpi.fiscal_quarter_start_date = expected.fiscal_quarter_start_date
where
    not coalesce(abs(kpi.paid_cac - expected.paid_cac) < 1e-6, kpi.paid_cac is null and expected.paid_cac is null)
    or not coalesce(
        abs(kpi.blended_cac - expected.blended_cac) < 1e-6, kpi.blended_cac is null and expected.blended_cac is null
    )
    or not coalesce(abs(kpi.arpa - expected.arpa) < 1e-6, kpi.arpa is null and expected.arpa is null)
