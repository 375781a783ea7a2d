{% test not_null_columns(model, column_names) %}
{#-
    dbt's not_null for several columns of one model in one scan: one row per column that holds
    NULLs (`column_name`, `null_rows`); the failure count is the number of NULL values. One test
    node per model instead of one per column: every node costs dbt's per-node time in each run,
    and a not_null test on a staging view re-ran the view once per column.
-#}
{{ config(fail_calc='coalesce(sum(null_rows), 0)') }}
{%- if column_names is string or column_names | length == 0 -%}
    {{ exceptions.raise_compiler_error(
        "not_null_columns on " ~ model ~ ": column_names must be a non-empty list of column names"
    ) }}
{%- endif %}

with

null_counts as (

    select
        {%- for column in column_names %}
        sum(case when {{ column }} is null then 1 else 0 end) as null_rows_{{ loop.index }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ model }}

),

tested_columns as (

    {%- for column in column_names %}
    select {{ loop.index }} as column_index
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

-- one row per column: a cross join with the column numbers (portable, a single scan of the
-- model on every engine)
per_column as (

    select
        case tested_columns.column_index
            {%- for column in column_names %}
            when {{ loop.index }} then '{{ column }}'
            {%- endfor %}
        end as column_name,
        case tested_columns.column_index
            {%- for column in column_names %}
            when {{ loop.index }} then null_counts.null_rows_{{ loop.index }}
            {%- endfor %}
        end as null_rows
    from null_counts
    cross join tested_columns

)

select
    column_name,
    null_rows
from per_column
where null_rows > 0
{% endtest %}
