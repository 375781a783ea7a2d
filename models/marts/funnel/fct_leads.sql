-- One row per lead: a person who entered the funnel (became known: form fill, identify, list
-- import, CRM lead or contact). Beside the warehouse's milestones (KPIS.md) it keeps the MAP's own
-- MQL date and the CRM's lead status, so both definitions can be compared.
{#- duckdb_uncompressed_columns: unique hashes / ids, and other ids and keys of tens of thousands
    of values or more (person, account, identifier, email), stored uncompressed on DuckDB (macro
    duckdb__create_table_as; picked by measuring, BENCHMARKS.md) -#}
{{ config(
    meta={'duckdb_uncompressed_columns': ['lead_id', 'person_id', 'account_id']},
) }}
{%- set threshold = var('mql_score_threshold') %}
{%- set decay_microseconds = var('score_decay_days') | int * 86400 * 1000000 %}
{%- set sla_hours = var('lead_sla_hours') %}
{%- set as_of_end = dbt.dateadd('day', 1, "cast('" ~ as_of_date() ~ "' as " ~ dbt.type_timestamp() ~ ")") %}
with

milestones as (

    select * from {{ ref('int_people_milestones') }}

),

people as (

    select * from {{ ref('dim_people') }}

),

score_events as (

    select * from {{ ref('int_lead_score_events') }}

),

fit as (

    select
        person_id,
        cast(sum(points) as {{ dbt.type_bigint() }}) as fit_score
    from {{ ref('int_lead_score_fit') }}
    group by person_id

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

bands as (

    select * from {{ ref('lead_score_bands') }}

),

sales_touches as (

    select * from {{ ref('fct_touchpoints') }}
    where touch_category = 'sales' and person_id is not null

),

leads as (

    select
        milestones.*,
        coalesce(fit.fit_score, 0) as fit_score
    from milestones
    left join fit
        on milestones.person_id = fit.person_id
    where milestones.lead_created_at is not null

),

-- the first moment the score reaches the threshold: a scoring touch, or lead creation when fit alone does
crossings as (

    select
        person_id,
        min(touched_at) as crossed_at
    from score_events
    where score >= {{ threshold }}
    group by person_id

),

peaks as (

    select
        person_id,
        max(score) as peak_score
    from score_events
    group by person_id

),

with_mql as (

    select
        leads.*,
        case
            when leads.fit_score >= {{ threshold }} then leads.lead_created_at
            when crossings.crossed_at < leads.lead_created_at then leads.lead_created_at
            else crossings.crossed_at
        end as mql_at,
        case
            when peaks.peak_score > leads.fit_score then peaks.peak_score
            else leads.fit_score
        end as peak_score,
        case
            when leads.qualified_at is null then leads.converted_at
            when leads.converted_at is null then leads.qualified_at
            when leads.qualified_at < leads.converted_at then leads.qualified_at
            else leads.converted_at
        end as qualified_or_converted_at
    from leads
    left join crossings
        on leads.person_id = crossings.person_id
    left join peaks
        on leads.person_id = peaks.person_id

),

with_sql as (

    select
        with_mql.*,
        with_mql.qualified_or_converted_at as sql_at,
        case
            when with_mql.first_sales_activity_at is null then with_mql.left_open_at
            when with_mql.left_open_at < with_mql.first_sales_activity_at then with_mql.left_open_at
            else with_mql.first_sales_activity_at
        end as sal_at
    from with_mql

),

-- the score at a moment: fit + engagement points of the touches in the decay window before it
score_points as (

    select
        with_sql.person_id,
        cast(sum(
            case
                when score_events.touched_at <= with_sql.mql_at
                    and {{ epoch_microseconds('score_events.touched_at') }}
                    > {{ epoch_microseconds('with_sql.mql_at') }} - {{ decay_microseconds }}
                    then score_events.points
                else 0
            end
        ) as {{ dbt.type_bigint() }}) as engagement_at_mql,
        cast(sum(
            case
                when score_events.touched_at <= with_sql.sql_at
                    and {{ epoch_microseconds('score_events.touched_at') }}
                    > {{ epoch_microseconds('with_sql.sql_at') }} - {{ decay_microseconds }}
                    then score_events.points
                else 0
            end
        ) as {{ dbt.type_bigint() }}) as engagement_at_sql,
        cast(sum(
            case
                when {{ epoch_microseconds('score_events.touched_at') }}
                    > {{ epoch_microseconds(as_of_end) }} - {{ decay_microseconds }}
                    then score_events.points
                else 0
            end
        ) as {{ dbt.type_bigint() }}) as engagement_now
    from with_sql
    inner join score_events
        on with_sql.person_id = score_events.person_id
    group by with_sql.person_id

),

first_activity_after_mql as (

    select
        with_sql.person_id,
        min(sales_touches.touched_at) as first_activity_after_mql_at
    from with_sql
    inner join sales_touches
        on
            with_sql.person_id = sales_touches.person_id
            and with_sql.mql_at <= sales_touches.touched_at
    group by with_sql.person_id

),

scored as (

    select
        with_sql.*,
        first_activity_after_mql.first_activity_after_mql_at,
        case
            when with_sql.mql_at is not null
                then with_sql.fit_score + coalesce(score_points.engagement_at_mql, 0)
        end as score_at_mql,
        case
            when with_sql.sql_at is not null
                then with_sql.fit_score + coalesce(score_points.engagement_at_sql, 0)
        end as score_at_sql,
        with_sql.fit_score + coalesce(score_points.engagement_now, 0) as score_now,
        cast(
            {{ epoch_microseconds('first_activity_after_mql.first_activity_after_mql_at') }}
            - {{ epoch_microseconds('with_sql.mql_at') }} as double
        ) / 3600000000.0 as speed_to_lead_hours
    from with_sql
    left join score_points
        on with_sql.person_id = score_points.person_id
    left join first_activity_after_mql
        on with_sql.person_id = first_activity_after_mql.person_id

),

banded as (

    select
        scored.person_id,
        bands.band,
        row_number() over (partition by scored.person_id order by bands.min_score desc) as band_rank
    from scored
    inner join bands
        on scored.peak_score >= bands.min_score

),

final as (

    select
        scored.person_id as lead_id,
        scored.person_id,
        scored.account_id,
        scored.salesforce_lead_id,
        scored.lead_source,
        scored.lead_channel,
        scored.lead_touch_type,
        scored.first_touch_channel,
        scored.lead_created_at,
        scored.mql_at,
        scored.map_mql_at,
        scored.map_lifecycle_stage,
        scored.crm_lead_status,
        scored.sal_at,
        scored.sql_at,
        scored.unqualified_at as disqualified_at,
        scored.unqualified_reason as disqualification_reason,
        scored.converted_at,
        scored.converted_opportunity_id,
        scored.fit_score,
        scored.score_at_mql,
        scored.score_at_sql,
        scored.score_now,
        scored.peak_score,
        banded.band as score_band,
        people.owner_id,
        scored.first_sales_activity_at,
        scored.first_activity_after_mql_at,
        scored.speed_to_lead_hours,
        scored.converted_at is not null as is_converted,
        coalesce(converted_opportunities.is_won, false) as is_won,
        coalesce(
            scored.mql_at is not null
            and (
                scored.speed_to_lead_hours > {{ sla_hours }}
                or (
                    scored.first_activity_after_mql_at is null
                    and {{ epoch_microseconds(as_of_end) }} - {{ epoch_microseconds('scored.mql_at') }}
                    > {{ sla_hours }} * 3600000000
                )
            ),
            false
        ) as is_sla_breached
    from scored
    left join banded
        on
            scored.person_id = banded.person_id
            and banded.band_rank = 1
    left join people
        on scored.person_id = people.person_id
    left join opportunities as converted_opportunities
        on scored.converted_opportunity_id = converted_opportunities.opportunity_id

)

select * from final
