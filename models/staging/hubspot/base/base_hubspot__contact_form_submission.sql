-- Every raw row of hubspot.contact_form_submission, typed and classified for staging (see dq_classify).
with

source as (

    select * from {{ gtm_source('hubspot', 'contact_form_submission') }}

),

renamed as (

    select
        {{ blank_to_null('source.conversion_id') }} as form_submission_id,
        source.contact_id,
        {{ blank_to_null('source.form_id') }} as form_id,
        {{ blank_to_null('source.title') }} as form_title,
        {{ blank_to_null('source.page_url') }} as page_url,
        source.timestamp as submitted_at,
        source._fivetran_synced,
        {{ dq_raw_values('hubspot', 'contact_form_submission') }} as _dq_raw_values,
        source.conversion_id as _dq_raw_key
    from source

),

with_path as (

    select
        renamed.form_submission_id,
        renamed.contact_id,
        renamed.form_id,
        renamed.form_title,
        renamed.page_url,
        {{ url_path('renamed.page_url') }} as page_path,
        renamed.submitted_at,
        renamed._fivetran_synced,
        renamed._dq_raw_values,
        renamed._dq_raw_key
    from renamed

),

classified as (

    {{ dq_classify(
        'with_path',
        key_columns=['form_submission_id'],
        loaded_at='_fivetran_synced',
        rules=[
            ('submitted_at > ' ~ future_cutoff(), 'future_timestamp'),
        ]
    ) }}

)

select * from classified
