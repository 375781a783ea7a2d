-- One row per marketing email sent to a person (a HubSpot SENT event), with what happened to it:
-- delivered, opened, clicked, bounced, unsubscribed, the first time of each, and open / click counts.
-- Follow-up events (DELIVERED, OPEN, CLICK, BOUNCE, UNSUBSCRIBE …) find their send through
-- sent_by_event_id and the recipient: the send key of a SENT event is its sent_by_event_id (the
-- connector's send id), else its own event id. Follow-up events whose SENT event is missing are not
-- dropped: they make a reconstructed send row (is_send_event_missing), sent_at = their earliest event.
{#-
    Incremental (DuckDB; a plain table on Spark). A send and its follow-up events always have
    one recipient, so a run rewrites every row of the recipients it affects (strategy
    replace_keys on recipient_email_sha256) and keeps the others as built:
    - recipients with an email event in the window (var incremental_lookback_days before the
      latest send here): their rows are rebuilt from their events (a new follow-up can link
      to an old send, a late SENT takes the follow-ups of a reconstructed send);
    - recipients whose person, account or campaign attributes changed since they were built
      (an identity merge, a campaign renamed): their rows are copied from the table with the
      attributes as they are now (those depend on the address and the campaign only).
    Equal to a full refresh as long as no email event arrives more than the window late and
    none already built is re-delivered with another recipient or time. An affected recipient
    always has rows, so no key marker is needed.
-#}
{#- duckdb_uncompressed_columns: unique hashes / UUIDs, stored uncompressed on DuckDB
    (macro duckdb__create_table_as). gtm_heavy: `gtm build` never runs this model beside another
    heavy one (gtm.schedule) -#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='replace_keys',
    unique_key='recipient_email_sha256',
    row_id_column='email_send_id',
    on_schema_change='fail',
    meta={'duckdb_uncompressed_columns': ['email_send_id', 'recipient_email_sha256'], 'gtm_heavy': True},
) }}

with
{%- if is_incremental() %}

-- incremental run: the window, from the latest send built (an empty table, e.g. after
-- `dbt build --empty`: every event is in it)
run_window as (

    select {{ lookback_window_start('max(existing.sent_at)') }} as window_start
    from {{ this }} as existing

),

-- recipients with an email event in the window ('' stands for events without a recipient)
window_recipients as (

    select distinct coalesce(recent.recipient_email, '') as recipient
    from {{ ref('stg_hubspot__email_events') }} as recent
    where recent.occurred_at >= (select run_window.window_start from run_window)

),
{%- endif %}

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

