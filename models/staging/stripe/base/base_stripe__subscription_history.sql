-- Every raw row of stripe.subscription_history (type-2 subscription versions), typed and
-- classified for staging (see dq_classify). Key: subscription id × _fivetran_start.
with

source as (

    select * from {{ gtm_source('stripe', 'subscription_history') }}

),

renamed as (

    select
        {{ blank_to_null('source.id') }} as subscription_id,
        source._fivetran_start as valid_from,
        source._fivetran_end as valid_to,
        coalesce(source._fivetran_active, false) as is_current,
        {{ blank_to_null('source.customer_id') }} as customer_id,
        nullif(lower({{ trim_spaces('source.status') }}), '') as status,
        {{ blank_to_null('source.plan_id') }} as price_id,
        source.quantity,
        source.start_date as started_at,
        source.current_period_start as current_period_start_at,
        source.current_period_end as current_period_end_at,
        coalesce(source.cancel_at_period_end, false) as is_cancel_at_period_end,
        source.canceled_at,
        source.ended_at,
        source.created as created_at,
        source.metadata,
        source._fivetran_synced,
        {{ dq_raw_values('stripe', 'subscription_history') }} as _dq_raw_values,
        {{ dbt.concat([
            "coalesce(cast(source.id as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(cast(source._fivetran_start as " ~ dbt.type_string() ~ "), '')"
        ]) }} as _dq_raw_key
    from source

),

classified as (

    {{ dq_classify(
        'renamed',
        key_columns=['subscription_id', 'valid_from'],
        loaded_at='_fivetran_synced',
    ) }}

)

select * from classified
