-- noqa: disable=LT02
-- Per attribution model, total attributed pipeline = total pipeline (sum of
-- fct_opportunities.amount_reporting over opportunities with an amount) and total attributed won
-- revenue = total won revenue (the same over won opportunities), to the cent. Returns the
-- models whose totals differ.
{%- set models = ['first_touch', 'last_touch', 'linear', 'u_shaped', 'w_shaped', 'time_decay'] %}
with

totals as (

    select
        coalesce(sum(amount_reporting), 0) as total_pipeline,
        coalesce(sum(case when is_won then amount_reporting end), 0) as total_won_revenue
    from {{ ref('fct_opportunities') }}
    where amount_reporting is not null

),

attributed as (

    {%- for model in models %}
    select
        '{{ model }}' as attribution_model,
        coalesce(sum(attributed_pipeline_{{ model }}), 0) as attributed_pipeline,
        coalesce(sum(attributed_revenue_{{ model }}), 0) as attributed_revenue
    from {{ ref('fct_attribution') }}
    {%- if not loop.last %}

    union all
    {% endif %}
    {%- endfor %}

)

select
    attributed.attribution_model,
    totals.total_pipeline,
    attributed.attributed_pipeline,
    totals.total_won_revenue,
    attributed.attributed_revenue
from attributed
cross join totals
where
    attributed.attributed_pipeline != totals.total_pipeline
    or attributed.attributed_revenue != totals.total_won_revenue
