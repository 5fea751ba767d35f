"""Validated scenarios of files, remembered while their files stay unchanged.

``optimize("q3.yaml")`` on every keystroke or benchmark call would re-parse and re-validate the YAML (ruamel's
round-trip parser: ~10 ms for the seed file). The Scenario (frozen) is kept per resolved path together with
the (mtime_ns, size, inode) of every file it was built from (the scenario file and the price lists or custom
workloads it includes, as recorded by :data:`~recommender.scenario.safe_io.FILES_READ`) and the catalog it was
checked against. Only files last changed more than :data:`SETTLED_NS` before reading are trusted by their
stamps (a file rewritten within the file system's timestamp granularity is re-read), and errors are never kept.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from recommender.models import Scenario
from recommender.scenario.safe_io import FILES_READ, real_key

SETTLED_NS = 2_000_000_000
_SIZE = 32
_CACHE: OrderedDict[str, tuple[tuple[tuple[str, int, int, int], ...], str, Scenario]] = OrderedDict()
_LOCK = threading.Lock()


def _stamps(files: list[str]) -> tuple[tuple[str, int, int, int], ...] | None:
    out = []
    for f in files:
        try:
            st = os.stat(f)
        except OSError:
            return None
        out.append((f, st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(out)


def _catalog_key() -> str:
    import catalog

    cat = catalog.load()
    return f"{cat.data_dir}:{cat.fingerprint}"


def load_scenario_cached(path: Path, load_scenario: Callable[[Path], Scenario]) -> Scenario:
    """``load_scenario(path)`` (:func:`recommender.scenario.loader.load_scenario`, passed in by the loader), from
    the cache when nothing changed."""
    key = real_key(path)
    cat = _catalog_key()
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None and hit[1] == cat and _stamps([f for f, *_ in hit[0]]) == hit[0]:
        return hit[2]
    token = FILES_READ.set([])
    try:
        scenario = load_scenario(path)
        files = list(dict.fromkeys(FILES_READ.get() or []))
    finally:
        FILES_READ.reset(token)
    stamps = _stamps(files)
    now = time.time_ns()
    if stamps and all(now - mtime > SETTLED_NS for _f, mtime, _s, _i in stamps):
        with _LOCK:
            _CACHE[key] = (stamps, cat, scenario)
            _CACHE.move_to_end(key)
            while len(_CACHE) > _SIZE:
                _CACHE.popitem(last=False)
    return scenario
