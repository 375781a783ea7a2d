-- Every raw row of stripe.customer, typed, normalised and classified for staging (see dq_classify).
with

source as (

    select * from {{ gtm_source('stripe', 'customer') }}

),

free_mail_domains as (

    select domain from {{ ref('free_mail_domains') }}

),

renamed as (

    select
        {{ blank_to_null('source.id') }} as customer_id,
        {{ normalize_email('source.email') }} as email,
        source.name as customer_name,
        source.description as customer_description,
        nullif(upper({{ trim_spaces('source.currency') }}), '') as currency_code,
        source.metadata,
        {{ regex_extract('source.metadata', 'salesforce_account_id"[ ]*:[ ]*"([^"]+)"') }} as crm_account_id,
        source.created as created_at,
        coalesce(source.delinquent, false) as is_delinquent,
        coalesce(source.is_deleted, false) as is_deleted,
        source._fivetran_synced,
        {{ dq_raw_values('stripe', 'customer') }} as _dq_raw_values,
        cast(source.id as {{ dbt.type_string() }}) as _dq_raw_key
    from source

),

flagged as (

    select
        renamed.*,
        {{ is_valid_email('renamed.email') }} as is_valid_email,
        {{ email_domain('renamed.email') }} as email_domain,
        {{ is_test_email('renamed.email') }} as is_test_email,
        {{ is_internal_email('renamed.email') }} as is_internal_email
    from renamed

),

with_free_mail as (

    select
        flagged.*,
        free_mail_domains.domain is not null as is_free_mail_email
    from flagged
    left join free_mail_domains
        on flagged.email_domain = free_mail_domains.domain

),

classified as (

    {{ dq_classify(
        'with_free_mail',
        key_columns=['customer_id'],
        loaded_at='_fivetran_synced',
        deleted='is_deleted',
    ) }}

)

select * from classified
