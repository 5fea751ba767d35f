"""Software-maturity features of the performance model (internal; used by :mod:`.core`).

Two kinds of software progress are not a straight line in calendar time:

* **accelerator maturity** — a new accelerator's software stack is immature: its first results are slower
  than its datasheet says, and the gap closes with the years since its first MLPerf result;
* **benchmark maturity** — a new benchmark's reference implementation is tuned fast in its first rounds
  (fused kernels, better hyperparameters, lower precision), then progress slows to the common trend. On
  forward splits up to v5.0 a straight calendar trend predicted the second round of a benchmark ~6 % too slow
  and older benchmarks ~4 % too fast; a feature ``exp(-benchmark age / bench_maturity_years)`` beside the
  trend lets the fit tell the two apart (age counts from the benchmark's first MLPerf round: the registry's
  ``introduced`` where the catalog's results start later, else its first result in the training data).

  **Off by default** (``bench_maturity_years=None``): tried on the development rounds (≤ v5.0) and not
  adopted. It lowers the raw model's forward error (search objective over v3.1–v5.0: 0.0832 → 0.0791 with the
  tuned settings; 0.0760 after a re-search that included it), but what ``predict()`` answers did not improve:
  seen accelerators 4.8 → 5.2 % MdAPE (mean of v3.1–v5.0), first appearances 11.2 → 11.4 %, every first
  appearance v1.0–v5.0 14.8 → 17.6 %; only rows above 64 accelerators gained (7.0 → 5.1 %, mostly v3.1's GPT-3
  on 10,752 H100s). A nested check (search on splits ending at v4.1, scored on v5.0) was neutral (0.134 → 0.136).
  With the search scoring the answers themselves (:mod:`.tuning`), the space with this term found 0.0765 against
  0.0770 without it (0.7 %, far inside the 0.01-0.05 spread between splits), so the simpler model stays.

Both are ``1`` when new and decay exponentially (``maturity_form="log"`` gives the accelerator term a slower,
unbounded form instead).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from catalog.registry import BENCHMARKS, round_years

#: the fitted model (``recommender.performance.core.PerformanceModelCore``; not imported: core imports this module)
PerformanceModelCore = Any


def accelerator_maturity(model: PerformanceModelCore, a: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Software-immaturity feature of each row: 1 for an accelerator's first results, decaying with age.

    An accelerator without results inherits the maturity of its measured spec-space relatives of the same
    vendor (a B300 runs B200 software), shrunk towards "brand new" by ``maturity_neighbor_prior``.
    """
    if not model.maturity_years:
        return np.zeros(len(a))
    out = _decay(model, model.release_years_[a], years)
    W = getattr(model, "neighbor_weights_", None)
    if W is not None:
        w = W[a]  # rows x measured accelerators; zero rows for measured accelerators
        unseen = w.sum(axis=1) > 0
        if unseen.any():
            seen_idx = model.neighbor_seen_
            ws = w[unseen]
            m_seen = _decay(model, model.release_years_[seen_idx][None, :], years[unseen][:, None])
            p = model.maturity_neighbor_prior
            out[unseen] = ((ws * m_seen).sum(axis=1) + p) / (ws.sum(axis=1) + p)
    return out


def _age(start: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Years since ``start`` (0 before it, and 0 where the clock never started: ``start`` infinite)."""
    finite = np.isfinite(start)
    return np.where(finite, np.maximum(years - np.where(finite, start, 0.0), 0.0), 0.0)


def _decay(model: PerformanceModelCore, start: np.ndarray, years: np.ndarray) -> np.ndarray:
    age = _age(start, years)
    if model.maturity_form == "log":
        # software maturity that keeps growing but ever more slowly: 0 when new, negative with age
        return -np.log1p(age / float(model.maturity_years))
    return np.exp(-age / float(model.maturity_years))


def release_years(model: PerformanceModelCore, cols: dict[str, np.ndarray]) -> np.ndarray:
    """Start of each accelerator's maturity clock (years on the round axis): its first result
    (``maturity_origin="first_result"``; an accelerator without results is brand new), else the datasheet
    release date, else the first result, else the latest training round."""
    table = model.accelerator_table
    first: dict[str, float] = {}
    for acc, t in zip(cols["accelerator_id"], cols["years"]):
        first[acc] = min(first.get(acc, np.inf), t)
    dates = dict(zip(table["accelerator_id"].astype("string"), table["release_date"].astype("string")))
    origin = pd.Timestamp("2020-07-01")
    out = np.empty(len(model.layout_.accs))
    for i, acc in enumerate(model.layout_.accs):
        d = dates.get(acc)
        ts = pd.to_datetime(str(d), errors="coerce", format="%Y-%m") if d is not None and not pd.isna(d) else pd.NaT
        if model.maturity_origin == "first_result":
            out[i] = first.get(acc, np.inf)
        elif not pd.isna(ts):
            out[i] = (ts - origin).days / 365.25
        elif acc in first:
            out[i] = first[acc]
        else:
            out[i] = float(np.max(cols["years"]))
    return out


def benchmark_first_years(benches: list[str], cols: dict[str, np.ndarray]) -> np.ndarray:
    """Start of each benchmark's maturity clock (years on the round axis): its first MLPerf round — the
    registry's ``introduced`` round when that is earlier than its first result in the training rows."""
    first: dict[str, float] = {}
    for bench, t in zip(cols["benchmark"], cols["years"]):
        first[bench] = min(first.get(bench, np.inf), t)
    out = np.empty(len(benches))
    for i, bench in enumerate(benches):
        spec = BENCHMARKS.get(bench)
        introduced = round_years(spec.introduced) if spec is not None and spec.introduced else np.inf
        out[i] = min(first.get(bench, np.inf), introduced)
    return out


def benchmark_maturity(model: PerformanceModelCore, b: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Benchmark-immaturity feature of each row: 1 in a benchmark's first round, ``exp(-age / T)`` after."""
    T = getattr(model, "bench_maturity_years", None)
    if not T:
        return np.zeros(len(b))
    return np.exp(-_age(model.bench_first_years_[b], years) / float(T))
