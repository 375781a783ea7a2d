{% macro is_test_email(normalized_email) -%}
    {#- test identities: test+...@, @example.*, @test.* and the var test_email_domains -#}
    coalesce(
        {{ normalized_email }} like 'test+%'
        or {{ normalized_email }} like 'test@%'
        or {{ dbt.split_part(normalized_email, "'@'", 2) }} in (
            {%- for domain in var('test_email_domains') %}'{{ domain }}'{% if not loop.last %}, {% endif %}{% endfor -%}
        ),
        false
    )
{%- endmacro %}


{% macro is_internal_email(normalized_email) -%}
    {#- our own employees: an email on one of the var internal_email_domains -#}
    coalesce({{ dbt.split_part(normalized_email, "'@'", 2) }} in (
        {%- for domain in var('internal_email_domains') %}'{{ domain }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    ), false)
{%- endmacro %}


{% macro is_internal_ip(ip) -%}
    coalesce(
        {%- for prefix in var('internal_ip_prefixes') %}
        {{ ip }} like '{{ prefix }}%'{% if not loop.last %} or{% endif %}
        {%- endfor %},
        false
    )
{%- endmacro %}


{% macro is_bot_user_agent(user_agent) -%}
    coalesce({{ regex_matches("lower(" ~ user_agent ~ ")", var('bot_user_agent_pattern')) }}, false)
{%- endmacro %}
