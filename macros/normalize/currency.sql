{% macro to_reporting_currency(amount, currency, fx_alias) -%}
    {#-
        `amount` in the reporting currency (var reporting_currency), rounded to the cent, using
        the row of stg_finance__fx_rates_daily joined as `fx_alias` (see join_fx_rate). NULL when
        no rate is known for that currency and day (the model flags it).
    -#}
    {%- set converted -%}
        case
            when {{ currency }} = '{{ var("reporting_currency") }}' then {{ amount }}
            else {{ amount }} * {{ fx_alias }}.rate_to_reporting
        end
    {%- endset %}
    {#- round_places: the cent rounding of a double is the same on every engine (macros/portable/numeric.sql) #}
    cast({{ round_places(converted, 2) }} as decimal(18, 2))
{%- endmacro %}


{% macro join_fx_rate(fx_alias, currency, date_expression) -%}
    left join {{ ref('stg_finance__fx_rates_daily') }} as {{ fx_alias }}
        on
            {{ fx_alias }}.currency_code = {{ currency }}
            and {{ fx_alias }}.rate_date = cast({{ date_expression }} as date)
{%- endmacro %}
