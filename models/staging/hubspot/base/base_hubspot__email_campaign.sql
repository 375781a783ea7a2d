-- Every raw row of hubspot.email_campaign, typed and classified for staging (see dq_classify).
with

source as (

    select * from {{ gtm_source('hubspot', 'email_campaign') }}

),

renamed as (

    select
        source.id as email_campaign_id,
        {{ blank_to_null('source.name') }} as email_campaign_name,
        {{ blank_to_null('source.subject') }} as subject,
        nullif(upper({{ trim_spaces('source.type') }}), '') as campaign_type,
        {{ blank_to_null('source.app_name') }} as app_name,
        source.content_id as email_content_id,
        -- the campaign as its links tag it: lower case, ' - ' -> '_', other spaces -> '-'
        -- ('Nurture - Guide - 2024-01-04' -> 'nurture_guide_2024-01-04')
        nullif(replace(replace(lower({{ trim_spaces('source.name') }}), ' - ', '_'), ' ', '-'), '') as utm_campaign,
        source._fivetran_synced,
        {{ dq_raw_values('hubspot', 'email_campaign') }} as _dq_raw_values,
        cast(source.id as {{ dbt.type_string() }}) as _dq_raw_key
    from source

),

classified as (

    {{ dq_classify(
        'renamed',
        key_columns=['email_campaign_id'],
        loaded_at='_fivetran_synced'
    ) }}

)

select * from classified
