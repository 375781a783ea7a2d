"""The order in which `gtm build` hands dbt's nodes to its threads: the longest chain of tables first.

dbt's graph queue runs, among the nodes that are ready, those of the lowest topological level first
(ties by name). That level counts every node above, views, seeds and tests included, and says
nothing about what is still to be built below. At `large` scale the page-view chain
(`base_segment__pages` → `int_web_sessions` → `fct_web_sessions` → touchpoints → funnel marts) is
most of the build's critical path, yet `base_segment__pages` is level 2 (the `channel_rules` seed
and its tests come first) and waited 25 s behind level-0 base models of other sources.

`critical_path_first()` makes the queue order ready nodes by the number of tables (and incremental
models) on the longest path from the node down to the end of the graph, most first: a simple form
of list scheduling by critical path. Views, ephemeral models, seeds, tests and
other resources weigh nothing, since a table's write is what costs. Ties keep dbt's order (level,
then name). The order changes nothing in what is built or tested: a node still waits for every
parent and, in `dbt build`, for its parents' tests.

Set `GTM_SCHEDULER=dbt` to keep dbt's own order. `dbt build` run directly always uses dbt's order.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from gtm.errors import BadInputError

SCHEDULER_ENV = "GTM_SCHEDULER"
SCHEDULERS = ("critical-path", "dbt")
# materialisations whose node writes rows: each counts 1 on a path
_WRITING = frozenset({"table", "incremental", "snapshot", "materialized_view"})


def scheduler() -> str:
    """The scheduler GTM_SCHEDULER names (default critical-path); BadInputError on anything else."""
    value = os.environ.get(SCHEDULER_ENV, "").strip() or SCHEDULERS[0]
    if value not in SCHEDULERS:
        raise BadInputError(f"{SCHEDULER_ENV}={value!r}: expected one of {', '.join(SCHEDULERS)}")
    return value


def _writes_rows(manifest: object, node_id: str) -> bool:
    node = getattr(manifest, "nodes", {}).get(node_id)
    if node is None:  # a source, exposure, metric… (not run) or a node the manifest lacks
        return False
    config = getattr(node, "config", None)
    return str(getattr(node, "resource_type", "")) in ("model", "snapshot") and (
        getattr(config, "materialized", None) in _WRITING
    )


def critical_path_scores(graph, manifest) -> dict[str, tuple[int, int]]:
    """Each node's queue priority, lowest first: (minus the tables on its longest downstream path,
    its own included; dbt's topological level). `graph` is the queue's networkx DiGraph."""
    import networkx as nx

    tables_below: dict[str, int] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        below = max((tables_below[child] for child in graph.successors(node)), default=0)
        tables_below[node] = below + (1 if _writes_rows(manifest, node) else 0)
    levels: dict[str, int] = {}
    for level, generation in enumerate(nx.topological_generations(graph)):
        for node in generation:
            levels[node] = level
    return {node: (-tables_below[node], levels[node]) for node in graph.nodes}


@contextmanager
def critical_path_first() -> Iterator[None]:
    """Within the block, dbt's graph queue (dbt-core 1.11 `GraphQueue._get_scores`) scores nodes
    with critical_path_scores. Nothing changes when GTM_SCHEDULER=dbt."""
    if scheduler() == "dbt":
        yield
        return
    from dbt.graph.queue import GraphQueue

    dbt_scores = GraphQueue._get_scores

    def _get_scores(queue: GraphQueue, graph) -> dict:
        return critical_path_scores(graph, queue.manifest)

    GraphQueue._get_scores = _get_scores
    try:
        yield
    finally:
        GraphQueue._get_scores = dbt_scores
