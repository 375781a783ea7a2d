{% macro label_propagation_rounds(iterations) -%}
    {#-
        The rounds of label propagation over a graph, as the CTEs labels_1 … labels_<iterations>
        (node_number, component_number): each round, every node takes the smallest component
        number among its own and its neighbours'. Expects the CTEs labels_0 (node_number,
        component_number: every node its own number) and adjacency (node_number,
        neighbour_number: both directions of every edge and a self loop per node). Ends
        without a trailing comma.
    -#}
    {{ return(adapter.dispatch('label_propagation_rounds', 'gtm_warehouse')(iterations)) }}
{%- endmacro %}

{% macro default__label_propagation_rounds(iterations) -%}
    {#- every round joins every adjacency row to the previous round's labels, read once: engines
        that inline CTEs (Spark inlines every deterministic one) plan a chain of rounds, where a
        round reading the previous one twice would double the plan with every round -#}
    {%- for round in range(1, iterations + 1) %}
    labels_{{ round }} as (

        select
            adjacency.node_number,
            min(labels_{{ round - 1 }}.component_number) as component_number
        from adjacency
        inner join labels_{{ round - 1 }}
            on adjacency.neighbour_number = labels_{{ round - 1 }}.node_number
        group by adjacency.node_number

    ){{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro duckdb__label_propagation_rounds(iterations) -%}
    {#- only the nodes whose label changed in the previous round send it to their neighbours (in
        the first round, every node): a neighbour that did not change sent its label when it last
        changed, so every round gives the same labels as the full round. Identity components
        mostly converge in a round or two, after which a round costs one pass over the labels
        instead of a join and group by of every adjacency row. Each round reads the previous one
        twice; DuckDB materialises a CTE read more than once, so the rounds stay a chain. -#}
    {%- for round in range(1, iterations + 1) %}
    label_messages_{{ round }} as (

        select
            adjacency.node_number,
            min(senders.component_number) as component_number
        from labels_{{ round - 1 }} as senders
        inner join adjacency
            on senders.node_number = adjacency.neighbour_number
        {%- if round > 1 %}
        where senders.is_changed
        {%- endif %}
        group by adjacency.node_number

    ),

    labels_{{ round }} as (

        select
            previous_labels.node_number,
            case
                when label_messages.component_number < previous_labels.component_number
                    then label_messages.component_number
                else previous_labels.component_number
            end as component_number,
            coalesce(label_messages.component_number < previous_labels.component_number, false) as is_changed
        from labels_{{ round - 1 }} as previous_labels
        left join label_messages_{{ round }} as label_messages
            on previous_labels.node_number = label_messages.node_number

    ){{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
