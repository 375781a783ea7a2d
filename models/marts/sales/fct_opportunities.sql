{#-
    One row per CRM opportunity: account and person (unified ids and CRM ids), owner, dates,
    amount in its currency and in the reporting currency (FX rate of the close date), current
    stage, outcome, the highest stage reached, source (marketing- vs sales-sourced, KPIS.md)
    and the CRM probability.

    Source: the account's first touch (fct_touchpoints) before the opportunity was created;
    marketing-sourced when that touch's channel is a marketing channel (dim_channels.is_marketing),
    sales-sourced otherwise, including when no touch precedes the opportunity.
-#}
{%- set end_of_as_of_date = 'cast(' ~ dbt.dateadd('day', 1, "cast('" ~ as_of_date() ~ "' as date)") ~ ' as '
    ~ dbt.type_timestamp() ~ ')' %}
{%- set touch_order = ['touchpoints.touched_at', 'touchpoints.touchpoint_id'] %}
with

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

stage_history as (

    select * from {{ ref('fct_opportunity_stage_history') }}

),

stages as (

    select * from {{ ref('opportunity_stages') }}

),

leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

account_identifiers as (

    select * from {{ ref('int_account_identifiers_resolved') }}
    where identifier_type = 'salesforce_account_id'

),

person_identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}
    where identifier_type = 'salesforce_lead_id'

),

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),

