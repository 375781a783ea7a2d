{% test expression_is_true(model, expression, column_name=none, where=none) %}
{#- Fails for every row where the SQL `expression` is not true (false or NULL). On a column, the column is prepended. -#}
select *
from {{ model }}
where
    not coalesce(({{ column_name ~ ' ' if column_name else '' }}{{ expression }}), false)
    {%- if where %}
    and ({{ where }})
    {%- endif %}
{% endtest %}
