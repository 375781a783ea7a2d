-- Every raw row of stripe.invoice_line_item, typed, converted and classified for staging
-- (see dq_classify). Amounts in minor units of the invoice currency, converted at the FX rate
-- of the day the billed period starts. A negative amount is a fault only on a regular line:
-- proration lines (mid-period downgrades, cancellations) legitimately credit the customer.
with

source as (

    select * from {{ gtm_source('stripe', 'invoice_line_item') }}

),

currencies as (

    select * from {{ ref('currencies') }}

),

renamed as (

    select
        {{ blank_to_null('source.id') }} as invoice_line_item_id,
        {{ blank_to_null('source.invoice_id') }} as invoice_id,
        {{ blank_to_null('source.subscription_id') }} as subscription_id,
        {{ blank_to_null('source.price_id') }} as price_id,
        source.description as line_description,
        nullif(upper({{ trim_spaces('source.currency') }}), '') as currency_code,
        source.amount as amount_minor,
        {{ minor_to_major_units('source.amount', 'currencies.minor_unit_digits') }} as amount,
        source.quantity,
        source.period_start as period_start_at,
        source.period_end as period_end_at,
        coalesce(source.proration, false) as is_proration,
        source._fivetran_synced,
        {{ dq_raw_values('stripe', 'invoice_line_item') }} as _dq_raw_values,
        cast(source.id as {{ dbt.type_string() }}) as _dq_raw_key,
        currencies.currency_code is null as is_unknown_currency
    from source
    left join currencies
        on upper({{ trim_spaces('source.currency') }}) = currencies.currency_code

),

converted as (

    select
        renamed.*,
        {{ to_reporting_currency('renamed.amount', 'renamed.currency_code', 'fx') }} as amount_reporting
    from renamed
    {{ join_fx_rate('fx', 'renamed.currency_code', 'renamed.period_start_at') }}

),

classified as (

    {{ dq_classify(
        'converted',
        key_columns=['invoice_line_item_id'],
        loaded_at='_fivetran_synced',
        rules=[
            ('is_unknown_currency', 'unknown_currency'),
            ('amount_minor < 0 and not is_proration', 'negative_amount'),
        ]
    ) }}

)

select * from classified
