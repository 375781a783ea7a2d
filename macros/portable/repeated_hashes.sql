{% macro repeated_hashes(name, relation, hash_arguments, where=none) -%}
    {#-
        CTEs ending in one named `name`, whose column value_hash holds each key_hash of
        `hash_arguments` (one expression, or several separated by commas, hashed together)
        that occurs in more than one row of `relation` (rows failing `where` left out). For
        `in` / `not in` look-ups only: a hash may be listed more than once. Engine-specific
        SQL is dispatched.
    -#}
    {{ return(adapter.dispatch('repeated_hashes', 'gtm_warehouse')(name, relation, hash_arguments, where)) }}
{%- endmacro %}

{#- One group by: a window without partitions would run on one Spark worker -#}
{% macro default__repeated_hashes(name, relation, hash_arguments, where) -%}
{{ name }} as (

    select {{ key_hash(hash_arguments) }} as value_hash
    from {{ relation }}
    {%- if where is not none %}
    where {{ where }}
    {%- endif %}
    group by {{ key_hash(hash_arguments) }}
    having count(*) > 1

)
{%- endmacro %}

{#-
    DuckDB sorts the hashes and compares each with the one before it: about twice as fast as a
    group by with one hash table entry per distinct value (53.7M page view ids at `large`:
    17.4 -> 8.2 CPU s).
-#}
{% macro duckdb__repeated_hashes(name, relation, hash_arguments, where) -%}
{{ name }}__hashes as (

    select {{ key_hash(hash_arguments) }} as value_hash
    from {{ relation }}
    {%- if where is not none %}
    where {{ where }}
    {%- endif %}

),

-- sorted, a repeated hash sits right after another copy of itself
{{ name }}__sorted as (

    select
        value_hash,
        lag(value_hash) over (order by value_hash) as previous_hash
    from {{ name }}__hashes

),

{{ name }} as (

    select value_hash
    from {{ name }}__sorted
    where value_hash = previous_hash

)
{%- endmacro %}
