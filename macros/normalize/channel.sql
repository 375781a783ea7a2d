{% macro channel_from_rules(utm_medium, utm_source, referrer) -%}
    {#-
        The channel of a visit from its UTM medium/source and referrer, by the rules of the
        `channel_rules` seed: the rule with the lowest priority whose non-empty patterns all
        match (SQL LIKE on lower-cased values) wins; nothing tagged and no referrer is direct.
        The CASE is generated from the seed when the model runs, so editing the seed and
        rebuilding changes the classification. Each input must already be lower-cased, with
        NULL as '' (channel_rule_input): the rules test each input many times, and lower-casing
        it once beforehand halves the cost at `large`. Pass '' as the referrer of internal
        navigation.
    -#}
    {%- do ref('channel_rules') -%}  {#- outside `execute` so dbt records the dependency -#}
    {%- if execute -%}
        {%- set rules = run_query(
            "select priority, utm_medium_pattern, utm_source_pattern, referrer_pattern, channel from "
            ~ seed_relation('channel_rules') ~ " order by priority"
        ) -%}
        case
        {%- for rule in rules.rows %}
            {%- set conditions = [] -%}
            {%- for expression, pattern in [(utm_medium, rule[1]), (utm_source, rule[2]), (referrer, rule[3])] -%}
                {%- if pattern is not none and pattern | string | trim != '' -%}
                    {%- do conditions.append(expression ~ " like '" ~ (pattern | string | lower | replace("'", "''")) ~ "'") -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if conditions | length == 0 -%}
                {{ exceptions.raise_compiler_error("channel_rules: rule with priority " ~ rule[0] ~ " has no pattern") }}
            {%- endif %}
            when {{ conditions | join(' and ') }} then '{{ rule[4] }}'
        {%- endfor %}
            else 'direct'
        end
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}


{% macro channel_rule_input(expression) -%}
    {#- An input of channel_from_rules: the value lower-cased, NULL as ''. -#}
    lower(coalesce({{ expression }}, ''))
{%- endmacro %}


{% macro channel_from_mapping(system, field, expression) -%}
    {#- The channel a CRM / marketing-automation value maps to in the `channel_mapping` seed (NULL when unmapped). -#}
    {%- do ref('channel_mapping') -%}
    {%- if execute -%}
        {%- set rows = run_query(
            "select value, channel from " ~ seed_relation('channel_mapping')
            ~ " where system = '" ~ system ~ "' and field = '" ~ field ~ "'"
        ) -%}
        case {{ expression }}
        {%- for row in rows.rows %}
            when '{{ row[0] | replace("'", "''") }}' then '{{ row[1] }}'
        {%- endfor %}
        end
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}


{% macro seed_relation(seed_name) -%}
    {#-
        The built relation of a project seed, read from the graph rather than through ref(), so
        rules are read from the real seed table even inside a unit test (where ref() points to a
        fixture CTE that run_query cannot see). Only for use inside `execute`.
    -#}
    {%- set nodes = graph.get('nodes', {}) if graph is mapping else {} -%}
    {%- set node = nodes.get('seed.' ~ project_name ~ '.' ~ seed_name) -%}
    {%- if node is not none -%}
        {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endif -%}
    {#- some unit-test renderings carry no graph: seeds land in the `seeds` schema (dbt_project.yml).
        target.get: Spark targets have no database (schema.table only). -#}
    {{ return(api.Relation.create(database=target.get('database'), schema=generate_schema_name('seeds', none), identifier=seed_name)) }}
{%- endmacro %}


{% macro kpi_channel_rows(channels) -%}
    {#-
        The channel rows of a KPI table's spine, selected from `channels` (dim_channels, or a CTE
        over it): every channel with its paid flag, then 'unknown' (facts without a channel; not
        paid) and 'all' (the total row; the paid flag does not apply). A union, for a CTE body.
    -#}
    select
        {{ channels }}.channel,
        {{ channels }}.is_paid as is_paid_channel
    from {{ channels }}
    union all
    select
        'unknown' as channel,
        false as is_paid_channel
    union all
    select
        'all' as channel,
        cast(null as boolean) as is_paid_channel
{%- endmacro %}
