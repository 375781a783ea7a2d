{% macro normalize_email(expression) -%}
    {#- lower-cased and trimmed; blank -> NULL -#}
    nullif(lower(trim({{ expression }})), '')
{%- endmacro %}


{% macro is_valid_email(normalized_email) -%}
    {#- one @, something before it, a dotted domain after it, no spaces -#}
    coalesce({{ regex_matches(normalized_email, '^[^@ ]+@[^@ ]+[.][a-z]{2,}$') }}, false)
{%- endmacro %}


{% macro email_domain(normalized_email) -%}
    case
        when {{ is_valid_email(normalized_email) }}
            then {{ dbt.split_part(normalized_email, "'@'", 2) }}
    end
{%- endmacro %}


{% macro url_domain(expression) -%}
    {#- host of a URL or bare domain, lower-cased, without scheme, www. and path: 'https://www.acme.com/x' -> 'acme.com' -#}
    nullif(
        {{ dbt.split_part(regex_replace("lower(trim(" ~ expression ~ "))", '^([a-z]+://)?(www[0-9]?[.])?', ''), "'/'", 1) }},
        ''
    )
{%- endmacro %}


{% macro url_parameter(url, name) -%}
    {#- a query-string parameter of a URL, '+' and %20 decoded to spaces; NULL when absent -#}
    replace(replace({{ regex_extract(url, '[?&]' ~ name ~ '=([^&#]*)') }}, '+', ' '), '%20', ' ')
{%- endmacro %}
