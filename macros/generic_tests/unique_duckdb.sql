{#-
    dbt's built-in `unique` test on DuckDB (found first through the `dispatch` search order in
    dbt_project.yml; other engines keep dbt's own). Same result as dbt's: one row per repeated
    non-NULL value with its count. In two passes: the 64-bit hashes that occur more than once
    first (repeated_hashes: on DuckDB sorted, not grouped), then only the values with such a
    hash (true repeats, or the rare collision) grouped by value.
-#}
{% macro duckdb__test_unique(model, column_name) %}

{#- a run-scoped test (run_scope_condition) looks only at the hashes of the values written since
    the last fully tested run, counted over the whole table -#}
{%- set scope = run_scope_condition() %}

with

{% if scope -%}
{{ run_scoped_hashes('repeated_hashes', model, column_name, scope, where=column_name ~ ' is not null') }}
{%- else -%}
{{ repeated_hashes('repeated_hashes', model, column_name, where=column_name ~ ' is not null') }}
{%- endif %}

select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where
    {{ column_name }} is not null
    and {{ key_hash(column_name) }} in (select repeated_hashes.value_hash from repeated_hashes)
group by {{ column_name }}
having count(*) > 1

{% endmacro %}
