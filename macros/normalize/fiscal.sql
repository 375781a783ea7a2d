{% macro fiscal_quarter_start_date(fiscal_year, fiscal_quarter) -%}
    {#-
        First day (a date) of a fiscal quarter. The fiscal year starts on day 1 of month
        var('fiscal_year_start_month') and is named by the calendar year it ends in: with a
        February start, FY2025 runs 2024-02-01 .. 2025-01-31, its Q1 starts 2024-02-01 and
        its Q4 starts 2024-11-01. With a January start, FY2025 is calendar 2025.
        Portable: months added to 1970-01-01 with dbt.dateadd (no make_date).
    -#}
    {%- set start_month = var('fiscal_year_start_month') | int -%}
    {%- if start_month < 1 or start_month > 12 -%}
        {{ exceptions.raise_compiler_error("var fiscal_year_start_month must be 1-12, got " ~ start_month) }}
    {%- endif -%}
    {%- set first_calendar_year = 1970 + (1 if start_month > 1 else 0) -%}
    {%- set months -%}
        (cast({{ fiscal_year }} as {{ dbt.type_bigint() }}) - {{ first_calendar_year }}) * 12
        + {{ start_month - 1 }}
        + 3 * (cast({{ fiscal_quarter }} as {{ dbt.type_bigint() }}) - 1)
    {%- endset -%}
    cast({{ dbt.dateadd('month', months, "cast('1970-01-01' as date)") }} as date)
{%- endmacro %}
