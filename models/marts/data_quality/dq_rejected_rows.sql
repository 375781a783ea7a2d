{#-
    One row per quarantined raw row, from every base model: where it came from, its raw key
    (NULL when the key itself is missing), why it was rejected and the raw values as text,
    so the owner of the source system can find and fix it.
-#}
{%- set tables = [] -%}
{%- for source_name, source_tables in raw_contract().items() -%}
    {%- for table_name in source_tables -%}
        {%- do tables.append((source_name, table_name)) -%}
    {%- endfor -%}
{%- endfor -%}

with

unioned as (

    {% for source_name, table_name in tables %}
        select
            '{{ source_name }}' as source_name,
            '{{ table_name }}' as table_name,
            base._dq_raw_key as raw_key,
            base._dq_reason as reason,
            base._dq_raw_values as raw_values
        from {{ ref('base_' ~ source_name ~ '__' ~ table_name) }} as base
        where base._dq_status = 'quarantined'
        {%- if not loop.last %}
            union all
        {%- endif %}
    {% endfor %}

),

numbered as (

    select
        *,
        row_number() over (
            partition by source_name, table_name
            order by reason, raw_key, raw_values
        ) as row_in_table
    from unioned

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'source_name', "'.'", 'table_name', "'#'", "cast(row_in_table as " ~ dbt.type_string() ~ ")"
        ])) }} as rejected_row_id,
        source_name,
        table_name,
        {{ dbt.concat(['source_name', "'.'", 'table_name']) }} as raw_table,
        raw_key,
        reason,
        raw_values
    from numbered

)

select * from final
