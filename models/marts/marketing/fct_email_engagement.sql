-- One row per marketing email sent to a person (a HubSpot SENT event), with what happened to it:
-- delivered, opened, clicked, bounced, unsubscribed, the first time of each, and open / click counts.
-- Follow-up events (DELIVERED, OPEN, CLICK, BOUNCE, UNSUBSCRIBE …) find their send through
-- sent_by_event_id and the recipient: the send key of a SENT event is its sent_by_event_id (the
-- connector's send id), else its own event id. Follow-up events whose SENT event is missing are not
-- dropped: they make a reconstructed send row (is_send_event_missing), sent_at = their earliest event.
with

email_events as (

    select * from {{ ref('stg_hubspot__email_events') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

people as (

    select * from {{ ref('dim_people') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

email_campaigns as (

    select * from {{ ref('stg_hubspot__email_campaigns') }}

),

sends as (

    select
        recipient_email,
        email_campaign_id,
        email_event_id as email_send_id,
        occurred_at as sent_at,
        coalesce(sent_by_event_id, email_event_id) as send_key
    from email_events
    where event_type = 'SENT'

),

follow_ups as (

    select
        email_event_id,
        event_type,
        occurred_at,
        recipient_email,
        email_campaign_id,
        coalesce(
            sent_by_event_id,
            {{ dbt.concat(["'campaign:'", 'cast(email_campaign_id as ' ~ dbt.type_string() ~ ')']) }}
        ) as link_key
    from email_events
    where event_type != 'SENT'

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
        coalesce(engagement.follow_up_event_count, 0) as follow_up_event_count
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

select * from final
