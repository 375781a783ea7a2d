{% test totals_reconcile(model, expression, parts) %}
{#-
    Fails (one row) unless an aggregate over the model equals the sum of aggregates over its
    parts, e.g. sessions = sessions in the mart + sessions counted as excluded. `expression`
    is an aggregate over the model (count(*), sum(pageviews)); `parts` a list of
    {relation, expression, condition} where relation is ref(...), expression an aggregate
    and condition an optional filter. An aggregate over no rows counts as 0.
-#}
with

whole as (

    select coalesce({{ expression }}, 0) as whole_total
    from {{ model }}

),

parts as (

    {% for part in parts %}
        select coalesce({{ part.expression }}, 0) as part_total
        from {{ part.relation }}
        {%- if part.condition %}
            where {{ part.condition }}
        {%- endif %}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {% endfor %}

),

parts_summed as (

    select sum(parts.part_total) as parts_total
    from parts

),

compared as (

    select
        whole.whole_total,
        parts_summed.parts_total
    from whole
    cross join parts_summed

)

select *
from compared
where not coalesce(compared.whole_total = compared.parts_total, false)
{% endtest %}
