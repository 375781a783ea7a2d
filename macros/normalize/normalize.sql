{% macro normalize_email(expression) -%}
    {#- lower-cased and trimmed; blank -> NULL -#}
    nullif(lower({{ trim_spaces(expression) }}), '')
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
    {#- host of a URL or bare domain, lower-cased, without scheme, www. and path: 'https://www.acme.com/x' -> 'acme.com'.
        One extraction rather than a replace and a split: at `large` (54M referrers) 12.2 s -> 2.6 s -#}
    {{ regex_extract("lower(" ~ trim_spaces(expression) ~ ")", '^(?:[a-z]+://)?(?:www[0-9]?[.])?([^/]*)') }}
{%- endmacro %}


{% macro url_parameter(url, name) -%}
    {#- a query-string parameter of a URL, '+' and %20 decoded to spaces; NULL when absent. The
        LIKE (a plain substring search) spares the regular expression the URLs without the
        parameter, most of them: at `large`, the five UTM parameters 5.6 s -> 2.8 s -#}
    case
        when {{ url }} like '%{{ name }}=%'
            then replace(replace({{ regex_extract(url, '[?&]' ~ name ~ '=([^&#]*)') }}, '+', ' '), '%20', ' ')
    end
{%- endmacro %}
