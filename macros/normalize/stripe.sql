{% macro minor_to_major_units(amount_minor, minor_unit_digits) -%}
    {#-
        An integer amount in minor units (Stripe: cents, or yen for JPY) as a decimal(18, 2)
        amount in major units: amount / 10^minor_unit_digits (digits from the currencies seed).
        Exact: the integer is multiplied by a decimal constant (no float, no integer division).
        NULL when the digits are unknown (a currency missing from the seed).
    -#}
    cast(
        cast({{ amount_minor }} as decimal(38, 0))
        * case {{ minor_unit_digits }}
            when 0 then 1.0000
            when 1 then 0.1000
            when 2 then 0.0100
            when 3 then 0.0010
            when 4 then 0.0001
        end
        as decimal(18, 2)
    )
{%- endmacro %}
