"""gtm.schedule: the order in which `gtm build` hands dbt's ready nodes to its threads.

A hand-made graph shaped like the project's page-view chain: the page base table waits for a
seed and the seed's test (dbt level 2), while two base tables of other sources are ready at
once (level 0). dbt's queue, drained by one thread, runs the level-0 tables first; the
critical-path queue runs the seed, its test and the page chain (three tables long) first.
The last tests run dbt's own main loop (`GraphRunnableTask.run_queue`) over a thread pool: it
keeps that order only when a node is handed over once a thread is free for it.
"""

from __future__ import annotations

import threading
import time
from multiprocessing.pool import ThreadPool
from types import SimpleNamespace

import networkx as nx
import pytest
from dbt.graph.queue import GraphQueue
from dbt.node_types import NodeType
from dbt.task.runnable import GraphRunnableTask

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

# the order one thread takes the nodes in, longest chain of tables first
CRITICAL_PATH_ORDER = [
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


class Manifest:
    """What GraphQueue and the scores read of dbt's manifest: nodes by id, and expect()."""

    def __init__(self, nodes: dict | None = None, heavy: frozenset[str] = frozenset()) -> None:
        self.nodes = {
            node_id: SimpleNamespace(
                unique_id=node_id,
                resource_type=resource_type,
                config=SimpleNamespace(
                    materialized=materialized,
                    incremental_strategy=None,
                    meta={"gtm_heavy": True} if node_id in heavy else {},
                ),
            )
            for node_id, (resource_type, materialized) in (NODES if nodes is None else nodes).items()
        }

    def expect(self, node_id: str) -> SimpleNamespace:
        return self.nodes[node_id]


def _graph(nodes: dict | None = None, edges: list[tuple[str, str]] | None = None) -> nx.DiGraph:
    """The page-chain graph, or a graph of the given nodes and edges."""
    graph = nx.DiGraph()
    graph.add_nodes_from(NODES if nodes is None else nodes)
    graph.add_edges_from(EDGES if edges is None else edges)
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
    assert order == CRITICAL_PATH_ORDER


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


class Task:
    """What dbt's `GraphRunnableTask.run_queue` uses of its task: the queue, the thread count, a
    `handle_job_queue` like dbt's (take the next node, submit it to the pool) and result hooks."""

    def __init__(self, threads: int, graph: nx.DiGraph | None = None, manifest: Manifest | None = None) -> None:
        graph = _graph() if graph is None else graph
        self.job_queue = GraphQueue(graph, Manifest() if manifest is None else manifest, set(graph.nodes))
        self.config = SimpleNamespace(threads=threads, args=SimpleNamespace(single_threaded=False))
        self.started: list[str] = []
        self.running = 0
        self.most_running = 0
        self.intervals: dict[str, tuple[float, float]] = {}
        self.seconds: dict[str, float] = {}  # how long a node runs, 0.05 s unless set
        self.lock = threading.Lock()

    def handle_job_queue(self, pool, callback) -> None:
        node = self.job_queue.get()
        pool.apply_async(self.run_node, args=[node], callback=callback)

    def run_node(self, node) -> SimpleNamespace:
        with self.lock:
            self.started.append(node.unique_id)
            self.running += 1
            self.most_running = max(self.most_running, self.running)
        start = time.monotonic()
        time.sleep(self.seconds.get(node.unique_id, 0.05))
        with self.lock:
            self.running -= 1
            self.intervals[node.unique_id] = (start, time.monotonic())
        return SimpleNamespace(node=node)

    def _handle_result(self, result) -> None:
        pass

    def _raise_set_error(self) -> None:
        pass


def _run_queue(
    threads: int,
    monkeypatch,
    graph: nx.DiGraph | None = None,
    manifest: Manifest | None = None,
    seconds: dict[str, float] | None = None,
) -> Task:
    monkeypatch.setattr("dbt.task.runnable.get_flags", lambda: SimpleNamespace(FAIL_FAST=False))
    task = Task(threads, graph, manifest)
    task.seconds = seconds or {}
    with ThreadPool(threads) as pool:
        GraphRunnableTask.run_queue(task, pool)
    return task


def test_dbt_main_loop_hands_each_ready_node_to_the_pool_at_once(monkeypatch):
    """dbt's loop with the critical-path scores alone: the pool's first-in, first-out queue runs
    the two base tables, ready at the start, before the page chain."""
    monkeypatch.setattr(GraphQueue, "_get_scores", lambda queue, graph: critical_path_scores(graph, queue.manifest))
    task = _run_queue(1, monkeypatch)
    assert task.started[:4] == [
        "seed.p.channel_rules",
        "model.p.base_email",
        "model.p.base_tracks",
        "test.p.not_null_channel_rules",
    ]


@pytest.mark.parametrize("threads", [1, 2])
def test_a_free_thread_takes_the_best_node_ready(threads, monkeypatch):
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    with critical_path_first():
        task = _run_queue(threads, monkeypatch)
    assert sorted(task.started) == sorted(NODES) and task.most_running == threads
    if threads == 1:
        assert task.started == CRITICAL_PATH_ORDER
    else:  # the seed and the first base table; after that, what is ready when depends on timing
        assert task.started[:2] == ["seed.p.channel_rules", "model.p.base_email"]
    # the patch is undone after the block
    assert not hasattr(GraphRunnableTask.run_queue, "__wrapped__")


# three heavy tables (meta gtm_heavy) and three light ones, all tables
HEAVY = frozenset(f"model.p.heavy_{name}" for name in "abc")
HEAVY_NODES = {
    node_id: (NodeType.Model, "table") for node_id in sorted(HEAVY) + [f"model.p.light_{n}" for n in (1, 2, 3)]
}


def _overlap(task: Task, first: str, second: str) -> bool:
    (start_a, end_a), (start_b, end_b) = task.intervals[first], task.intervals[second]
    return start_a < end_b and start_b < end_a


def test_heavy_models_do_not_run_side_by_side(monkeypatch):
    """Two threads, three heavy tables (0.3 s each) ready or soon ready: no two heavy ones overlap,
    while the light tables run beside them; every node runs once and the queue finishes."""
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    graph = _graph(HEAVY_NODES, [("model.p.light_1", "model.p.heavy_c")])
    seconds = dict.fromkeys(HEAVY, 0.3)
    with critical_path_first():
        task = _run_queue(2, monkeypatch, graph, Manifest(HEAVY_NODES, HEAVY), seconds)
    assert sorted(task.started) == sorted(HEAVY_NODES) and task.most_running == 2
    heavy = sorted(HEAVY)
    assert not any(_overlap(task, a, b) for a in heavy for b in heavy if a < b)
    assert any(_overlap(task, h, light) for h in heavy for light in HEAVY_NODES if light not in HEAVY)
    # the queue counts each node once: nothing left unfinished after the put-backs
    assert task.job_queue.inner.unfinished_tasks == 0
    assert "get" not in vars(task.job_queue.inner)  # the patch is undone after the run


def test_only_heavy_models_ready_run_one_after_the_other(monkeypatch):
    """When nothing but heavy models is ready, the free thread waits for the running one."""
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    nodes = {node_id: HEAVY_NODES[node_id] for node_id in HEAVY}
    graph = _graph(nodes, [])
    with critical_path_first():
        task = _run_queue(2, monkeypatch, graph, Manifest(nodes, HEAVY))
    assert sorted(task.started) == sorted(HEAVY) and task.most_running == 1


def test_without_heavy_models_two_ready_tables_share_the_threads(monkeypatch):
    """The same three tables without the meta run two at a time."""
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    nodes = {node_id: HEAVY_NODES[node_id] for node_id in HEAVY}
    graph = _graph(nodes, [])
    with critical_path_first():
        task = _run_queue(2, monkeypatch, graph, Manifest(nodes))
    assert task.most_running == 2
