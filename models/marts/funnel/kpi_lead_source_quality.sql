-- One row per lead channel (channel of the touch that created the lead) × score band (band of the
-- lead's peak score): the sales -> marketing feedback loop. Which sources and scores does sales
-- accept, qualify and close? Won = the opportunity the lead was converted into closed won.
with

leads as (

    select
        *,
        coalesce(lead_channel, 'other') as channel
    from {{ ref('fct_leads') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

aggregated as (

    select
        leads.channel,
        leads.score_band,
        count(*) as leads,
        cast(sum(case when leads.mql_at is not null then 1 else 0 end) as {{ dbt.type_bigint() }}) as mqls,
        cast(
            sum(
                case when leads.mql_at is not null and leads.sql_at is not null then 1 else 0 end
            ) as {{ dbt.type_bigint() }}
        )
            as mqls_to_sql,
        cast(sum(case when leads.sql_at is not null then 1 else 0 end) as {{ dbt.type_bigint() }}) as sqls,
        cast(sum(case when leads.sql_at is not null and leads.is_won then 1 else 0 end) as {{ dbt.type_bigint() }})
            as sqls_won,
        cast(sum(case when leads.is_won then 1 else 0 end) as {{ dbt.type_bigint() }}) as won,
        sum(case when leads.is_won then opportunities.amount_reporting else 0 end) as won_amount,
        cast(sum(case when leads.disqualified_at is not null then 1 else 0 end) as {{ dbt.type_bigint() }})
            as disqualified,
        {{ percentile_cont_agg('leads.speed_to_lead_hours', 0.5) }} as median_speed_to_lead_hours,
        cast(sum(case when leads.is_sla_breached then 1 else 0 end) as {{ dbt.type_bigint() }}) as sla_breaches
    from leads
    left join opportunities
        on leads.converted_opportunity_id = opportunities.opportunity_id
    group by leads.channel, leads.score_band

),

reasons as (

    select
        channel,
        score_band,
        disqualification_reason,
        count(*) as reason_leads
    from leads
    where disqualified_at is not null and disqualification_reason is not null
    group by channel, score_band, disqualification_reason

),

ranked_reasons as (

    select
        reasons.*,
        row_number() over (
            partition by reasons.channel, reasons.score_band
            order by reasons.reason_leads desc, reasons.disqualification_reason asc
        ) as reason_rank
    from reasons

),

top_reasons as (

    select
        channel,
        score_band,
        max(case when reason_rank = 1 then disqualification_reason end) as top_disqualification_reason,
        max(case when reason_rank = 1 then reason_leads end) as top_disqualification_reason_leads,
        max(case when reason_rank = 2 then disqualification_reason end) as second_disqualification_reason,
        max(case when reason_rank = 3 then disqualification_reason end) as third_disqualification_reason
    from ranked_reasons
    where reason_rank <= 3
    group by channel, score_band

),

final as (

    select
        aggregated.channel,
        aggregated.score_band,
        aggregated.leads,
        aggregated.mqls,
        aggregated.sqls,
        aggregated.won,
        aggregated.disqualified,
        cast(aggregated.won_amount / nullif(aggregated.won, 0) as decimal(18, 2)) as average_won_deal_size,
        top_reasons.top_disqualification_reason,
        top_reasons.top_disqualification_reason_leads,
        top_reasons.second_disqualification_reason,
        top_reasons.third_disqualification_reason,
        aggregated.median_speed_to_lead_hours,
        aggregated.sla_breaches,
        cast(aggregated.mqls_to_sql as double) / nullif(aggregated.mqls, 0) as mql_to_sql_rate,
        cast(aggregated.sqls_won as double) / nullif(aggregated.sqls, 0) as sql_to_won_rate,
        cast(aggregated.won as double) / nullif(aggregated.leads, 0) as lead_to_won_rate
    from aggregated
    left join top_reasons
        on
            aggregated.channel = top_reasons.channel
            and aggregated.score_band = top_reasons.score_band

)

select * from final
