{% macro staging_model_names() -%}
    {#-
        The staging model of every raw contract table. Each raw table `<source>.<table>` has a
        base model `base_<source>__<table>` (every raw row, typed and classified) and the
        staging model named here (the staged rows only). dq_source_reconciliation reads both.
    -#}
    {{ return({
        'salesforce': {
            'account': 'stg_salesforce__accounts',
            'contact': 'stg_salesforce__contacts',
            'lead': 'stg_salesforce__leads',
            'lead_history': 'stg_salesforce__lead_history',
            'opportunity': 'stg_salesforce__opportunities',
            'opportunity_history': 'stg_salesforce__opportunity_history',
            'campaign': 'stg_salesforce__campaigns',
            'campaign_member': 'stg_salesforce__campaign_members',
            'user': 'stg_salesforce__users',
            'user_role': 'stg_salesforce__user_roles',
            'task': 'stg_salesforce__tasks',
            'event': 'stg_salesforce__events',
        },
        'hubspot': {
            'contact': 'stg_hubspot__contacts',
            'contact_property_history': 'stg_hubspot__contact_property_history',
            'email_campaign': 'stg_hubspot__email_campaigns',
            'email_event': 'stg_hubspot__email_events',
            'contact_form_submission': 'stg_hubspot__form_submissions',
        },
        'google_ads': {
            'account_history': 'stg_google_ads__account_history',
            'campaign_history': 'stg_google_ads__campaign_history',
            'campaign_stats': 'stg_google_ads__campaign_stats',
        },
        'linkedin_ads': {
            'account_history': 'stg_linkedin_ads__account_history',
            'campaign_history': 'stg_linkedin_ads__campaign_history',
            'ad_analytics_by_campaign': 'stg_linkedin_ads__campaign_stats',
        },
        'facebook_ads': {
            'account_history': 'stg_facebook_ads__account_history',
            'campaign_history': 'stg_facebook_ads__campaign_history',
            'basic_campaign': 'stg_facebook_ads__campaign_stats',
        },
        'segment': {
            'pages': 'stg_segment__pages',
            'tracks': 'stg_segment__tracks',
            'identifies': 'stg_segment__identifies',
        },
        'stripe': {
            'customer': 'stg_stripe__customers',
            'price': 'stg_stripe__prices',
            'subscription_history': 'stg_stripe__subscription_history',
            'subscription_item': 'stg_stripe__subscription_items',
            'invoice': 'stg_stripe__invoices',
            'invoice_line_item': 'stg_stripe__invoice_line_items',
        },
        'sales_ops': {
            'quota': 'stg_sales_ops__quotas',
            'gtm_cost': 'stg_sales_ops__gtm_costs',
        },
        'finance': {
            'fx_rate': 'stg_finance__fx_rates',
        },
    }) }}
{%- endmacro %}
