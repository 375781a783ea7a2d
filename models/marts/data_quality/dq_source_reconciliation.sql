{#-
    Every raw row accounted for: per raw contract table, raw rows = staged + duplicate +
    soft-deleted + quarantined. Raw rows are counted on the raw table itself, staged rows on
    the staging model, the other buckets on the base model; `unaccounted_rows` is what is
    left and a test fails the build unless it is 0 for every table.
-#}
{%- set staging = staging_model_names() -%}
{%- set tables = [] -%}
{%- for source_name, source_tables in raw_contract().items() -%}
    {%- for table_name in source_tables -%}
        {%- do tables.append((source_name, table_name)) -%}
    {%- endfor -%}
{%- endfor -%}

with

{% for source_name, table_name in tables %}
    {{ source_name }}__{{ table_name }} as (

        select
            '{{ source_name }}' as source_name,
            '{{ table_name }}' as table_name,
            {{ 'true' if source_enabled(source_name) else 'false' }} as is_enabled,
            (select count(*) as n from {{ gtm_source(source_name, table_name) }}) as raw_rows,
            (select count(*) as n from {{ ref(staging[source_name][table_name]) }}) as staged_rows,
            sum(case when base._dq_status = 'duplicate' then 1 else 0 end) as duplicate_rows,
            sum(case when base._dq_status = 'soft_deleted' then 1 else 0 end) as soft_deleted_rows,
            sum(case when base._dq_status = 'quarantined' then 1 else 0 end) as quarantined_rows
        from {{ ref('base_' ~ source_name ~ '__' ~ table_name) }} as base

    ),

{% endfor %}
unioned as (

    {% for source_name, table_name in tables %}
        select * from {{ source_name }}__{{ table_name }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {% endfor %}

),

final as (

    select
        source_name,
        table_name,
        {{ dbt.concat(['source_name', "'.'", 'table_name']) }} as raw_table,
        is_enabled,
        cast(raw_rows as {{ dbt.type_bigint() }}) as raw_rows,
        cast(staged_rows as {{ dbt.type_bigint() }}) as staged_rows,
        cast(coalesce(duplicate_rows, 0) as {{ dbt.type_bigint() }}) as duplicate_rows,
        cast(coalesce(soft_deleted_rows, 0) as {{ dbt.type_bigint() }}) as soft_deleted_rows,
        cast(coalesce(quarantined_rows, 0) as {{ dbt.type_bigint() }}) as quarantined_rows,
        cast(
            raw_rows - staged_rows - coalesce(duplicate_rows, 0) - coalesce(soft_deleted_rows, 0)
            - coalesce(quarantined_rows, 0)
            as {{ dbt.type_bigint() }}
        ) as unaccounted_rows
    from unioned

)

select * from final
