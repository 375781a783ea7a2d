-- noqa: disable=LT02
-- (the column lists come from a Jinja loop)
-- For every additive column of kpi_gtm_monthly, the channel rows of a month add up to its
-- 'all' row (the 'all' rows are computed from the facts, not by adding channel rows, so this
-- checks that no fact falls outside the month × channel spine). Marketing-influenced pipeline
-- is not additive (an opportunity counts in every channel that touched it) and is left out.
-- Returns the months that differ.
{%- set additive = [
    'spend_reporting', 'impressions', 'clicks', 'sessions', 'bounced_sessions', 'leads', 'mqls',
    'sqls', 'paid_leads', 'paid_mqls', 'opportunities', 'paid_opportunities', 'pipeline_reporting',
    'marketing_sourced_opportunities', 'marketing_sourced_pipeline_reporting', 'won_deals',
    'lost_deals', 'bookings_reporting', 'lost_amount_reporting', 'emails_sent', 'emails_delivered',
    'emails_opened', 'emails_clicked', 'emails_unsubscribed', 'new_customers', 'paid_new_customers',
    'attributed_revenue_first_touch', 'attributed_revenue_linear', 'attributed_revenue_time_decay',
    'paid_attributed_revenue_w_shaped'
] %}
with

kpi as (

    select * from {{ ref('kpi_gtm_monthly') }}

),

channel_totals as (

    select
        month_start_date,
        {%- for column in additive %}
        sum({{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from kpi
    where channel != 'all'
    group by month_start_date

),

all_rows as (

    select * from kpi
    where channel = 'all'

)

select all_rows.month_start_date
from all_rows
left join channel_totals
    on all_rows.month_start_date = channel_totals.month_start_date
where
    {%- for column in additive %}
    coalesce(channel_totals.{{ column }}, 0) != all_rows.{{ column }}{{ ' or' if not loop.last }}
    {%- endfor %}
