-- One row per identifier (email, Segment anonymous id / user id, HubSpot contact, Salesforce lead /
-- contact) with the unified person it belongs to: the connected component of the active identity
-- edges, found by label propagation (each round, every identifier takes the smallest anchor key among
-- itself and its neighbours). person_id is a hash of the component's anchor: its smallest email, else
-- its smallest CRM contact, lead, HubSpot contact, user id, anonymous id (in that order), so the id
-- stays the same when records are added to a person whose anchor does not change.
{%- set iterations = var('identity_max_iterations') | int %}
with

edges as (

    select * from {{ ref('int_identity_edges') }}

),

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

salesforce_leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

salesforce_contacts as (

    select * from {{ ref('stg_salesforce__contacts') }}

),

-- every record is a person even when it links to nothing; identifiers of edges come with them
identifiers as (

    select
        'hubspot_contact_id' as identifier_type,
        cast(contact_id as {{ dbt.type_string() }}) as identifier_value
    from hubspot_contacts

    union distinct

    select
        'salesforce_lead_id' as identifier_type,
        lead_id as identifier_value
    from salesforce_leads

    union distinct

    select
        'salesforce_contact_id' as identifier_type,
        contact_id as identifier_value
    from salesforce_contacts

    union distinct

    select
        left_type as identifier_type,
        left_value as identifier_value
    from edges

    union distinct

    -- the far end of a rejected edge is still an identifier, unless it is no identifier at all
    select
        right_type as identifier_type,
        right_value as identifier_value
    from edges
    where is_active or conflict_reason not in ('invalid_email', 'shared_inbox')

),

nodes as (

    select
        identifier_type,
        identifier_value,
        {{ dbt.concat([
            "case identifier_type"
            ~ " when 'email' then '1' when 'salesforce_contact_id' then '2' when 'salesforce_lead_id' then '3'"
            ~ " when 'hubspot_contact_id' then '4' when 'segment_user_id' then '5' else '6' end",
            'identifier_type', "':'", 'identifier_value'
        ]) }} as node_key
    from identifiers

),

node_keys as (

    select
        edges.left_type,
        edges.left_value,
        edges.right_type,
        edges.right_value,
        left_nodes.node_key as left_key,
        right_nodes.node_key as right_key
    from edges
    inner join nodes as left_nodes
        on
            edges.left_type = left_nodes.identifier_type
            and edges.left_value = left_nodes.identifier_value
    inner join nodes as right_nodes
        on
            edges.right_type = right_nodes.identifier_type
            and edges.right_value = right_nodes.identifier_value
    where edges.is_active

),

-- undirected adjacency with a self loop per node, so one join per round reads the previous labels once
adjacency as (

    select
        node_key,
        node_key as neighbour_key
    from nodes
    union all
    select
        left_key as node_key,
        right_key as neighbour_key
    from node_keys
    union all
    select
        right_key as node_key,
        left_key as neighbour_key
    from node_keys

),

labels_0 as (

    select
        node_key,
        node_key as component_label
    from nodes

),
{% for round in range(1, iterations + 1) %}
    labels_{{ round }} as (

        select
            adjacency.node_key,
            min(labels_{{ round - 1 }}.component_label) as component_label
        from adjacency
        inner join labels_{{ round - 1 }}
            on adjacency.neighbour_key = labels_{{ round - 1 }}.node_key
        group by adjacency.node_key

    ),
{% endfor %}
final as (

    select
        nodes.identifier_type,
        nodes.identifier_value,
        {{ dbt.hash('labels_' ~ iterations ~ '.component_label') }} as person_id,
        labels_{{ iterations }}.component_label = nodes.node_key as is_anchor
    from nodes
    inner join labels_{{ iterations }}
        on nodes.node_key = labels_{{ iterations }}.node_key

)

select * from final
