{#-
    Every raw row of salesforce.opportunity, typed, converted to the reporting currency and
    classified for staging (see dq_classify).

    amount_reporting converts at the FX rate of the close date: the KPIs book won revenue at
    the close date. An open opportunity's close date can lie after the last known rate; it is
    converted at the latest known rate instead (the best available estimate).
-#}
with

source as (

    select * from {{ gtm_source('salesforce', 'opportunity') }}

),

currencies as (

    select * from {{ ref('currencies') }}

),

fx_rates_daily as (

    select * from {{ ref('stg_finance__fx_rates_daily') }}

),

renamed as (

    select
        {{ blank_to_null('id') }} as opportunity_id,
        {{ blank_to_null('account_id') }} as account_id,
        name,
        type,
        stage_name,
        {{ to_decimal(nan_to_null("amount"), 18, 2) }} as amount,
        nullif(upper({{ trim_spaces('currency_iso_code') }}), '') as currency_code,
        probability,
        forecast_category,
        close_date,
        is_closed,
        is_won,
        loss_reason_c as loss_reason,
        lead_source,
        {{ blank_to_null('campaign_id') }} as campaign_id,
        {{ blank_to_null('owner_id') }} as owner_id,
        created_date as created_at,
        is_deleted,
        _fivetran_synced,
        {{ dq_raw_values('salesforce', 'opportunity') }} as _dq_raw_values,
        id as _dq_raw_key
    from source

),

fx_coverage as (

    select max(rate_date) as last_rate_date
    from fx_rates_daily

),

with_fx_date as (

    -- the close date, capped at the last day with a known rate (open opportunities closing later)
    select
        renamed.*,
        case
            when renamed.close_date > fx_coverage.last_rate_date then fx_coverage.last_rate_date
            else renamed.close_date
        end as fx_rate_date
    from renamed
    cross join fx_coverage

),

converted as (

    select
        with_fx_date.*,
        with_fx_date.amount is not null as has_amount,
        {{ to_reporting_currency('with_fx_date.amount', 'with_fx_date.currency_code', 'fx') }} as amount_reporting,
        (
            with_fx_date.currency_code is not null and currencies.currency_code is null
        ) as is_unknown_currency,
        {{ channel_from_mapping('salesforce', 'lead_source', 'with_fx_date.lead_source') }} as channel
    from with_fx_date
    left join currencies
        on with_fx_date.currency_code = currencies.currency_code
    {{ join_fx_rate('fx', 'with_fx_date.currency_code', 'with_fx_date.fx_rate_date') }}

),

classified as (

    {{ dq_classify(
        'converted',
        key_columns=['opportunity_id'],
        loaded_at='_fivetran_synced',
        deleted='is_deleted',
        rules=[
            ('created_at > ' ~ future_cutoff(), 'future_timestamp'),
            ('amount < 0', 'negative_amount'),
            ('is_unknown_currency', 'unknown_currency'),
        ]
    ) }}

)

select * from classified
