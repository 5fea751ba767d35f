"""The performance model: minutes to train for any (workload, accelerator, count, nodes, round), with intervals.

Modules, in the order data flows through them:

* :mod:`.features` — accelerator datasheet features (FP8/FP4 peaks, memory, interconnect), imputed.
* :mod:`.basis`, :mod:`.core` — the structured model of log-minutes and its bounded least-squares fit.
* :mod:`.calibration` — conformal interval tables per evidence category, carry and transfer errors.
* :mod:`.estimators` — the scikit-learn estimators (imported only to fit).
* :mod:`.training` — the rows the model learns from; the measured-result table.
* :mod:`.tuning` — the hyperparameter search on forward splits ending at v5.0, and its stored result.
* :mod:`.store` — the fitted model on disk as data (JSON + base64 arrays, validated; never pickle).
* :mod:`.anchors` — measured and carried results; the monotone envelope.
* :mod:`.custom` — custom workloads from a user's measurements.
* :mod:`.memory` — does a configuration hold the workload at all (``does_not_fit``)?
* :mod:`.answers` — :func:`predict`, the public entry (also ``recommender.predict``).
* :mod:`.evaluate` — honest accuracy of :func:`predict` on grouped held-out splits.

``import recommender.performance`` is cheap; names resolve lazily.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "predict": "recommender.performance.answers",
    "PREDICT_COLUMNS": "recommender.performance.answers",
    "BASES": "recommender.performance.answers",
    "PredictInputError": "recommender.performance.answers",
    "fits": "recommender.performance.memory",
    "memory_need_gb": "recommender.performance.memory",
    "training_frame": "recommender.performance.training",
    "per_node_counts": "recommender.performance.training",
    "cache_dir": "recommender.performance.model_key",
    "code_fingerprint": "recommender.performance.model_key",
    "default_model": "recommender.performance.store",
    "model_is_cached": "recommender.performance.store",
    "CalibratedPerformanceModel": "recommender.performance.estimators",
    "PerformanceModel": "recommender.performance.estimators",
}

__all__ = [*sorted(_LAZY)]  # noqa: PLE0604 - the lazy names (strings), defined once above


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'recommender.performance' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
