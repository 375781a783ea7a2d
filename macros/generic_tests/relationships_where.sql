{% test relationships_where(model, column_name, to, field, from_condition='1 = 1', to_condition='1 = 1') %}
{#-
    Referential integrity restricted to the rows that should satisfy it: every non-NULL
    `column_name` of `model` rows meeting `from_condition` has a match in `to`.`field` among
    `to` rows meeting `to_condition`. Fails with one row per orphan value.
-#}
with

child as (

    select {{ column_name }} as child_value
    from {{ model }}
    where {{ column_name }} is not null and ({{ from_condition }})

),

parent as (

    select {{ field }} as parent_value
    from {{ to }}
    where {{ to_condition }}

)

select child.child_value
from child
left join parent
    on child.child_value = parent.parent_value
where parent.parent_value is null
{% endtest %}
