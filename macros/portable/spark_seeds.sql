{#-
    Seeds on Spark. dbt-spark's session method loads seed rows through query parameters that it
    turns into text by hand: an empty CSV cell (None) becomes the string 'None' and a quote in
    a value breaks the statement. This version writes every value as a SQL literal instead
    (NULL for an empty cell, quotes and backslashes escaped for Spark), cast to the column's
    type as dbt-spark does. Column types follow DuckDB's inference (a whole-number column is a
    32-bit int, not dbt-spark's bigint), so a seed column has the same type on both engines and
    contracts written on DuckDB hold. DuckDB seeds are unaffected (these are spark__ dispatches).
-#}

{% macro spark_seed_column_types(model, agate_table) -%}
    {#- The type of every seed column: column_types config (varchar as string), else DuckDB's inference. -#}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- set inferred = adapter.convert_type(agate_table, loop.index0) -%}
        {%- do types.append(spark_type_name(column_override.get(col_name, 'int' if inferred == 'bigint' else inferred))) -%}
    {%- endfor -%}
    {{ return(types) }}
{%- endmacro %}


{% macro spark__create_csv_table(model, agate_table) %}
    {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}
    {%- set types = spark_seed_column_types(model, agate_table) -%}
    {%- set sql -%}
        create table {{ this.render() }} (
            {%- for col_name in agate_table.column_names -%}
                {{ adapter.quote_seed_column(col_name | string, quote_seed_column) }} {{ types[loop.index0] }}
                {%- if not loop.last -%}, {% endif -%}
            {%- endfor -%}
        )
        {{ file_format_clause() }}
        {{ partition_cols(label="partitioned by") }}
        {{ clustered_cols(label="clustered by") }}
        {{ location_clause() }}
        {{ comment_clause() }}
    {%- endset -%}
    {%- call statement('_') -%}
        {{ sql }}
    {%- endcall -%}
    {{ return(sql) }}
{% endmacro %}


{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set types = spark_seed_column_types(model, agate_table) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    cast({{ spark_sql_literal(value) }} as {{ types[loop.index0] }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},
            {% endif -%}
            {%- endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- the first statement is rendered into the compiled files, as dbt-spark does -#}
    {{ return(statements[0]) }}
{% endmacro %}


{% macro spark_sql_literal(value) -%}
    {#- A Python value of a seed row as a Spark SQL literal. -#}
    {%- if value is none -%}
        null
    {%- elif value is sameas true -%}
        true
    {%- elif value is sameas false -%}
        false
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
