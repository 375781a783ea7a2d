-- One row per fiscal quarter × channel, plus a channel = 'all' row per quarter: unit economics
-- of KPIS.md ("Revenue and unit economics"), reporting currency. Quarters are fiscal
-- (dim_dates, var fiscal_year_start_month), from the first month of kpi_gtm_monthly to the
-- quarter holding as_of_date (that quarter is partial: quarter_end_month_start_date says how
-- far it runs). Channel: the account's first-touch channel (fct_account_journey; 'unknown'
-- without one), the same channel kpi_gtm_monthly counts new customers in.
--   Spend, new customers and non-media costs are the quarter's sums of kpi_gtm_monthly (one
--   definition: paid media from fct_ad_spend_daily, new customers = fct_mrr 'new' movements,
--   non-media costs = stg_sales_ops__gtm_costs).
--   paid CAC = paid media spend / new customers from paid channels (dim_channels.is_paid);
--   blended CAC ('all' row only: non-media costs have no channel) = (paid media + non-media
--   costs) / all new customers.
--   ARPA = MRR / active customers at the end of the quarter's last month (fct_mrr).
--   Monthly revenue churn rate = (churned + contraction MRR) / starting MRR, summed over the
--   quarter's months (a starting-MRR-weighted average of the monthly rates, as
--   kpi_revenue_monthly.revenue_churn_rate is per month).
--   LTV = ARPA × var gross_margin / monthly revenue churn rate; LTV:CAC = LTV / CAC;
--   CAC payback (months) = CAC / (ARPA × gross margin). Ratios are NULL when a denominator is 0.
{%- set gross_margin = var('gross_margin') %}
with

dates as (

    select * from {{ ref('dim_dates') }}

),

channels as (

    select * from {{ ref('dim_channels') }}

),

gtm_monthly as (

    select * from {{ ref('kpi_gtm_monthly') }}

),

mrr as (

    select * from {{ ref('fct_mrr') }}

),

account_journeys as (

    select * from {{ ref('fct_account_journey') }}

),

month_quarters as (

    select
        date_day as month_start_date,
        fiscal_quarter_label,
        fiscal_quarter_start_date,
        fiscal_quarter_end_date
    from dates
    where day_of_month = 1

),

quarters as (

    select
        month_quarters.fiscal_quarter_label,
        month_quarters.fiscal_quarter_start_date,
        month_quarters.fiscal_quarter_end_date,
        max(gtm_monthly.month_start_date) as quarter_end_month_start_date
    from gtm_monthly
    inner join month_quarters
        on gtm_monthly.month_start_date = month_quarters.month_start_date
    group by
        month_quarters.fiscal_quarter_label,
        month_quarters.fiscal_quarter_start_date,
        month_quarters.fiscal_quarter_end_date

),

acquisition as (

    select
        month_quarters.fiscal_quarter_start_date,
        gtm_monthly.channel,
        sum(gtm_monthly.spend_reporting) as spend_reporting,
        sum(gtm_monthly.new_customers) as new_customers,
        sum(gtm_monthly.paid_new_customers) as paid_new_customers,
        sum(gtm_monthly.non_media_cost_reporting) as non_media_cost_reporting
    from gtm_monthly
    inner join month_quarters
        on gtm_monthly.month_start_date = month_quarters.month_start_date
    group by month_quarters.fiscal_quarter_start_date, gtm_monthly.channel

),

mrr_rows as (

    select
        month_quarters.fiscal_quarter_start_date,
        mrr.month_start_date,
        coalesce(account_journeys.first_touch_channel, 'unknown') as channel,
        mrr.is_active,
        mrr.mrr_reporting,
        mrr.start_mrr_reporting,
        mrr.churned_mrr_reporting,
        mrr.contraction_mrr_reporting
    from mrr
    inner join month_quarters
        on mrr.month_start_date = month_quarters.month_start_date
    left join account_journeys
        on mrr.account_id = account_journeys.account_id

),

mrr_rows_with_all as (

    select * from mrr_rows
    union all
    select
        fiscal_quarter_start_date,
        month_start_date,
        'all' as channel,
        is_active,
        mrr_reporting,
        start_mrr_reporting,
        churned_mrr_reporting,
        contraction_mrr_reporting
    from mrr_rows

),

churn as (

    select
        fiscal_quarter_start_date,
        channel,
        sum(start_mrr_reporting) as starting_mrr_reporting,
        sum(churned_mrr_reporting + contraction_mrr_reporting) as churned_and_contraction_mrr_reporting
    from mrr_rows_with_all
    group by fiscal_quarter_start_date, channel

),

