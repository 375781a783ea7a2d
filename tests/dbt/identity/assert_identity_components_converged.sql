-- Every active identity edge joins two identifiers of the same person. A row here means label
-- propagation stopped before a component was fully connected: raise var identity_max_iterations.
with

edges as (

    select * from {{ ref('int_identity_edges') }}
    where is_active

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

final as (

    select
        edges.edge_id,
        edges.left_type,
        edges.left_value,
        left_ids.person_id as left_person_id,
        edges.right_type,
        edges.right_value,
        right_ids.person_id as right_person_id
    from edges
    left join identifiers as left_ids
        on
            edges.left_type = left_ids.identifier_type
            and edges.left_value = left_ids.identifier_value
    left join identifiers as right_ids
        on
            edges.right_type = right_ids.identifier_type
            and edges.right_value = right_ids.identifier_value
    where
        left_ids.person_id is null
        or right_ids.person_id is null
        or left_ids.person_id <> right_ids.person_id

)

select * from final
