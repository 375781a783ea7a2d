with

base as (

    select * from {{ ref('base_stripe__invoice_line_item') }}

),

invoices as (

    select invoice_id
    from {{ ref('base_stripe__invoice') }}
    where _dq_status = 'staged'

),

line_items as (

    select *
    from base
    where _dq_status = 'staged'

),

flagged as (

    select
        line_items.*,
        line_items.invoice_id is not null and invoices.invoice_id is null as is_orphan_invoice
    from line_items
    left join invoices
        on line_items.invoice_id = invoices.invoice_id

),

final as (

    select
        invoice_line_item_id,
        invoice_id,
        subscription_id,
        price_id,
        line_description,
        currency_code,
        amount,
        amount_reporting,
        quantity,
        period_start_at,
        period_end_at,
        is_proration,
        is_orphan_invoice,
        _fivetran_synced
    from flagged

)

select * from final
