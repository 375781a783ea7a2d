{#-
    dbt-duckdb's create_table_as, found first through the `dispatch` search order in
    dbt_project.yml. A model can name columns that DuckDB stores uncompressed, in its config:
    `meta={'duckdb_uncompressed_columns': ['page_view_id']}`. For unique keys that are
    hashes or UUIDs, DuckDB's string compression (DICT_FSST) takes three to four times the CPU
    of writing them as they are, and halves their size at best (BENCHMARKS.md). Such a model's
    table is created with its columns declared, the named ones `using compression
    uncompressed`, and then filled with one insert. Every other case goes to dbt-duckdb's
    macro unchanged: temporary tables, Python models, partitioned or sorted tables, and models
    that do not set the list. Other engines never call this macro.
-#}
{% macro duckdb__create_table_as(temporary, relation, compiled_code, language='sql', partitioned_by=none, sorted_by=none) -%}
    {%- set uncompressed = (config.get('meta') or {}).get('duckdb_uncompressed_columns') or [] -%}
    {%- if language != 'sql' or temporary or partitioned_by or sorted_by or uncompressed | length == 0 -%}
        {{ dbt.duckdb__create_table_as(temporary, relation, compiled_code, language, partitioned_by, sorted_by) }}
    {%- else -%}
        {{ _create_table_with_uncompressed_columns(relation, compiled_code, uncompressed) }}
    {%- endif -%}
{%- endmacro %}

{% macro _create_table_with_uncompressed_columns(relation, compiled_code, uncompressed) -%}
    {%- if uncompressed is string -%}
        {% do exceptions.raise_compiler_error(
            "meta duckdb_uncompressed_columns of " ~ model.name ~ " must be a list of column names, got '"
            ~ uncompressed ~ "'"
        ) %}
    {%- endif -%}
    {%- set contract_config = config.get('contract') -%}
    {#- a contracted model's columns, in the contract's order, as dbt-duckdb inserts them -#}
    {%- if contract_config.enforced -%}
        {{ get_assert_columns_equivalent(compiled_code) }}
        {%- set select_sql = get_select_subquery(compiled_code) -%}
    {%- else -%}
        {%- set select_sql = 'select * from (' ~ compiled_code ~ ') as model_subq' -%}
    {%- endif -%}
    {%- set columns = get_column_schema_from_query(select_sql) -%}
    {%- set names = columns | map(attribute='name') | map('lower') | list -%}
    {%- set wanted = uncompressed | map('lower') | list -%}
    {%- set missing = [] -%}
    {%- for name in wanted if name not in names -%}
        {%- do missing.append(name) -%}
    {%- endfor -%}
    {#- (no columns while dbt parses: execute is false, nothing runs) -#}
    {%- if execute and missing | length > 0 -%}
        {% do exceptions.raise_compiler_error(
            "meta duckdb_uncompressed_columns of " ~ model.name ~ " names columns the model does not have: "
            ~ missing | join(', ') ~ " (its columns: " ~ names | join(', ') ~ ")"
        ) %}
    {%- endif -%}
    {%- set sql_header = config.get('sql_header', none) -%}
    {{ sql_header if sql_header is not none }}
    create table {{ relation }} (
    {%- for column in columns %}
        {{ adapter.quote(column.name) }} {{ column.data_type }}
        {%- if column.name | lower in wanted %} using compression uncompressed{% endif %}
        {{- ',' if not loop.last }}
    {%- endfor %}
    );
    insert into {{ relation }}
    {{ select_sql }};
{%- endmacro %}
