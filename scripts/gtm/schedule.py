"""The order in which `gtm build` hands dbt's nodes to its threads: the longest chain of tables first.

dbt (1.11) keeps the nodes whose parents are done in a priority queue, scored by topological
level (every node above counts, views, seeds and tests included; ties by name). But its main loop
takes each node off that queue as soon as it is ready and hands it to the thread pool, whose own
queue is first in, first out: when both threads are busy, nodes wait in the order they became
ready, and the scores only order nodes that become ready at the same moment. At `large` scale
the page-view chain (`base_segment__pages` → `int_web_sessions` → `fct_web_sessions` →
touchpoints → funnel marts) is most of the build's critical path, yet `base_segment__pages`
(ready once the `channel_rules` seed and its test are done) waited 25 s behind base models of
other sources.

`critical_path_first()` changes three things for the duration of a dbt invocation:

- the scores (`GraphQueue._get_scores`): a node's priority is the number of tables (and
  incremental models) on the longest path from the node down to the end of the graph, most
  first. Views, ephemeral models, seeds and tests weigh nothing, since writing a table is what
  costs. Ties keep dbt's order (level, then name);
- the hand-over (`GraphRunnableTask.run_queue`): the main loop takes the next node off dbt's
  queue only when a thread is free for it, so a free thread always gets the best node ready at
  that moment rather than the oldest. Nodes a thread submits itself (microbatch batches) pass
  as before;
- heavy models apart (the graph queue's inner `get`): a model whose config sets
  `meta: {gtm_heavy: true}` does not start while another heavy model runs; a free thread takes
  the best other ready node instead, or waits for one. Two heavy models side by side share the
  two cores and the one DuckDB memory limit their sorts and writes need, and both slow down by
  more than running them one after the other costs (`int_web_sessions` and
  `fct_email_engagement` at `large`, BENCHMARKS.md).

This is list scheduling by critical path. It changes nothing in what is built or tested: a node
still waits for every parent and, in `dbt build`, for its parents' tests. (dbt-core has no
priority setting yet: dbt-labs/dbt-core#10632.)

Set `GTM_SCHEDULER=dbt` to keep dbt's own order. `dbt build` run directly always uses dbt's order.
"""

from __future__ import annotations

import functools
import os
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from gtm.errors import BadInputError

SCHEDULER_ENV = "GTM_SCHEDULER"
SCHEDULERS = ("critical-path", "dbt")
# materialisations whose node writes rows: each counts 1 on a path
_WRITING = frozenset({"table", "incremental", "snapshot", "materialized_view"})
# a model's config meta key: true marks a heavy model, never run beside another heavy one
HEAVY_META = "gtm_heavy"
# how long the main loop waits, at most, between two looks at a held-back heavy node
_HELD_POLL_SECONDS = 1.0


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


def heavy_nodes(manifest) -> frozenset[str]:
    """The ids of the nodes whose config meta sets `gtm_heavy` to true."""
    heavy = set()
    for node_id, node in getattr(manifest, "nodes", {}).items():
        meta = getattr(getattr(node, "config", None), "meta", None) or {}
        if meta.get(HEAVY_META) is True:
            heavy.add(node_id)
    return frozenset(heavy)


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


