-- noqa: disable=LT02
-- Per opportunity and attribution model, the credits of fct_attribution sum to 1 (to 1e-9, as
-- doubles), and every opportunity of fct_opportunities has at least one row (its touches or
-- the 'no_marketing_touch' row). Returns the opportunities that break either rule.
{%- set models = ['first_touch', 'last_touch', 'linear', 'u_shaped', 'w_shaped', 'time_decay'] %}
with

attribution as (

    select * from {{ ref('fct_attribution') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

sums as (

    select
        opportunity_id,
        {%- for model in models %}
        sum(credit_{{ model }}) as credit_{{ model }}_sum{{ ',' if not loop.last }}
        {%- endfor %}
    from attribution
    group by opportunity_id

)

select
    opportunities.opportunity_id,
    {%- for model in models %}
    sums.credit_{{ model }}_sum{{ ',' if not loop.last }}
    {%- endfor %}
from opportunities
left join sums
    on opportunities.opportunity_id = sums.opportunity_id
where
    sums.opportunity_id is null
    {%- for model in models %}
    or abs(sums.credit_{{ model }}_sum - 1) > 1e-9
    {%- endfor %}
