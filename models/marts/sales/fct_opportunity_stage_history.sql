{#-
    One row per opportunity × stage entered, from the CRM stage log. The log also records
    amount and close-date changes: a log row whose stage equals the previous row's stage is
    not a stage entry. A stage is left when the next stage is entered; the closed stages
    (won / lost) are terminal. Log rows at the same instant are ordered by the stage map's
    stage_order (seed opportunity_stages), then by log id.
-#}
with

history as (

    select * from {{ ref('stg_salesforce__opportunity_history') }}

),

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

stages as (

    select * from {{ ref('opportunity_stages') }}

),

account_identifiers as (

    select * from {{ ref('int_account_identifiers_resolved') }}
    where identifier_type = 'salesforce_account_id'

),

log_ordered as (

    select
        history.opportunity_history_id,
        history.opportunity_id,
        history.stage_name,
        history.amount,
        history.probability,
        history.expected_close_date,
        history.changed_by_user_id,
        history.changed_at,
        stages.stage_order,
        stages.stage_category,
        stages.is_proposal_stage,
        lag(history.stage_name) over (
            partition by history.opportunity_id
            order by history.changed_at, stages.stage_order, history.opportunity_history_id
        ) as previous_stage_name
    from history
    left join stages
        on history.stage_name = stages.stage_name

),

stage_entries as (

    select
        log_ordered.*,
        row_number() over (
            partition by log_ordered.opportunity_id
            order by log_ordered.changed_at, log_ordered.stage_order, log_ordered.opportunity_history_id
        ) as stage_sequence,
        lead(log_ordered.changed_at) over (
            partition by log_ordered.opportunity_id
            order by log_ordered.changed_at, log_ordered.stage_order, log_ordered.opportunity_history_id
        ) as next_entered_at
    from log_ordered
    where
        log_ordered.previous_stage_name is null
        or log_ordered.previous_stage_name != log_ordered.stage_name

),

with_opportunity as (

    select
        stage_entries.*,
        opportunities.account_id as salesforce_account_id,
        opportunities.owner_id,
        opportunities.currency_code,
        account_identifiers.account_id,
        stage_entries.stage_category != 'open' as is_terminal_stage,
        stage_entries.next_entered_at is null as is_current_stage
    from stage_entries
    inner join opportunities
        on stage_entries.opportunity_id = opportunities.opportunity_id
    left join account_identifiers
        on opportunities.account_id = account_identifiers.identifier_value

),

converted as (

    select
        with_opportunity.*,
        {{ to_reporting_currency('with_opportunity.amount', 'with_opportunity.currency_code', 'fx') }}
            as amount_at_entry_reporting
    from with_opportunity
    {{ join_fx_rate('fx', 'with_opportunity.currency_code', 'with_opportunity.changed_at') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'opportunity_id', "':'", 'cast(stage_sequence as ' ~ dbt.type_string() ~ ')'
        ])) }} as opportunity_stage_id,
        opportunity_id,
        cast(stage_sequence as {{ dbt.type_bigint() }}) as stage_sequence,
        stage_name,
        cast(stage_order as {{ dbt.type_bigint() }}) as stage_order,
        stage_category,
        is_proposal_stage,
        is_terminal_stage,
        is_current_stage,
        account_id,
        salesforce_account_id,
        owner_id as sales_rep_id,
        changed_by_user_id as entered_by_user_id,
        changed_at as entered_at,
        cast(changed_at as date) as entered_date,
        next_entered_at as exited_at,
        cast(
            {{ dbt.datediff('changed_at', 'next_entered_at', 'second') }}
            as double
        ) / 86400 as days_in_stage,
        currency_code,
        amount as amount_at_entry,
        amount_at_entry_reporting,
        probability as probability_at_entry,
        expected_close_date as expected_close_date_at_entry
    from converted

)

select * from final
