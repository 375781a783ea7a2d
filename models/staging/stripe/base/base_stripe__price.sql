-- Every raw row of stripe.price, typed and classified for staging (see dq_classify).
-- A price list: unit_amount stays in the price's currency (no conversion).
with

source as (

    select * from {{ gtm_source('stripe', 'price') }}

),

currencies as (

    select * from {{ ref('currencies') }}

),

renamed as (

    select
        {{ blank_to_null('source.id') }} as price_id,
        source.product_id,
        source.nickname,
        nullif(upper({{ trim_spaces('source.currency') }}), '') as currency_code,
        source.unit_amount as unit_amount_minor,
        {{ minor_to_major_units('source.unit_amount', 'currencies.minor_unit_digits') }} as unit_amount,
        nullif(lower({{ trim_spaces('source.recurring_interval') }}), '') as billing_interval,
        coalesce(source.recurring_interval_count, 1) as interval_count,
        coalesce(source.active, true) as is_active,
        source.created as created_at,
        coalesce(source.is_deleted, false) as is_deleted,
        source._fivetran_synced,
        {{ dq_raw_values('stripe', 'price') }} as _dq_raw_values,
        cast(source.id as {{ dbt.type_string() }}) as _dq_raw_key,
        currencies.currency_code is null as is_unknown_currency
    from source
    left join currencies
        on upper({{ trim_spaces('source.currency') }}) = currencies.currency_code

),

normalized as (

    -- the price of one unit per month: a year is 12 months, a week 52/12 of a month (and a
    -- day 365/12), divided by the number of intervals between billings. Computed in double
    -- (explicitly: a decimal literal divides as a decimal on Spark, as a double on DuckDB)
    -- and rounded by to_decimal, so every engine gets the same cents.
    select
        renamed.*,
        {{ to_decimal(
            "renamed.unit_amount
            * case renamed.billing_interval
                when 'month' then cast(1 as double)
                when 'year' then cast(1 as double) / 12
                when 'week' then cast(52 as double) / 12
                when 'day' then cast(365 as double) / 12
            end
            / nullif(renamed.interval_count, 0)",
            18, 4
        ) }} as monthly_unit_amount
    from renamed

),

classified as (

    {{ dq_classify(
        'normalized',
        key_columns=['price_id'],
        loaded_at='_fivetran_synced',
        deleted='is_deleted',
        rules=[
            ('is_unknown_currency', 'unknown_currency'),
            ('unit_amount_minor < 0', 'negative_amount'),
        ]
    ) }}

)

select * from classified
