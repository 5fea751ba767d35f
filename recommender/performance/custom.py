"""Custom workloads: a user's own measurements carried to other accelerators and counts.

A row whose ``benchmark`` names a :class:`~recommender.models.CustomWorkload` is the workload's measurements
carried with the scaling shape (count curve, accelerator ratios, trend) of the benchmarks it behaves like, each
benchmark's answer shifted to pass through the measurements and the answers mixed with weights from how close
that benchmark's minutes at the measured configurations are to the measured minutes (Gaussian kernel in
log-minutes, bandwidth ``custom_bandwidth`` of the calibrated estimator). Which benchmarks:

* ``like`` — that one benchmark (the point model's own answer);
* else ``task`` (one of the registry's tasks, e.g. ``"LLM pre-training"``) — the catalog's benchmarks of that
  task (the point model's answers; every benchmark when the catalog has none of that task). On the development
  rounds this beat the mix of all benchmarks wherever the task had an earlier benchmark: dlrm_dcnv2 (v3.0) from
  dlrm 46 → 23 % MdAPE, llama31_405b (v5.0) from gpt3 10 → 7 %. The final test (v5.1) showed its limit: flux1
  from stable_diffusion 30 → 10 %, but llama31_8b from gpt3 and llama31_405b 17 → 57 % — a task's benchmarks
  lend their shape well only when they are models of a similar size;
* else every benchmark, from the estimator's ``shape_model()`` (count curves pooled harder than the point
  model's, see ``shape_pool`` in :mod:`.calibration`): a workload that takes hours on 512 accelerators scales
  like the big language models, one that takes minutes on 8 like the small ones.

One measurement is enough; more narrow the interval. The measurements themselves are the workload's anchors
(``measured``), so the monotone envelope of :mod:`.anchors` applies.

The interval is split-conformal on held-out transfers (:mod:`.calibration`): with ``like`` or a task, the
benchmark's own transfers (or all benchmarks' pooled); otherwise normalised — in each forward split, one result
of a benchmark carried to that round's other results of it with the mix of the *other* benchmarks (as if it
were new), its error scaled by a spread that grows with the count distance and with a change of accelerator.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from catalog.registry import BENCHMARKS
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


def task_benchmarks(task: str | None, benchmarks: list[str]) -> list[str]:
    """The ``benchmarks`` (the model's) that train ``task`` (the registry's :attr:`Benchmark.task`); [] for none."""
    if task is None:
        return []
    return [b for b in benchmarks if b in BENCHMARKS and BENCHMARKS[b].task == task]


#: A ``like`` or task benchmark whose minutes at the measured configuration are this many times the workload's (or
#: a fraction as small) is a model of a very different size: the answer's source says its scaling may differ.
FAR_FACTOR = 10.0


def shape_label(w: CustomWorkload, benchmarks: list[str], offsets: np.ndarray | None = None) -> str:
    """Where a custom workload's scaling shape comes from, for its answers' ``source``. ``offsets``: log(the
    workload's minutes / each named benchmark's) at the measured configurations (warns when even the closest is
    more than :data:`FAR_FACTOR` apart)."""
    # from which measurements (a reviewer: the answer never cited the 95 min on 8 x A100 it was scaled from)
    shown = w.measurements[:3]
    more = f" and {len(w.measurements) - 3} more" if len(w.measurements) > 3 else ""
    frm = " from your " + ", ".join(f"{m.minutes:,.4g} min on {m.accelerators} x {m.accelerator_id}"
                                    for m in shown) + more
    if w.like is not None:
        out = f"scaled like {w.like}{frm}"
    elif siblings := task_benchmarks(w.task, benchmarks):
        out = f"scaled like the {w.task} benchmarks: {', '.join(siblings)}{frm}"
    else:
        none = f"; no {w.task} benchmark in the catalog" if w.task is not None else ""
        return f"scaled like a mix of every benchmark{frm}{none}"
    if offsets is not None and len(offsets):
        d = float(offsets[np.argmin(np.abs(offsets))])
        if abs(d) > math.log(FAR_FACTOR):
            how = f"{math.exp(d):.0f} times" if d > 0 else f"1/{math.exp(-d):.0f} of"
            out += f"; your minutes are {how} theirs at the measured configuration, so it may scale differently"
    return out


def predict_custom(est: CalibratedPerformanceModelCore, w: CustomWorkload, per_node: dict[str, int],
                   latest_round: str, coverage: float, rows: dict[str, np.ndarray]
                   ) -> tuple[np.ndarray, np.ndarray, pd.DataFrame, str]:
    """(log-minutes, log half-width) of ``rows`` (arrays acc, counts, nodes, default_nodes, round) of one
    workload, its anchors (one per measured accelerator and count, for every target round asked) and where its
    shape comes from (:func:`shape_label`)."""
    from recommender.models import custom_source  # not at import (see answers.py)

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
    siblings = [w.like] if w.like is not None else task_benchmarks(w.task, model.benchmarks_)
    # ``like`` or a task: those benchmarks' own answers (the point model); otherwise every benchmark's, from the
    # harder-pooled shape model
    shape = model if siblings else est.shape_model()
    benches = siblings or list(shape.benchmarks_)
    d = (m_log[None, :] - _per_benchmark(shape, benches, m_acc, m_n, m_nodes, m_dn, latest)).mean(axis=1)
    label = shape_label(w, list(model.benchmarks_), d if siblings else None)
    wb = similarity_weights(d[:, None], getattr(est, "custom_bandwidth", 0.6))[:, 0]
    keep = wb >= 1e-4 * wb.max()  # benchmarks with a negligible weight are not evaluated (speed)
    wb, d = wb[keep] / wb[keep].sum(), d[keep]
    R = _per_benchmark(shape, [b for b, k in zip(benches, keep) if k], rows["acc"], rn, rows["nodes"],
                       rows["default_nodes"], rows["round"])
    mu = (wb[:, None] * (R + d[:, None])).sum(axis=0)
    q_cat = dict(zip(CATEGORIES, est.interval_halfwidth(np.arange(len(CATEGORIES)), coverage)))
    dist = np.abs(np.log(rn)[:, None] - np.log(m_n)[None, :]).min(axis=1)
    other = ~np.isin(rows["acc"], m_acc)
    like = (siblings[0] if len(siblings) == 1 else f"task:{w.task}") if siblings else None
    q_t = est.transfer_halfwidth(coverage, like=like, measurements=len(w.measurements),
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
    notes = _pooled_notes(own)
    anchors["source"] = [custom_source(w.name, notes.get(str(a), "your measurement")) for a in anchors["accelerator_id"]]
    return mu, q, anchors, label


def _pooled_notes(own: pd.DataFrame) -> dict[str, str]:
    """Accelerators whose measurements get slower with more accelerators: the monotone envelope pools them
    (:func:`.anchors.isotonic`), so the figure is not what was entered — the source says so (a reviewer saw
    106.77 "measured (your measurement)" for entries of 95 min at 8 and 120 min at 16 accelerators)."""
    out: dict[str, str] = {}
    for acc, g in own.sort_values("accelerators").groupby("accelerator_id", sort=False):
        if len(g) > 1 and np.any(np.diff(g["_raw"].to_numpy()) > 1e-9):
            entered = ", ".join(f"{math.exp(v):,.4g} min at {n}" for n, v in zip(g["accelerators"], g["_raw"]))
            out[str(acc)] = (f"your measurements, pooled: {entered} accelerators — more accelerators measured "
                             "slower, so the figures are made non-increasing in count")  # fmt: skip
    return out