-- the person's account, from int_people_resolved rather than dim_people (the same account_id):
-- dim_people waits for the web sessions (first visits), this model does not need to
people as (

    select * from {{ ref('int_people_resolved') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

email_campaigns as (

    select * from {{ ref('stg_hubspot__email_campaigns') }}

),

-- sends and follow-ups read the model each: a CTE read twice is materialised, here every event
-- (an incremental run reads the events of the window's recipients only)
sends as (

    select
        email_events.recipient_email,
        email_events.email_campaign_id,
        email_events.email_event_id as email_send_id,
        email_events.occurred_at as sent_at,
        coalesce(email_events.sent_by_event_id, email_events.email_event_id) as send_key
    from {{ ref('stg_hubspot__email_events') }} as email_events
    where email_events.event_type = 'SENT'
    {%- if is_incremental() %}
        and coalesce(email_events.recipient_email, '') in (select window_recipients.recipient from window_recipients)
    {%- endif %}

),

follow_ups as (

    select
        email_events.email_event_id,
        email_events.event_type,
        email_events.occurred_at,
        email_events.recipient_email,
        email_events.email_campaign_id,
        coalesce(
            email_events.sent_by_event_id,
            {{ dbt.concat(["'campaign:'", 'cast(email_events.email_campaign_id as ' ~ dbt.type_string() ~ ')']) }}
        ) as link_key
    from {{ ref('stg_hubspot__email_events') }} as email_events
    where email_events.event_type != 'SENT'
    {%- if is_incremental() %}
        and coalesce(email_events.recipient_email, '') in (select window_recipients.recipient from window_recipients)
    {%- endif %}

),

-- the send an event follows: same send key and recipient; the latest send at or before the event,
-- else (clock skew) the earliest send after it
follow_up_candidates as (

    select
        follow_ups.email_event_id,
        sends.email_send_id,
        row_number() over (
            partition by follow_ups.email_event_id
            order by
                case when sends.sent_at <= follow_ups.occurred_at then 0 else 1 end asc,
                case when sends.sent_at <= follow_ups.occurred_at then sends.sent_at end desc,
                sends.sent_at asc,
                sends.email_send_id asc
        ) as send_rank
    from follow_ups
    inner join sends
        on
            follow_ups.link_key = sends.send_key
            and follow_ups.recipient_email = sends.recipient_email

),

linked as (

    select
        follow_ups.event_type,
        follow_ups.occurred_at,
        follow_ups.recipient_email,
        follow_ups.email_campaign_id,
        follow_up_candidates.email_send_id is null as is_send_event_missing,
        coalesce(
            follow_up_candidates.email_send_id,
            {{ dbt.hash(dbt.concat(["'missing_send:'", 'follow_ups.link_key', "':'", 'follow_ups.recipient_email'])) }}
        ) as email_send_id
    from follow_ups
    left join follow_up_candidates
        on
            follow_ups.email_event_id = follow_up_candidates.email_event_id
            and follow_up_candidates.send_rank = 1

),

-- sends known only from their follow-up events
reconstructed_sends as (

    select
        email_send_id,
        min(recipient_email) as recipient_email,
        min(email_campaign_id) as email_campaign_id,
        min(occurred_at) as sent_at
    from linked
    where is_send_event_missing
    group by email_send_id

),

all_sends as (

    select
        email_send_id,
        recipient_email,
        email_campaign_id,
        sent_at,
        false as is_send_event_missing
    from sends

    union all

    select
        email_send_id,
        recipient_email,
        email_campaign_id,
        sent_at,
        true as is_send_event_missing
    from reconstructed_sends

),

engagement as (

    select
        email_send_id,
        min(case when event_type = 'DELIVERED' then occurred_at end) as first_delivered_at,
        min(case when event_type = 'OPEN' then occurred_at end) as first_opened_at,
        min(case when event_type = 'CLICK' then occurred_at end) as first_clicked_at,
        min(case when event_type = 'BOUNCE' then occurred_at end) as bounced_at,
        min(case when event_type = 'UNSUBSCRIBE' then occurred_at end) as unsubscribed_at,
        cast(sum(case when event_type = 'OPEN' then 1 else 0 end) as {{ dbt.type_bigint() }}) as open_count,
        cast(sum(case when event_type = 'CLICK' then 1 else 0 end) as {{ dbt.type_bigint() }}) as click_count,
        cast(count(*) as {{ dbt.type_bigint() }}) as follow_up_event_count
    from linked
    group by email_send_id

),

email_people as (

    select
        identifier_value as email,
        person_id
    from identifiers
    where identifier_type = 'email'

),

final as (

    select
        all_sends.email_send_id,
        {{ sha256_hex('all_sends.recipient_email') }} as recipient_email_sha256,
        cast(all_sends.email_campaign_id as {{ dbt.type_string() }}) as email_campaign_id,
        campaigns.campaign_id,
        email_campaigns.email_campaign_name,
        email_people.person_id,
        people.account_id,
        all_sends.sent_at,
        cast(all_sends.sent_at as date) as sent_date,
        all_sends.is_send_event_missing,
        engagement.first_delivered_at is not null as is_delivered,
        engagement.first_opened_at is not null as is_opened,
        engagement.first_clicked_at is not null as is_clicked,
        engagement.bounced_at is not null as is_bounced,
        engagement.unsubscribed_at is not null as is_unsubscribed,
        engagement.first_delivered_at,
        engagement.first_opened_at,
        engagement.first_clicked_at,
        engagement.bounced_at,
        engagement.unsubscribed_at,
        coalesce(engagement.open_count, 0) as open_count,
        coalesce(engagement.click_count, 0) as click_count,
        coalesce(engagement.follow_up_event_count, 0) as follow_up_event_count,
        -- the run that wrote the row: run-scoped tests check only newer rows (written_at)
        {{ written_at() }} as _written_at
    from all_sends
    left join engagement
        on all_sends.email_send_id = engagement.email_send_id
    left join email_people
        on all_sends.recipient_email = email_people.email
    left join people
        on email_people.person_id = people.person_id
    left join campaigns
        on
            campaigns.campaign_source = 'hubspot'
            and cast(all_sends.email_campaign_id as {{ dbt.type_string() }}) = campaigns.source_campaign_id
    left join email_campaigns
        on all_sends.email_campaign_id = email_campaigns.email_campaign_id

)
{%- if is_incremental() %},

-- the attributes of a row that depend on its address and campaign only, as they are now
current_people as (

    select
        {{ sha256_hex('email_people.email') }} as recipient_email_sha256,
        email_people.person_id,
        people.account_id
    from email_people
    left join people
        on email_people.person_id = people.person_id

),

built_campaigns as (

    select distinct existing.email_campaign_id
    from {{ this }} as existing

),

current_campaigns as (

    select
        built_campaigns.email_campaign_id,
        campaigns.campaign_id,
        email_campaigns.email_campaign_name
    from built_campaigns
    left join campaigns
        on
            campaigns.campaign_source = 'hubspot'
            and built_campaigns.email_campaign_id = campaigns.source_campaign_id
    left join email_campaigns
        on built_campaigns.email_campaign_id = cast(email_campaigns.email_campaign_id as {{ dbt.type_string() }})

),

-- the recipients rebuilt from their events, as keys ('' for no recipient)
window_keys as (

    select distinct coalesce({{ sha256_hex("nullif(window_recipients.recipient, '')") }}, '') as recipient_key
    from window_recipients

),

-- recipients not rebuilt from their events whose rows built no longer have those attributes
changed_recipients as (

    select distinct coalesce(existing.recipient_email_sha256, '') as recipient_key
    from {{ this }} as existing
    left join current_people
        on existing.recipient_email_sha256 = current_people.recipient_email_sha256
    left join current_campaigns
        on existing.email_campaign_id = current_campaigns.email_campaign_id
    where
        coalesce(existing.recipient_email_sha256, '') not in (select window_keys.recipient_key from window_keys)
        and (
            coalesce(existing.person_id, '') != coalesce(current_people.person_id, '')
            or coalesce(existing.account_id, '') != coalesce(current_people.account_id, '')
            or coalesce(existing.campaign_id, '') != coalesce(current_campaigns.campaign_id, '')
            or coalesce(existing.email_campaign_name, '') != coalesce(current_campaigns.email_campaign_name, '')
        )

),

-- their rows as built, with the attributes as they are now
refreshed as (

    select
        existing.email_send_id,
        existing.recipient_email_sha256,
        existing.email_campaign_id,
        current_campaigns.campaign_id,
        current_campaigns.email_campaign_name,
        current_people.person_id,
        current_people.account_id,
        existing.sent_at,
        existing.sent_date,
        existing.is_send_event_missing,
        existing.is_delivered,
        existing.is_opened,
        existing.is_clicked,
        existing.is_bounced,
        existing.is_unsubscribed,
        existing.first_delivered_at,
        existing.first_opened_at,
        existing.first_clicked_at,
        existing.bounced_at,
        existing.unsubscribed_at,
        existing.open_count,
        existing.click_count,
        existing.follow_up_event_count,
        {{ written_at() }} as _written_at
    from {{ this }} as existing
    left join current_people
        on existing.recipient_email_sha256 = current_people.recipient_email_sha256
    left join current_campaigns
        on existing.email_campaign_id = current_campaigns.email_campaign_id
    where coalesce(existing.recipient_email_sha256, '') in (select changed_recipients.recipient_key from changed_recipients)

)
{%- endif %}

select * from final
{%- if is_incremental() %}

union all

select * from refreshed
{%- endif %}
