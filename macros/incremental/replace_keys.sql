{#-
    Incremental strategy `replace_keys` (config incremental_strategy='replace_keys'): for every
    unique_key value among the new rows (NULL counts as one value), deletes every existing row
    of that key, then inserts the new rows, except key markers: rows whose row_id_column is
    NULL. A key marker stands for a key that has no rows any more (delete+insert cannot delete
    a key the new rows do not name). For models that rebuild every row of each key they
    affect: fct_web_sessions (per visitor; a visitor whose sessions all became excluded gets a
    marker) and fct_email_engagement (per recipient).
    Model config: unique_key (one column) and row_id_column (a column never NULL on real rows).
-#}
{% macro get_incremental_replace_keys_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set row_id_column = config.get('row_id_column') -%}
    {%- if unique_key is none or unique_key is not string or row_id_column is none -%}
        {{ exceptions.raise_compiler_error(
            "incremental_strategy 'replace_keys' needs unique_key (one column) and row_id_column; "
            ~ model.unique_id ~ " has unique_key=" ~ unique_key ~ ", row_id_column=" ~ row_id_column
        ) }}
    {%- endif -%}
    {%- set dest_cols_csv = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where
        {{ unique_key }} in (
            select new_rows.{{ unique_key }}
            from {{ source }} as new_rows
            where new_rows.{{ unique_key }} is not null
        )
        -- NULL is a key too: the rows without one are replaced as a group
        or (
            {{ unique_key }} is null
            and exists (select 1 from {{ source }} as new_rows where new_rows.{{ unique_key }} is null)
        );

    insert into {{ target }} ({{ dest_cols_csv }})
    select {{ dest_cols_csv }}
    from {{ source }}
    where {{ row_id_column }} is not null
{%- endmacro %}
