{% macro utm_campaign_slug(campaign_name) -%}
    {#-
        How the sample company tags its ad links: the campaign name lower-cased, ' - ' replaced
        by '_' and the remaining spaces by '-' ('Lead-Gen - Ebook - 2024-02' -> 'lead-gen_ebook_2024-02').
        Lets web sessions (utm_campaign) be matched to ad campaigns.
    -#}
    replace(replace(lower(trim({{ campaign_name }})), ' - ', '_'), ' ', '-')
{%- endmacro %}
