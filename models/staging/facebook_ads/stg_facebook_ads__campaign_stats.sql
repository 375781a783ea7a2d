{{ ad_campaign_stats_staged('facebook_ads', 'basic_campaign') }}
