-- Do better-scored leads win more often? Win rate of closed opportunities by the score band
-- (seed lead_score_bands, peak score) of the lead that was converted into them; opportunities
-- without a converted lead are shown as 'no lead'. Win rate = won / (won + lost), count and amount.
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}
    where is_closed

),

leads as (

    select * from {{ ref('fct_leads') }}

),

closed as (

    select
        opportunities.is_won,
        coalesce(leads.score_band, 'no lead') as score_band,
        coalesce(opportunities.amount_reporting, 0) as amount_reporting
    from opportunities
    left join leads
        on opportunities.person_id = leads.lead_id

)

select
    score_band,
    count(*) as closed_opportunities,
    sum(case when is_won then 1 else 0 end) as won_opportunities,
    cast(sum(case when is_won then 1 else 0 end) as double) / nullif(count(*), 0) as win_rate,
    cast(sum(case when is_won then amount_reporting else 0 end) as double)
    / nullif(cast(sum(amount_reporting) as double), 0) as win_rate_amount
from closed
group by score_band
order by score_band
