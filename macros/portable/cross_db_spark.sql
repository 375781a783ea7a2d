{#-
    Spark versions of dbt's cross-database macros, with DuckDB's semantics.

    Models call dbt.dateadd, dbt.datediff, dbt.split_part, dbt.safe_cast and dbt.date_spine;
    dbt dispatches them to the adapter's version, and a root-project macro named
    spark__<name> takes precedence over dbt-spark's own. dbt-spark's versions differ from
    DuckDB's in ways that change results, so they are replaced here (DuckDB keeps dbt-duckdb's
    and dbt's defaults; nothing below renders on DuckDB):

    - dateadd: dbt-spark goes through unix seconds (drops microseconds) and raises an error on
      a NULL date (assert_not_null); here timestampadd, exact and NULL-safe. Like DuckDB's
      `date + interval`, the result is a timestamp.
    - datediff: dbt-spark raises on NULL and rounds sub-day parts from elapsed seconds; here the
      number of boundaries crossed, as DuckDB's date_diff counts them (weeks start on Monday).
    - split_part: dbt-spark indexes split()'s array (NULL, or an error under ANSI mode, past the
      last part); here Spark's split_part: '' past the last part, as in DuckDB.
    - safe_cast: dbt-spark's is a plain cast (an error under ANSI mode); here try_cast.
    - cast (also behind contract checks): a bare varchar, char or text is string on Spark.
    - generate_series (under date_spine): dbt's default cross-joins 2^n rows, which Spark plans
      as one stage per join; here one sequence().
-#}

{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    {%- set unit = datepart | lower -%}
    {%- if unit not in ('year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second', 'millisecond', 'microsecond') -%}
        {{ exceptions.raise_compiler_error("dateadd: unsupported datepart '" ~ datepart ~ "' on Spark") }}
    {%- endif -%}
    timestampadd({{ unit | upper }}, cast({{ interval }} as bigint), cast({{ from_date_or_timestamp }} as timestamp))
{%- endmacro %}


{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- set unit = datepart | lower -%}
    {%- set micros = {'hour': 3600000000, 'minute': 60000000, 'second': 1000000, 'millisecond': 1000, 'microsecond': 1} -%}
    {%- if unit == 'year' -%}
        cast(year({{ second_date }}) - year({{ first_date }}) as bigint)
    {%- elif unit == 'quarter' -%}
        cast(
            (year({{ second_date }}) * 4 + quarter({{ second_date }}))
            - (year({{ first_date }}) * 4 + quarter({{ first_date }}))
            as bigint
        )
    {%- elif unit == 'month' -%}
        cast(
            (year({{ second_date }}) * 12 + month({{ second_date }}))
            - (year({{ first_date }}) * 12 + month({{ first_date }}))
            as bigint
        )
    {%- elif unit == 'week' -%}
        cast(
            datediff(
                cast(date_trunc('week', cast({{ second_date }} as timestamp)) as date),
                cast(date_trunc('week', cast({{ first_date }} as timestamp)) as date)
            ) div 7
            as bigint
        )
    {%- elif unit == 'day' -%}
        cast(datediff(cast({{ second_date }} as date), cast({{ first_date }} as date)) as bigint)
    {%- elif unit in micros -%}
        (
            unix_micros(date_trunc('{{ unit }}', cast({{ second_date }} as timestamp)))
            - unix_micros(date_trunc('{{ unit }}', cast({{ first_date }} as timestamp)))
        ) div {{ micros[unit] }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("datediff: unsupported datepart '" ~ datepart ~ "' on Spark") }}
    {%- endif -%}
{%- endmacro %}


{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}


{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}


{% macro spark__generate_series(upper_bound) -%}
    select explode(sequence(1, {{ upper_bound }})) as generated_number
{%- endmacro %}


{% macro spark__cast(field, type) -%}
    {#-
        dbt.cast, which dbt also uses to check model contracts (cast(null as <data_type>)):
        a bare varchar / char / text, as contracts written for DuckDB declare text columns, is
        Spark's string (Spark requires a length for varchar and char and has no text type).
    -#}
    cast({{ field }} as {{ spark_type_name(type) }})
{%- endmacro %}


{% macro spark_type_name(type) -%}
    {#- A type name written for DuckDB as Spark's: bare varchar / char / text -> string; others unchanged. -#}
    {%- set type_name = type | trim -%}
    {{- 'string' if type_name | lower in ('varchar', 'char', 'text') else type_name -}}
{%- endmacro %}
