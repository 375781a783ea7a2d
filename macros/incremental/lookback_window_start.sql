{#-
    The start of an incremental run's window: var incremental_lookback_days (default 3) before
    `latest` (an aggregate over the rows built, e.g. max(existing.ended_at)); 1900-01-01 when
    nothing is built yet (an empty table after `dbt build --empty`), so every row is in the
    window. Late events arrive inside it.
-#}
{% macro lookback_window_start(latest) -%}
    coalesce(
        {{ dbt.dateadd('day', -1 * var('incremental_lookback_days', 3), latest) }},
        cast('1900-01-01 00:00:00' as {{ dbt.type_timestamp() }})
    )
{%- endmacro %}
