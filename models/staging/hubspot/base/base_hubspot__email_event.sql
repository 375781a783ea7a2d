-- Every raw row of hubspot.email_event, typed, normalised and classified for staging (see dq_classify).
with

source as (

    select * from {{ gtm_source('hubspot', 'email_event') }}

),

renamed as (

    select
        nullif(trim(source.id), '') as email_event_id,
        nullif(upper(trim(source.type)), '') as event_type,
        source.created as occurred_at,
        {{ normalize_email('source.recipient') }} as recipient_email,
        source.email_campaign_id,
        nullif(trim(source.sent_by_id), '') as sent_by_event_id,
        nullif(trim(source.url), '') as url,
        source._fivetran_synced,
        {{ dq_raw_values('hubspot', 'email_event') }} as _dq_raw_values,
        source.id as _dq_raw_key
    from source

),

with_utm as (

    select
        renamed.email_event_id,
        renamed.event_type,
        renamed.occurred_at,
        renamed.recipient_email,
        renamed.email_campaign_id,
        renamed.sent_by_event_id,
        renamed.url,
        {{ url_parameter('renamed.url', 'utm_source') }} as utm_source,
        {{ url_parameter('renamed.url', 'utm_medium') }} as utm_medium,
        {{ url_parameter('renamed.url', 'utm_campaign') }} as utm_campaign,
        {{ url_parameter('renamed.url', 'utm_content') }} as utm_content,
        {{ url_parameter('renamed.url', 'utm_term') }} as utm_term,
        renamed._fivetran_synced,
        renamed._dq_raw_values,
        renamed._dq_raw_key
    from renamed

),

classified as (

    {{ dq_classify(
        'with_utm',
        key_columns=['email_event_id'],
        loaded_at='_fivetran_synced',
        rules=[
            ('occurred_at > ' ~ future_cutoff(), 'future_timestamp'),
        ]
    ) }}

)

select * from classified
