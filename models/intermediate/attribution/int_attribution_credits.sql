-- noqa: disable=LT02
-- One row per opportunity × eligible touch with its place in the opportunity's path and its credit
-- under each attribution model (KPIS.md "Attribution"; rules in the attribution_rules doc):
--   eligible      marketing touches (fct_touchpoints.touch_category = 'marketing') of any person of
--                 the opportunity's account, at or after creation − attribution_window_days and
--                 strictly before the opportunity was created
--   order         touched_at, then var attribution_touch_type_order, then touchpoint_id
--   anchors       first touch; lead-creation touch (the opportunity's lead's latest eligible touch at
--                 or before the lead was created); opportunity-creation touch (the last eligible touch)
--   position      first touch, last touch, linear, U- and W-shaped: weights per anchor from the seed
--                 attribution_model_weights, merged when anchors share a touch, renormalised
--   time decay    2^(−days before creation / attribution_half_life_days), normalised
-- Opportunities without an eligible touch have no row here; fct_attribution adds them.
{#- duckdb_uncompressed_columns: unique hashes / ids, and other ids and keys of tens of thousands
    of values or more (person, account, identifier, email), stored uncompressed on DuckDB (macro
    duckdb__create_table_as; picked by measuring, BENCHMARKS.md) -#}
{{ config(
    meta={'duckdb_uncompressed_columns': ['touchpoint_id']},
) }}
{%- set window_days = var('attribution_window_days') | int %}
{%- set half_life_days = var('attribution_half_life_days') %}
{%- set touch_type_order = var('attribution_touch_type_order') %}
{%- set position_models = ['first_touch', 'last_touch', 'linear', 'u_shaped', 'w_shaped'] %}
{%- set anchors = {
    'first_touch': 'is_first_touch',
    'lead_creation_touch': 'is_lead_creation_touch',
    'opportunity_creation_touch': 'is_opportunity_creation_touch',
} %}
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),

milestones as (

    select * from {{ ref('int_people_milestones') }}

),

model_weights as (

    select * from {{ ref('attribution_model_weights') }}

),

-- the weights as one row: <model>__<anchor>, 0 where the seed has no row
weights as (

    select
        {%- for model in position_models %}
            {%- set last_model = loop.last %}
            {%- for anchor in ['first_touch', 'lead_creation_touch', 'opportunity_creation_touch', 'other'] %}
        coalesce(
            sum(case when attribution_model = '{{ model }}' and anchor = '{{ anchor }}' then weight end), 0
        ) as {{ model }}__{{ anchor }}{{ ',' if not (loop.last and last_model) }}
            {%- endfor %}
        {%- endfor %}
    from model_weights

),

marketing_touches as (

    select
        touchpoint_id,
        touch_type,
        touched_at,
        person_id,
        account_id,
        channel,
        campaign_id,
        case touch_type
            {%- for touch_type in touch_type_order %}
            when '{{ touch_type }}' then {{ loop.index }}
            {%- endfor %}
            else {{ touch_type_order | length + 1 }}
        end as touch_type_rank
    from touchpoints
    where
        touch_category = 'marketing'
        and account_id is not null

),

opportunity_accounts as (

    select
        opportunity_id,
        account_id,
        person_id,
        created_at
    from opportunities
    where account_id is not null

),

-- the opportunity's lead: the person whose CRM lead converted into it; else the account's person
-- whose lead was created last at or before the opportunity
converted_leads as (

    select
        opportunity_accounts.opportunity_id,
        milestones.person_id as lead_person_id,
        milestones.lead_created_at
    from opportunity_accounts
    inner join milestones
        on opportunity_accounts.person_id = milestones.person_id
    where milestones.lead_created_at is not null

),

account_leads as (

    select
        opportunity_accounts.opportunity_id,
        milestones.person_id as lead_person_id,
        milestones.lead_created_at,
        row_number() over (
            partition by opportunity_accounts.opportunity_id
            order by milestones.lead_created_at desc, milestones.person_id asc
        ) as lead_rank
    from opportunity_accounts
    left join converted_leads
        on opportunity_accounts.opportunity_id = converted_leads.opportunity_id
    inner join milestones
        on
            opportunity_accounts.account_id = milestones.account_id
            and opportunity_accounts.created_at >= milestones.lead_created_at
    where converted_leads.opportunity_id is null

),

opportunity_leads as (

    select
        opportunity_id,
        lead_person_id,
        lead_created_at
    from converted_leads

    union all

    select
        opportunity_id,
        lead_person_id,
        lead_created_at
    from account_leads
    where lead_rank = 1

),

eligible as (

    select
        opportunity_accounts.opportunity_id,
        opportunity_accounts.account_id,
        opportunity_accounts.created_at as opportunity_created_at,
        opportunity_leads.lead_person_id,
        opportunity_leads.lead_created_at,
        marketing_touches.touchpoint_id,
        marketing_touches.person_id,
        marketing_touches.touched_at,
        marketing_touches.touch_type,
        marketing_touches.channel as touch_channel,
        marketing_touches.campaign_id,
        cast(
            {{ epoch_microseconds('opportunity_accounts.created_at') }}
            - {{ epoch_microseconds('marketing_touches.touched_at') }}
            as double
        ) / 86400000000 as days_before_conversion,
        row_number() over (
            partition by opportunity_accounts.opportunity_id
            order by
                marketing_touches.touched_at asc,
                marketing_touches.touch_type_rank asc,
                marketing_touches.touchpoint_id asc
        ) as touch_sequence,
        count(*) over (partition by opportunity_accounts.opportunity_id) as touches_in_window
    from opportunity_accounts
    inner join marketing_touches
        on
            opportunity_accounts.account_id = marketing_touches.account_id
            and opportunity_accounts.created_at > marketing_touches.touched_at
            and {{ dbt.dateadd('day', -window_days, 'opportunity_accounts.created_at') }}
            <= marketing_touches.touched_at
    left join opportunity_leads
        on opportunity_accounts.opportunity_id = opportunity_leads.opportunity_id

),

