{{ ad_campaign_stats_staged('linkedin_ads', 'ad_analytics_by_campaign') }}
