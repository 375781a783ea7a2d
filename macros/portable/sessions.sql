{#-
    Helpers for event sessionisation (int_web_sessions). Engine-specific SQL is dispatched;
    default__ is written for DuckDB (and engines with the same functions), spark__ for dbt-spark.
-#}

{% macro epoch_microseconds(timestamp_expression) -%}
    {#-
        Microseconds since 1970-01-01 00:00:00 UTC of a timestamp, as a bigint. Exact (no
        float, no truncation to whole seconds), so gaps between events can be compared with a
        timeout to the microsecond and used in keys that hash identically on every engine.
    -#}
    {{ return(adapter.dispatch('epoch_microseconds', 'gtm_warehouse')(timestamp_expression)) }}
{%- endmacro %}

{% macro default__epoch_microseconds(timestamp_expression) -%}
    cast(extract(epoch from {{ timestamp_expression }}) * 1000000 as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__epoch_microseconds(timestamp_expression) -%}
    epoch_us({{ timestamp_expression }})
{%- endmacro %}

{% macro spark__epoch_microseconds(timestamp_expression) -%}
    unix_micros({{ timestamp_expression }})
{%- endmacro %}


{% macro first_non_null_by(value_expression, order_expression) -%}
    {#-
        Aggregate: the first non-NULL value of `value_expression` in the group, "first" by the
        smallest `order_expression` (which must be unique within the group for a deterministic
        result). NULL when every value is NULL. Rows with a NULL value are skipped by nulling
        their ordering, which min_by ignores on every engine.
    -#}
    {{ return(adapter.dispatch('first_non_null_by', 'gtm_warehouse')(value_expression, order_expression)) }}
{%- endmacro %}

{% macro default__first_non_null_by(value_expression, order_expression) -%}
    min_by({{ value_expression }}, case when {{ value_expression }} is not null then {{ order_expression }} end)
{%- endmacro %}

{% macro duckdb__first_non_null_by(value_expression, order_expression) -%}
    arg_min({{ value_expression }}, case when {{ value_expression }} is not null then {{ order_expression }} end)
{%- endmacro %}

{% macro spark__first_non_null_by(value_expression, order_expression) -%}
    min_by({{ value_expression }}, case when {{ value_expression }} is not null then {{ order_expression }} end)
{%- endmacro %}
