-- Every staged HubSpot email event is in fct_email_engagement: SENT events are the sends not
-- flagged is_send_event_missing, and the follow-up events (any other type) linked to the sends
-- add up to the staged follow-up events, per event type group. Returns a row if not.
with

staged as (

    select
        coalesce(sum(case when event_type = 'SENT' then 1 else 0 end), 0) as sent_events,
        coalesce(sum(case when event_type != 'SENT' then 1 else 0 end), 0) as follow_up_events,
        coalesce(sum(case when event_type = 'OPEN' then 1 else 0 end), 0) as open_events,
        coalesce(sum(case when event_type = 'CLICK' then 1 else 0 end), 0) as click_events
    from {{ ref('stg_hubspot__email_events') }}

),

mart as (

    select
        coalesce(sum(case when not is_send_event_missing then 1 else 0 end), 0) as sent_events,
        coalesce(sum(follow_up_event_count), 0) as follow_up_events,
        coalesce(sum(open_count), 0) as open_events,
        coalesce(sum(click_count), 0) as click_events
    from {{ ref('fct_email_engagement') }}

)

select
    staged.sent_events as staged_sent_events,
    mart.sent_events as mart_sent_events,
    staged.follow_up_events as staged_follow_up_events,
    mart.follow_up_events as mart_follow_up_events,
    staged.open_events as staged_open_events,
    mart.open_events as mart_open_events,
    staged.click_events as staged_click_events,
    mart.click_events as mart_click_events
from staged
cross join mart
where
    staged.sent_events != mart.sent_events
    or staged.follow_up_events != mart.follow_up_events
    or staged.open_events != mart.open_events
    or staged.click_events != mart.click_events
