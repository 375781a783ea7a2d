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
    {#-
        A crawler, headless browser or script: the lower-cased user agent contains one of the var
        bot_user_agent_substrings. Plain substring searches, not one regular expression: at
        `large` (54M page views) the regular expression cost 12.2 s of the page base table's
        query, the substring searches 2.4 s.
    -#}
    {%- if var('bot_user_agent_pattern', none) is not none -%}
        {{ exceptions.raise_compiler_error(
            "The var bot_user_agent_pattern (a regular expression) was replaced by "
            ~ "bot_user_agent_substrings, a list of substrings (case is ignored) such as [bot, crawler, spider]."
        ) }}
    {%- endif -%}
    {%- set substrings = var('bot_user_agent_substrings') -%}
    {%- if substrings is string or substrings | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "The var bot_user_agent_substrings must be a non-empty list of substrings, got: " ~ substrings
        ) }}
    {%- endif -%}
    coalesce(
        {%- for substring in substrings %}
        {{ dbt.position("'" ~ (substring | string | lower | replace("'", "''")) ~ "'", "lower(" ~ user_agent ~ ")") }} > 0
        {%- if not loop.last %} or{% endif %}
        {%- endfor %},
        false
    )
{%- endmacro %}
