{% test relationships_where(model, column_name, to, field, from_condition='1 = 1', to_condition='1 = 1', run_scope_key=none) %}
{#-
    Referential integrity restricted to the rows that should satisfy it: every non-NULL
    `column_name` of `model` rows meeting `from_condition` has a match in `to`.`field` among
    `to` rows meeting `to_condition`. Fails with one row per orphan value.

    run_scope_key (a column of both models, both marked run_scoped_tests): in a run-scoped test
    run (macros/tests_scope/run_scoped_tests.sql) only the child rows written since the last
    tested run, and the child rows of every run_scope_key value with a parent row written
    since, are checked. Sound when the parent deletes or changes a row only in a run that also
    writes a row of the same run_scope_key value (an incremental strategy that replaces whole
    keys, or their tails, as int_web_sessions' replace_from on visitor_key does): an older
    child row of any other key was checked by the tested run, and neither it nor its parent
    has changed since.
-#}
{%- set scope = '' -%}
{%- if run_scope_key is not none -%}
    {{ run_scope_key_check(to) }}
    {%- set scope = run_scope_condition() -%}
{%- endif %}
with

child as (

    select {{ column_name }} as child_value
    from {{ model }}
    where
        {{ column_name }} is not null and ({{ from_condition }})
        {%- if scope %}
        and (
            {{ scope }}
            or {{ run_scope_key }} in (
                select rewritten.{{ run_scope_key }}
                from {{ to }} as rewritten
                where {{ run_scope_condition('rewritten._written_at') }}
            )
        )
        {%- endif %}

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
