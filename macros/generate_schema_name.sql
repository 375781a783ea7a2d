{% macro generate_schema_name(custom_schema_name, node) -%}
    {#-
        Layers land in schemas named as configured (staging, intermediate, marts, dq), not
        prefixed with the target schema, so BI tools find `marts.dim_accounts` on every target.
        Without a configured schema a model lands in the target's schema.
    -#}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
