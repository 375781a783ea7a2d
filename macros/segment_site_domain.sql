{% macro is_site_domain(domain) -%}
    {#-
        Whether a (lower-cased, www.-stripped, see url_domain) host is our own website: one of
        the var site_domains or a subdomain of one ('docs.lumenmetrics.io'). Referrers on our
        own site are internal navigation, not a traffic source. Never NULL.
    -#}
    coalesce(
        {%- for site in var('site_domains') %}
        {{ domain }} = '{{ site | lower }}' or {{ domain }} like '%.{{ site | lower }}'{% if not loop.last %} or{% endif %}
        {%- endfor %},
        false
    )
{%- endmacro %}
