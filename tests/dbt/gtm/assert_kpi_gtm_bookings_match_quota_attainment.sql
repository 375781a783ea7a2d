-- Bookings have one definition: the all-channels bookings of kpi_gtm_monthly, added up per
-- fiscal quarter (dim_dates), equal fct_quota_attainment's bookings per fiscal quarter, and
-- won deals its won count. Returns the quarters that differ.
with

kpi as (

    select * from {{ ref('kpi_gtm_monthly') }}
    where channel = 'all'

),

dates as (

    select * from {{ ref('dim_dates') }}

),

attainment as (

    select
        fiscal_quarter_start_date,
        sum(bookings_amount) as bookings,
        sum(won_count) as won_deals
    from {{ ref('fct_quota_attainment') }}
    group by fiscal_quarter_start_date

),

kpi_quarters as (

    select
        dates.fiscal_quarter_start_date,
        sum(kpi.bookings_reporting) as bookings,
        sum(kpi.won_deals) as won_deals
    from kpi
    inner join dates
        on kpi.month_start_date = dates.date_day
    group by dates.fiscal_quarter_start_date

)

select
    kpi_quarters.bookings as kpi_bookings,
    attainment.bookings as attainment_bookings,
    kpi_quarters.won_deals as kpi_won_deals,
    attainment.won_deals as attainment_won_deals,
    coalesce(kpi_quarters.fiscal_quarter_start_date, attainment.fiscal_quarter_start_date)
        as fiscal_quarter_start_date
from kpi_quarters
full outer join attainment
    on kpi_quarters.fiscal_quarter_start_date = attainment.fiscal_quarter_start_date
where
    coalesce(kpi_quarters.bookings, 0) != coalesce(attainment.bookings, 0)
    or coalesce(kpi_quarters.won_deals, 0) != coalesce(attainment.won_deals, 0)
