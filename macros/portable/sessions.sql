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


{% macro first_value_ignore_nulls(expression) -%}
    {#-
        Window function (add the `over (...)` clause): the first non-NULL value of `expression`
        in the frame, NULL when there is none. With a frame `rows between current row and
        unbounded following` it is the next such value from the current row on (the next end of
        a session in int_web_sessions). The counterpart of last_value_ignore_nulls.
    -#}
    {{ return(adapter.dispatch('first_value_ignore_nulls', 'gtm_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__first_value_ignore_nulls(expression) -%}
    first_value({{ expression }} ignore nulls)
{%- endmacro %}

{% macro spark__first_value_ignore_nulls(expression) -%}
    first_value({{ expression }}, true)
{%- endmacro %}
