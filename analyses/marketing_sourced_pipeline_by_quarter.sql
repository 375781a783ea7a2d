-- How much pipeline did marketing source, per fiscal quarter of creation?
-- Marketing-sourced: the account's first touch before the opportunity was created is on a
-- marketing channel (fct_opportunities.is_marketing_sourced, KPIS.md). Reporting currency.
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

quarters as (

    select
        created_fiscal_quarter as fiscal_quarter,
        created_fiscal_quarter_start_date as fiscal_quarter_start_date,
        count(*) as opportunities,
        sum(case when is_marketing_sourced then 1 else 0 end) as marketing_sourced_opportunities,
        sum(coalesce(amount_reporting, 0)) as pipeline_reporting,
        sum(case when is_marketing_sourced then coalesce(amount_reporting, 0) else 0 end)
            as marketing_sourced_pipeline_reporting
    from opportunities
    group by created_fiscal_quarter, created_fiscal_quarter_start_date

)

select
    fiscal_quarter,
    opportunities,
    marketing_sourced_opportunities,
    pipeline_reporting,
    marketing_sourced_pipeline_reporting,
    cast(marketing_sourced_pipeline_reporting as double)
    / nullif(cast(pipeline_reporting as double), 0) as marketing_sourced_share
from quarters
order by fiscal_quarter_start_date
