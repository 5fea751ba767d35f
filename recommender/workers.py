"""Worker processes: how many may run, and that none outlives the process that started it.

- :func:`cpu_count` is the most workers a batch starts (``--jobs`` above it is refused by the CLI; the library
  clamps it).
- :func:`watch_parent` runs in each worker: a daemon thread ends the worker when its parent dies (killed with
  ``SIGKILL``, crashed), so a killed batch leaves no processes behind.
- :func:`stop_workers` ends the reusable joblib/loky workers at once (after Ctrl-C or ``SIGTERM``) instead of
  letting them idle for loky's timeout.
- :func:`request_stop` is what the CLI's ``SIGTERM`` handler sets besides raising :class:`Terminated`: sweep and
  batch loops call :func:`raise_if_stopped` between chunks and rows, so a stop whose exception was swallowed or
  delayed (by a C call, a library catching ``KeyboardInterrupt``, a pool being torn down) still ends them.
"""

from __future__ import annotations

import os
import threading
import time

__all__ = ["Terminated", "clear_stop", "cpu_count", "jobs_problem", "local_worker_init", "raise_if_stopped",
           "request_stop", "stop_workers", "watch_parent"]

#: Seconds between two checks of a worker's parent.
PARENT_POLL_S = 0.5

_watching = False
_lock = threading.Lock()
_stop = threading.Event()


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so running work (and worker processes) is ended the same way."""

    terminated = True  # what code that catches KeyboardInterrupt checks to tell the two apart (sweeps: exit 143)


def request_stop() -> None:
    """Ask the running sweep or batch to stop (the CLI's SIGTERM handler): :func:`raise_if_stopped` raises from now."""
    _stop.set()


def clear_stop() -> None:
    """Forget a :func:`request_stop` (tests; a long-lived process that goes on after a stopped run)."""
    _stop.clear()


def raise_if_stopped() -> None:
    """Raise :class:`Terminated` if a stop was requested: loops call it between chunks and rows."""
    if _stop.is_set():
        raise Terminated


def cpu_count() -> int:
    """CPUs this process may run on (its affinity mask, e.g. a container's limit), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def jobs_problem(jobs: int | None) -> str | None:
    """Why ``--jobs jobs`` cannot run on this machine (``None`` when it can): 0, or more workers than CPUs."""
    if jobs == 0:
        return "must not be 0 (use -1 for all cores)"
    if jobs is not None and abs(jobs) > cpu_count():
        return f"this machine has {cpu_count()} CPUs: use at most {cpu_count()} workers (or -1 for all)"
    return None


def watch_parent(parent: int | None) -> None:
    """In a worker started by process ``parent``: exit as soon as that process is gone.

    Does nothing in the parent itself (``jobs=1``), or when ``parent`` is not this process's parent (workers
    of a remote backend such as Dask or Ray have their own lifecycle).
    """
    global _watching
    if parent is None or parent == os.getpid() or os.getppid() != parent:
        return
    with _lock:
        if _watching:
            return
        _watching = True
    threading.Thread(target=_watch, args=(parent,), name="watch-parent", daemon=True).start()


def local_worker_init(parent: int) -> None:  # pragma: no cover - runs in worker processes
    """Initializer of local (loky) workers: exit if the parent is already gone, else watch it."""
    if os.getppid() != parent:
        os._exit(1)
    watch_parent(parent)


def _watch(parent: int) -> None:  # pragma: no cover - runs in worker processes
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(1)  # the parent died: its results have nowhere to go


def stop_workers() -> None:
    """End joblib's reusable loky workers now (no-op when none were started)."""
    try:
        from joblib.externals.loky import reusable_executor as _reusable
    except ImportError:  # pragma: no cover
        return
    executor = getattr(_reusable, "_executor", None)
    if executor is not None:
        executor.shutdown(wait=True, kill_workers=True)
