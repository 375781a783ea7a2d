{% macro dq_classify(relation, key_columns, loaded_at, deleted=none, rules=[]) -%}
    {#-
        Classify every raw row of `relation` (a CTE of renamed, typed columns) for staging:

        1. quarantined: the key is missing (NULL or blank, blanks already NULLed by the caller)
           or one of `rules` — (sql condition, reason code) pairs, first match wins — holds;
        2. duplicate: an older delivery of a key (re-delivery by the loader); the latest by
           `loaded_at` wins;
        3. soft_deleted: the latest delivery of a key carries the delete flag `deleted`;
        4. staged: everything else, exactly one row per key.

        Adds `_dq_reason` (quarantine reason code, else NULL) and `_dq_status`.
    -#}
    select
        *,
        case
            when _dq_reason is not null then 'quarantined'
            when _dq_version > 1 then 'duplicate'
            {%- if deleted %}
            when coalesce({{ deleted }}, false) then 'soft_deleted'
            {%- endif %}
            else 'staged'
        end as _dq_status
    from (
        select
            *,
            row_number() over (
                partition by
                    case when _dq_reason is null then 0 else 1 end,
                    {{ key_columns | join(', ') }}
                order by {{ loaded_at }} desc
            ) as _dq_version
        from (
            select
                *,
                case
                    when {% for key in key_columns %}{{ key }} is null{% if not loop.last %} or {% endif %}{% endfor %}
                        then 'missing_primary_key'
                    {%- for rule in rules %}
                    when {{ rule[0] }} then '{{ rule[1] }}'
                    {%- endfor %}
                end as _dq_reason
            from {{ relation }}
        ) as with_reason
    ) as versioned
{%- endmacro %}


{% macro dq_raw_values(source_name, table_name) -%}
    {#- The raw row as text (`column=value; ...`, contract columns only), kept for quarantined rows. -#}
    {%- set parts = [] -%}
    {%- for column in raw_contract()[source_name][table_name] -%}
        {%- do parts.append("'" ~ column[0] ~ "='") -%}
        {%- do parts.append("coalesce(cast(" ~ adapter.quote(column[0]) ~ " as " ~ dbt.type_string() ~ "), 'NULL')") -%}
        {%- if not loop.last -%}{%- do parts.append("'; '") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}


{% macro future_cutoff() -%}
    {#- Timestamps after this are impossible: later of as_of_date and today, plus max_future_days. -#}
    {{ dbt.dateadd(
        'day',
        var('max_future_days', 30),
        "greatest(cast('" ~ var('as_of_date') ~ "' as " ~ dbt.type_timestamp() ~ "), cast(current_date as " ~ dbt.type_timestamp() ~ "))"
    ) }}
{%- endmacro %}
