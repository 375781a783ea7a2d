-- One row per identifier (email, Segment anonymous id / user id, HubSpot contact, Salesforce lead /
-- contact) with the unified person it belongs to: the connected component of the active identity
-- edges, found by label propagation over the identifiers that have an active edge (each round, every
-- identifier takes the smallest anchor key among itself and its neighbours, compared as integers
-- numbered in anchor-key order; macro label_propagation_rounds). person_id is a hash of the
-- component's anchor: its smallest email, else its smallest CRM contact, lead, HubSpot contact, user
-- id, anonymous id (in that order), so the id stays the same when records are added to a person whose
-- anchor does not change.
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

-- one integer per identifier, numbered in node_key order: label propagation then joins and compares
-- integers instead of long strings, and the smallest number of a component is its smallest node_key
node_numbers as (

    select
        identifier_type,
        identifier_value,
        node_key,
        row_number() over (order by node_key) as node_number
    from nodes

),

active_edges as (

    select
        left_nodes.node_number as left_number,
        right_nodes.node_number as right_number
    from edges
    inner join node_numbers as left_nodes
        on
            edges.left_type = left_nodes.identifier_type
            and edges.left_value = left_nodes.identifier_value
    inner join node_numbers as right_nodes
        on
            edges.right_type = right_nodes.identifier_type
            and edges.right_value = right_nodes.identifier_value
    where edges.is_active

),

-- only identifiers with an active edge take part: any other identifier is a person of its own
linked_nodes as (

    select left_number as node_number
    from active_edges
    union distinct
    select right_number as node_number
    from active_edges

),

-- undirected adjacency with a self loop per node, so one join per round reads the previous labels once
adjacency as (

    select
        node_number,
        node_number as neighbour_number
    from linked_nodes
    union all
    select
        left_number as node_number,
        right_number as neighbour_number
    from active_edges
    union all
    select
        right_number as node_number,
        left_number as neighbour_number
    from active_edges

),

labels_0 as (

    select
        node_number,
        node_number as component_number
    from linked_nodes

),

{{ label_propagation_rounds(iterations) }},

components as (

    select
        node_numbers.identifier_type,
        node_numbers.identifier_value,
        node_numbers.node_number,
        coalesce(labels_{{ iterations }}.component_number, node_numbers.node_number) as component_number
    from node_numbers
    left join labels_{{ iterations }}
        on node_numbers.node_number = labels_{{ iterations }}.node_number

),

final as (

    select
        components.identifier_type,
        components.identifier_value,
        {{ dbt.hash('anchors.node_key') }} as person_id,
        components.component_number = components.node_number as is_anchor
    from components
    inner join node_numbers as anchors
        on components.component_number = anchors.node_number

)

select * from final
