{#-
    A 64-bit integer hash of a value. Engine-specific: default__ is DuckDB's hash(), spark__ is
    xxhash64(). NULL hashes to a value too.
-#}

{% macro key_hash(expression) -%}
    {#- A 64-bit hash of a value (NULL hashes too), for grouping and semi-joins on one integer. -#}
    {{ return(adapter.dispatch('key_hash', 'gtm_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__key_hash(expression) -%}
    hash({{ expression }})
{%- endmacro %}

{% macro spark__key_hash(expression) -%}
    xxhash64({{ expression }})
{%- endmacro %}
