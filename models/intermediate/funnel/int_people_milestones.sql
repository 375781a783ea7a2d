-- One row per person with the raw timestamps of every funnel milestone as each source records it
-- (KPIS.md), before the ordering rules of the journey marts:
--   first touch        earliest touch of any kind (fct_touchpoints: web, form, email, event, sales)
--   lead created       earliest of the person's records: HubSpot contact, CRM lead or contact,
--                      Segment identify (form fill, identify, list import, CRM creation)
--   lead-creation touch the person's latest touch at or before lead creation, else the first after it
--   SAL inputs         first sales activity; first CRM lead status change away from 'Open'
--   SQL inputs         CRM status 'Qualified'; lead conversion; opportunity created
--   converted opportunity the opportunity the person's CRM lead was converted into (their own deal)
--   opportunity        the first opportunity on the person's account created at or after lead creation,
--                      with its proposal (stage map seed opportunity_stages) and close
{#- duckdb_uncompressed_columns: unique hashes / ids, and other ids and keys of tens of thousands
    of values or more (person, account, identifier, email), stored uncompressed on DuckDB (macro
    duckdb__create_table_as; picked by measuring, BENCHMARKS.md) -#}
{{ config(
    meta={'duckdb_uncompressed_columns': ['person_id', 'account_id']},
) }}
{%- set touch_order = ['touches.touched_at', 'touches.touchpoint_id'] %}
{%- set known_by = 'touches.touched_at <= people.first_record_at' %}
with

people as (

    select * from {{ ref('int_people_resolved') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

account_identifiers as (

    select * from {{ ref('int_account_identifiers_resolved') }}

),

touches as (

    select * from {{ ref('fct_touchpoints') }}
    where person_id is not null

),

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

lead_history as (

    select * from {{ ref('stg_salesforce__lead_history') }}

),

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

opportunity_history as (

    select * from {{ ref('stg_salesforce__opportunity_history') }}

),

stages as (

    select * from {{ ref('opportunity_stages') }}

),

-- per person, in one aggregate over the touch ordering (touched_at, then touchpoint_id: unique):
-- the first touch, the latest touch at or before lead creation, and the first sales activity
touch_aggregates as (

    select
        people.person_id,
        min(touches.touched_at) as first_touch_at,
        {{ value_at_min('touches.channel', touch_order) }} as first_touch_channel,
        {{ value_at_min('touches.touch_type', touch_order) }} as first_touch_type,
        {{ value_at_max('touches.channel', touch_order, where=known_by) }} as channel_before_lead,
        {{ value_at_max('touches.touch_type', touch_order, where=known_by) }} as touch_type_before_lead,
        max(case when {{ known_by }} then 1 else 0 end) as has_touch_before_lead,
        min(case when touches.touch_category = 'sales' then touches.touched_at end) as first_sales_activity_at
    from people
    inner join touches
        on people.person_id = touches.person_id
    group by people.person_id

),

-- the touch that made the person known: the latest at or before lead creation, else (none
-- before it) the first touch
touch_summary as (

    select
        person_id,
        first_touch_at,
        first_touch_channel,
        first_touch_type,
        first_sales_activity_at,
        case when has_touch_before_lead = 1 then channel_before_lead else first_touch_channel end as lead_channel,
        case when has_touch_before_lead = 1 then touch_type_before_lead else first_touch_type end as lead_touch_type
    from touch_aggregates

),

person_leads as (

    select
        identifiers.person_id,
        leads.lead_id,
        leads.status,
        leads.lead_source,
        leads.unqualified_reason,
        leads.is_converted,
        leads.converted_date,
        leads.converted_opportunity_id,
        leads.created_at,
        row_number() over (
            partition by identifiers.person_id
            order by leads.created_at desc, leads.lead_id asc
        ) as latest_rank,
        row_number() over (
            partition by identifiers.person_id
            order by
                case when leads.converted_opportunity_id is null then 1 else 0 end asc,
                leads.converted_date asc,
                leads.lead_id asc
        ) as conversion_rank
    from leads
    inner join identifiers
        on
            identifiers.identifier_type = 'salesforce_lead_id'
            and leads.lead_id = identifiers.identifier_value

),

lead_status as (

    select
        person_leads.person_id,
        min(
            case
                when lead_history.is_status_change and lead_history.old_value = 'Open' then lead_history.changed_at
            end
        ) as left_open_at,
        min(
            case
                when lead_history.is_status_change and lead_history.new_value = 'Qualified' then lead_history.changed_at
            end
        ) as qualified_at,
        min(
            case
                when lead_history.is_status_change and lead_history.new_value = 'Unqualified'
                    then lead_history.changed_at
            end
        ) as unqualified_at,
        min(
            case when person_leads.is_converted then cast(person_leads.converted_date as {{ dbt.type_timestamp() }}) end
        ) as converted_at
    from person_leads
    left join lead_history
        on person_leads.lead_id = lead_history.lead_id
    group by person_leads.person_id

),

map_contacts_ranked as (

    select
        identifiers.person_id,
        hubspot_contacts.lifecycle_stage,
        min(hubspot_contacts.map_mql_at) over (partition by identifiers.person_id) as map_mql_at,
        row_number() over (
            partition by identifiers.person_id
            order by hubspot_contacts.created_at desc, hubspot_contacts.contact_id asc
        ) as latest_rank
    from hubspot_contacts
    inner join identifiers
        on
            identifiers.identifier_type = 'hubspot_contact_id'
            and cast(hubspot_contacts.contact_id as {{ dbt.type_string() }}) = identifiers.identifier_value

),

map_contacts as (

    select
        person_id,
        map_mql_at,
        lifecycle_stage as map_lifecycle_stage
    from map_contacts_ranked
    where latest_rank = 1

),

opportunity_stages_entered as (

    select
        opportunity_history.opportunity_id,
        min(case when stages.is_proposal_stage then opportunity_history.changed_at end) as proposal_at,
        min(case when stages.stage_category = 'won' then opportunity_history.changed_at end) as won_at,
        min(case when stages.stage_category = 'lost' then opportunity_history.changed_at end) as lost_at
    from opportunity_history
    inner join stages
        on opportunity_history.stage_name = stages.stage_name
    group by opportunity_history.opportunity_id

),

account_opportunities as (

    select
        account_identifiers.account_id,
        opportunities.opportunity_id,
        opportunities.created_at,
        coalesce(
            opportunity_stages_entered.won_at,
            case when opportunities.is_won then cast(opportunities.close_date as {{ dbt.type_timestamp() }}) end
        ) as won_at,
        opportunity_stages_entered.proposal_at
    from opportunities
    inner join account_identifiers
        on
            account_identifiers.identifier_type = 'salesforce_account_id'
            and opportunities.account_id = account_identifiers.identifier_value
    left join opportunity_stages_entered
        on opportunities.opportunity_id = opportunity_stages_entered.opportunity_id

),

person_opportunities as (

    select
        people.person_id,
        account_opportunities.opportunity_id,
        account_opportunities.created_at,
        account_opportunities.proposal_at,
        account_opportunities.won_at,
        row_number() over (
            partition by people.person_id
            order by account_opportunities.created_at asc, account_opportunities.opportunity_id asc
        ) as opportunity_rank
    from people
    inner join account_opportunities
        on
            people.account_id = account_opportunities.account_id
            and people.first_record_at <= account_opportunities.created_at

),

final as (

    select
        people.person_id,
        people.account_id,
        touch_summary.first_touch_at,
        touch_summary.first_touch_channel,
        touch_summary.first_touch_type,
        people.first_record_at as lead_created_at,
        touch_summary.lead_channel,
        touch_summary.lead_touch_type,
        latest_lead.lead_id as salesforce_lead_id,
        latest_lead.lead_source,
        latest_lead.status as crm_lead_status,
        latest_lead.unqualified_reason,
        converting_lead.converted_opportunity_id,
        map_contacts.map_mql_at,
        map_contacts.map_lifecycle_stage,
        touch_summary.first_sales_activity_at,
        lead_status.left_open_at,
        lead_status.qualified_at,
        lead_status.unqualified_at,
        lead_status.converted_at,
        person_opportunities.opportunity_id as first_opportunity_id,
        person_opportunities.created_at as opportunity_created_at,
        person_opportunities.proposal_at,
        person_opportunities.won_at
    from people
    left join touch_summary
        on people.person_id = touch_summary.person_id
    left join person_leads as latest_lead
        on
            people.person_id = latest_lead.person_id
            and latest_lead.latest_rank = 1
    left join person_leads as converting_lead
        on
            people.person_id = converting_lead.person_id
            and converting_lead.conversion_rank = 1
    left join map_contacts
        on people.person_id = map_contacts.person_id
    left join lead_status
        on people.person_id = lead_status.person_id
    left join person_opportunities
        on
            people.person_id = person_opportunities.person_id
            and person_opportunities.opportunity_rank = 1

)

select * from final
