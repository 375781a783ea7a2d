-- One row per marketing touch of a person that an engagement rule of lead_scoring_rules matches
-- (signal = touch type, match_pattern on the lower-cased touch_detail; the rule with the most
-- points wins), with the person's score right after it: fit points + the engagement points of
-- the touches of the last `score_decay_days` days (older points have decayed away).
{#- duckdb_uncompressed_columns: unique hashes / ids, and other ids and keys of tens of thousands
    of values or more (person, account, identifier, email), stored uncompressed on DuckDB (macro
    duckdb__create_table_as; picked by measuring, BENCHMARKS.md) -#}
{{ config(
    meta={'duckdb_uncompressed_columns': ['touchpoint_id', 'person_id']},
) }}
{%- set decay_microseconds = var('score_decay_days') | int * 86400 * 1000000 %}
with

touches as (

    select * from {{ ref('fct_touchpoints') }}
    where touch_category = 'marketing' and person_id is not null

),

-- the engagement rules, best first: most points, then rule_id (a touch counts its best match)
rules as (

    select
        rule_id,
        signal,
        match_pattern,
        points,
        row_number() over (order by points desc, rule_id asc) as rule_rank
    from {{ ref('lead_scoring_rules') }}
    where dimension = 'engagement'

),

fit as (

    select
        person_id,
        cast(sum(points) as {{ dbt.type_bigint() }}) as fit_score
    from {{ ref('int_lead_score_fit') }}
    group by person_id

),

-- the best rule each touch matches: the smallest rank of its matches (one aggregate, not a
-- window over every match), then that rule's id and points
matched as (

    select
        touches.touchpoint_id,
        touches.person_id,
        touches.touched_at,
        touches.touch_type,
        min(rules.rule_rank) as rule_rank
    from touches
    inner join rules
        on
            touches.touch_type = rules.signal
            and (rules.match_pattern is null or lower(coalesce(touches.touch_detail, '')) like rules.match_pattern)
    group by touches.touchpoint_id, touches.person_id, touches.touched_at, touches.touch_type

),

scored as (

    select
        matched.touchpoint_id,
        matched.person_id,
        matched.touched_at,
        matched.touch_type,
        rules.rule_id,
        rules.points,
        {{ epoch_microseconds('matched.touched_at') }} as touched_at_us
    from matched
    inner join rules
        on matched.rule_rank = rules.rule_rank

),

-- the engagement score once (one window), then the person's fit added to it
windowed as (

    select
        scored.touchpoint_id,
        scored.person_id,
        scored.touched_at,
        scored.touch_type,
        scored.rule_id,
        scored.points,
        cast(sum(scored.points) over (
            partition by scored.person_id
            order by scored.touched_at_us
            range between {{ decay_microseconds }} preceding and current row
        ) as {{ dbt.type_bigint() }}) as engagement_score
    from scored

),

final as (

    select
        windowed.touchpoint_id,
        windowed.person_id,
        windowed.touched_at,
        windowed.touch_type,
        windowed.rule_id,
        windowed.points,
        windowed.engagement_score,
        coalesce(fit.fit_score, 0) + windowed.engagement_score as score
    from windowed
    left join fit
        on windowed.person_id = fit.person_id

)

select * from final
