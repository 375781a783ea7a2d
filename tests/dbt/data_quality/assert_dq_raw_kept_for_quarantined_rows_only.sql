-- Every base model keeps the raw row as text (`_dq_raw_values`) on exactly its quarantined rows
-- and the raw key (`_dq_raw_key`) on none of its other rows (dq_classify). A row here is a base
-- model and the number of rows that break this: a quarantined row without its raw text cannot
-- be traced back to the source, and raw text on the other rows is the whole table written twice.
{%- set tables = [] -%}
{%- for source_name, source_tables in raw_contract().items() -%}
    {%- for table_name in source_tables -%}
        {%- do tables.append((source_name, table_name)) -%}
    {%- endfor -%}
{%- endfor %}

with

checked as (

    {% for source_name, table_name in tables %}
        select
            '{{ "base_" ~ source_name ~ "__" ~ table_name }}' as base_model,
            sum(case when (base._dq_raw_values is not null) != (base._dq_status = 'quarantined') then 1 else 0 end)
                as rows_with_raw_values_wrong,
            sum(case when base._dq_raw_key is not null and base._dq_status != 'quarantined' then 1 else 0 end)
                as rows_with_raw_key_wrong
        from {{ ref('base_' ~ source_name ~ '__' ~ table_name) }} as base
        {%- if not loop.last %}
            union all
        {%- endif %}
    {% endfor %}

),

final as (

    select *
    from checked
    where rows_with_raw_values_wrong > 0 or rows_with_raw_key_wrong > 0

)

select * from final
