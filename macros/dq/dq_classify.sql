{% macro dq_classify(relation, key_columns, loaded_at, deleted=none, rules=[], single_delivery=false) -%}
    {#-
        Classify every raw row of `relation` (a CTE of renamed, typed columns) for staging:

        1. quarantined: the key is missing (NULL or blank, blanks already NULLed by the caller)
           or one of `rules` — (sql condition, reason code) pairs, first match wins — holds;
        2. duplicate: an older delivery of a key (re-delivery by the loader); the latest by
           `loaded_at` wins;
        3. soft_deleted: the latest delivery of a key carries the delete flag `deleted`;
        4. staged: everything else, exactly one row per key.

        Adds `_dq_reason` (quarantine reason code, else NULL), `_dq_version` (1 for the latest
        delivery of a key, 2 for the one before…, counted separately for quarantined and other
        rows; NULL for a row without a key, which is no version of anything) and `_dq_status`.

        `single_delivery=true`: the caller guarantees that every key of `relation` has exactly
        one row (dq_split_by_delivery's `source_once`), so `_dq_version` is 1 without the dedupe window.

        `relation` carries `_dq_raw_values` (dq_raw_values) and `_dq_raw_key` (the key as
        delivered); both are kept for quarantined rows only (dq_raw_for_quarantined_rows): every
        other row is staged or a duplicate of a staged key, and writing the raw row again as text
        for each of them was most of the cost of the materialised base models.
    -#}
    select {{ dq_raw_for_quarantined_rows() }}
    from (
        select
            *,
            case
                when _dq_reason is not null then 'quarantined'
                when _dq_version > 1 then 'duplicate'
                {%- if deleted %}
                when coalesce({{ deleted }}, false) then 'soft_deleted'
                {%- endif %}
                else 'staged'
            end as _dq_status
        from (
            select
                *,
                case
                    when {% for key in key_columns %}{{ key }} is null{% if not loop.last %} or {% endif %}{% endfor %}
                        then null
                {%- if single_delivery %}
                    else cast(1 as {{ dbt.type_bigint() }})
                {%- else %}
                    else row_number() over (
                        partition by
                            case when _dq_reason is null then 0 else 1 end,
                            {{ key_columns | join(', ') }}
                        order by {{ loaded_at }} desc
                    )
                {%- endif %}
                end as _dq_version
            from (
                select
                    *,
                    case
                        when {% for key in key_columns %}{{ key }} is null{% if not loop.last %} or {% endif %}{% endfor %}
                            then 'missing_primary_key'
                        {%- for rule in rules %}
                        when {{ rule[0] }} then '{{ rule[1] }}'
                        {%- endfor %}
                    end as _dq_reason
                from {{ relation }}
            ) as with_reason
        ) as versioned
    ) as classified
{%- endmacro %}


{% macro dq_raw_for_quarantined_rows() -%}
    {#-
        The select list of dq_classify's last step: every column, with `_dq_raw_values` and
        `_dq_raw_key` NULL unless the row is quarantined. DuckDB replaces the two columns in
        place (`* replace`); Spark has no REPLACE, so they are dropped (`* except`) and appended.
    -#}
    {{ return(adapter.dispatch('dq_raw_for_quarantined_rows', 'gtm_warehouse')()) }}
{%- endmacro %}

{% macro default__dq_raw_for_quarantined_rows() -%}
    * replace (
        case when _dq_status = 'quarantined' then _dq_raw_values end as _dq_raw_values,
        case when _dq_status = 'quarantined' then _dq_raw_key end as _dq_raw_key
    )
{%- endmacro %}

{% macro spark__dq_raw_for_quarantined_rows() -%}
    * except (_dq_raw_values, _dq_raw_key),
    case when _dq_status = 'quarantined' then _dq_raw_values end as _dq_raw_values,
    case when _dq_status = 'quarantined' then _dq_raw_key end as _dq_raw_key
{%- endmacro %}


{% macro dq_raw_values(source_name, table_name, when=none) -%}
    {#-
        The raw row as text (`column=value; ...`, contract columns only), kept for quarantined
        rows. With `when` (a condition on the raw columns that holds for every row the base
        model quarantines), the text is built for those rows only and is NULL for the others:
        the event streams (Segment pages, tracks and identifies, HubSpot email events) then never
        build it for the rows they stage. dq_classify keeps it (and `_dq_raw_key`) on quarantined
        rows only either way; the singular test assert_dq_raw_kept_for_quarantined_rows_only
        checks every base model.
    -#}
    {%- set parts = [] -%}
    {%- for column in raw_contract()[source_name][table_name] -%}
        {%- do parts.append("'" ~ column[0] ~ "='") -%}
        {%- do parts.append("coalesce(cast(" ~ adapter.quote(column[0]) ~ " as " ~ dbt.type_string() ~ "), 'NULL')") -%}
        {%- if not loop.last -%}{%- do parts.append("'; '") -%}{%- endif -%}
    {%- endfor -%}
    {%- if when is none -%}
        {{ dbt.concat(parts) }}
    {%- else -%}
        case when {{ when }} then {{ dbt.concat(parts) }} end
    {%- endif -%}
{%- endmacro %}


{% macro dq_source_rows(source_name, table_name, raw_key, raw_loaded_at, key, loaded_at) -%}
    {#-
        The raw rows a base model classifies, as a query: every row of the raw table on a full
        build; on an incremental run only those it (re)classifies. `raw_key` / `raw_loaded_at`
        are the key and load time as expressions over the raw columns, `key` / `loaded_at` the
        base model's columns for them.

        - rows loaded after the latest load time already classified (new deliveries, late
          events included: a late event has a late load time). Load times must grow with every
          load, as the loaders' batch stamps (uuid_ts, _fivetran_synced) do;
        - every other delivery of those rows' keys: a re-delivery turns the row already
          classified into a duplicate. Those are looked up only for the new keys the table
          already holds (every raw row loaded before is in it, under its key), so when no new
          row repeats a key the raw table is read once, for the new load times: its older rows
          are not scanned at all (at `large`, base_segment__pages' incremental query 10.0 -> 2.0 CPU s;
          DuckDB skips the probe side of a semi join whose build side is empty);
        - the rows of keys quarantined for a future timestamp: the cutoff moves with
          as_of_date and today, so they may be valid now.

        The two branches are disjoint (the second takes only rows not newer than the latest
        load time). With delete+insert on `key`, each of those keys is replaced by the
        classification of all its rows, which is what a full refresh gives. A raw row without a
        load time is never picked up incrementally, nor are the other deliveries of its key:
        dq_source_reconciliation then counts it unaccounted and its test fails, and a full
        refresh classifies it.
    -#}
    {%- set source = gtm_source(source_name, table_name) -%}
    {%- if not is_incremental() -%}
    select * from {{ source }}
    {%- else -%}
    {%- set latest -%}
        (select max(existing.{{ loaded_at }}) from {{ this }} as existing)
    {%- endset -%}
    select * from {{ source }}
    where {{ raw_loaded_at }} > {{ latest }}

    union all

    select * from {{ source }}
    where
        ({{ raw_loaded_at }} <= {{ latest }} or {{ raw_loaded_at }} is null)
        and {{ raw_key }} in (
            select new_rows._dq_new_key
            from (
                select {{ raw_key }} as _dq_new_key
                from {{ source }}
                where {{ raw_loaded_at }} > {{ latest }}
            ) as new_rows
            where new_rows._dq_new_key in (select existing.{{ key }} from {{ this }} as existing)
            union all
            select existing.{{ key }} from {{ this }} as existing
            where existing._dq_reason = 'future_timestamp'
        )
    {%- endif -%}
{%- endmacro %}


{% macro dq_split_by_delivery(source_name, table_name, raw_key, raw_loaded_at, key, loaded_at) -%}
    {#-
        Three CTEs splitting the raw rows of a large table (on an incremental run only those
        dq_source_rows selects, in a fourth CTE, `incremental_rows`, read once) by how
        often their key was delivered:

        - `redelivered_keys`: the 64-bit hashes (key_hash, column value_hash; repeated_hashes) of
          the keys with more than one row;
        - `source_once`: the rows of every other key, which dq_classify classifies with
          `single_delivery=true`, without the dedupe window;
        - `source_again`: the rows of the redelivered keys, the dedupe window's input (rows
          without a key share one hash, so two or more of them land here; either way their
          `_dq_version` is NULL and they are quarantined).

        Re-deliveries are rare, so the window sorts a handful of rows instead of the whole
        table. A hash collision only sends a key through the window needlessly. The caller
        types both halves the same way and unions the classified rows.
    -#}
    {%- set rows = 'incremental_rows' if is_incremental() else gtm_source(source_name, table_name) -%}
{%- if is_incremental() %}
-- the raw rows this run classifies, selected once: the three CTEs below read them, and DuckDB
-- materialises a CTE read more than once (selecting them in each would test every raw row's
-- key against the run's keys three times)
incremental_rows as (

    {{ dq_source_rows(source_name, table_name, raw_key, raw_loaded_at, key, loaded_at) }}

),
{% endif %}
{{ repeated_hashes('redelivered_keys', rows, raw_key) }},

source_once as (

    select * from {{ rows }}
    where {{ key_hash(raw_key) }} not in (select redelivered_keys.value_hash from redelivered_keys)

),

source_again as (

    select * from {{ rows }}
    where {{ key_hash(raw_key) }} in (select redelivered_keys.value_hash from redelivered_keys)

)
{%- endmacro %}


{% macro future_cutoff() -%}
    {#- Timestamps after this are impossible: later of as_of_date and today, plus max_future_days. -#}
    {{ dbt.dateadd(
        'day',
        var('max_future_days', 30),
        "greatest(cast('" ~ as_of_date() ~ "' as " ~ dbt.type_timestamp() ~ "), cast(current_date as " ~ dbt.type_timestamp() ~ "))"
    ) }}
{%- endmacro %}
