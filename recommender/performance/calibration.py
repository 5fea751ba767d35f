"""Calibrated intervals around the structured model, per basis, for the *next* round.

Procedure (computed at fit time from held-out residuals, so it works for whatever point model is fitted):

* **Mondrian split-conformal** (Vovk, Gammerman & Shafer 2005, "Algorithmic Learning in a Random World",
  ch. 4 — the inductive/Mondrian conformal regressor that ``crepes`` implements; kept in-house so the fitted
  model loads without scikit-learn or crepes): one table of held-out |log residuals| per evidence category
  (this benchmark measured / only others / datasheet only / recently first measured), normalised by a
  per-benchmark difficulty scale (normalised conformal; Lei, G'Sell, Rinaldo, Tibshirani & Wasserman 2018).
* **Forward-chaining calibration**: the residuals come from fitting on rounds before R and scoring R, for the
  last ``forward_rounds`` rounds of the training data (as conformal time-series methods calibrate on
  sequential held-out errors, e.g. EnbPI, Xu & Xie 2021), so the quantiles include round-to-round drift —
  what a buyer asking about today's software faces. Folds grouped by accelerator add datasheet-only residuals
  where forward first appearances are too few.
* **Carried answers** (:mod:`.anchors`): from the same forward splits, the error of carrying each earlier
  measurement of a configuration (variance ``a + b * gap``) and of the model's own prediction for it; their
  precision-weighted combination is scored with normalised conformal scores.
* **Measured**: the replicate spread of identical configurations. **Custom workloads**: forward transfers of
  one result of a benchmark to the round's others with the other benchmarks' shapes (:mod:`.custom`),
  normalised by count distance and change of accelerator.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from catalog.registry import round_key
from recommender.performance.basis import CATEGORIES, lookup, years_of
from recommender.performance.core import PerformanceModelCore
from recommender.performance.training import measured_table, round_rank

DEFAULT_LOG_HALFWIDTH = math.log(1.5)


def conformal(sorted_abs: np.ndarray, coverage: float) -> float:
    """Split-conformal quantile of absolute residuals (finite-sample corrected)."""
    n = len(sorted_abs)
    if n == 0:
        return float("nan")
    k = math.ceil((n + 1) * coverage) - 1
    return float(sorted_abs[min(max(k, 0), n - 1)])


# ------------------------------------------------------------------------------------ the estimator
class CalibratedPerformanceModelCore:
    """:class:`~recommender.performance.core.PerformanceModelCore` plus calibrated intervals and custom-workload transfer.

    All of it but the scikit-learn base classes (see :class:`CalibratedPerformanceModel`, the estimator to fit):
    the disk cache holds this predict-only form, so loading a fitted model never imports scikit-learn.

    ``fit(X, y)`` takes a :func:`training_frame`-like DataFrame and minutes. Besides the point model it
    stores sorted normalised held-out log-residuals per evidence category (``residuals_``, forward splits
    first), the carry model (``carry_var_``, ``carry_model_var_``, ``carry_norm_``), the replicate spread of
    identical configurations (``replicate_abs_``) and the custom-workload transfer errors (``transfer_var_``,
    ``transfer_norm_``; ``transfer_abs_`` for ``like``). ``system_folds`` (default 0) adds folds grouped by
    system; ``custom_bandwidth`` is the similarity kernel of :mod:`.custom` (chosen on forward splits ending
    at v5.0). ``shape_pool`` (None = the point model's ``scaling_pool``) is the count-curve pooling of a second
    point model, ``shape_model_``, whose benchmark answers a custom workload without ``like`` mixes: a new
    workload's count curve is best estimated by curves shrunk harder towards the shared one (for a new group the
    empirical-Bayes prediction is the population's, not a neighbour's idiosyncrasy); it is chosen by
    :func:`.tuning.search_shape_pool` on the new benchmarks of forward rounds ending at v5.0.
    """

    def __init__(
        self,
        accelerator_table: pd.DataFrame | None = None,
        *,
        base_params: dict[str, Any] | None = None,
        system_folds: int = 0,
        accelerator_folds: int = 4,
        forward_rounds: int = 4,
        min_forward_residuals: int = 60,
        scale_prior: float = 50.0,
        custom_bandwidth: float = 0.6,
        shape_pool: float | None = None,
        random_state: int | None = 0,
    ) -> None:
        self.accelerator_table = accelerator_table
        self.base_params = base_params
        self.system_folds = system_folds
        self.accelerator_folds = accelerator_folds
        self.forward_rounds = forward_rounds
        self.min_forward_residuals = min_forward_residuals
        self.scale_prior = scale_prior
        self.custom_bandwidth = custom_bandwidth
        self.shape_pool = shape_pool
        self.random_state = random_state

    #: the point model's class; the scikit-learn estimator (``estimators.CalibratedPerformanceModel``) sets its
    #: scikit-learn subclass, so this module never imports the one that imports it
    base_class: type[PerformanceModelCore] = PerformanceModelCore

    def _base(self) -> PerformanceModelCore:
        return self.base_class(self.accelerator_table, random_state=self.random_state, **(self.base_params or {}))

    def _shape_base(self) -> PerformanceModelCore | None:
        """The point model custom workloads take their count curves from, or None when it is the point model."""
        params = dict(self.base_params or {})
        if self.shape_pool is None or params.get("scaling_pool") == self.shape_pool:
            return None
        params["scaling_pool"] = self.shape_pool
        return self.base_class(self.accelerator_table, random_state=self.random_state, **params)

    def shape_model(self) -> PerformanceModelCore:
        """The fitted model whose benchmark answers :mod:`.custom` mixes (``shape_model_`` or ``model_``)."""
        return getattr(self, "shape_model_", None) or self.model_

    def fit(self, X: pd.DataFrame, y: np.ndarray | pd.Series) -> CalibratedPerformanceModelCore:
        X = X.reset_index(drop=True)
        y = np.asarray(y, dtype=float)
        self.model_ = self._base().fit(X, y)
        shape = self._shape_base()
        self.shape_model_ = None if shape is None else shape.fit(X, y)
        ly = np.log(y)
        held: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []  # (kind, category, |residual|, benchmark)
        pairs: list[pd.DataFrame] = []  # forward carries: error of carrying, of the model, gap, latest?
        oof = np.full(len(X), np.nan)  # forward out-of-round log-predictions (custom-workload transfer)
        transfers: list[pd.DataFrame] = []  # forward custom-workload transfers (one result to the round's others)
        rng = np.random.default_rng(self.random_state)
        for kind, tr, te in self._schemes(X):
            known = X["benchmark"].iloc[te].isin(set(X["benchmark"].iloc[tr])).to_numpy()
            te = te[known]
            if not len(te):
                continue
            m = self._base().fit(X.iloc[tr], y[tr])
            mu, cat = m.predict_log(X.iloc[te])
            r = ly[te] - mu
            keep = np.ones(len(te), dtype=bool)
            if kind == "forward":
                oof[te] = mu
                p = _carry_pairs(X, ly, tr, te, m)
                pairs.append(p)
                keep = ~np.isin(te, p["row"].to_numpy())  # carried rows are calibrated as carries
                sb = self._shape_base()
                ms = m if sb is None else sb.fit(X.iloc[tr], y[tr])
                transfers.append(_custom_transfers(X, ly, te, ms, self.custom_bandwidth, rng))
            held.append((kind, cat[keep], np.abs(r[keep]),
                         X["benchmark"].iloc[te[keep]].astype("string").to_numpy(dtype=object)))
        self._calibrate_categories(held)
        self._calibrate_carries(pd.concat(pairs, ignore_index=True) if pairs else _NO_PAIRS)
        self.replicate_abs_ = _replicate_spread(X, ly)
        self.transfer_abs_ = self._transfer_residuals(X, ly, oof)
        self._calibrate_transfers(pd.concat(transfers, ignore_index=True) if transfers else pd.DataFrame())
        return self

    def _calibrate_transfers(self, t: pd.DataFrame) -> None:
        """Custom workloads without ``like``: variance of a transfer ``a + b * |log count distance| + c *
        [other accelerator]`` (non-negative least squares on squared errors, the top 2.5 % clipped), and the
        sorted normalised scores |error| / sd (normalised split-conformal; Lei et al. 2018, section 5.2)."""
        from scipy.optimize import nnls

        if len(t) < 20:
            self.transfer_var_ = (DEFAULT_LOG_HALFWIDTH**2, 0.0, 0.0)
            self.transfer_norm_ = np.array([1.0])
            return
        e2 = t["e"].to_numpy(dtype=float) ** 2
        e2 = np.minimum(e2, np.quantile(e2, 0.975))
        A = np.column_stack([np.ones(len(t)), t["dist"].to_numpy(dtype=float), t["other"].to_numpy(dtype=float)])
        coef = nnls(A, e2)[0]
        self.transfer_var_ = (max(float(coef[0]), 1e-4), float(coef[1]), float(coef[2]))
        self.transfer_norm_ = np.sort(np.abs(t["e"].to_numpy(dtype=float))
                                      / self._transfer_sd(t["dist"].to_numpy(), t["other"].to_numpy()))

    def _transfer_sd(self, dist: np.ndarray, other: np.ndarray) -> np.ndarray:
        a, b, c = self.transfer_var_
        return np.sqrt(a + b * np.asarray(dist, dtype=float) + c * np.asarray(other, dtype=float))

    def _schemes(self, X: pd.DataFrame) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """Held-out splits: forward (train on rounds before R, score R) for the last ``forward_rounds`` rounds,
        then ``accelerator_folds`` folds grouped by accelerator and ``system_folds`` grouped by system."""
        from sklearn.model_selection import GroupKFold

        out: list[tuple[str, np.ndarray, np.ndarray]] = []
        rounds = X["round"].astype("string").to_numpy(dtype=object)
        order = sorted(set(rounds), key=round_key)
        keys = np.array([round_rank(str(x)) for x in rounds])
        for r in order[1:][-self.forward_rounds:] if self.forward_rounds else []:
            tr, te = np.flatnonzero(keys < round_rank(r)), np.flatnonzero(rounds == r)
            if len(tr) and len(te):
                out.append(("forward", tr, te))
        groups = {"grouped": X["accelerator_id"].astype("string").to_numpy(dtype=object),
                  "system": (X.get("submitter", pd.Series([""] * len(X))).astype("string").fillna("") + "/"
                             + X.get("system_id", pd.Series(range(len(X)))).astype("string").fillna("")
                             ).to_numpy(dtype=object)}
        for kind, folds in (("grouped", self.accelerator_folds), ("system", self.system_folds)):
            if folds and len(set(groups[kind])) >= folds:
                out += [(kind, tr, te) for tr, te in GroupKFold(n_splits=folds).split(X, groups=groups[kind])]
        return out

    def _calibrate_categories(self, held: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]) -> None:
        """Mondrian tables (one per evidence category) of normalised held-out |log residuals|: forward
        (next-round) residuals wherever a category has ``min_forward_residuals`` of them, else pooled with the
        grouped ones; a per-benchmark scale, shrunk towards 1, normalises them (normalised split-conformal)."""
        all_abs = np.concatenate([h[2] for h in held]) if held else np.zeros(0)
        all_b = np.concatenate([h[3] for h in held]) if held else np.zeros(0, dtype=object)
        self.benchmark_scale_ = _benchmark_scales(all_abs, all_b, self.scale_prior)
        pooled: dict[str, dict[int, list[np.ndarray]]] = {k: {c: [] for c in range(len(CATEGORIES))}
                                                           for k in ("grouped", "forward")}
        for kind, cat, a, b in held:
            scale = np.array([self.benchmark_scale_.get(x, 1.0) for x in b])
            for c in range(len(CATEGORIES)):
                pooled["forward" if kind == "forward" else "grouped"][c].append((a / scale)[cat == c])

        def cat_pool(kind: str, c: int) -> np.ndarray:
            v = pooled[kind][c]
            return np.concatenate(v) if v else np.zeros(0)

        res: dict[int, np.ndarray] = {}
        for c in range(len(CATEGORIES)):
            fwd, grp = cat_pool("forward", c), cat_pool("grouped", c)
            res[c] = np.sort(fwd if len(fwd) >= self.min_forward_residuals else np.concatenate([fwd, grp]))
        # categories with too few held-out rows borrow from the next-narrower one
        for c, wider in ((3, 0), (1, 0), (2, 1)):
            if len(res[c]) < 20:
                res[c] = np.sort(np.concatenate([res[c], res[wider]]))
        # a catalog too small for any held-out split: pool what exists, else a wide default (x/÷ 1.5)
        everything = np.sort(np.concatenate(list(res.values())))
        for c, v in res.items():
            if len(v) == 0:
                res[c] = everything if len(everything) else np.array([DEFAULT_LOG_HALFWIDTH])
        self.residuals_ = {CATEGORIES[c]: v for c, v in res.items()}

    def _calibrate_carries(self, pairs: pd.DataFrame) -> None:
        """The carried answer's ingredients, from forward splits (a configuration of round R measured in an
        earlier round, with a model fitted on the rounds before R):

        * ``carry_var_`` = (a, b): variance of carrying a measurement ``gap`` years, ``a + b * gap`` (a random
          walk of software progress the trend does not capture), fitted by non-negative least squares to
          robust per-gap variances (1.4826 x median |error|, squared) over every earlier measurement;
        * ``carry_model_var_``: variance of the model's own prediction for such a configuration;
        * ``carry_norm_``: sorted |error| of the precision-weighted combination (latest measurement only, as
          :mod:`.anchors` answers) divided by its standard deviation — the normalised conformal scores.
        """
        if len(pairs) < 20:
            self.carry_var_ = (DEFAULT_LOG_HALFWIDTH**2, 0.0)
            self.carry_model_var_ = float("inf")
            self.carry_norm_ = np.zeros(0)
            return
        from scipy.optimize import nnls

        g = np.round(pairs["gap"].to_numpy(dtype=float) * 2.0) / 2.0  # half-year bins
        ec = np.abs(pairs["e_c"].to_numpy(dtype=float))
        rows, vals, wts = [], [], []
        for b in np.unique(g):
            sel = g == b
            if sel.sum() >= 10:
                rows.append([1.0, float(np.mean(pairs["gap"].to_numpy()[sel]))])
                vals.append((1.4826 * float(np.median(ec[sel]))) ** 2)
                wts.append(math.sqrt(sel.sum()))
        A, v, w = np.array(rows), np.array(vals), np.array(wts)
        if len(rows) >= 2:
            coef = nnls(A * w[:, None], v * w)[0]
        else:  # too few carries per gap for a slope: one robust variance for every gap
            coef = np.array([(1.4826 * float(np.median(ec))) ** 2, 0.0])
        self.carry_var_ = (max(float(coef[0]), 1e-6), float(coef[1]))
        latest = pairs[pairs["latest"].to_numpy(dtype=bool)]
        ep = np.abs(latest["e_p"].to_numpy(dtype=float))
        self.carry_model_var_ = max((1.4826 * float(np.median(ep))) ** 2, 1e-6) if len(ep) else float("inf")
        gap = latest["gap"].to_numpy(dtype=float)
        wc = self.carry_weight(gap)
        e = wc * latest["e_c"].to_numpy(dtype=float) + (1.0 - wc) * latest["e_p"].to_numpy(dtype=float)
        self.carry_norm_ = np.sort(np.abs(e) / self._carry_sd(gap))

    def carry_weight(self, gap_years: np.ndarray) -> np.ndarray:
        """Weight of a carried measurement against the model's prediction of the same configuration:
        inverse-variance (precision) weighting, 1/var_carry(gap) / (1/var_carry(gap) + 1/var_model)."""
        a, b = getattr(self, "carry_var_", (DEFAULT_LOG_HALFWIDTH**2, 0.0))
        vc = a + b * np.maximum(np.asarray(gap_years, dtype=float), 0.0)
        vp = getattr(self, "carry_model_var_", float("inf"))
        return np.asarray(vp / (vc + vp) if math.isfinite(vp) else np.ones_like(vc), dtype=float)

    def _carry_sd(self, gap_years: np.ndarray) -> np.ndarray:
        a, b = self.carry_var_
        vc = a + b * np.maximum(np.asarray(gap_years, dtype=float), 0.0)
        vp = self.carry_model_var_
        return np.sqrt(vc * vp / (vc + vp)) if math.isfinite(vp) else np.sqrt(vc)

    def _transfer_residuals(self, X: pd.DataFrame, ly: np.ndarray, oof: np.ndarray) -> dict[str, np.ndarray]:
        """|error| of carrying one result of a benchmark to its other results of the same round.

        ``generic``: with the pooled shape (a workload like no benchmark in particular); ``like:<b>`` and
        ``like``: with benchmark b's own model, from out-of-fold predictions (so the model has not seen the
        target). Within one round, as a user measures today and asks about today.
        """
        m = self.model_
        cols = m._columns(X)
        generic = ly - m.generic_log(cols["accelerator_id"], cols["log_n"], cols["extra_nodes"])
        like = ly - oof
        out: dict[str, list[np.ndarray]] = {"generic": [], "like": []}
        per_bench: dict[str, list[np.ndarray]] = {}
        key = (X["benchmark"].astype("string") + "|" + X["round"].astype("string")).to_numpy(dtype=object)
        bench = X["benchmark"].astype("string").to_numpy(dtype=object)
        rng = np.random.default_rng(self.random_state)
        for k in np.unique(key):
            idx = np.flatnonzero(key == k)
            if len(idx) < 2:
                continue
            if len(idx) > 120:
                idx = rng.choice(idx, 120, replace=False)
            off = ~np.eye(len(idx), dtype=bool)
            out["generic"].append(np.abs(generic[idx][:, None] - generic[idx][None, :])[off])
            e = like[idx]
            d = np.abs(e[:, None] - e[None, :])[off]
            d = d[np.isfinite(d)]
            out["like"].append(d)
            per_bench.setdefault(str(bench[idx[0]]), []).append(d)
        res = {k: np.sort(np.concatenate(v)) if v else np.zeros(1) for k, v in out.items()}
        for b, v in per_bench.items():
            arr = np.sort(np.concatenate(v))
            if len(arr) >= 40:
                res[f"like:{b}"] = arr
        return res

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.model_.predict(X)

    def interval_halfwidth(self, categories: np.ndarray, coverage: float,
                           benchmarks: np.ndarray | None = None) -> np.ndarray:
        """Half-width in log space of the conformal interval for each row's evidence category (times the
        benchmark's scale when ``benchmarks`` is given)."""
        q = dict(zip(CATEGORIES, (conformal(self.residuals_[c], coverage) for c in CATEGORIES)))
        # less evidence never gives a narrower interval than measured-on-this-benchmark evidence
        for c in ("seen_accelerator", "unseen_accelerator"):
            q[c] = max(q[c], q["seen_pair"], q["seen_pair_new"])
        out = np.array([q[c] for c in CATEGORIES])[np.asarray(categories, dtype=int)]
        if benchmarks is not None:
            scales = getattr(self, "benchmark_scale_", {})
            out = out * lookup(benchmarks, defaultdict(lambda: 1.0, scales), float)
        return out

    def carry_halfwidth(self, coverage: float, gap_years: np.ndarray) -> np.ndarray:
        """Half-width of a carried answer (the precision-weighted combination, see :mod:`.anchors`): the
        normalised conformal quantile of forward-split combinations times the combination's standard deviation
        at this gap, never below the replicate spread."""
        gap = np.asarray(gap_years, dtype=float)
        floor = self.replicate_halfwidth(coverage)
        scores = getattr(self, "carry_norm_", np.zeros(0))
        if len(scores) < 20:
            return np.full(len(gap), max(DEFAULT_LOG_HALFWIDTH, floor))
        return np.maximum(conformal(scores, coverage) * self._carry_sd(gap), floor)

    def replicate_halfwidth(self, coverage: float) -> float:
        return max(conformal(self.replicate_abs_, coverage), 0.01)

    def transfer_halfwidth(self, coverage: float, *, like: str | None, measurements: int,
                           count_distance: np.ndarray | None = None,
                           other_accelerator: np.ndarray | None = None) -> np.ndarray | float:
        """Half-width for a custom workload with ``measurements`` anchors (like = benchmark id or None); without
        ``like``, per row from its |log count distance| to the nearest measurement and whether its accelerator
        is one measured."""
        # one anchor: e_target - e_anchor; k anchors: e_target - mean(e_anchor) -> variance (1 + 1/k) / 2 of it
        shrink = math.sqrt((1.0 + 1.0 / max(measurements, 1)) / 2.0)
        if like is None and count_distance is not None and hasattr(self, "transfer_norm_"):
            other = np.zeros(len(count_distance)) if other_accelerator is None else other_accelerator
            return conformal(self.transfer_norm_, coverage) * self._transfer_sd(count_distance, other) * shrink
        key = "generic" if like is None else (f"like:{like}" if f"like:{like}" in self.transfer_abs_ else "like")
        return conformal(self.transfer_abs_[key], coverage) * shrink

