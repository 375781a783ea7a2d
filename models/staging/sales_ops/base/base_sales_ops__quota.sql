-- Every raw row of sales_ops.quota (rep × fiscal quarter, a synced spreadsheet), typed,
-- converted and classified for staging (see dq_classify). The quota is converted into the
-- reporting currency at the FX rate of the first day of its fiscal quarter.
with

source as (

    select * from {{ gtm_source('sales_ops', 'quota') }}

),

currencies as (

    select currency_code from {{ ref('currencies') }}

),

renamed as (

    select
        source._row as quota_row_id,
        {{ blank_to_null('source.rep_id') }} as rep_id,
        source.fiscal_year,
        source.fiscal_quarter,
        {{ fiscal_quarter_start_date('source.fiscal_year', 'source.fiscal_quarter') }} as fiscal_quarter_start_date,
        {{ to_decimal('source.quota_amount', 18, 2) }} as quota_amount,
        nullif(upper({{ trim_spaces('source.currency_code') }}), '') as currency_code,
        source._fivetran_synced,
        {{ dq_raw_values('sales_ops', 'quota') }} as _dq_raw_values,
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
        {{ to_reporting_currency('with_currency.quota_amount', 'with_currency.currency_code', 'fx') }}
            as quota_amount_reporting
    from with_currency
    {{ join_fx_rate('fx', 'with_currency.currency_code', 'with_currency.fiscal_quarter_start_date') }}

),

classified as (

    {{ dq_classify(
        'converted',
        key_columns=['quota_row_id'],
        loaded_at='_fivetran_synced',
        rules=[
            ('is_unknown_currency', 'unknown_currency'),
            ('quota_amount < 0', 'negative_amount'),
        ]
    ) }}

)

select * from classified
