"""gtm.schedule: the order in which `gtm build` hands dbt's ready nodes to its threads.

A hand-made graph shaped like the project's page-view chain: the page base table waits for a
seed and the seed's test (dbt level 2), while two base tables of other sources are ready at
once (level 0). dbt's queue, drained by one thread, runs the level-0 tables first; the
critical-path queue runs the seed, its test and the page chain (three tables long) first.
"""

from __future__ import annotations

from types import SimpleNamespace

import networkx as nx
import pytest
from dbt.graph.queue import GraphQueue
from dbt.node_types import NodeType

from gtm.errors import BadInputError
from gtm.schedule import SCHEDULER_ENV, critical_path_first, critical_path_scores

NODES = {
    "seed.p.channel_rules": (NodeType.Seed, "seed"),
    "test.p.not_null_channel_rules": (NodeType.Test, "test"),
    "model.p.base_pages": (NodeType.Model, "incremental"),
    "model.p.stg_pages": (NodeType.Model, "view"),
    "model.p.sessions": (NodeType.Model, "incremental"),
    "model.p.fct_sessions": (NodeType.Model, "table"),
    "test.p.unique_fct_sessions": (NodeType.Test, "test"),
    "model.p.base_email": (NodeType.Model, "table"),
    "model.p.base_tracks": (NodeType.Model, "table"),
    "model.p.stg_tracks": (NodeType.Model, "view"),
}
EDGES = [
    ("seed.p.channel_rules", "test.p.not_null_channel_rules"),
    ("test.p.not_null_channel_rules", "model.p.base_pages"),
    ("model.p.base_pages", "model.p.stg_pages"),
    ("model.p.stg_pages", "model.p.sessions"),
    ("model.p.sessions", "model.p.fct_sessions"),
    ("model.p.fct_sessions", "test.p.unique_fct_sessions"),
    ("model.p.base_tracks", "model.p.stg_tracks"),
]


class Manifest:
    """What GraphQueue and the scores read of dbt's manifest: nodes by id, and expect()."""

    def __init__(self) -> None:
        self.nodes = {
            node_id: SimpleNamespace(
                unique_id=node_id,
                resource_type=resource_type,
                config=SimpleNamespace(materialized=materialized, incremental_strategy=None),
            )
            for node_id, (resource_type, materialized) in NODES.items()
        }

    def expect(self, node_id: str) -> SimpleNamespace:
        return self.nodes[node_id]


def _graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(NODES)
    graph.add_edges_from(EDGES)
    return graph


def _drain() -> list[str]:
    """The order one dbt thread takes the nodes in (a new queue, so the block's scoring applies)."""
    queue = GraphQueue(_graph(), Manifest(), set(NODES))
    order = []
    while not queue.empty():
        node = queue.get(block=False)
        order.append(node.unique_id)
        queue.mark_done(node.unique_id)
    return order


def test_scores_count_the_tables_on_the_longest_path_below():
    scores = critical_path_scores(_graph(), Manifest())
    # base_pages, sessions, fct_sessions: the view and the tests weigh nothing
    assert scores["seed.p.channel_rules"] == (-3, 0)
    assert scores["model.p.base_pages"] == (-3, 2)
    assert scores["model.p.stg_pages"] == (-2, 3)
    assert scores["model.p.fct_sessions"] == (-1, 5)
    assert scores["test.p.unique_fct_sessions"] == (0, 6)
    assert scores["model.p.base_tracks"] == (-1, 0)
    assert scores["model.p.stg_tracks"] == (0, 1)


def test_the_longest_chain_of_tables_runs_first(monkeypatch):
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    with critical_path_first():
        order = _drain()
    assert order == [
        "seed.p.channel_rules",
        "test.p.not_null_channel_rules",
        "model.p.base_pages",
        "model.p.stg_pages",
        "model.p.sessions",
        # one table left on each path: dbt's level breaks the tie, then the name
        "model.p.base_email",
        "model.p.base_tracks",
        "model.p.fct_sessions",
        "model.p.stg_tracks",
        "test.p.unique_fct_sessions",
    ]


def test_dbt_order_outside_the_block_and_with_gtm_scheduler_dbt(monkeypatch):
    dbt_order = _drain()
    # dbt: topological level first, then the name; the page chain waits behind both base tables
    assert dbt_order[:3] == ["model.p.base_email", "model.p.base_tracks", "seed.p.channel_rules"]
    monkeypatch.setenv(SCHEDULER_ENV, "dbt")
    with critical_path_first():
        assert _drain() == dbt_order
    monkeypatch.setenv(SCHEDULER_ENV, "critical-path")
    with critical_path_first():
        assert _drain() != dbt_order
    # the patch is undone after the block
    assert _drain() == dbt_order


def test_unknown_scheduler_is_refused(monkeypatch):
    monkeypatch.setenv(SCHEDULER_ENV, "fastest")
    expected = "GTM_SCHEDULER='fastest': expected one of critical-path, dbt"
    with pytest.raises(BadInputError, match=expected), critical_path_first():
        pass
