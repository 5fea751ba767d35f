"""Running a sweep: in this process, on local worker processes, or on a Dask distributed cluster.

The parent prepares each group (validation, the candidate table with its predictions: the performance model
runs only here) when the group's first chunk is sent, so the first rows come after one table, not after every
group's, and the workers solve the chunks already sent while the next table is built. The plan (and the catalog)
go to each worker ONCE — as the worker processes' initializer locally, as a broadcast ``scatter`` on Dask, the
catalog only once a group needs it — and a task is (the group, scenario indices): locally a group's table
(~50-150 KB after pruning) travels with each of its chunks; on Dask it is scattered once and fetched by the
workers that need it. A worker's answer is one chunk of Parquet rows. Chunks are written as they finish; Ctrl-C stops
the sweep at once (running chunks are dropped, worker processes ended), keeps every finished chunk and returns
``interrupted=True``. A worker whose parent is killed ends too (:func:`recommender.workers.watch_parent`). SIGTERM
also sets a stop flag (:func:`recommender.workers.request_stop`) that the loops look at between chunks (and rows:
:func:`recommender.sweep.engine.solve_rows`), so a stop whose exception was swallowed or delayed still ends the sweep.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.errors import ScenarioError
from recommender.sweep.engine import Group, chunk_table, prepare_group
from recommender.workers import cpu_count, local_worker_init, raise_if_stopped

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog
    from recommender.sweep.spec import Plan

Progress = Callable[[int, int], None]
"""``on_progress(done, total)``: scenarios written so far (resumed ones included) of the sweep's total."""

#: Below this many scenarios to do, ``jobs=None`` runs in this process (workers cost a second to start).
AUTO_PARALLEL_MIN = 5_000
#: Seconds between two looks at the stop flag while waiting for worker processes.
STOP_POLL_S = 0.25


@dataclass
class Context:
    """What every worker gets once: the plan and the catalog (groups come with the tasks)."""

    plan: Plan
    catalog: Catalog | None  # None: the catalog is sent with the tasks that need it (Dask), or loaded there
    explain: bool


@dataclass
class Stats:
    total: int
    done: int = 0
    written: int = 0
    interrupted: bool = False
    terminated: bool = False  # the interruption was SIGTERM
    statuses: dict[str, int] = field(default_factory=dict)
    rented: int = 0  # infeasible rows whose decision is to rent (consider_cloud): answered (batch.unanswered)
    spot: int = 0  # rows whose cheapest rent is a spot price (their `rent_caveat` says what its price leaves out)


def tasks(plan: Plan, done: np.ndarray, chunk: int) -> Iterator[tuple[int, np.ndarray]]:
    """(group, scenario indices) chunks of the scenarios not yet done, group by group."""
    js = np.arange(plan.layout.per_group, dtype=np.int64)
    for g in range(plan.layout.groups):
        idx = plan.layout.index_of(g, js)
        idx = idx[~done[idx]]
        for s in range(0, idx.size, chunk):
            yield g, idx[s:s + chunk]


def group_tasks(plan: Plan, done: np.ndarray, chunk: int,
                prepare: Callable[[int], Group]) -> Iterator[tuple[int, Group, np.ndarray]]:
    """:func:`tasks` with each chunk's group, prepared (``prepare(g)``) when its first chunk comes and let go after
    its last: the first rows need one group's table, and the parent does not keep every group's."""
    current: tuple[int, Group] | None = None
    for g, idx in tasks(plan, done, chunk):
        raise_if_stopped()  # every runner takes its chunks from here: after a requested stop, none
        if current is None or current[0] != g:
            current = (g, prepare(g))
        yield g, current[1], idx


