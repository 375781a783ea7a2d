with

base as (

    select * from {{ ref('base_sales_ops__quota') }}

),

final as (

    select
        quota_row_id,
        rep_id,
        fiscal_year,
        fiscal_quarter,
        fiscal_quarter_start_date,
        quota_amount,
        currency_code,
        quota_amount_reporting,
        _fivetran_synced
    from base
    where _dq_status = 'staged'

)

select * from final
