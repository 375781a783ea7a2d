{% macro utm_campaign_slug(campaign_name) -%}
    {#-
        How the sample company tags its ad links: the campaign name lower-cased, ' - ' replaced
        by '_' and the remaining spaces by '-' ('Lead-Gen - Ebook - 2024-02' -> 'lead-gen_ebook_2024-02').
        Lets web sessions (utm_campaign) be matched to ad campaigns.
    -#}
    replace(replace(lower({{ trim_spaces(campaign_name) }}), ' - ', '_'), ' ', '-')
{%- endmacro %}


{% macro ad_campaign_stats_staged(platform, stats_table) -%}
    {#-
        The staging model of an ad platform's daily campaign stats: the staged rows of
        base_<platform>__<stats_table> (the three platforms' base models share one column
        shape), with is_orphan_campaign when the campaign has no staged campaign version.
    -#}
with

base as (

    select * from {{ ref('base_' ~ platform ~ '__' ~ stats_table) }}

),

campaigns as (

    select distinct campaign_id
    from {{ ref('base_' ~ platform ~ '__campaign_history') }}
    where _dq_status = 'staged'

),

stats as (

    select *
    from base
    where _dq_status = 'staged'

),

flagged as (

    select
        stats.*,
        stats.campaign_id is not null and campaigns.campaign_id is null as is_orphan_campaign
    from stats
    left join campaigns
        on stats.campaign_id = campaigns.campaign_id

),

final as (

    select
        platform,
        campaign_id,
        date_day,
        account_id,
        currency_code,
        spend,
        spend_reporting,
        impressions,
        clicks,
        conversions,
        channel,
        is_orphan_campaign,
        _fivetran_synced
    from flagged

)

select * from final
{%- endmacro %}
