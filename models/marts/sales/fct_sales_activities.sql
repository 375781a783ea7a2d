{#-
    One row per sales activity: a call or email (CRM task) or a meeting (CRM event), with the
    rep, the person and account (unified ids from fct_touchpoints, CRM ids beside them) and
    the opportunity when the activity was logged against one. activity_at is when it happened:
    the task's creation, the meeting's start (as in fct_touchpoints).
-#}
{#- duckdb_uncompressed_columns: unique hashes / ids, and other ids and keys of tens of thousands
    of values or more (person, account, identifier, email), stored uncompressed on DuckDB (macro
    duckdb__create_table_as; picked by measuring, BENCHMARKS.md) -#}
{{ config(
    meta={'duckdb_uncompressed_columns': ['activity_id', 'person_id', 'account_id', 'salesforce_lead_id']},
) }}
with

tasks as (

    select * from {{ ref('stg_salesforce__tasks') }}

),

events as (

    select * from {{ ref('stg_salesforce__events') }}

),

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}
    where touch_category = 'sales'

),

account_identifiers as (

    select * from {{ ref('int_account_identifiers_resolved') }}
    where identifier_type = 'salesforce_account_id'

),

activities as (

    select
        task_id as activity_id,
        subject,
        status,
        owner_id,
        who_id,
        who_type,
        what_id,
        account_id,
        created_at as activity_at,
        created_at,
        is_orphan_who,
        'task' as activity_source,
        case task_type when 'Call' then 'call' else 'email' end as activity_type,
        case task_type when 'Call' then 'sales_call' else 'sales_email' end as touch_type,
        cast(null as {{ dbt.type_bigint() }}) as duration_minutes
    from tasks
    union all
    select
        event_id as activity_id,
        subject,
        cast(null as {{ dbt.type_string() }}) as status,
        owner_id,
        who_id,
        who_type,
        what_id,
        account_id,
        coalesce(started_at, created_at) as activity_at,
        created_at,
        is_orphan_who,
        'event' as activity_source,
        'meeting' as activity_type,
        'sales_meeting' as touch_type,
        cast(duration_minutes as {{ dbt.type_bigint() }}) as duration_minutes
    from events

),

joined as (

    select
        activities.*,
        opportunities.opportunity_id,
        touchpoints.person_id,
        touchpoints.account_id as touch_account_id,
        coalesce(activities.account_id, opportunities.account_id) as salesforce_account_id
    from activities
    left join opportunities
        on activities.what_id = opportunities.opportunity_id
    left join touchpoints
        on
            activities.touch_type = touchpoints.touch_type
            and activities.activity_id = touchpoints.source_record_id

),

final as (

    select
        joined.activity_id,
        joined.activity_source,
        joined.activity_type,
        joined.subject,
        joined.status,
        joined.duration_minutes,
        joined.owner_id as sales_rep_id,
        joined.person_id,
        joined.salesforce_account_id,
        joined.opportunity_id,
        joined.activity_at,
        joined.created_at,
        joined.is_orphan_who,
        cast(joined.activity_at as date) as activity_date,
        coalesce(joined.touch_account_id, account_identifiers.account_id) as account_id,
        case when joined.who_type = 'lead' then joined.who_id end as salesforce_lead_id,
        case when joined.who_type = 'contact' then joined.who_id end as salesforce_contact_id
    from joined
    left join account_identifiers
        on joined.salesforce_account_id = account_identifiers.identifier_value

)

select * from final
