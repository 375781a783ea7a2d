-- Every raw row of linkedin_ads.account_history (account versions), typed and classified for
-- staging (see dq_classify). Key: account id × last_modified_time (renamed updated_at).
with

source as (

    select * from {{ gtm_source('linkedin_ads', 'account_history') }}

),

renamed as (

    select
        source.id as account_id,
        source.last_modified_time as updated_at,
        source.name as account_name,
        nullif(upper({{ trim_spaces('source.currency') }}), '') as currency_code,
        nullif(upper({{ trim_spaces('source.status') }}), '') as status,
        source._fivetran_synced,
        {{ dq_raw_values('linkedin_ads', 'account_history') }} as _dq_raw_values,
        {{ dbt.concat([
            "coalesce(cast(source.id as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(cast(source.last_modified_time as " ~ dbt.type_string() ~ "), '')"
        ]) }} as _dq_raw_key
    from source

),

classified as (

    {{ dq_classify(
        'renamed',
        key_columns=['account_id', 'updated_at'],
        loaded_at='_fivetran_synced',
    ) }}

)

select * from classified
