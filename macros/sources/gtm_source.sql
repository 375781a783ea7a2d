{% macro source_enabled(source_name) -%}
    {#- salesforce (the CRM) is mandatory; every other source follows its `<source>_enabled` var -#}
    {%- if source_name == 'salesforce' -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set value = var(source_name ~ '_enabled', true) -%}
    {{ return(value not in [false, 'false', 'False', 0, '0']) }}
{%- endmacro %}


{% macro gtm_source(source_name, table_name) -%}
    {#-
        The raw relation of a contract table, or, when its source is switched off, a typed
        empty relation with the same columns (from raw_contract()), so every staging model
        and everything downstream still builds, with zero rows from that source.
    -#}
    {%- if source_enabled(source_name) -%}
        {{ source(source_name, table_name) }}
    {%- else -%}
        {%- set columns = raw_contract()[source_name][table_name] -%}
        (
            select
            {%- for column in columns %}
                cast(null as {{ portable_type(column[1]) }}) as {{ adapter.quote(column[0]) }}
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
            from (select 1 as one) as empty_source
            where 1 = 0
        )
    {%- endif -%}
{%- endmacro %}


{% macro portable_type(name) -%}
    {%- if name == 'string' -%}{{ dbt.type_string() }}
    {%- elif name == 'bigint' -%}{{ dbt.type_bigint() }}
    {%- elif name == 'float' -%}double
    {%- elif name == 'boolean' -%}{{ dbt.type_boolean() }}
    {%- elif name == 'timestamp' -%}{{ dbt.type_timestamp() }}
    {%- elif name == 'date' -%}date
    {%- else -%}{{ exceptions.raise_compiler_error("unknown portable type " ~ name) }}
    {%- endif -%}
{%- endmacro %}
