{% macro funnel_milestones() -%}
    {#- The KPIS.md funnel milestones in order (each a `<name>_at` column of the journey marts). -#}
    {{ return(['first_touch', 'lead_created', 'mql', 'sal', 'sql', 'opportunity_created', 'proposal', 'won']) }}
{%- endmacro %}


{% macro ordered_milestone_columns(relation_alias) -%}
    {#-
        `<milestone>_at` for every funnel milestone of `relation_alias`, which has `<milestone>_raw`
        columns: its own time, or the earliest later milestone's when that is earlier, so
        milestones never go backwards (least() skips NULLs on every engine the project runs on).
    -#}
    {%- set milestones = funnel_milestones() %}
    {%- for milestone in milestones %}
        case
            when {{ relation_alias }}.{{ milestone }}_raw is not null
            {%- if loop.last %}
                then {{ relation_alias }}.{{ milestone }}_raw  {#- least() of one argument: an error on Spark #}
            {%- else %}
                then least(
                    {%- for other in milestones[loop.index0:] %}
                    {{ relation_alias }}.{{ other }}_raw{{ ',' if not loop.last }}
                    {%- endfor %}
                )
            {%- endif %}
        end as {{ milestone }}_at{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{% macro journey_progress_columns(relation_alias) -%}
    {#-
        From the ordered `<milestone>_at` columns of `relation_alias`: `reached_<milestone>` (that
        milestone or a later one has a time), `stage_reached` (the furthest stage) and
        `days_<milestone>_to_<next milestone>` (both reached). Ends without a trailing comma.
    -#}
    {%- set milestones = funnel_milestones() %}
    {%- for milestone in milestones %}
        (
            {%- for other in milestones[loop.index0:] %}
            {{ relation_alias }}.{{ other }}_at is not null{{ ' or' if not loop.last }}
            {%- endfor %}
        ) as reached_{{ milestone }},
    {%- endfor %}
        case
            when {{ relation_alias }}.won_at is not null then 'won'
            when {{ relation_alias }}.proposal_at is not null then 'proposal'
            when {{ relation_alias }}.opportunity_created_at is not null then 'opportunity'
            when {{ relation_alias }}.sql_at is not null then 'sql'
            when {{ relation_alias }}.sal_at is not null then 'sal'
            when {{ relation_alias }}.mql_at is not null then 'mql'
            else 'lead'
        end as stage_reached,
    {%- for milestone in milestones[1:] %}
        {{ days_between(relation_alias ~ '.' ~ milestones[loop.index0] ~ '_at', relation_alias ~ '.' ~ milestone ~ '_at') }}
            as days_{{ milestones[loop.index0] }}_to_{{ milestone }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
