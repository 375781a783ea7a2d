{% macro sha256_hex(expression) -%}
    {#- lower-case hex SHA-256 of a string (NULL stays NULL) -#}
    {{ return(adapter.dispatch('sha256_hex', 'gtm_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro spark__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}


{% macro display_name(first_name, last_name) -%}
    {#-
        The display-name policy for BI-facing models: first name and the initial of the last
        name ('Sharon W.'); the first name alone when there is no last name; NULL when there is
        no first name. Full names stay in the intermediate layer.
    -#}
    case
        when {{ blank_to_null(first_name) }} is null then null
        when {{ blank_to_null(last_name) }} is null then {{ trim_spaces(first_name) }}
        else {{ dbt.concat([
            trim_spaces(first_name), "' '", 'upper(substring(' ~ trim_spaces(last_name) ~ ', 1, 1))', "'.'"
        ]) }}
    end
{%- endmacro %}


{% macro sql_string_list(values) -%}
    {#- a list of Python strings as SQL literals for an IN list: 'a', 'b'; `null` for an empty list -#}
    {%- if values -%}
        {%- for value in values %}'{{ value | replace("'", "''") }}'{{ ', ' if not loop.last }}{% endfor -%}
    {%- else -%}
        null
    {%- endif -%}
{%- endmacro %}


{% macro days_between(start_timestamp, end_timestamp) -%}
    {#- fractional days from one timestamp to another (NULL when either is NULL), to the second -#}
    cast({{ dbt.datediff(start_timestamp, end_timestamp, 'second') }} as double) / 86400.0
{%- endmacro %}
