{% macro nan_to_null(expression) -%}
    {#-
        A floating-point value with NaN turned into NULL (some connectors and exports write NaN
        for an empty number; NaN also cannot be cast to a decimal). Engine-specific: isnan().
    -#}
    {{ return(adapter.dispatch('nan_to_null', 'gtm_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__nan_to_null(expression) -%}
    case when not isnan({{ expression }}) then {{ expression }} end
{%- endmacro %}

{% macro spark__nan_to_null(expression) -%}
    nanvl({{ expression }}, cast(null as double))
{%- endmacro %}
