{#-
    Rounding a double the same way on every engine.

    DuckDB rounds a double to n decimals as round(x * 10^n) / 10^n, half away from zero, and
    casts a double to decimal(p, s) the same way: 1.005 (stored as 1.00499999999999989...)
    becomes 1.00. Spark rounds the shortest decimal text of the double ("1.005") half up: 1.01.
    The spark__ versions below reproduce DuckDB's rule (x * 10^n is computed in double on both
    engines, and rounding that double half away from zero gives the same integer), so amounts
    agree to the cent. default__ renders exactly what the models wrote before these macros.
-#}

{% macro round_places(expression, digits) -%}
    {#- A double rounded to `digits` decimals (result: double), DuckDB's rule on every engine. -#}
    {{ return(adapter.dispatch('round_places', 'gtm_warehouse')(expression, digits)) }}
{%- endmacro %}

{% macro default__round_places(expression, digits) -%}
    round({{ expression }}, {{ digits }})
{%- endmacro %}

{% macro spark__round_places(expression, digits) -%}
    (round(({{ expression }}) * {{ 10 ** (digits | int) }}, 0) / {{ 10 ** (digits | int) }})
{%- endmacro %}


{% macro to_decimal(expression, precision, scale) -%}
    {#- A number cast to decimal(precision, scale); a double is rounded by DuckDB's rule on every engine. -#}
    {{ return(adapter.dispatch('to_decimal', 'gtm_warehouse')(expression, precision, scale)) }}
{%- endmacro %}

{% macro default__to_decimal(expression, precision, scale) -%}
    cast({{ expression }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro spark__to_decimal(expression, precision, scale) -%}
    cast({{ spark__round_places(expression, scale) }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}