def _one_node_per_free_thread(run_queue: Callable) -> Callable:
    """Wrap dbt's `GraphRunnableTask.run_queue(task, pool)`: the main loop's `job_queue.get()` first
    waits for a free thread (a slot), which the node's callback gives back when it is done."""

    @functools.wraps(run_queue)
    def gated(task, pool) -> None:
        if getattr(task.config.args, "single_threaded", False):  # runs each node in the main loop
            return run_queue(task, pool)
        slots = threading.Semaphore(max(1, int(task.config.threads)))
        main_loop = threading.current_thread()
        job_queue = task.job_queue
        queue_get, apply_async = job_queue.get, pool.apply_async
        heavy = heavy_nodes(job_queue.manifest)
        heavy_running: set[str] = set()  # guarded by job_queue.lock
        handed_out: list[str] = []  # the node the main loop took last, until it submits it

        def get(*args, **kwargs):
            slots.acquire()
            try:
                node = queue_get(*args, **kwargs)
            except BaseException:
                slots.release()
                raise
            handed_out[:] = [node.unique_id]
            return node

        def end_heavy(node_id: str | None) -> None:
            with job_queue.lock:
                if node_id in heavy_running:
                    heavy_running.discard(node_id)
                    job_queue.some_task_done.notify_all()  # a held-back heavy node may start

        def submit(func, args=(), kwds=None, callback=None, error_callback=None):
            if threading.current_thread() is not main_loop:  # e.g. a microbatch model's batches
                return apply_async(func, args, kwds or {}, callback, error_callback)
            node_id = handed_out.pop() if handed_out else None

            def done(result) -> None:
                end_heavy(node_id)
                try:
                    if callback is not None:
                        callback(result)  # marks the node done: its children join the queue first
                finally:
                    slots.release()

            def failed(error: BaseException) -> None:
                end_heavy(node_id)
                try:
                    if error_callback is not None:
                        error_callback(error)
                finally:
                    slots.release()

            return apply_async(func, args, kwds or {}, done, failed)

        job_queue.get, pool.apply_async = get, submit
        if heavy:
            job_queue.inner.get = _heavy_apart(job_queue, heavy, heavy_running)
        try:
            return run_queue(task, pool)
        finally:
            del job_queue.get, pool.apply_async  # the instances' own attributes: back to the class's
            if heavy:
                del job_queue.inner.get

    return gated


def _heavy_apart(job_queue, heavy: frozenset[str], heavy_running: set[str]) -> Callable:
    """A `get` for the graph queue's inner priority queue (`GraphQueue.get` calls it from the main
    loop) that does not return a heavy node while another heavy node runs: it holds such a node
    back and returns the best other one, or waits until a node finishes. Held-back entries go
    back into the queue before it returns (with `task_done`, so that `join` still counts each
    node once)."""
    inner = job_queue.inner

    def put_back(held: list) -> None:
        for item in held:
            inner.put(item)
            inner.task_done()
        held.clear()

    def get(block: bool = True, timeout: float | None = None):
        held: list = []
        try:
            while True:
                with job_queue.lock:
                    if held and not heavy_running:
                        put_back(held)
                try:
                    item = queue.PriorityQueue.get(inner, block=False)
                except queue.Empty:
                    if not held:  # nothing held back: wait for a node as dbt does
                        item = queue.PriorityQueue.get(inner, block=block, timeout=timeout)
                    else:
                        with job_queue.lock:  # a node finishing (mark_done, end of a heavy node) notifies
                            if heavy_running and inner.empty():
                                job_queue.some_task_done.wait(_HELD_POLL_SECONDS)
                        continue
                node_id = item[1]
                with job_queue.lock:
                    if node_id in heavy:
                        if heavy_running:
                            held.append(item)
                            continue
                        heavy_running.add(node_id)
                return item
        finally:
            with job_queue.lock:
                put_back(held)

    return get


@contextmanager
def critical_path_first() -> Iterator[None]:
    """Within the block, dbt's graph queue scores nodes with critical_path_scores and its main loop
    hands a node over only to a free thread, never a heavy model while another heavy one runs
    (dbt-core 1.11: `GraphQueue._get_scores`, `GraphRunnableTask.run_queue`). Nothing changes
    when GTM_SCHEDULER=dbt."""
    if scheduler() == "dbt":
        yield
        return
    from dbt.graph.queue import GraphQueue
    from dbt.task.runnable import GraphRunnableTask

    dbt_scores, dbt_run_queue = GraphQueue._get_scores, GraphRunnableTask.run_queue

    def _get_scores(queue: GraphQueue, graph) -> dict:
        return critical_path_scores(graph, queue.manifest)

    GraphQueue._get_scores = _get_scores
    GraphRunnableTask.run_queue = _one_node_per_free_thread(dbt_run_queue)
    try:
        yield
    finally:
        GraphQueue._get_scores, GraphRunnableTask.run_queue = dbt_scores, dbt_run_queue
