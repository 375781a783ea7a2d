{#
    Fails when a combination of columns is not unique: returns one row per repeated
    combination, with the number of rows that share it. Rows whose columns are null
    are grouped like any other value, so repeated null combinations fail too.
    Portable SQL (group by / having); on DuckDB in two passes, the combinations' hashes first
    (repeated_hashes), then only the rows whose hash repeats grouped by their columns.
#}
{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}

    {%- if combination_of_columns is string or combination_of_columns | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "unique_combination_of_columns on " ~ model
            ~ ": combination_of_columns must be a non-empty list of column names"
        ) }}
    {%- endif -%}

    {%- set columns = [] -%}
    {%- for column in combination_of_columns -%}
        {%- do columns.append(adapter.quote(column) if quote_columns else column) -%}
    {%- endfor -%}

{#- a run-scoped test (run_scope_condition): only the combinations of the rows written since the
    last fully tested run, counted over the whole table -#}
{%- set scope = run_scope_condition() -%}
{%- if scope %}
{{ run_scoped_test_unique_combination_of_columns(model, columns, scope) }}
{%- else %}
{{ adapter.dispatch('test_unique_combination_of_columns', 'gtm_warehouse')(model, columns) }}
{%- endif %}

{% endtest %}

{% macro run_scoped_test_unique_combination_of_columns(model, columns, scope) %}

with

{{ run_scoped_hashes('scoped_hashes', model, columns | join(', '), scope) }},

validation_errors as (

    select
        {{ columns | join(",\n        ") }},
        count(*) as n_records
    from {{ model }}
    where {{ key_hash(columns | join(', ')) }} in (select scoped_hashes.value_hash from scoped_hashes)
    group by {{ columns | join(", ") }}
    having count(*) > 1

)

select * from validation_errors

{% endmacro %}

{% macro default__test_unique_combination_of_columns(model, columns) %}

with validation_errors as (

    select
        {{ columns | join(",\n        ") }},
        count(*) as n_records
    from {{ model }}
    group by {{ columns | join(", ") }}
    having count(*) > 1

)

select * from validation_errors

{% endmacro %}

{% macro duckdb__test_unique_combination_of_columns(model, columns) %}

with

{{ repeated_hashes('repeated_hashes', model, columns | join(', ')) }},

validation_errors as (

    select
        {{ columns | join(",\n        ") }},
        count(*) as n_records
    from {{ model }}
    where {{ key_hash(columns | join(', ')) }} in (select repeated_hashes.value_hash from repeated_hashes)
    group by {{ columns | join(", ") }}
    having count(*) > 1

)

select * from validation_errors

{% endmacro %}
