-- Every raw row of finance.fx_rate, typed and classified for staging (see dq_classify).
with

source as (

    select * from {{ gtm_source('finance', 'fx_rate') }}

),

currencies as (

    select currency_code from {{ ref('currencies') }}

),

renamed as (

    select
        source.rate_date,
        nullif(upper({{ trim_spaces('source.from_currency') }}), '') as from_currency,
        nullif(upper({{ trim_spaces('source.to_currency') }}), '') as to_currency,
        cast(source.rate as double) as rate,  -- 8-byte float: a 4-byte REAL loses cents
        source._fivetran_synced,
        {{ dq_raw_values('finance', 'fx_rate') }} as _dq_raw_values,
        {{ dbt.concat([
            "coalesce(cast(source.rate_date as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(source.from_currency, '')", "'|'", "coalesce(source.to_currency, '')"
        ]) }} as _dq_raw_key,
        from_known.currency_code is null or to_known.currency_code is null as is_unknown_currency
    from source
    left join currencies as from_known
        on upper({{ trim_spaces('source.from_currency') }}) = from_known.currency_code
    left join currencies as to_known
        on upper({{ trim_spaces('source.to_currency') }}) = to_known.currency_code

),

classified as (

    {{ dq_classify(
        'renamed',
        key_columns=['rate_date', 'from_currency', 'to_currency'],
        loaded_at='_fivetran_synced',
        rules=[
            ('is_unknown_currency', 'unknown_currency'),
            ('rate is null or rate <= 0', 'invalid_amount'),
            ('cast(rate_date as ' ~ dbt.type_timestamp() ~ ') > ' ~ future_cutoff(), 'future_timestamp'),
        ]
    ) }}

)

select * from classified
