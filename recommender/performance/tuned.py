"""The performance model's searched hyperparameters, as stored — read at every fit (no search code here).

:mod:`.tuning` runs the search over :data:`SPACE` and writes ``tuned.json``; :func:`tuned_params` turns it into
``CalibratedPerformanceModel`` keyword arguments. Kept apart from the search so that :mod:`.store` and
:mod:`.evaluate` read the settings without importing the search, and the search can score what
:func:`~recommender.performance.evaluate.answer` returns without an import cycle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TUNED_FILE = Path(__file__).with_name("tuned.json")

#: the space searched (ParameterSampler draws from it)
SPACE: dict[str, list[Any]] = {
    "scaling_pool": [1.0, 3.0, 10.0],
    "spec_ridge": [0.5, 2.0, 8.0],
    "spec_bench_ridge": [5.0, 20.0, 80.0],
    "trend_pool": [1.0, 5.0, 20.0],
    "accelerator_ridge": [1.0, 4.0, 16.0],
    "pair_ridge": [0.5, 2.0, 8.0],
    "half_life_years": [0.5, 1.0, 2.0, None],
    "maturity_years": [0.25, 0.5, 1.0],
    "neighbor_prior": [0.1, 0.3, 1.0],
    "scaling_shift": [0.0, 0.25, 0.5],
    "local_bandwidth": [0.2, 0.3, 0.5],
    "work_shift": [0.0, 0.25, 0.5, 0.75],
    "maturity_neighbor_prior": [0.1, 0.3, 1.0],
}


def tuned_params() -> dict[str, Any]:
    """The searched hyperparameters as ``CalibratedPerformanceModel`` keyword arguments ({} when none)."""
    try:
        doc = json.loads(TUNED_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    best = doc.get("best") or {}
    out: dict[str, Any] = {"base_params": {k: v for k, v in best.items() if k in SPACE}} if best else {}
    shape = (doc.get("custom") or {}).get("shape_pool")
    if shape is not None:
        out["shape_pool"] = float(shape)
    return out


