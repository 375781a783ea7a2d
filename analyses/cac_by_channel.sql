-- What does a new customer cost, per acquisition channel, over the last four fiscal quarters?
-- Paid CAC per paid channel (its spend / its new customers), and the company's paid and blended
-- CAC on the 'all' row (blended adds the non-media costs, which have no channel). New customers
-- are counted by the account's first-touch channel (kpi_unit_economics, KPIS.md).
with

unit_economics as (

    select * from {{ ref('kpi_unit_economics') }}

),

last_quarters as (

    select distinct fiscal_quarter_start_date
    from unit_economics
    order by fiscal_quarter_start_date desc
    limit 4

),

by_channel as (

    select
        unit_economics.channel,
        sum(unit_economics.spend_reporting) as spend_reporting,
        sum(unit_economics.non_media_cost_reporting) as non_media_cost_reporting,
        sum(unit_economics.new_customers) as new_customers,
        sum(unit_economics.paid_new_customers) as paid_new_customers
    from unit_economics
    inner join last_quarters
        on unit_economics.fiscal_quarter_start_date = last_quarters.fiscal_quarter_start_date
    group by unit_economics.channel

)

select
    channel,
    spend_reporting,
    new_customers,
    paid_new_customers,
    cast(spend_reporting as double) / nullif(paid_new_customers, 0) as paid_cac,
    cast(spend_reporting + non_media_cost_reporting as double) / nullif(new_customers, 0) as blended_cac
from by_channel
order by case when channel = 'all' then 1 else 0 end, paid_cac
