-- One row per touch of a known person or account, marketing and sales in one stream:
--   web_session        a web session of an identified person (anonymous visitors' sessions stay in
--                      fct_web_sessions only), stitched back to before they identified
--   form_submission    a HubSpot form fill; channel and campaign of the web session it happened in,
--                      else HubSpot's original source of the contact
--   email_click        a click in a marketing email
--   event_attendance   a CRM campaign member who responded (attended the webinar, visited the booth)
--   sales_call, sales_email, sales_meeting   CRM tasks and events of sales reps
{#- duckdb_uncompressed_columns: unique hashes / ids, and other ids and keys of tens of thousands
    of values or more (person, account, identifier, email), stored uncompressed on DuckDB (macro
    duckdb__create_table_as; picked by measuring, BENCHMARKS.md) -#}
{{ config(
    meta={'duckdb_uncompressed_columns': ['touchpoint_id', 'source_record_id', 'person_id', 'account_id']},
) }}
{%- set timeout_minutes = var('session_timeout_minutes') %}
with

sessions as (

    select * from {{ ref('fct_web_sessions') }}

),

-- account of the person (int_people_resolved: dim_people waits for the web sessions' first visits)
people as (

    select * from {{ ref('int_people_resolved') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

account_identifiers as (

    select * from {{ ref('int_account_identifiers_resolved') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

form_submissions as (

    select * from {{ ref('stg_hubspot__form_submissions') }}

),

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

email_events as (

    select * from {{ ref('stg_hubspot__email_events') }}

),

campaign_members as (

    select * from {{ ref('stg_salesforce__campaign_members') }}

),

tasks as (

    select * from {{ ref('stg_salesforce__tasks') }}

),

crm_events as (

    select * from {{ ref('stg_salesforce__events') }}

),

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

-- utm_campaign -> campaign, per channel (an email and an ad campaign could share a tag)
utm_campaigns as (

    select
        utm_campaign,
        channel,
        min(campaign_id) as campaign_id
    from campaigns
    where utm_campaign is not null
    group by utm_campaign, channel

),

source_campaigns as (

    select
        campaign_source,
        source_campaign_id,
        campaign_id,
        channel,
        campaign_name,
        campaign_type
    from campaigns

),

crm_people as (

    select
        identifier_type,
        identifier_value,
        person_id
    from identifiers
    where identifier_type in ('salesforce_lead_id', 'salesforce_contact_id', 'hubspot_contact_id', 'email')

),

person_sessions as (

    select * from sessions
    where person_id is not null

),

web_touches as (

    select
        'web_session' as touch_type,
        person_sessions.session_id as source_record_id,
        person_sessions.landing_page_path as touch_detail,
        person_sessions.started_at as touched_at,
        person_sessions.person_id,
        cast(null as {{ dbt.type_string() }}) as crm_account_id,
        person_sessions.channel,
        utm_campaigns.campaign_id,
        cast(null as {{ dbt.type_string() }}) as sales_rep_id,
        cast(null as {{ dbt.type_string() }}) as opportunity_id
    from person_sessions
    left join utm_campaigns
        on
            person_sessions.utm_campaign = utm_campaigns.utm_campaign
            and person_sessions.channel = utm_campaigns.channel

),

-- the person's session a form fill happened in: started before it, ended less than a timeout before it
form_sessions as (

    select
        form_submissions.form_submission_id,
        form_submissions.submitted_at,
        crm_people.person_id,
        person_sessions.channel,
        person_sessions.utm_campaign,
        row_number() over (
            partition by form_submissions.form_submission_id
            order by person_sessions.started_at desc, person_sessions.session_id asc
        ) as session_rank
    from form_submissions
    inner join crm_people
        on
            crm_people.identifier_type = 'hubspot_contact_id'
            and cast(form_submissions.contact_id as {{ dbt.type_string() }}) = crm_people.identifier_value
    inner join person_sessions
        on
            crm_people.person_id = person_sessions.person_id
            and form_submissions.submitted_at >= person_sessions.started_at
            and form_submissions.submitted_at
            <= {{ dbt.dateadd('minute', timeout_minutes, 'person_sessions.ended_at') }}

),

form_touches as (

    select
        'form_submission' as touch_type,
        cast(form_submissions.form_submission_id as {{ dbt.type_string() }}) as source_record_id,
        form_submissions.form_title as touch_detail,
        form_submissions.submitted_at as touched_at,
        crm_people.person_id,
        cast(null as {{ dbt.type_string() }}) as crm_account_id,
        coalesce(
            form_sessions.channel,
            {{ channel_from_mapping('hubspot', 'form_title', 'form_submissions.form_title') }},
            hubspot_contacts.channel,
            'other'
        ) as channel,
        utm_campaigns.campaign_id,
        cast(null as {{ dbt.type_string() }}) as sales_rep_id,
        cast(null as {{ dbt.type_string() }}) as opportunity_id
    from form_submissions
    left join crm_people
        on
            crm_people.identifier_type = 'hubspot_contact_id'
            and cast(form_submissions.contact_id as {{ dbt.type_string() }}) = crm_people.identifier_value
    left join hubspot_contacts
        on form_submissions.contact_id = hubspot_contacts.contact_id
    left join form_sessions
        on
            form_submissions.form_submission_id = form_sessions.form_submission_id
            and form_sessions.session_rank = 1
    left join utm_campaigns
        on
            form_sessions.utm_campaign = utm_campaigns.utm_campaign
            and form_sessions.channel = utm_campaigns.channel

),

email_touches as (

    select
        'email_click' as touch_type,
        email_events.email_event_id as source_record_id,
        source_campaigns.campaign_name as touch_detail,
        email_events.occurred_at as touched_at,
        crm_people.person_id,
        cast(null as {{ dbt.type_string() }}) as crm_account_id,
        'email' as channel,
        source_campaigns.campaign_id,
        cast(null as {{ dbt.type_string() }}) as sales_rep_id,
        cast(null as {{ dbt.type_string() }}) as opportunity_id
    from email_events
    left join crm_people
        on
            crm_people.identifier_type = 'email'
            and email_events.recipient_email = crm_people.identifier_value
    left join source_campaigns
        on
            source_campaigns.campaign_source = 'hubspot'
            and cast(email_events.email_campaign_id as {{ dbt.type_string() }}) = source_campaigns.source_campaign_id
    where email_events.event_type = 'CLICK'

),

event_touches as (

    select
        'event_attendance' as touch_type,
        campaign_members.campaign_member_id as source_record_id,
        source_campaigns.campaign_type as touch_detail,
        coalesce(
            cast(campaign_members.first_responded_date as {{ dbt.type_timestamp() }}),
            campaign_members.created_at
        ) as touched_at,
        coalesce(contact_people.person_id, lead_people.person_id) as person_id,
        cast(null as {{ dbt.type_string() }}) as crm_account_id,
        coalesce(source_campaigns.channel, 'events') as channel,
        source_campaigns.campaign_id,
        cast(null as {{ dbt.type_string() }}) as sales_rep_id,
        cast(null as {{ dbt.type_string() }}) as opportunity_id
    from campaign_members
    left join crm_people as contact_people
        on
            contact_people.identifier_type = 'salesforce_contact_id'
            and campaign_members.contact_id = contact_people.identifier_value
    left join crm_people as lead_people
        on
            lead_people.identifier_type = 'salesforce_lead_id'
            and campaign_members.lead_id = lead_people.identifier_value
    left join source_campaigns
        on
            source_campaigns.campaign_source = 'salesforce'
            and campaign_members.campaign_id = source_campaigns.source_campaign_id
    where campaign_members.has_responded

),

sales_activities as (

    select
        case task_type when 'Call' then 'sales_call' else 'sales_email' end as touch_type,
        task_id as source_record_id,
        subject as touch_detail,
        created_at as touched_at,
        who_id,
        account_id as crm_account_id,
        owner_id as sales_rep_id,
        what_id
    from tasks

    union all

    select
        'sales_meeting' as touch_type,
        event_id as source_record_id,
        subject as touch_detail,
        coalesce(started_at, created_at) as touched_at,
        who_id,
        account_id as crm_account_id,
        owner_id as sales_rep_id,
        what_id
    from crm_events

),

sales_touches as (

    select
        sales_activities.touch_type,
        sales_activities.source_record_id,
        sales_activities.touch_detail,
        sales_activities.touched_at,
        crm_people.person_id,
        sales_activities.crm_account_id,
        'sales_outbound' as channel,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        sales_activities.sales_rep_id,
        opportunities.opportunity_id
    from sales_activities
    left join crm_people
        on
            crm_people.identifier_type in ('salesforce_lead_id', 'salesforce_contact_id')
            and sales_activities.who_id = crm_people.identifier_value
    left join opportunities
        on sales_activities.what_id = opportunities.opportunity_id

),

unioned as (

    select * from web_touches
    union all
    select * from form_touches
    union all
    select * from email_touches
    union all
    select * from event_touches
    union all
    select * from sales_touches

),

final as (

    select
        {{ dbt.hash(dbt.concat(['unioned.touch_type', "':'", 'unioned.source_record_id'])) }} as touchpoint_id,
        unioned.touch_type,
        case
            when unioned.touch_type in ('sales_call', 'sales_email', 'sales_meeting') then 'sales'
            else 'marketing'
        end as touch_category,
        unioned.source_record_id,
        unioned.touch_detail,
        unioned.touched_at,
        unioned.person_id,
        coalesce(crm_accounts.account_id, people.account_id) as account_id,
        unioned.channel,
        unioned.campaign_id,
        unioned.sales_rep_id,
        unioned.opportunity_id
    from unioned
    left join people
        on unioned.person_id = people.person_id
    left join account_identifiers as crm_accounts
        on
            crm_accounts.identifier_type = 'salesforce_account_id'
            and unioned.crm_account_id = crm_accounts.identifier_value

)

select * from final
