{#-
    Aggregates that pick a value from one row of the group, chosen by an ordering over one or
    more expressions, instead of a row_number() window and a filter on rank 1: one hash
    aggregate, no sort of the rows within each partition. Engine-specific SQL is dispatched.
    Not always faster: a multi-expression ordering costs more per row than a scalar (DuckDB
    compares its sort key, Spark a struct); with many values picked per group, or groups of one
    or two rows, the window can win (BENCHMARKS.md, "windows that pick one row become
    aggregates"). Measure.
-#}

{% macro value_at_min(value_expression, order_expressions, where=none) -%}
    {#-
        Aggregate: `value_expression` of the row with the smallest ordering, the ordering being
        the expressions of `order_expressions` compared in turn (a list, or one expression).
        The ordering must be unique within the group for a deterministic result. The value is
        returned as it is in that row, NULL included. `where`: a condition; rows failing it
        are ignored (NULL when no row passes). Rows whose ordering is NULL are ignored.
    -#}
    {{ return(adapter.dispatch('value_at_min', 'gtm_warehouse')(value_expression, order_expressions, where, 'min')) }}
{%- endmacro %}

{% macro value_at_max(value_expression, order_expressions, where=none) -%}
    {#- As value_at_min, for the row with the largest ordering. -#}
    {{ return(adapter.dispatch('value_at_min', 'gtm_warehouse')(value_expression, order_expressions, where, 'max')) }}
{%- endmacro %}

{#- the ordering as one value: the expression itself, or the expressions combined by
    `combine` ('struct': struct(e1, e2, ...); 'sort_key': DuckDB's create_sort_key, NULLs last) -#}
{% macro _value_at_ordering(order_expressions, where, combine) -%}
    {%- set expressions = [order_expressions] if order_expressions is string else order_expressions -%}
    {%- if expressions | length == 1 -%}
        {%- set ordering = expressions[0] -%}
    {%- elif combine == 'sort_key' -%}
        {%- set keyed = [] -%}
        {%- for expression in expressions -%}
            {%- do keyed.append(expression ~ ", 'ASC NULLS LAST'") -%}
        {%- endfor -%}
        {%- set ordering = 'create_sort_key(' ~ keyed | join(', ') ~ ')' -%}
    {%- else -%}
        {%- set ordering = combine ~ '(' ~ expressions | join(', ') ~ ')' -%}
    {%- endif -%}
    {%- if where is not none -%}
        case when {{ where }} then {{ ordering }} end
    {%- else -%}
        {{ ordering }}
    {%- endif -%}
{%- endmacro %}

{% macro default__value_at_min(value_expression, order_expressions, where, direction) -%}
    {{ direction }}_by({{ value_expression }}, {{ _value_at_ordering(order_expressions, where, 'struct') }})
{%- endmacro %}

{#- DuckDB's arg_min / arg_max skip rows whose value is NULL; the _null variants keep them. A
    multi-expression ordering is compared as its sort key (one byte string, compared with
    memcmp), the same order as a row() of the expressions with NULL fields last, at a lower
    cost per row (BENCHMARKS.md, nineteenth session: "picks by sort key") -#}
{% macro duckdb__value_at_min(value_expression, order_expressions, where, direction) -%}
    arg_{{ direction }}_null({{ value_expression }}, {{ _value_at_ordering(order_expressions, where, 'sort_key') }})
{%- endmacro %}
