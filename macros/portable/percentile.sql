{#-
    A continuous percentile (linear interpolation between the two nearest values) as an
    aggregate: percentile_cont_agg('days_to_close', 0.5) is the median. NULLs are ignored.
    DuckDB: quantile_cont; Spark: percentile (exact, the same interpolation).
-#}

{% macro percentile_cont_agg(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont_agg', 'gtm_warehouse')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont_agg(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro duckdb__percentile_cont_agg(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile_cont_agg(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}
