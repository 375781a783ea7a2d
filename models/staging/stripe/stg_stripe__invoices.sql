with

base as (

    select * from {{ ref('base_stripe__invoice') }}

),

customers as (

    select customer_id
    from {{ ref('base_stripe__customer') }}
    where _dq_status = 'staged'

),

subscriptions as (

    select distinct subscription_id
    from {{ ref('base_stripe__subscription_history') }}
    where _dq_status = 'staged'

),

invoices as (

    select *
    from base
    where _dq_status = 'staged'

),

flagged as (

    select
        invoices.*,
        invoices.customer_id is not null and customers.customer_id is null as is_orphan_customer,
        invoices.subscription_id is not null and subscriptions.subscription_id is null as is_orphan_subscription
    from invoices
    left join customers
        on invoices.customer_id = customers.customer_id
    left join subscriptions
        on invoices.subscription_id = subscriptions.subscription_id

),

final as (

    select
        invoice_id,
        customer_id,
        subscription_id,
        invoice_number,
        status,
        currency_code,
        subtotal_amount,
        total_amount,
        paid_amount,
        subtotal_amount_reporting,
        total_amount_reporting,
        paid_amount_reporting,
        period_start_at,
        period_end_at,
        created_at,
        due_at,
        is_orphan_customer,
        is_orphan_subscription,
        _fivetran_synced
    from flagged

)

select * from final
