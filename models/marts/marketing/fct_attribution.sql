-- noqa: disable=LT02
-- One row per opportunity × eligible marketing touch (int_attribution_credits), plus one row
-- with touch_channel 'no_marketing_touch' for every opportunity without an eligible touch, with
-- the credit of each attribution model and the pipeline (amount_reporting) and won revenue each
-- model credits to the touch. Money is allocated in whole cents by largest remainder, so per
-- opportunity and model the attributed amounts add up exactly to the opportunity's amounts.
{#- duckdb_uncompressed_columns: unique hashes / ids, and other ids and keys of tens of thousands
    of values or more (person, account, identifier, email), stored uncompressed on DuckDB (macro
    duckdb__create_table_as; picked by measuring, BENCHMARKS.md) -#}
{{ config(
    meta={'duckdb_uncompressed_columns': ['attribution_id', 'touchpoint_id']},
) }}
{%- set models = ['first_touch', 'last_touch', 'linear', 'u_shaped', 'w_shaped', 'time_decay'] %}
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

credits as (

    select * from {{ ref('int_attribution_credits') }}

),

touched as (

    select
        credits.opportunity_id,
        credits.touchpoint_id,
        credits.touched_at,
        credits.touch_channel,
        credits.campaign_id,
        credits.touch_type,
        credits.touch_sequence,
        credits.touches_in_window,
        credits.is_first_touch,
        credits.is_last_touch,
        credits.is_lead_creation_touch,
        credits.is_opportunity_creation_touch,
        credits.days_before_conversion,
        {%- for model in models %}
        credits.credit_{{ model }}{{ ',' if not loop.last }}
        {%- endfor %}
    from credits

),

untouched as (

    select
        opportunities.opportunity_id,
        cast(null as {{ dbt.type_string() }}) as touchpoint_id,
        cast(null as {{ dbt.type_timestamp() }}) as touched_at,
        'no_marketing_touch' as touch_channel,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as touch_type,
        cast(0 as {{ dbt.type_bigint() }}) as touch_sequence,
        cast(0 as {{ dbt.type_bigint() }}) as touches_in_window,
        false as is_first_touch,
        false as is_last_touch,
        false as is_lead_creation_touch,
        false as is_opportunity_creation_touch,
        cast(null as double) as days_before_conversion,
        {%- for model in models %}
        cast(1 as double) as credit_{{ model }}{{ ',' if not loop.last }}
        {%- endfor %}
    from opportunities
    left join credits
        on
            opportunities.opportunity_id = credits.opportunity_id
            and credits.touch_sequence = 1
    where credits.opportunity_id is null

),

unioned as (

    select * from touched
    union all
    select * from untouched

),

with_amounts as (

    select
        unioned.*,
        opportunities.account_id,
        opportunities.created_at as opportunity_created_at,
        opportunities.created_date as opportunity_created_date,
        opportunities.close_date,
        opportunities.is_won,
        opportunities.amount_reporting as pipeline_amount,
        cast(
            case when opportunities.is_won then opportunities.amount_reporting else 0 end as decimal(18, 2)
        ) as won_amount,
        cast(opportunities.amount_reporting * 100 as {{ dbt.type_bigint() }}) as pipeline_cents
    from unioned
    inner join opportunities
        on unioned.opportunity_id = opportunities.opportunity_id

),

-- whole cents first (floor of credit × amount), then the cents left over go one each to the
-- touches with the largest fractional parts (ties: earlier touch_sequence)
floored as (

    select
        with_amounts.*,
        {%- for model in models %}
        cast(floor(with_amounts.credit_{{ model }} * with_amounts.pipeline_cents) as {{ dbt.type_bigint() }})
            as {{ model }}_floor_cents,
        {{ round_places(
            'with_amounts.credit_' ~ model ~ ' * with_amounts.pipeline_cents'
            ~ ' - floor(with_amounts.credit_' ~ model ~ ' * with_amounts.pipeline_cents)', 9
        ) }} as {{ model }}_remainder{{ ',' if not loop.last }}
        {%- endfor %}
    from with_amounts

),

-- per opportunity and model, the cents left after the floors and each touch's rank by remainder.
-- The windows sort narrow rows (keys, floors, remainders) and are joined back by the
-- opportunity's touch_sequence (unique per opportunity; 0 for the no-touch row): six sorts of
-- every wide row cost more (at `large` the query took 10.2-10.7 CPU s, now 6.3-6.9)
ranks as (

    select
        floored.opportunity_id,
        floored.touch_sequence,
        {%- for model in models %}
        floored.pipeline_cents
        - sum(floored.{{ model }}_floor_cents) over (partition by floored.opportunity_id) as {{ model }}_cents_left,
        row_number() over (
            partition by floored.opportunity_id
            order by floored.{{ model }}_remainder desc, floored.touch_sequence asc
        ) as {{ model }}_remainder_rank{{ ',' if not loop.last }}
        {%- endfor %}
    from floored

),

ranked as (

    select
        floored.*,
        {%- for model in models %}
        ranks.{{ model }}_cents_left,
        ranks.{{ model }}_remainder_rank{{ ',' if not loop.last }}
        {%- endfor %}
    from floored
    inner join ranks
        on
            floored.opportunity_id = ranks.opportunity_id
            and floored.touch_sequence = ranks.touch_sequence

),

allocated as (

    select
        ranked.*,
        {%- for model in models %}
        ranked.{{ model }}_floor_cents
        + case
            when ranked.{{ model }}_remainder_rank <= ranked.{{ model }}_cents_left then 1 else 0
        end as {{ model }}_cents{{ ',' if not loop.last }}
        {%- endfor %}
    from ranked

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'allocated.opportunity_id', "':'", "coalesce(allocated.touchpoint_id, 'no_marketing_touch')"
        ])) }} as attribution_id,
        allocated.opportunity_id,
        allocated.account_id,
        allocated.touchpoint_id,
        allocated.touched_at,
        allocated.touch_channel,
        allocated.campaign_id,
        allocated.touch_type,
        allocated.touch_sequence,
        allocated.touches_in_window,
        allocated.is_first_touch,
        allocated.is_last_touch,
        allocated.is_lead_creation_touch,
        allocated.is_opportunity_creation_touch,
        allocated.days_before_conversion,
        allocated.opportunity_created_at,
        allocated.opportunity_created_date,
        allocated.close_date,
        allocated.is_won,
        allocated.pipeline_amount,
        allocated.won_amount,
        {%- for model in models %}
        allocated.credit_{{ model }},
        {%- endfor %}
        {%- for model in models %}
        {{ to_decimal('cast(allocated.' ~ model ~ '_cents as double) / 100', 18, 2) }}
            as attributed_pipeline_{{ model }},
        {{ to_decimal(
            'cast(case when allocated.is_won then allocated.' ~ model ~ '_cents else 0 end as double) / 100', 18, 2
        ) }} as attributed_revenue_{{ model }}{{ ',' if not loop.last }}
        {%- endfor %}
    from allocated

)

select * from final