anchored as (

    select
        eligible.*,
        max(
            case
                when
                    eligible.person_id = eligible.lead_person_id
                    and eligible.touched_at <= eligible.lead_created_at
                    then eligible.touch_sequence
            end
        ) over (partition by eligible.opportunity_id) as lead_creation_sequence,
        min(eligible.days_before_conversion) over (partition by eligible.opportunity_id) as min_days_before_conversion
    from eligible

),

flagged as (

    select
        anchored.*,
        anchored.touch_sequence = 1 as is_first_touch,
        anchored.touch_sequence = anchored.touches_in_window as is_last_touch,
        coalesce(anchored.touch_sequence = anchored.lead_creation_sequence, false) as is_lead_creation_touch,
        anchored.touch_sequence = anchored.touches_in_window as is_opportunity_creation_touch,
        anchored.lead_creation_sequence is not null as has_lead_creation_touch
    from anchored

),

-- per position model: the touch's anchor weight (anchors on the same touch add up) and whether it
-- is one of the model's anchors (an anchor with weight 0 is not one)
weighted as (

    select
        flagged.*,
        {%- for model in position_models %}
        {%- for anchor, flag in anchors.items() %}
        case when flagged.{{ flag }} then weights.{{ model }}__{{ anchor }} else 0 end
        {{- ' +' if not loop.last else ' as ' ~ model ~ '_anchor_weight,' }}
        {%- endfor %}
        (
            {%- for anchor, flag in anchors.items() %}
            (flagged.{{ flag }} and weights.{{ model }}__{{ anchor }} > 0){{ ' or' if not loop.last }}
            {%- endfor %}
        ) as is_{{ model }}_anchor,
        -- weight the opportunity's touches share: anchors present, 'other' only if other touches exist
        weights.{{ model }}__first_touch
        + case when flagged.has_lead_creation_touch then weights.{{ model }}__lead_creation_touch else 0 end
        + weights.{{ model }}__opportunity_creation_touch as {{ model }}_anchors_total,
        weights.{{ model }}__other as {{ model }}_other_weight,
        {%- endfor %}
        -- 2^(-days / half-life), scaled by the latest touch's weight (the ratio is unchanged by the
        -- normalisation, and no weight underflows for a long window or a short half-life)
        power(
            cast(2 as double),
            (flagged.min_days_before_conversion - flagged.days_before_conversion) / {{ half_life_days }}
        ) as time_decay_weight
    from flagged
    cross join weights

),

totals as (

    select
        weighted.*,
        {%- for model in position_models %}
        sum(case when weighted.is_{{ model }}_anchor then 0 else 1 end)
            over (partition by weighted.opportunity_id) as {{ model }}_other_touches,
        {%- endfor %}
        sum(weighted.time_decay_weight) over (partition by weighted.opportunity_id) as time_decay_total
    from weighted

),

credited as (

    select
        totals.*,
        {%- for model in position_models %}
        case
            -- degenerate weights (nothing to share: e.g. only an absent anchor weighted): linear
            when
                totals.{{ model }}_anchors_total
                + case when totals.{{ model }}_other_touches > 0 then totals.{{ model }}_other_weight else 0 end
                <= 0
                then cast(1 as double) / totals.touches_in_window
            else
                (
                    totals.{{ model }}_anchor_weight
                    + case
                        when totals.is_{{ model }}_anchor then 0
                        else totals.{{ model }}_other_weight / totals.{{ model }}_other_touches
                    end
                )
                / (
                    totals.{{ model }}_anchors_total
                    + case when totals.{{ model }}_other_touches > 0 then totals.{{ model }}_other_weight else 0 end
                )
        end as credit_{{ model }},
        {%- endfor %}
        totals.time_decay_weight / totals.time_decay_total as credit_time_decay
    from totals

),

final as (

    select
        opportunity_id,
        touchpoint_id,
        account_id,
        person_id,
        touched_at,
        touch_channel,
        campaign_id,
        touch_type,
        cast(touch_sequence as {{ dbt.type_bigint() }}) as touch_sequence,
        cast(touches_in_window as {{ dbt.type_bigint() }}) as touches_in_window,
        is_first_touch,
        is_last_touch,
        is_lead_creation_touch,
        is_opportunity_creation_touch,
        lead_person_id,
        lead_created_at,
        days_before_conversion,
        opportunity_created_at,
        cast(credit_first_touch as double) as credit_first_touch,
        cast(credit_last_touch as double) as credit_last_touch,
        cast(credit_linear as double) as credit_linear,
        cast(credit_u_shaped as double) as credit_u_shaped,
        cast(credit_w_shaped as double) as credit_w_shaped,
        cast(credit_time_decay as double) as credit_time_decay
    from credited

)

select * from final
