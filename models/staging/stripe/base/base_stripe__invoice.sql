-- Every raw row of stripe.invoice, typed, converted and classified for staging (see dq_classify).
-- Amounts arrive as integers in minor units of the lower-case currency: divided by
-- 10^minor_unit_digits (currencies seed) and converted at the FX rate of the creation day.
-- Quarantine precedence (first match wins): missing key, unknown currency, negative total,
-- creation time in the future.
with

source as (

    select * from {{ gtm_source('stripe', 'invoice') }}

),

currencies as (

    select * from {{ ref('currencies') }}

),

renamed as (

    select
        {{ blank_to_null('source.id') }} as invoice_id,
        {{ blank_to_null('source.customer_id') }} as customer_id,
        {{ blank_to_null('source.subscription_id') }} as subscription_id,
        source.number as invoice_number,
        nullif(lower({{ trim_spaces('source.status') }}), '') as status,
        nullif(upper({{ trim_spaces('source.currency') }}), '') as currency_code,
        source.subtotal as subtotal_amount_minor,
        source.total as total_amount_minor,
        source.amount_paid as paid_amount_minor,
        {{ minor_to_major_units('source.subtotal', 'currencies.minor_unit_digits') }} as subtotal_amount,
        {{ minor_to_major_units('source.total', 'currencies.minor_unit_digits') }} as total_amount,
        {{ minor_to_major_units('source.amount_paid', 'currencies.minor_unit_digits') }} as paid_amount,
        source.period_start as period_start_at,
        source.period_end as period_end_at,
        source.created as created_at,
        source.due_date as due_at,
        coalesce(source.is_deleted, false) as is_deleted,
        source._fivetran_synced,
        {{ dq_raw_values('stripe', 'invoice') }} as _dq_raw_values,
        cast(source.id as {{ dbt.type_string() }}) as _dq_raw_key,
        currencies.currency_code is null as is_unknown_currency
    from source
    left join currencies
        on upper({{ trim_spaces('source.currency') }}) = currencies.currency_code

),

converted as (

    select
        renamed.*,
        {{ to_reporting_currency('renamed.subtotal_amount', 'renamed.currency_code', 'fx') }}
            as subtotal_amount_reporting,
        {{ to_reporting_currency('renamed.total_amount', 'renamed.currency_code', 'fx') }}
            as total_amount_reporting,
        {{ to_reporting_currency('renamed.paid_amount', 'renamed.currency_code', 'fx') }}
            as paid_amount_reporting
    from renamed
    {{ join_fx_rate('fx', 'renamed.currency_code', 'renamed.created_at') }}

),

classified as (

    {{ dq_classify(
        'converted',
        key_columns=['invoice_id'],
        loaded_at='_fivetran_synced',
        deleted='is_deleted',
        rules=[
            ('is_unknown_currency', 'unknown_currency'),
            ('total_amount_minor < 0', 'negative_amount'),
            ('created_at > ' ~ future_cutoff(), 'future_timestamp'),
        ]
    ) }}

)

select * from classified
