-- One row per marketing touch of a person that an engagement rule of lead_scoring_rules matches
-- (signal = touch type, match_pattern on the lower-cased touch_detail; the rule with the most
-- points wins), with the person's score right after it: fit points + the engagement points of
-- the touches of the last `score_decay_days` days (older points have decayed away).
{%- set decay_microseconds = var('score_decay_days') | int * 86400 * 1000000 %}
with

touches as (

    select * from {{ ref('fct_touchpoints') }}
    where touch_category = 'marketing' and person_id is not null

),

rules as (

    select * from {{ ref('lead_scoring_rules') }}
    where dimension = 'engagement'

),

fit as (

    select
        person_id,
        cast(sum(points) as {{ dbt.type_bigint() }}) as fit_score
    from {{ ref('int_lead_score_fit') }}
    group by person_id

),

matched as (

    select
        touches.touchpoint_id,
        touches.person_id,
        touches.touched_at,
        touches.touch_type,
        rules.rule_id,
        rules.points,
        row_number() over (
            partition by touches.touchpoint_id
            order by rules.points desc, rules.rule_id asc
        ) as match_rank
    from touches
    inner join rules
        on
            touches.touch_type = rules.signal
            and (rules.match_pattern is null or lower(coalesce(touches.touch_detail, '')) like rules.match_pattern)

),

scored as (

    select
        touchpoint_id,
        person_id,
        touched_at,
        touch_type,
        rule_id,
        points,
        {{ epoch_microseconds('touched_at') }} as touched_at_us
    from matched
    where match_rank = 1

),

final as (

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
        ) as {{ dbt.type_bigint() }}) as engagement_score,
        coalesce(fit.fit_score, 0) + cast(sum(scored.points) over (
            partition by scored.person_id
            order by scored.touched_at_us
            range between {{ decay_microseconds }} preceding and current row
        ) as {{ dbt.type_bigint() }}) as score
    from scored
    left join fit
        on scored.person_id = fit.person_id

)

select * from final
