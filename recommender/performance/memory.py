"""Memory fit: can (benchmark or custom workload, accelerator, count) hold the model at all?

The need of an MLPerf benchmark is ``parameters_billion x bytes per parameter x MEMORY_HEADROOM`` from the
registry (:class:`catalog.registry.Benchmark`: 16 bytes for full training with mixed-precision Adam, 2 for LoRA
— see the field comments there); the headroom (1.5) leaves a third of the memory for what the
bytes-per-parameter rule leaves out: activations, communication buffers, the runtime and allocator
fragmentation. A custom workload states ``min_total_memory_gb`` itself, and that figure is used as it is (it is
the whole need). A configuration whose total accelerator memory (count x the accelerator's ``memory_gb``) is
below the need does not fit: :func:`predict` answers it with ``basis: does_not_fit`` and no minutes, and
:func:`fits` tells the optimizer which rows to skip and why. Benchmarks without figures, and accelerators
without a memory size, are not checked.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from catalog.registry import BENCHMARKS
from recommender.performance.basis import lookup

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog
    from recommender.models import CustomWorkload

#: bytes of accelerator memory per trained parameter, by training method (see catalog.registry.Benchmark)
BYTES_PER_PARAMETER: dict[str, float] = {"full": 16.0, "lora": 2.0}

#: Total accelerator memory needed per byte of the bytes-per-parameter rule: the trained states take at most
#: two thirds of it, the rest holds activations, communication buffers and the runtime. A planning assumption
#: (no MLPerf figure gives it); 1.5 is the buffer factor DeepSpeed's memory estimators
#: (``estimate_zero2/3_model_states_mem_needs``, ``additional_buffer_factor=1.5``) put on model states. Every
#: measured result in the catalog has at least 2.2 times the rule's bytes, so none is refused by it (a test).
MEMORY_HEADROOM = 1.5


def memory_need_gb(benchmark: str, workloads: list[CustomWorkload] | None = None) -> float:
    """Total accelerator memory (GB) the workload needs; 0 when unknown (never refused)."""
    for w in workloads or []:
        if w.name == benchmark:
            return float(w.min_total_memory_gb or 0.0)
    b = BENCHMARKS.get(benchmark)
    if b is None or b.parameters_billion is None:
        return 0.0
    return b.parameters_billion * BYTES_PER_PARAMETER[b.training_method] * MEMORY_HEADROOM


def accelerator_memory_gb(catalog: Catalog) -> dict[str, float]:
    """memory_gb of each accelerator in the catalog (NaN where the datasheet figure is missing)."""
    t = catalog.accelerators
    mem = pd.to_numeric(t["memory_gb"], errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    return dict(zip(t["accelerator_id"].astype(str), mem))


def fits(frame: pd.DataFrame, catalog: Catalog, workloads: list[CustomWorkload] | None = None,
         *, memory_gb: dict[str, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised memory check of ``frame`` rows (``benchmark, accelerator_id, accelerators``).

    Returns ``(ok, why)``: a boolean array (True = fits or not checkable) and, per row, the reason a row does
    not fit (empty string where it fits), e.g. ``"24 x 24 GB = 576 GB of accelerator memory < 9,720 GB that
    llama31_405b needs (405B parameters x 16 bytes, full training, x 1.5 headroom)"``.
    """
    mem = memory_gb if memory_gb is not None else accelerator_memory_gb(catalog)
    bench = frame["benchmark"].astype(str).to_numpy(dtype=object)
    acc = frame["accelerator_id"].astype(str).to_numpy(dtype=object)
    n = pd.to_numeric(frame["accelerators"], errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    need_of = {b: memory_need_gb(b, workloads) for b in pd.unique(bench)}
    need = lookup(bench, need_of, float)
    per = lookup(acc, defaultdict(lambda: np.nan, mem), float)
    total = per * n
    ok = ~(np.isfinite(total) & (need > 0) & (total < need))
    why = np.full(len(frame), "", dtype=object)
    seen: dict[tuple[str, float, float], str] = {}
    for i in np.flatnonzero(~ok):
        k = (str(bench[i]), float(n[i]), float(per[i]))
        if k not in seen:
            seen[k] = _reason(k[0], k[1], k[2], float(need[i]), workloads)
        why[i] = seen[k]
    return ok, why


def _reason(bench: str, n: float, per: float, need: float, workloads: list[CustomWorkload] | None) -> str:
    have = f"{n:,.0f} x {per:,.0f} GB = {n * per:,.0f} GB of accelerator memory"
    b = BENCHMARKS.get(bench)
    if any(w.name == bench for w in workloads or []) or b is None or b.parameters_billion is None:
        return f"{have} < {need:,.0f} GB that {bench} needs (min_total_memory_gb)"
    bpp = BYTES_PER_PARAMETER[b.training_method]
    method = "full training" if b.training_method == "full" else "LoRA, frozen BF16 weights"
    return (f"{have} < {need:,.0f} GB that {bench} needs ({b.parameters_billion:g}B parameters x "
            f"{bpp:g} bytes, {method}, x {MEMORY_HEADROOM:g} headroom)")