def chunk_size(todo: int, workers: int) -> int:
    return int(max(200, min(5_000, -(-todo // max(1, workers * 8)))))


def run_sweep(plan: Plan, out: Any, *, catalog: Catalog | None = None, jobs: int | None = None,
              dask: str | None = None, explain: bool = False, chunk: int | None = None,
              on_progress: Progress | None = None) -> Stats:
    """Solve every scenario of ``plan`` not yet in ``out`` and write it there, chunk by chunk."""
    if catalog is None:
        import catalog as catalog_pkg

        catalog = catalog_pkg.load()
    stats = Stats(plan.total, done=int(out.done.sum()))
    todo = plan.total - stats.done
    if on_progress:
        on_progress(stats.done, plan.total)
    if todo == 0:
        return stats
    client = _client(dask) if dask is not None else None
    try:
        if client is not None:  # workers import what they need while the groups are prepared here
            warm = [client[0].submit(_warm, workers=[w], pure=False, allow_other_workers=False)
                    for w in client[0].scheduler_info().get("workers", {})]
        ctx = Context(plan, catalog, explain)
        if client is not None:
            _run_dask(ctx, out, client, chunk, stats, on_progress)
            del warm
        else:
            n = _jobs(jobs, todo)
            size = chunk or chunk_size(todo, n)
            if n == 1:
                _run_here(ctx, out, size, stats, on_progress)
            else:
                _run_processes(ctx, out, n, size, stats, on_progress)
    except KeyboardInterrupt as exc:
        stats.interrupted = True
        stats.terminated = bool(getattr(exc, "terminated", False))  # SIGTERM (recommender.cli), not Ctrl-C
    finally:
        out.close()
        if client is not None:
            client[0].close()
            if client[1] is not None:
                client[1].close()
    return stats


def _prepare(ctx: Context) -> Callable[[int], Group]:
    """Prepares a group here, in the parent (the only process that runs the performance model)."""
    assert ctx.catalog is not None
    return lambda g: prepare_group(ctx.plan, g, ctx.catalog, ctx.explain)


def _jobs(jobs: int | None, todo: int) -> int:
    cores = cpu_count()
    if jobs is None:
        return 1 if todo < AUTO_PARALLEL_MIN else cores
    if jobs == 0:
        raise ScenarioError("--jobs must not be 0 (use -1 for all cores)")
    return min(jobs, cores) if jobs > 0 else max(1, cores + 1 + jobs)  # never more workers than CPUs


def _written(out: Any, table: Any, stats: Stats, on_progress: Progress | None) -> None:
    out.write(table)
    stats.written += table.num_rows
    stats.done += table.num_rows
    for status, n in zip(*np.unique(table.column("status").to_numpy(zero_copy_only=False), return_counts=True),
                         strict=True):
        stats.statuses[str(status)] = stats.statuses.get(str(status), 0) + int(n)
    stats.rented += rented({c: table.column(c).to_numpy(zero_copy_only=False) for c in ("status", "cloud_decision")
                            if c in table.column_names})
    stats.spot += spot_rents(table.column("rent_caveat").to_numpy(zero_copy_only=False))
    if on_progress:
        on_progress(stats.done, stats.total)


def rented(columns: Any) -> int:
    """Rows of result columns (``status``, ``cloud_decision``: a DataFrame or a dict of arrays) that are infeasible
    purchases answered by a decision to rent: not ``batch.unanswered``, so they count towards exit code 0."""
    if "cloud_decision" not in columns:
        return 0
    status, decision = np.asarray(columns["status"], dtype=object), np.asarray(columns["cloud_decision"], dtype=object)
    return sum(1 for i in np.flatnonzero(status == "infeasible") if isinstance(decision[i], str) and decision[i] == "rent")


def spot_rents(caveats: Any) -> int:
    """Rows (of a ``rent_caveat`` column: an array or a Series) whose cheapest rent is a spot price."""
    return sum(1 for c in caveats if isinstance(c, str))


def _run_here(ctx: Context, out: Any, size: int, stats: Stats, on_progress: Progress | None) -> None:
    for _g, group, idx in group_tasks(ctx.plan, out.done.copy(), size, _prepare(ctx)):
        _written(out, chunk_table(ctx.plan, group, idx, ctx.catalog, ctx.explain), stats, on_progress)


# --------------------------------------------------------------------------------------------- processes

_CTX: Context | None = None


def _init_worker(ctx: Context, parent: int) -> None:  # pragma: no cover - runs in worker processes
    global _CTX
    _CTX = ctx
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the workers
    # SIGTERM ends a worker (the forked copy of the CLI's handler would turn it into an exception, reported as
    # that chunk's result, and the worker would go on to the next chunk)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    local_worker_init(parent)  # and a worker whose parent was killed (SIGKILL) ends, not orphaned


def _local_task(group: Group, idx: np.ndarray) -> Any:
    assert _CTX is not None
    return chunk_table(_CTX.plan, group, idx, _CTX.catalog, _CTX.explain)


def _run_processes(ctx: Context, out: Any, n: int, size: int, stats: Stats, on_progress: Progress | None) -> None:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in mp.get_all_start_methods() else None
    pool = ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context(method), initializer=_init_worker,
                               initargs=(ctx, os.getpid()))
    pending: set[Any] = set()
    try:
        # each group is built here as its first chunk goes (workers solve the chunks sent before meanwhile)
        for _g, group, idx in group_tasks(ctx.plan, out.done.copy(), size, _prepare(ctx)):
            pending.add(pool.submit(_local_task, group, idx))
            if len(pending) >= 2 * n + 1:
                finished, pending = _first_done(pending)
                for f in finished:
                    _written(out, f.result(), stats, on_progress)
        while pending:
            finished, pending = _first_done(pending)
            for f in finished:
                _written(out, f.result(), stats, on_progress)
    except KeyboardInterrupt:
        for f in pending:
            f.cancel()
        for f in pending:  # chunks that have finished are kept
            if f.done() and not f.cancelled() and f.exception() is None:
                _written(out, f.result(), stats, None)
        _stop_now(pool)  # running chunks are dropped (--resume solves them): stopping takes no chunk's time
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _first_done(pending: set[Any]) -> tuple[set[Any], set[Any]]:
    """``wait(pending, FIRST_COMPLETED)`` that looks at the stop flag while it waits (a requested stop raises)."""
    from concurrent.futures import FIRST_COMPLETED, wait

    while True:
        raise_if_stopped()
        finished, rest = wait(pending, timeout=STOP_POLL_S, return_when=FIRST_COMPLETED)
        if finished:
            return finished, rest


def _stop_now(pool: Any) -> None:
    """End the pool's worker processes now (``terminate_workers`` from Python 3.14; before, the same by hand)."""
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:  # pragma: no cover - Python >= 3.14
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()


# --------------------------------------------------------------------------------------------- dask


def _dask_task(ctx: Context, group: Group, catalog: Catalog | None, idx: np.ndarray) -> Any:
    return chunk_table(ctx.plan, group, idx, catalog, ctx.explain)


def _client(address: str) -> tuple[Any, Any]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ScenarioError("--dask needs dask.distributed: pip install -e '.[distributed]'") from None
    if address.startswith("local:"):
        try:
            n = int(address.split(":", 1)[1])
        except ValueError:
            n = 0
        if n < 1:
            raise ScenarioError(f"--dask {address}: give local:N with N >= 1 worker processes")
        import logging

        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
        return Client(cluster), cluster
    try:
        return Client(address, timeout="20s"), None
    except OSError as exc:
        raise ScenarioError(f"--dask {address}: cannot reach the scheduler: {exc}") from None


def _warm() -> None:
    import pyarrow  # noqa: F401

    import recommender.sweep.engine
    import recommender.sweep.spec  # noqa: F401


def _run_dask(ctx: Context, out: Any, client_cluster: tuple[Any, Any], chunk: int | None, stats: Stats,
              on_progress: Progress | None) -> None:
    from dask.distributed import as_completed

    client = client_cluster[0]
    futures: list[Any] = []
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        size = chunk or chunk_size(stats.total - stats.done, workers)
        # the plan once per worker; each group's table once, as its first chunk goes (workers fetch it when a task
        # needs it); the catalog once per worker, when a group first needs the optimizer itself (its scenarios)
        shared = client.scatter(Context(ctx.plan, None, ctx.explain), broadcast=True)
        window = as_completed()
        sent: tuple[int, Any] | None = None
        catalog: Any = None
        for g, group, idx in group_tasks(ctx.plan, out.done.copy(), size, _prepare(ctx)):
            if sent is None or sent[0] != g:
                sent = (g, client.scatter(group, hash=False))
            slow = group.table is None and group.error is None
            if slow and catalog is None:
                catalog = client.scatter(ctx.catalog, broadcast=True, hash=False)
            f = client.submit(_dask_task, shared, sent[1], catalog if slow else None, idx, pure=False)
            futures.append(f)
            window.add(f)
            if window.count() >= 2 * workers + 1:
                _written(out, next(window).result(), stats, on_progress)
        for f in window:
            raise_if_stopped()
            _written(out, f.result(), stats, on_progress)
    except KeyboardInterrupt:
        client.cancel([f for f in futures if not f.done()])
        for f in futures:
            if f.done() and f.status == "finished" and not _was_written(out, f):
                _written(out, f.result(), stats, None)
        raise


def _was_written(out: Any, future: Any) -> bool:
    try:
        idx = future.result(timeout=1).column("index").to_numpy()
    except Exception:  # noqa: BLE001
        return True
    return bool(out.done[idx].all())