channels as (

    select * from {{ ref('dim_channels') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

activities as (

    select * from {{ ref('fct_sales_activities') }}

),

converted_leads as (

    -- the lead whose conversion created the opportunity (the earliest, should several claim it)
    select
        converted_opportunity_id as opportunity_id,
        lead_id,
        row_number() over (partition by converted_opportunity_id order by converted_date, lead_id) as lead_rank
    from leads
    where converted_opportunity_id is not null

),

with_ids as (

    select
        opportunities.*,
        account_identifiers.account_id as unified_account_id,
        converted_leads.lead_id as converted_lead_id,
        person_identifiers.person_id
    from opportunities
    left join account_identifiers
        on opportunities.account_id = account_identifiers.identifier_value
    left join converted_leads
        on
            opportunities.opportunity_id = converted_leads.opportunity_id
            and converted_leads.lead_rank = 1
    left join person_identifiers
        on converted_leads.lead_id = person_identifiers.identifier_value

),

-- the account's first touch before the opportunity was created, in one aggregate over the touch
-- ordering (touched_at, then touchpoint_id: unique) instead of numbering every touch
first_touches_picked as (

    select
        with_ids.opportunity_id,
        min(touchpoints.touched_at) as first_touch_at,
        {{ value_at_min('touchpoints.channel', touch_order) }} as first_touch_channel,
        {{ value_at_min('touchpoints.touch_type', touch_order) }} as first_touch_type
    from with_ids
    inner join touchpoints
        on
            with_ids.unified_account_id = touchpoints.account_id
            and with_ids.created_at > touchpoints.touched_at
    group by with_ids.opportunity_id

),

first_touches as (

    select
        first_touches_picked.opportunity_id,
        first_touches_picked.first_touch_at,
        first_touches_picked.first_touch_channel,
        first_touches_picked.first_touch_type,
        coalesce(channels.is_marketing, false) as is_marketing_channel
    from first_touches_picked
    left join channels
        on first_touches_picked.first_touch_channel = channels.channel

),

stage_summary as (

    select
        opportunity_id,
        max(case when stage_category = 'open' then stage_order end) as highest_open_stage_order,
        min(case when is_proposal_stage then entered_at end) as proposal_at,
        min(case when stage_category in ('won', 'lost') then entered_at end) as closed_at,
        count(*) as stages_entered
    from stage_history
    group by opportunity_id

),

highest_stage as (

    select
        stage_summary.*,
        stages.stage_name as highest_open_stage_name
    from stage_summary
    left join stages
        on stage_summary.highest_open_stage_order = stages.stage_order

),

joined as (

    select
        with_ids.*,
        stages.stage_order,
        stages.stage_category,
        first_touches.first_touch_at,
        first_touches.first_touch_channel,
        first_touches.first_touch_type,
        coalesce(first_touches.is_marketing_channel, false) as is_marketing_sourced,
        highest_stage.highest_open_stage_order,
        highest_stage.highest_open_stage_name,
        highest_stage.proposal_at,
        highest_stage.stages_entered,
        case
            when with_ids.is_closed
                then coalesce(highest_stage.closed_at, cast(with_ids.close_date as {{ dbt.type_timestamp() }}))
        end as closed_at,
        created_dates.fiscal_quarter_label as created_fiscal_quarter,
        created_dates.fiscal_quarter_start_date as created_fiscal_quarter_start_date,
        close_dates.fiscal_quarter_label as close_fiscal_quarter,
        close_dates.fiscal_quarter_start_date as close_fiscal_quarter_start_date
    from with_ids
    left join stages
        on with_ids.stage_name = stages.stage_name
    left join first_touches
        on with_ids.opportunity_id = first_touches.opportunity_id
    left join highest_stage
        on with_ids.opportunity_id = highest_stage.opportunity_id
    left join dates as created_dates
        on cast(with_ids.created_at as date) = created_dates.date_day
    left join dates as close_dates
        on with_ids.close_date = close_dates.date_day

),

activity_counts as (

    -- sales activities on the account between creation and close (KPIS.md: activities per opportunity)
    select
        joined.opportunity_id,
        count(*) as sales_activities
    from joined
    inner join activities
        on
            joined.unified_account_id = activities.account_id
            and joined.created_at <= activities.activity_at
            and coalesce(joined.closed_at, {{ end_of_as_of_date }}) > activities.activity_at
    group by joined.opportunity_id

),

with_activities as (

    select
        joined.*,
        coalesce(activity_counts.sales_activities, 0) as sales_activities
    from joined
    left join activity_counts
        on joined.opportunity_id = activity_counts.opportunity_id

),

final as (

    select
        opportunity_id,
        name as opportunity_name,
        type as opportunity_type,
        unified_account_id as account_id,
        account_id as salesforce_account_id,
        person_id,
        converted_lead_id as salesforce_lead_id,
        owner_id as sales_rep_id,
        campaign_id,
        created_at,
        cast(created_at as date) as created_date,
        created_fiscal_quarter,
        created_fiscal_quarter_start_date,
        close_date,
        close_fiscal_quarter,
        close_fiscal_quarter_start_date,
        closed_at,
        stage_name,
        cast(stage_order as {{ dbt.type_bigint() }}) as stage_order,
        stage_category,
        is_closed,
        is_won,
        not is_closed as is_open,
        loss_reason,
        currency_code,
        amount,
        amount_reporting,
        fx_rate_date,
        has_amount,
        probability,
        forecast_category,
        {{ to_decimal('amount_reporting * probability / 100', 18, 2) }} as crm_weighted_amount_reporting,
        lead_source,
        channel as lead_source_channel,
        first_touch_at,
        first_touch_channel,
        first_touch_type,
        is_marketing_sourced,
        case when is_marketing_sourced then 'marketing' else 'sales' end as opportunity_source,
        highest_open_stage_name as highest_stage_reached,
        cast(highest_open_stage_order as {{ dbt.type_bigint() }}) as highest_stage_order,
        proposal_at is not null as has_reached_proposal,
        proposal_at,
        cast(stages_entered as {{ dbt.type_bigint() }}) as stages_entered,
        cast(sales_activities as {{ dbt.type_bigint() }}) as sales_activities,
        cast(
            {{ dbt.datediff('created_at', 'closed_at', 'second') }}
            as double
        ) / 86400 as days_to_close
    from with_activities

)

select * from final
