{#-
    The build's "today" (YYYY-MM-DD) for current-state metrics: var as_of_date when given
    (--vars, a unit test's overrides), else the environment variable GTM_AS_OF_DATE, else var
    as_of_date_default (dbt_project.yml). A daily run should set the environment variable: a
    new value in --vars makes dbt parse the whole project again (dbt keys its partial parsing
    on the command-line vars), and the date only matters to the compiled SQL, so it is read at
    execution time only (at parse time the default stands in, and dbt does not record it).
-#}
{% macro as_of_date() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if value is none and execute -%}
        {%- set value = env_var('GTM_AS_OF_DATE', '') | trim or none -%}
    {%- endif -%}
    {%- if value is none -%}
        {%- set value = var('as_of_date_default') -%}
    {%- endif -%}
    {%- set value = value | string | trim -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value) -%}
        {{ exceptions.raise_compiler_error(
            "as_of_date must be a date as YYYY-MM-DD (var as_of_date or environment variable "
            ~ "GTM_AS_OF_DATE); got '" ~ value ~ "'"
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