_NO_PAIRS = pd.DataFrame({"row": np.zeros(0, np.int64), "e_c": np.zeros(0), "e_p": np.zeros(0),
                          "gap": np.zeros(0), "latest": np.zeros(0, bool)})


def _carry_pairs(X: pd.DataFrame, ly: np.ndarray, tr: np.ndarray, te: np.ndarray,
                 m: PerformanceModelCore) -> pd.DataFrame:
    """Every (test row, earlier measurement of its configuration) pair of a forward split: ``e_c`` = error of
    carrying that measurement to the test round with the forward-fitted model ``m``'s round-to-round change,
    ``e_p`` = error of ``m``'s own prediction, ``gap`` in years, ``latest`` = the latest earlier measurement
    (what :mod:`.anchors` carries), ``row`` = the test row's position in ``X``."""
    prev = measured_table(X.iloc[tr])
    prev = prev[prev["benchmark"].isin(m.bench_index_)]
    test = X.iloc[te].reindex(columns=["accelerator_id", "accelerators", "benchmark", "round", "nodes",
                                       "default_nodes"])  # fmt: skip
    test["accelerators"] = test["accelerators"].astype("int64")
    test["_ly"], test["row"] = ly[te], te
    prev = prev.rename(columns={"round": "_r0", "minutes": "_m0", "nodes": "_n0", "default_nodes": "_d0"})
    hit = test.merge(prev, on=["accelerator_id", "accelerators", "benchmark"], how="inner")
    if hit.empty:
        return _NO_PAIRS
    cfg = hit[["accelerator_id", "accelerators", "benchmark"]]
    # each at its own node layout, as :mod:`.anchors` carries a result (the node term moves it between layouts)
    now = m.predict_log(cfg.assign(round=hit["round"].to_numpy(dtype=object), nodes=hit["nodes"].to_numpy(),
                                   default_nodes=hit["default_nodes"].to_numpy()))[0]
    then = m.predict_log(cfg.assign(round=hit["_r0"].to_numpy(dtype=object), nodes=hit["_n0"].to_numpy(),
                                    default_nodes=hit["_d0"].to_numpy()))[0]
    ly_t = hit["_ly"].to_numpy(dtype=float)
    gap = years_of(hit["round"].to_numpy(dtype=object)) - years_of(hit["_r0"].to_numpy(dtype=object))
    latest = hit["_rk"].to_numpy() == hit.groupby("row")["_rk"].transform("max").to_numpy()
    return pd.DataFrame({"row": hit["row"].to_numpy(dtype=np.int64),
                         "e_c": ly_t - (np.log(hit["_m0"].to_numpy(dtype=float)) + now - then),
                         "e_p": ly_t - now, "gap": gap, "latest": latest})