quarter_end_mrr as (

    select
        mrr_rows_with_all.fiscal_quarter_start_date,
        mrr_rows_with_all.channel,
        sum(case when mrr_rows_with_all.is_active then mrr_rows_with_all.mrr_reporting else 0 end)
            as mrr_reporting,
        sum(case when mrr_rows_with_all.is_active then 1 else 0 end) as active_customers
    from mrr_rows_with_all
    inner join quarters
        on
            mrr_rows_with_all.fiscal_quarter_start_date = quarters.fiscal_quarter_start_date
            and mrr_rows_with_all.month_start_date = quarters.quarter_end_month_start_date
    group by mrr_rows_with_all.fiscal_quarter_start_date, mrr_rows_with_all.channel

),

spine_channels as (

    {{ kpi_channel_rows('channels') }}

),

joined as (

    select
        quarters.fiscal_quarter_label,
        quarters.fiscal_quarter_start_date,
        quarters.fiscal_quarter_end_date,
        quarters.quarter_end_month_start_date,
        spine_channels.channel,
        spine_channels.is_paid_channel,
        acquisition.non_media_cost_reporting,
        coalesce(acquisition.spend_reporting, 0) as spend_reporting,
        coalesce(acquisition.new_customers, 0) as new_customers,
        coalesce(acquisition.paid_new_customers, 0) as paid_new_customers,
        coalesce(quarter_end_mrr.mrr_reporting, 0) as mrr_reporting,
        coalesce(quarter_end_mrr.active_customers, 0) as active_customers,
        coalesce(churn.starting_mrr_reporting, 0) as starting_mrr_reporting,
        coalesce(churn.churned_and_contraction_mrr_reporting, 0) as churned_and_contraction_mrr_reporting
    from quarters
    cross join spine_channels
    left join acquisition
        on
            quarters.fiscal_quarter_start_date = acquisition.fiscal_quarter_start_date
            and spine_channels.channel = acquisition.channel
    left join quarter_end_mrr
        on
            quarters.fiscal_quarter_start_date = quarter_end_mrr.fiscal_quarter_start_date
            and spine_channels.channel = quarter_end_mrr.channel
    left join churn
        on
            quarters.fiscal_quarter_start_date = churn.fiscal_quarter_start_date
            and spine_channels.channel = churn.channel

),

ratios as (

    select
        *,
        cast(spend_reporting as double) / nullif(paid_new_customers, 0) as paid_cac,
        cast(spend_reporting + non_media_cost_reporting as double) / nullif(new_customers, 0) as blended_cac,
        cast(mrr_reporting as double) / nullif(active_customers, 0) as arpa,
        cast(churned_and_contraction_mrr_reporting as double)
        / nullif(cast(starting_mrr_reporting as double), 0) as monthly_revenue_churn_rate
    from joined

),

unit_economics as (

    select
        *,
        arpa * {{ gross_margin }} / nullif(monthly_revenue_churn_rate, 0) as ltv
    from ratios

),

final as (

    select
        fiscal_quarter_label,
        fiscal_quarter_start_date,
        fiscal_quarter_end_date,
        quarter_end_month_start_date,
        channel,
        is_paid_channel,
        '{{ var("reporting_currency") }}' as reporting_currency,
        cast(spend_reporting as decimal(18, 2)) as spend_reporting,
        cast(non_media_cost_reporting as decimal(18, 2)) as non_media_cost_reporting,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,
        cast(paid_new_customers as {{ dbt.type_bigint() }}) as paid_new_customers,
        paid_cac,
        blended_cac,
        cast(mrr_reporting as decimal(18, 2)) as mrr_reporting,
        cast(active_customers as {{ dbt.type_bigint() }}) as active_customers,
        arpa,
        cast(starting_mrr_reporting as decimal(18, 2)) as starting_mrr_reporting,
        cast(churned_and_contraction_mrr_reporting as decimal(18, 2)) as churned_and_contraction_mrr_reporting,
        monthly_revenue_churn_rate,
        cast({{ gross_margin }} as double) as gross_margin,
        ltv,
        ltv / nullif(paid_cac, 0) as ltv_to_paid_cac,
        ltv / nullif(blended_cac, 0) as ltv_to_blended_cac,
        paid_cac / nullif(arpa * {{ gross_margin }}, 0) as paid_cac_payback_months,
        blended_cac / nullif(arpa * {{ gross_margin }}, 0) as blended_cac_payback_months
    from unit_economics

)

select * from final
