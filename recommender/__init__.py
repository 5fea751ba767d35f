"""mlperf-recommender: which accelerator to buy, how many, and in which server.

``import recommender`` is cheap: nothing is fitted and no heavy module is imported until a function is
called. Public API: :func:`optimize`, :func:`candidates`, :func:`frontier`, :func:`predict`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RecommenderError", "candidates", "frontier", "optimize", "predict"]

_LAZY = {
    "optimize": "recommender.api",
    "candidates": "recommender.api",
    "frontier": "recommender.api",
    "predict": "recommender.performance.answers",
    "RecommenderError": "recommender.errors",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'recommender' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
