{% macro url_path(url) -%}
    {#-
        The path of a URL, without query string and fragment:
        'https://www.acme.com/demo?utm_source=x' -> '/demo'; 'https://www.acme.com' -> '/';
        a relative '/blog/post#top' -> '/blog/post'. NULL when the URL is NULL.
        (Added for hubspot form submissions, whose raw rows carry only the page URL.)
    -#}
    case
        when {{ url }} is not null
            then coalesce(
                {{ regex_extract(url, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*(/[^?#]*)') }},
                {{ regex_extract(url, '^(/[^?#]*)') }},
                '/'
            )
    end
{%- endmacro %}
