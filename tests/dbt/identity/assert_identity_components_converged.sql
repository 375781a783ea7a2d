-- Every active identity edge joins two identifiers of the same person. A row here means label
-- propagation stopped before a component was fully connected: raise var identity_max_iterations.
{#- Run-scoped (macros/tests_scope): after a fully tested run, only the edges at an identifier
    written since. int_identifiers_resolved rewrites both ends of every edge that is new or
    gone (their neighbour checksums change), so an edge whose ends were both written before was
    checked by that run, and neither it nor the people of its ends have changed since. -#}
{%- set scope = run_scope_condition('recent._written_at', of='int_identifiers_resolved') %}
with

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

edges as (

    select all_edges.*
    from {{ ref('int_identity_edges') }} as all_edges
    where all_edges.is_active
    {%- if scope %}
        and (
            exists (
                select 1
                from identifiers as recent
                where
                    {{ scope }}
                    and recent.identifier_type = all_edges.left_type
                    and recent.identifier_value = all_edges.left_value
            )
            or exists (
                select 1
                from identifiers as recent
                where
                    {{ scope }}
                    and recent.identifier_type = all_edges.right_type
                    and recent.identifier_value = all_edges.right_value
            )
        )
    {%- endif %}

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
