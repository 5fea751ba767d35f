"""Custom workloads: a user's own measurements carried to other accelerators and counts.

A row whose ``benchmark`` names a :class:`~recommender.models.CustomWorkload` is the workload's measurements
carried with the scaling shape of its ``like`` benchmark. Without ``like`` the shape is a kernel-weighted mix of
every catalog benchmark's own answer (count curve, accelerator ratios, trend), each shifted to pass through the
measurements, weighted by how close that benchmark's minutes at the measured configurations are to the measured
minutes (Gaussian kernel in log-minutes, bandwidth ``custom_bandwidth`` of the calibrated estimator): a workload
that takes hours on 512 accelerators scales like the big language models, one that takes minutes on 8 like the
small ones. The benchmarks' answers come from the estimator's ``shape_model()``: count curves pooled harder
than the point model's (see ``shape_pool`` in :mod:`.calibration`). One measurement is enough, more narrow the interval. The measurements themselves are the workload's
anchors (``measured``), so the monotone envelope of :mod:`.anchors` applies.

The interval is normalised split-conformal on held-out transfers (:mod:`.calibration`): in each forward split,
one result of a benchmark carried to that round's other results of it with the mix of the *other* benchmarks
(as if it were new), its error scaled by a spread that grows with the count distance and with a change of
accelerator.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from recommender.performance.basis import CATEGORIES
from recommender.performance.calibration import similarity_weights
from recommender.performance.training import FALLBACK_PER_NODE

if TYPE_CHECKING:  # pragma: no cover
    from recommender.models import CustomWorkload
    from recommender.performance.calibration import CalibratedPerformanceModelCore


def _per_benchmark(model, benches: list[str], a: np.ndarray, n: np.ndarray, nd: np.ndarray, dn: np.ndarray,
                   rounds: np.ndarray) -> np.ndarray:
    X = pd.DataFrame({"benchmark": benches[0], "accelerator_id": a, "accelerators": n, "nodes": nd,
                      "default_nodes": dn, "round": rounds})
    return np.vstack([model.predict_log(X.assign(benchmark=b))[0] for b in benches])


def _shape(model, like: str, a: np.ndarray, n: np.ndarray, nd: np.ndarray, dn: np.ndarray,
           rounds: np.ndarray) -> np.ndarray:
    X = pd.DataFrame({"benchmark": like, "accelerator_id": a, "accelerators": n, "nodes": nd,
                      "default_nodes": dn, "round": rounds})
    return model.predict_log(X)[0]


def predict_custom(est: CalibratedPerformanceModelCore, w: CustomWorkload, per_node: dict[str, int],
                   latest_round: str, coverage: float, rows: dict[str, np.ndarray]
                   ) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """(log-minutes, log half-width) of ``rows`` (arrays acc, counts, nodes, default_nodes, round) of one
    workload, and its anchors (one per measured accelerator and count, for every target round asked)."""
    model = est.model_
    m_acc = np.array([m.accelerator_id for m in w.measurements], dtype=object)
    m_n = np.array([m.accelerators for m in w.measurements], dtype=float)
    m_ppn = pd.Series(m_acc).map(per_node).fillna(FALLBACK_PER_NODE).to_numpy(dtype=float)
    m_dn = np.ceil(m_n / m_ppn)
    m_nodes = np.array([m.nodes if m.nodes is not None else d for m, d in zip(w.measurements, m_dn)], dtype=float)
    m_log = np.log(np.array([m.minutes for m in w.measurements], dtype=float))
    # the measurements are taken to be from today (the catalog's latest round)
    latest = np.full(len(m_acc), latest_round, dtype=object)
    rn = rows["counts"].astype(float)
    if w.like is not None:
        offset = float(np.mean(m_log - _shape(model, w.like, m_acc, m_n, m_nodes, m_dn, latest)))
        mu = _shape(model, w.like, rows["acc"], rn, rows["nodes"], rows["default_nodes"], rows["round"]) + offset
    else:
        shape = est.shape_model()
        benches = list(shape.benchmarks_)
        d = (m_log[None, :] - _per_benchmark(shape, benches, m_acc, m_n, m_nodes, m_dn, latest)).mean(axis=1)
        wb = similarity_weights(d[:, None], getattr(est, "custom_bandwidth", 0.6))[:, 0]
        keep = wb >= 1e-4 * wb.max()  # benchmarks with a negligible weight are not evaluated (speed)
        wb, d = wb[keep] / wb[keep].sum(), d[keep]
        R = _per_benchmark(shape, [b for b, k in zip(benches, keep) if k], rows["acc"], rn, rows["nodes"],
                           rows["default_nodes"], rows["round"])
        mu = (wb[:, None] * (R + d[:, None])).sum(axis=0)
    q_cat = dict(zip(CATEGORIES, est.interval_halfwidth(np.arange(len(CATEGORIES)), coverage)))
    dist = np.abs(np.log(rn)[:, None] - np.log(m_n)[None, :]).min(axis=1)
    other = ~np.isin(rows["acc"], m_acc)
    q_t = est.transfer_halfwidth(coverage, like=w.like, measurements=len(w.measurements),
                                 count_distance=dist, other_accelerator=other)
    unseen = ~np.isin(rows["acc"], list(model.seen_accelerators_))
    extra_q = math.sqrt(max(q_cat["unseen_accelerator"] ** 2 - q_cat["seen_pair"] ** 2, 0.0))
    q = np.where(unseen, np.sqrt(q_t**2 + extra_q**2), q_t)
    # anchors: the workload's own measurements (mean log per accelerator and count), at every target asked
    own = pd.DataFrame({"accelerator_id": m_acc, "accelerators": m_n.astype(np.int64), "_raw": m_log})
    own = own.groupby(["accelerator_id", "accelerators"], as_index=False)["_raw"].mean()
    targets = pd.DataFrame({"target": pd.unique(rows["round"])})
    anchors = own.merge(targets, how="cross")
    anchors["benchmark"] = w.name
    anchors["_q"] = est.replicate_halfwidth(coverage)
    anchors["_basis"] = "measured"
    anchors["source"] = f"custom workload {w.name} (your measurement)"
    return mu, q, anchors
