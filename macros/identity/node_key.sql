{#-
    The node key of an identifier in the identity graph: a one-digit priority of its type, then
    type and value ('1email:ann@acme.com'). The smallest node key of a component is its anchor,
    and person_id is its hash: an email first, then a CRM contact, CRM lead, HubSpot contact,
    Segment user id, Segment anonymous id.
-#}
{% macro identity_node_key(type_column, value_column) -%}
    {{ dbt.concat([
        "case " ~ type_column
        ~ " when 'email' then '1' when 'salesforce_contact_id' then '2' when 'salesforce_lead_id' then '3'"
        ~ " when 'hubspot_contact_id' then '4' when 'segment_user_id' then '5' else '6' end",
        type_column, "':'", value_column
    ]) }}
{%- endmacro %}


{#-
    The aggregate of an identifier's neighbour checksum (int_identifiers_resolved): a sum of
    31-bit hashes of the neighbours' node keys. Any edge added to or taken from the identifier
    changes it, bar a collision; a bigint sum of values below 2^31 cannot overflow.
-#}
{% macro identity_neighbours_checksum(neighbour_key) -%}
    cast(sum({{ key_hash(neighbour_key) }} % 2147483647) as {{ dbt.type_bigint() }})
{%- endmacro %}
