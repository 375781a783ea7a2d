-- noqa: disable=LT02
-- Per opportunity and attribution model, the attributed pipeline of fct_attribution adds up
-- exactly (to the cent) to the opportunity's amount_reporting and the attributed won revenue to
-- its amount if won (else 0), both read from fct_opportunities. Returns the opportunity-models
-- that differ.
{%- set models = ['first_touch', 'last_touch', 'linear', 'u_shaped', 'w_shaped', 'time_decay'] %}
with

attribution as (

    select * from {{ ref('fct_attribution') }}

),

opportunities as (

    select
        opportunity_id,
        amount_reporting as pipeline_amount,
        case when is_won then amount_reporting else 0 end as won_amount
    from {{ ref('fct_opportunities') }}

),

attributed as (

    {%- for model in models %}
    select
        '{{ model }}' as attribution_model,
        opportunity_id,
        sum(attributed_pipeline_{{ model }}) as attributed_pipeline,
        sum(attributed_revenue_{{ model }}) as attributed_revenue
    from attribution
    group by opportunity_id
    {%- if not loop.last %}

    union all
    {% endif %}
    {%- endfor %}

),

compared as (

    select
        attributed.attribution_model,
        opportunities.opportunity_id,
        opportunities.pipeline_amount,
        attributed.attributed_pipeline,
        opportunities.won_amount,
        attributed.attributed_revenue
    from opportunities
    left join attributed
        on opportunities.opportunity_id = attributed.opportunity_id

)

select *
from compared
where
    attribution_model is null
    or coalesce(pipeline_amount, -1) != coalesce(attributed_pipeline, -1)
    or coalesce(won_amount, -1) != coalesce(attributed_revenue, -1)