def similarity_weights(offsets: np.ndarray, bandwidth: float) -> np.ndarray:
    """Kernel weights of benchmarks (rows of ``offsets``: measured minus that benchmark's log-minutes, per
    column = one use) — exp(-offset^2 / 2h^2), relative to the closest benchmark so they never all vanish."""
    d2 = np.asarray(offsets, dtype=float) ** 2
    w = np.exp(-0.5 * (d2 - d2.min(axis=0, keepdims=True)) / max(bandwidth, 1e-6) ** 2)
    return w / w.sum(axis=0, keepdims=True)


def _custom_transfers(X: pd.DataFrame, ly: np.ndarray, te: np.ndarray, m: PerformanceModelCore,
                      bandwidth: float, rng: np.random.Generator, anchors: int = 6) -> pd.DataFrame:
    """Forward custom-workload transfers: in the test round of a forward split, up to ``anchors`` results of
    each benchmark serve as a one-measurement custom workload (the mix of the *other* benchmarks' answers, as
    :mod:`.custom` computes it) predicting the round's other results of that benchmark. Returns the errors
    ``e``, the |log count distance| ``dist`` and ``other`` (another accelerator than the anchor's)."""
    test = X.iloc[te]
    benches = list(m.benchmarks_)
    R = np.vstack([m.predict_log(test.assign(benchmark=b))[0] for b in benches])  # benchmarks x rows
    bench = test["benchmark"].astype("string").to_numpy(dtype=object)
    acc = test["accelerator_id"].astype("string").to_numpy(dtype=object)
    logn = np.log(test["accelerators"].to_numpy(dtype=float))
    y = ly[te]
    out: list[pd.DataFrame] = []
    for g in pd.unique(bench):
        idx = np.flatnonzero(bench == g)
        cand = np.array([b != g for b in benches])
        if len(idx) < 3 or cand.sum() < 2:
            continue
        Rg = R[cand][:, idx]
        for j in rng.choice(len(idx), min(anchors, len(idx)), replace=False):
            d = y[idx[j]] - Rg[:, j]
            wb = similarity_weights(d[:, None], bandwidth)[:, 0]
            mu = (wb[:, None] * (Rg + d[:, None])).sum(axis=0)
            same = (acc[idx] == acc[idx[j]]) & (logn[idx] == logn[idx[j]])  # the anchor's own configuration
            out.append(pd.DataFrame({"e": (y[idx] - mu)[~same], "dist": np.abs(logn[idx] - logn[idx[j]])[~same],
                                     "other": (acc[idx] != acc[idx[j]])[~same].astype(float)}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame({"e": [], "dist": [], "other": []})


def _benchmark_scales(abs_resid: np.ndarray, bench: np.ndarray, prior: float) -> dict[str, float]:
    """Median |held-out log residual| of each benchmark relative to all, shrunk to 1 with ``prior`` rows."""
    ok = np.isfinite(abs_resid) & (abs_resid > 0)
    if not ok.any():
        return {}
    a, b = abs_resid[ok], bench[ok]
    overall = float(np.median(a))
    out: dict[str, float] = {}
    for x in np.unique(b):
        v = a[b == x]
        ratio = float(np.median(v)) / overall
        out[str(x)] = float(np.exp(len(v) * np.log(ratio) / (len(v) + prior)))
    return out


def _replicate_spread(X: pd.DataFrame, ly: np.ndarray) -> np.ndarray:
    """|log deviation| of a result from the mean of its identical configurations (same round, accelerator,
    count, benchmark), scaled by sqrt(k/(k-1)) so it estimates one result's spread, sorted."""
    key = (X["round"].astype("string") + "|" + X["accelerator_id"].astype("string") + "|"
           + X["accelerators"].astype("string") + "|" + X["benchmark"].astype("string"))
    df = pd.DataFrame({"k": key.to_numpy(dtype=object), "y": ly})
    g = df.groupby("k")["y"]
    size = g.transform("size").to_numpy()
    dev = (df["y"] - g.transform("mean")).to_numpy()
    multi = size >= 2
    if not multi.any():
        return np.array([0.05])
    d = np.abs(dev[multi]) * np.sqrt(size[multi] / (size[multi] - 1))
    return np.sort(d)

