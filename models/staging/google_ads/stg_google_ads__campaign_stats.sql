{{ ad_campaign_stats_staged('google_ads', 'campaign_stats') }}
