-- One row per identifier (email, Segment anonymous id / user id, HubSpot contact, Salesforce lead /
-- contact) with the unified person it belongs to: the connected component of the active identity
-- edges, found by label propagation over the identifiers that have an active edge (each round, every
-- identifier takes the smallest anchor key among itself and its neighbours, compared as integers
-- numbered in anchor-key order; macro label_propagation_rounds). person_id is a hash of the
-- component's anchor: its smallest email, else its smallest CRM contact, lead, HubSpot contact, user
-- id, anonymous id (in that order), so the id stays the same when records are added to a person whose
-- anchor does not change.
{#-
    Incremental on DuckDB (a plain table on Spark). Each row keeps `_neighbours_checksum`: a sum
    of hashes of the node keys of the identifier's neighbours over active edges (0 without one).
    A run compares every identifier's checksum with the one built, and re-resolves only the
    people that changed: the people (as built) of every identifier that is new, gone, or whose
    neighbours changed, with every identifier they hold, plus the new identifiers. That set is
    closed under active edges (an edge that is new or gone changes the checksums of both its
    ends; an edge that stayed joins two identifiers of one person as built), so label
    propagation over it gives each of its components exactly as over the whole graph, and the
    anchor, hence the person_id, is the smallest node key of the component either way. Strategy
    replace_keys on person_id: every person re-resolved is rewritten; a person that no longer
    exists (merged into another, or re-anchored) gets a key marker (no identifier_value), which
    deletes its rows. A person_id written cannot belong to a person left alone: its anchor is an
    identifier of the set. The result equals a full refresh, checksum collisions aside (a change
    that leaves a 31-bit sum of hashes the same at every identifier it touches).
-#}
{#- duckdb_uncompressed_columns: values nearly all distinct (emails, device ids), stored uncompressed
    on DuckDB (macro duckdb__create_table_as) -#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='replace_keys',
    unique_key='person_id',
    row_id_column='identifier_value',
    on_schema_change='fail',
    meta={'run_scoped_tests': true, 'duckdb_uncompressed_columns': ['identifier_value']},
) }}
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
        {{ identity_node_key('identifier_type', 'identifier_value') }} as node_key
    from identifiers

),

-- the active edges by the node keys of their ends (every end of an active edge is an identifier)
active_pairs as (

    select
        {{ identity_node_key('left_type', 'left_value') }} as left_key,
        {{ identity_node_key('right_type', 'right_value') }} as right_key
    from edges
    where is_active

),

{%- if is_incremental() %}

-- per identifier with an active edge, its neighbours' checksum now (see the notes above)
neighbour_checksums as (

    select
        neighbours.node_key,
        {{ identity_neighbours_checksum('neighbours.neighbour_key') }} as neighbours_checksum
    from (
        select
            left_key as node_key,
            right_key as neighbour_key
        from active_pairs
        union all
        select
            right_key as node_key,
            left_key as neighbour_key
        from active_pairs
    ) as neighbours
    group by neighbours.node_key

),

built as (

    select
        existing.identifier_type,
        existing.identifier_value,
        existing.person_id,
        existing._neighbours_checksum
    from {{ this }} as existing

),

-- the people (as built) of every identifier that is gone or has other neighbours now (a new
-- identifier with an edge changes its neighbours' checksums)
changed_people as (

    select distinct built.person_id
    from built
    left join nodes
        on
            built.identifier_type = nodes.identifier_type
            and built.identifier_value = nodes.identifier_value
    left join neighbour_checksums
        on nodes.node_key = neighbour_checksums.node_key
    where
        nodes.node_key is null
        or coalesce(neighbour_checksums.neighbours_checksum, 0) != built._neighbours_checksum

),

{%- endif %}

-- the identifiers to resolve: every one (full refresh), or those of the changed people and the new ones
resolved_nodes as (

    select nodes.*
    from nodes
    {%- if is_incremental() %}
    left join built
        on
            nodes.identifier_type = built.identifier_type
            and nodes.identifier_value = built.identifier_value
    where
        built.person_id is null
        or built.person_id in (select changed_people.person_id from changed_people)
    {%- endif %}

),

-- one integer per identifier, numbered in node_key order: label propagation then joins and compares
-- integers instead of long strings, and the smallest number of a component is its smallest node_key
node_numbers as (

    select
        identifier_type,
        identifier_value,
        node_key,
        row_number() over (order by node_key) as node_number
    from resolved_nodes

),

active_edges as (

    select
        left_nodes.node_number as left_number,
        right_nodes.node_number as right_number,
        active_pairs.left_key,
        active_pairs.right_key
    from active_pairs
    inner join node_numbers as left_nodes
        on active_pairs.left_key = left_nodes.node_key
    inner join node_numbers as right_nodes
        on active_pairs.right_key = right_nodes.node_key

),

-- per identifier with an active edge: a sum of 31-bit hashes of its neighbours' node keys, which
-- changes with any edge added to or taken from it (incremental runs compare it with the one built;
-- the identifiers resolved hold every neighbour of theirs)
number_checksums as (

    select
        neighbours.node_number,
        {{ identity_neighbours_checksum('neighbours.neighbour_key') }} as neighbours_checksum
    from (
        select
            left_number as node_number,
            right_key as neighbour_key
        from active_edges
        union all
        select
            right_number as node_number,
            left_key as neighbour_key
        from active_edges
    ) as neighbours
    group by neighbours.node_number

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
        coalesce(number_checksums.neighbours_checksum, 0) as neighbours_checksum,
        coalesce(labels_{{ iterations }}.component_number, node_numbers.node_number) as component_number
    from node_numbers
    left join labels_{{ iterations }}
        on node_numbers.node_number = labels_{{ iterations }}.node_number
    left join number_checksums
        on node_numbers.node_number = number_checksums.node_number

),

final as (

    select
        components.identifier_type,
        components.identifier_value,
        {{ dbt.hash('anchors.node_key') }} as person_id,
        components.component_number = components.node_number as is_anchor,
        components.neighbours_checksum as _neighbours_checksum,
        -- the run that wrote the row: run-scoped tests check only newer rows (written_at)
        {{ written_at() }} as _written_at
    from components
    inner join node_numbers as anchors
        on components.component_number = anchors.node_number

)

select * from final
{%- if is_incremental() %}

union all

-- key markers: changed people that exist no more (merged into another, or re-anchored)
select
    null as identifier_type,
    null as identifier_value,
    changed_people.person_id,
    null as is_anchor,
    null as _neighbours_checksum,
    null as _written_at
from changed_people
where changed_people.person_id not in (select final.person_id from final)
{%- endif %}
