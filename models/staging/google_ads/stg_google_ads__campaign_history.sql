with

base as (

    select * from {{ ref('base_google_ads__campaign_history') }}

),

accounts as (

    select distinct account_id
    from {{ ref('base_google_ads__account_history') }}
    where _dq_status = 'staged'

),

versions as (

    select *
    from base
    where _dq_status = 'staged'

),

flagged as (

    select
        versions.*,
        versions.account_id is not null and accounts.account_id is null as is_orphan_account
    from versions
    left join accounts
        on versions.account_id = accounts.account_id

),

final as (

    select
        platform,
        campaign_id,
        updated_at,
        account_id,
        campaign_name,
        utm_campaign,
        status,
        channel,
        advertising_channel_type,
        start_date,
        end_date,
        is_orphan_account,
        _fivetran_synced
    from flagged

)

select * from final
