-- noqa: disable=LT02
-- (per-level aggregates and per-attribution-model columns come from Jinja loops)
-- One row per calendar month × channel, plus a channel = 'all' row per month: the joint
-- marketing and sales KPIs of KPIS.md, in the reporting currency, read from the public marts.
-- Each fact counts in the month of its own event: spend / impressions / clicks by ad day,
-- sessions by session start, leads / MQLs / SQLs by lead_created_at / mql_at / sql_at,
-- opportunities and pipeline by creation, won / lost deals, bookings, win rate and sales cycle
-- by close_date (as fct_quota_attainment counts bookings), email rates by send time, new
-- customers by their first month with MRR (fct_mrr 'new'), attributed won revenue by the
-- opportunity's close_date. Channel: the row's channel of each fact — ad platform channel,
-- session channel, first-touch channel of the lead (fct_leads), of the opportunity
-- (fct_opportunities: the account's first touch before creation) and of the new customer's
-- account (fct_account_journey), 'email' for marketing emails, the touch's channel for
-- attribution; 'unknown' when the mart has none. Ratios are NULL when their denominator is 0.
-- Paid-efficiency ratios (CPL, cost per MQL / opportunity, paid CAC, ROAS, ROI) divide paid
-- media spend by what paid channels (dim_channels.is_paid) produced, in the row's scope.
{%- set attribution_models = ['first_touch', 'last_touch', 'linear', 'u_shaped', 'w_shaped', 'time_decay'] %}
{%- set levels = [('channel', 'channel'), ('all', "'all'")] %}
with

dates as (

    select * from {{ ref('dim_dates') }}

),

channels as (

    select * from {{ ref('dim_channels') }}

),

ad_spend as (

    select * from {{ ref('fct_ad_spend_daily') }}

),

web_sessions as (

    select * from {{ ref('fct_web_sessions') }}

),

leads as (

    select * from {{ ref('fct_leads') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

email_engagement as (

    select * from {{ ref('fct_email_engagement') }}

),

attribution as (

    select * from {{ ref('fct_attribution') }}

),

mrr as (

    select * from {{ ref('fct_mrr') }}

),

account_journeys as (

    select * from {{ ref('fct_account_journey') }}

),

non_media_costs as (

    select * from {{ ref('stg_sales_ops__gtm_costs') }}

),

-- ------------------------------------------------------------------ row-level facts, month and channel
spend_rows as (

    select
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date,
        coalesce(channel, 'unknown') as channel,
        spend_reporting,
        impressions,
        clicks
    from ad_spend

),

session_rows as (

    select
        cast({{ dbt.date_trunc('month', 'started_at') }} as date) as month_start_date,
        coalesce(channel, 'unknown') as channel,
        is_bounce
    from web_sessions

),

lead_rows as (

    select
        leads.lead_created_at,
        leads.mql_at,
        leads.sql_at,
        coalesce(leads.first_touch_channel, 'unknown') as channel,
        coalesce(channels.is_paid, false) as is_paid_channel
    from leads
    left join channels
        on leads.first_touch_channel = channels.channel

),

lead_milestone_rows as (

    select
        cast({{ dbt.date_trunc('month', 'lead_created_at') }} as date) as month_start_date,
        channel,
        is_paid_channel,
        'lead' as milestone
    from lead_rows
    where lead_created_at is not null
    union all
    select
        cast({{ dbt.date_trunc('month', 'mql_at') }} as date) as month_start_date,
        channel,
        is_paid_channel,
        'mql' as milestone
    from lead_rows
    where mql_at is not null
    union all
    select
        cast({{ dbt.date_trunc('month', 'sql_at') }} as date) as month_start_date,
        channel,
        is_paid_channel,
        'sql' as milestone
    from lead_rows
    where sql_at is not null

),

opportunity_rows as (

    select
        opportunities.created_at,
        opportunities.close_date,
        opportunities.is_closed,
        opportunities.is_won,
        opportunities.is_marketing_sourced,
        opportunities.days_to_close,
        coalesce(opportunities.amount_reporting, 0) as amount_reporting,
        coalesce(opportunities.first_touch_channel, 'unknown') as channel,
        coalesce(channels.is_paid, false) as is_paid_channel
    from opportunities
    left join channels
        on opportunities.first_touch_channel = channels.channel

),

created_opportunity_rows as (

    select
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as month_start_date,
        channel,
        is_paid_channel,
        is_marketing_sourced,
        amount_reporting
    from opportunity_rows

),

closed_opportunity_rows as (

    select
        cast({{ dbt.date_trunc('month', 'close_date') }} as date) as month_start_date,
        channel,
        is_won,
        days_to_close,
        amount_reporting
    from opportunity_rows
    where is_closed

),

email_rows as (

    select
        cast({{ dbt.date_trunc('month', 'sent_at') }} as date) as month_start_date,
        'email' as channel,
        is_delivered,
        is_opened,
        is_clicked,
        is_unsubscribed
    from email_engagement

),

new_customer_rows as (

    select
        mrr.month_start_date,
        coalesce(account_journeys.first_touch_channel, 'unknown') as channel,
        coalesce(channels.is_paid, false) as is_paid_channel
    from mrr
    left join account_journeys
        on mrr.account_id = account_journeys.account_id
    left join channels
        on account_journeys.first_touch_channel = channels.channel
    where mrr.movement_type = 'new'

),

-- marketing touches only: the 'no marketing touch' rows carry the rest of the revenue
attribution_rows as (

    select
        cast({{ dbt.date_trunc('month', 'attribution.close_date') }} as date) as close_month_start_date,
        cast({{ dbt.date_trunc('month', 'attribution.opportunity_created_date') }} as date)
            as created_month_start_date,
        attribution.opportunity_id,
        attribution.pipeline_amount,
        attribution.touch_channel as channel,
        coalesce(channels.is_paid, false) as is_paid_channel,
        {%- for model in attribution_models %}
        attribution.attributed_revenue_{{ model }}{{ ',' if not loop.last }}
        {%- endfor %}
    from attribution
    left join channels
        on attribution.touch_channel = channels.channel
    where attribution.touchpoint_id is not null

),

-- marketing-influenced pipeline: each opportunity once per channel it was touched in
influenced_rows as (

    select distinct
        created_month_start_date as month_start_date,
        channel,
        opportunity_id,
        pipeline_amount
    from attribution_rows

),

influenced_all_rows as (

    select distinct
        created_month_start_date as month_start_date,
        opportunity_id,
        pipeline_amount
    from attribution_rows

),

-- ------------------------------------------------------------------ aggregates per channel and for 'all'
spend_monthly as (

    {%- for level, channel_expression in levels %}
    select
        month_start_date,
        {{ channel_expression }} as channel,
        sum(spend_reporting) as spend_reporting,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from spend_rows
    group by month_start_date{{ ', channel' if level == 'channel' }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

sessions_monthly as (

    {%- for level, channel_expression in levels %}
    select
        month_start_date,
        {{ channel_expression }} as channel,
        count(*) as sessions,
        sum(case when is_bounce then 1 else 0 end) as bounced_sessions
    from session_rows
    group by month_start_date{{ ', channel' if level == 'channel' }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

leads_monthly as (

    {%- for level, channel_expression in levels %}
    select
        month_start_date,
        {{ channel_expression }} as channel,
        sum(case when milestone = 'lead' then 1 else 0 end) as leads,
        sum(case when milestone = 'mql' then 1 else 0 end) as mqls,
        sum(case when milestone = 'sql' then 1 else 0 end) as sqls,
        sum(case when milestone = 'lead' and is_paid_channel then 1 else 0 end) as paid_leads,
        sum(case when milestone = 'mql' and is_paid_channel then 1 else 0 end) as paid_mqls
    from lead_milestone_rows
    group by month_start_date{{ ', channel' if level == 'channel' }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

created_monthly as (

    {%- for level, channel_expression in levels %}
    select
        month_start_date,
        {{ channel_expression }} as channel,
        count(*) as opportunities,
        sum(case when is_paid_channel then 1 else 0 end) as paid_opportunities,
        sum(amount_reporting) as pipeline_reporting,
        sum(case when is_marketing_sourced then 1 else 0 end) as marketing_sourced_opportunities,
        sum(case when is_marketing_sourced then amount_reporting else 0 end) as marketing_sourced_pipeline_reporting
    from created_opportunity_rows
    group by month_start_date{{ ', channel' if level == 'channel' }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

closed_monthly as (

    {%- for level, channel_expression in levels %}
    select
        month_start_date,
        {{ channel_expression }} as channel,
        sum(case when is_won then 1 else 0 end) as won_deals,
        sum(case when is_won then 0 else 1 end) as lost_deals,
        sum(case when is_won then amount_reporting else 0 end) as bookings_reporting,
        sum(case when is_won then 0 else amount_reporting end) as lost_amount_reporting,
        avg(case when is_won then days_to_close end) as avg_sales_cycle_days,
        {{ percentile_cont_agg('case when is_won then days_to_close end', 0.5) }} as median_sales_cycle_days
    from closed_opportunity_rows
    group by month_start_date{{ ', channel' if level == 'channel' }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

email_monthly as (

    {%- for level, channel_expression in levels %}
    select
        month_start_date,
        {{ channel_expression }} as channel,
        count(*) as emails_sent,
        sum(case when is_delivered then 1 else 0 end) as emails_delivered,
        sum(case when is_delivered and is_opened then 1 else 0 end) as emails_opened,
        sum(case when is_delivered and is_clicked then 1 else 0 end) as emails_clicked,
        sum(case when is_delivered and is_unsubscribed then 1 else 0 end) as emails_unsubscribed
    from email_rows
    group by month_start_date{{ ', channel' if level == 'channel' }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

customers_monthly as (

    {%- for level, channel_expression in levels %}
    select
        month_start_date,
        {{ channel_expression }} as channel,
        count(*) as new_customers,
        sum(case when is_paid_channel then 1 else 0 end) as paid_new_customers
    from new_customer_rows
    group by month_start_date{{ ', channel' if level == 'channel' }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

attributed_monthly as (

    {%- for level, channel_expression in levels %}
    select
        close_month_start_date as month_start_date,
        {{ channel_expression }} as channel,
        {%- for model in attribution_models %}
        sum(attributed_revenue_{{ model }}) as attributed_revenue_{{ model }},
        sum(case when is_paid_channel then attributed_revenue_{{ model }} else 0 end)
            as paid_attributed_revenue_{{ model }}{{ ',' if not loop.last }}
        {%- endfor %}
    from attribution_rows
    group by close_month_start_date{{ ', channel' if level == 'channel' }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

influenced_monthly as (

    select
        month_start_date,
        channel,
        sum(pipeline_amount) as marketing_influenced_pipeline_reporting
    from influenced_rows
    group by month_start_date, channel
    union all
    select
        month_start_date,
        'all' as channel,
        sum(pipeline_amount) as marketing_influenced_pipeline_reporting
    from influenced_all_rows
    group by month_start_date

),

non_media_monthly as (

    select
        cost_month as month_start_date,
        'all' as channel,
        sum(amount_reporting) as non_media_cost_reporting
    from non_media_costs
    group by cost_month

),

-- ------------------------------------------------------------------ the month × channel spine
activity_months as (

    select month_start_date from spend_monthly
    union all
    select month_start_date from sessions_monthly
    union all
    select month_start_date from leads_monthly
    union all
    select month_start_date from created_monthly
    union all
    select month_start_date from closed_monthly
    union all
    select month_start_date from email_monthly

),

month_bounds as (

    select
        min(month_start_date) as first_month_start_date,
        cast({{ dbt.date_trunc('month', "cast('" ~ as_of_date() ~ "' as date)") }} as date)
            as last_month_start_date
    from activity_months

),

months as (

    select distinct dates.month_start_date
    from dates
    inner join month_bounds
        on
            dates.month_start_date >= month_bounds.first_month_start_date
            and dates.month_start_date <= month_bounds.last_month_start_date

),

spine_channels as (

    {{ kpi_channel_rows('channels') }}

),

spine as (

    select
        months.month_start_date,
        spine_channels.channel,
        spine_channels.is_paid_channel
    from months
    cross join spine_channels

),

joined as (

    select
        spine.month_start_date,
        spine.channel,
        spine.is_paid_channel,
        coalesce(spend_monthly.spend_reporting, 0) as spend_reporting,
        coalesce(spend_monthly.impressions, 0) as impressions,
        coalesce(spend_monthly.clicks, 0) as clicks,
        coalesce(sessions_monthly.sessions, 0) as sessions,
        coalesce(sessions_monthly.bounced_sessions, 0) as bounced_sessions,
        coalesce(leads_monthly.leads, 0) as leads,
        coalesce(leads_monthly.mqls, 0) as mqls,
        coalesce(leads_monthly.sqls, 0) as sqls,
        coalesce(leads_monthly.paid_leads, 0) as paid_leads,
        coalesce(leads_monthly.paid_mqls, 0) as paid_mqls,
        coalesce(created_monthly.opportunities, 0) as opportunities,
        coalesce(created_monthly.paid_opportunities, 0) as paid_opportunities,
        coalesce(created_monthly.pipeline_reporting, 0) as pipeline_reporting,
        coalesce(created_monthly.marketing_sourced_opportunities, 0) as marketing_sourced_opportunities,
        coalesce(created_monthly.marketing_sourced_pipeline_reporting, 0) as marketing_sourced_pipeline_reporting,
        coalesce(influenced_monthly.marketing_influenced_pipeline_reporting, 0)
            as marketing_influenced_pipeline_reporting,
        coalesce(closed_monthly.won_deals, 0) as won_deals,
        coalesce(closed_monthly.lost_deals, 0) as lost_deals,
        coalesce(closed_monthly.bookings_reporting, 0) as bookings_reporting,
        coalesce(closed_monthly.lost_amount_reporting, 0) as lost_amount_reporting,
        closed_monthly.avg_sales_cycle_days,
        closed_monthly.median_sales_cycle_days,
        coalesce(email_monthly.emails_sent, 0) as emails_sent,
        coalesce(email_monthly.emails_delivered, 0) as emails_delivered,
        coalesce(email_monthly.emails_opened, 0) as emails_opened,
        coalesce(email_monthly.emails_clicked, 0) as emails_clicked,
        coalesce(email_monthly.emails_unsubscribed, 0) as emails_unsubscribed,
        coalesce(customers_monthly.new_customers, 0) as new_customers,
        coalesce(customers_monthly.paid_new_customers, 0) as paid_new_customers,
        case when spine.channel = 'all' then coalesce(non_media_monthly.non_media_cost_reporting, 0) end
            as non_media_cost_reporting,
        {%- for model in attribution_models %}
        coalesce(attributed_monthly.attributed_revenue_{{ model }}, 0) as attributed_revenue_{{ model }},
        coalesce(attributed_monthly.paid_attributed_revenue_{{ model }}, 0)
            as paid_attributed_revenue_{{ model }}{{ ',' if not loop.last }}
        {%- endfor %}
    from spine
    {%- for aggregate in [
        'spend_monthly', 'sessions_monthly', 'leads_monthly', 'created_monthly', 'influenced_monthly',
        'closed_monthly', 'email_monthly', 'customers_monthly', 'non_media_monthly', 'attributed_monthly'
    ] %}
    left join {{ aggregate }}
        on
            spine.month_start_date = {{ aggregate }}.month_start_date
            and spine.channel = {{ aggregate }}.channel
    {%- endfor %}

),

final as (

    select
        month_start_date,
        channel,
        is_paid_channel,
        '{{ var("reporting_currency") }}' as reporting_currency,
        cast(spend_reporting as decimal(18, 2)) as spend_reporting,
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(clicks as double) / nullif(impressions, 0) as click_through_rate,
        cast(spend_reporting as double) / nullif(clicks, 0) as cost_per_click,
        cast(sessions as {{ dbt.type_bigint() }}) as sessions,
        cast(bounced_sessions as {{ dbt.type_bigint() }}) as bounced_sessions,
        cast(bounced_sessions as double) / nullif(sessions, 0) as bounce_rate,
        cast(leads as {{ dbt.type_bigint() }}) as leads,
        cast(mqls as {{ dbt.type_bigint() }}) as mqls,
        cast(sqls as {{ dbt.type_bigint() }}) as sqls,
        cast(paid_leads as {{ dbt.type_bigint() }}) as paid_leads,
        cast(paid_mqls as {{ dbt.type_bigint() }}) as paid_mqls,
        cast(spend_reporting as double) / nullif(paid_leads, 0) as cost_per_lead,
        cast(spend_reporting as double) / nullif(paid_mqls, 0) as cost_per_mql,
        cast(opportunities as {{ dbt.type_bigint() }}) as opportunities,
        cast(paid_opportunities as {{ dbt.type_bigint() }}) as paid_opportunities,
        cast(spend_reporting as double) / nullif(paid_opportunities, 0) as cost_per_opportunity,
        cast(pipeline_reporting as decimal(18, 2)) as pipeline_reporting,
        cast(marketing_sourced_opportunities as {{ dbt.type_bigint() }}) as marketing_sourced_opportunities,
        cast(marketing_sourced_pipeline_reporting as decimal(18, 2)) as marketing_sourced_pipeline_reporting,
        cast(marketing_influenced_pipeline_reporting as decimal(18, 2)) as marketing_influenced_pipeline_reporting,
        cast(won_deals as {{ dbt.type_bigint() }}) as won_deals,
        cast(lost_deals as {{ dbt.type_bigint() }}) as lost_deals,
        cast(bookings_reporting as decimal(18, 2)) as bookings_reporting,
        cast(lost_amount_reporting as decimal(18, 2)) as lost_amount_reporting,
        cast(won_deals as double) / nullif(won_deals + lost_deals, 0) as win_rate,
        cast(bookings_reporting as double)
        / nullif(cast(bookings_reporting + lost_amount_reporting as double), 0) as win_rate_amount,
        cast(bookings_reporting as double) / nullif(won_deals, 0) as average_deal_size,
        avg_sales_cycle_days,
        median_sales_cycle_days,
        cast(emails_sent as {{ dbt.type_bigint() }}) as emails_sent,
        cast(emails_delivered as {{ dbt.type_bigint() }}) as emails_delivered,
        cast(emails_opened as {{ dbt.type_bigint() }}) as emails_opened,
        cast(emails_clicked as {{ dbt.type_bigint() }}) as emails_clicked,
        cast(emails_unsubscribed as {{ dbt.type_bigint() }}) as emails_unsubscribed,
        cast(emails_opened as double) / nullif(emails_delivered, 0) as email_open_rate,
        cast(emails_clicked as double) / nullif(emails_delivered, 0) as email_click_rate,
        cast(emails_unsubscribed as double) / nullif(emails_delivered, 0) as email_unsubscribe_rate,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,
        cast(paid_new_customers as {{ dbt.type_bigint() }}) as paid_new_customers,
        cast(spend_reporting as double) / nullif(paid_new_customers, 0) as paid_cac,
        cast(non_media_cost_reporting as decimal(18, 2)) as non_media_cost_reporting,
        cast(spend_reporting + non_media_cost_reporting as double) / nullif(new_customers, 0) as blended_cac,
        {%- for model in attribution_models %}
        cast(attributed_revenue_{{ model }} as decimal(18, 2)) as attributed_revenue_{{ model }},
        cast(paid_attributed_revenue_{{ model }} as decimal(18, 2)) as paid_attributed_revenue_{{ model }},
        cast(paid_attributed_revenue_{{ model }} as double) / nullif(cast(spend_reporting as double), 0)
            as roas_{{ model }},
        cast(paid_attributed_revenue_{{ model }} - spend_reporting as double)
        / nullif(cast(spend_reporting as double), 0) as roi_{{ model }}{{ ',' if not loop.last }}
        {%- endfor %}
    from joined

)

select * from final
