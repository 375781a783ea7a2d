-- Every raw row of sales_ops.gtm_cost (month × team × category, a synced spreadsheet), typed,
-- converted and classified for staging (see dq_classify). The cost is converted into the
-- reporting currency at the FX rate of the first day of its month.
with

source as (

    select * from {{ gtm_source('sales_ops', 'gtm_cost') }}

),

currencies as (

    select currency_code from {{ ref('currencies') }}

),

renamed as (

    select
        source._row as cost_row_id,
        cast({{ dbt.date_trunc('month', 'source.month') }} as date) as cost_month,
        nullif(lower({{ trim_spaces('source.team') }}), '') as team,
        nullif(lower({{ trim_spaces('source.category') }}), '') as category,
        {{ to_decimal('source.amount', 18, 2) }} as amount,
        nullif(upper({{ trim_spaces('source.currency_code') }}), '') as currency_code,
        source._fivetran_synced,
        {{ dq_raw_values('sales_ops', 'gtm_cost') }} as _dq_raw_values,
        cast(source._row as {{ dbt.type_string() }}) as _dq_raw_key
    from source

),

with_currency as (

    select
        renamed.*,
        currencies.currency_code is null as is_unknown_currency
    from renamed
    left join currencies
        on renamed.currency_code = currencies.currency_code

),

converted as (

    select
        with_currency.*,
        {{ to_reporting_currency('with_currency.amount', 'with_currency.currency_code', 'fx') }} as amount_reporting
    from with_currency
    {{ join_fx_rate('fx', 'with_currency.currency_code', 'with_currency.cost_month') }}

),

classified as (

    {{ dq_classify(
        'converted',
        key_columns=['cost_row_id'],
        loaded_at='_fivetran_synced',
        rules=[
            ('is_unknown_currency', 'unknown_currency'),
            ('amount < 0', 'negative_amount'),
        ]
    ) }}

)

select * from classified
