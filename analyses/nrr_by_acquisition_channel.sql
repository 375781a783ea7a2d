-- Which acquisition channels bring customers that grow? Net and gross revenue retention 12 months
-- after acquisition, by the account's first-touch channel: all cohorts at least 12 months old
-- pooled (kpi_retention_cohorts, constant currency: the starting MRR restated at month 12's rate).
with

cohorts as (

    select * from {{ ref('kpi_retention_cohorts') }}
    where months_since_acquisition = 12

)

select
    first_touch_channel as acquisition_channel,
    sum(cohort_customers) as customers,
    sum(customers_retained) as customers_retained,
    sum(starting_mrr_restated_reporting) as starting_mrr_reporting,
    sum(mrr_retained_reporting) as mrr_after_12_months_reporting,
    cast(sum(mrr_retained_reporting) as double)
    / nullif(cast(sum(starting_mrr_restated_reporting) as double), 0) as net_revenue_retention_12m,
    cast(sum(gross_mrr_retained_reporting) as double)
    / nullif(cast(sum(starting_mrr_restated_reporting) as double), 0) as gross_revenue_retention_12m
from cohorts
group by first_touch_channel
order by case when first_touch_channel = 'all' then 1 else 0 end, net_revenue_retention_12m desc
