"""Calibrated intervals around the structured model: Mondrian split-conformal quantiles of held-out
log-residuals, one table per evidence category (Vovk, Gammerman & Shafer 2005, "Algorithmic Learning in a
Random World", ch. 4 — the inductive/Mondrian conformal regressor that ``crepes`` implements), normalised by a
per-benchmark difficulty scale; plus the replicate spread of identical configurations and the residuals of
carrying one result to another (custom workloads)."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from catalog.registry import round_key
from recommender.performance.basis import CATEGORIES, lookup, years_of
from recommender.performance.core import PerformanceModelCore
from recommender.performance.training import measured_table

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
    stores sorted absolute held-out log-residuals per evidence category (``residuals_``), the replicate
    spread of identical configurations (``replicate_abs_``) and the residuals of carrying one measurement
    of a benchmark to its other results (``transfer_abs_``, for custom workloads).
    """

    def __init__(
        self,
        accelerator_table: pd.DataFrame | None = None,
        *,
        base_params: dict[str, Any] | None = None,
        system_folds: int = 5,
        accelerator_folds: int = 5,
        forward_rounds: int = 3,
        min_forward_residuals: int = 60,
        scale_prior: float = 50.0,
        random_state: int | None = 0,
    ) -> None:
        self.accelerator_table = accelerator_table
        self.base_params = base_params
        self.system_folds = system_folds
        self.accelerator_folds = accelerator_folds
        self.forward_rounds = forward_rounds
        self.min_forward_residuals = min_forward_residuals
        self.scale_prior = scale_prior
        self.random_state = random_state

    #: the point model's class; the scikit-learn estimator (``estimators.CalibratedPerformanceModel``) sets its
    #: scikit-learn subclass, so this module never imports the one that imports it
    base_class: type[PerformanceModelCore] = PerformanceModelCore

    def _base(self) -> PerformanceModelCore:
        return self.base_class(self.accelerator_table, random_state=self.random_state, **(self.base_params or {}))

    def fit(self, X: pd.DataFrame, y: np.ndarray | pd.Series) -> CalibratedPerformanceModelCore:
        from sklearn.model_selection import GroupKFold

        X = X.reset_index(drop=True)
        y = np.asarray(y, dtype=float)
        self.model_ = self._base().fit(X, y)
        ly = np.log(y)
        # held-out |log residuals| by evidence category, separately for each kind of split
        pooled: dict[str, dict[int, list[np.ndarray]]] = {k: {c: [] for c in range(len(CATEGORIES))} for k in ("grouped", "forward")}
        systems = (X.get("submitter", pd.Series([""] * len(X))).astype("string").fillna("") + "/"
                   + X.get("system_id", pd.Series(range(len(X)))).astype("string").fillna(""))
        schemes: list[tuple[str, np.ndarray, np.ndarray]] = []
        groups_sys = systems.to_numpy(dtype=object)
        if self.system_folds and len(set(groups_sys)) >= self.system_folds:
            schemes += [("system", tr, te) for tr, te in
                        GroupKFold(n_splits=self.system_folds).split(X, groups=groups_sys)]
        groups_acc = X["accelerator_id"].astype("string").to_numpy(dtype=object)
        if self.accelerator_folds and len(set(groups_acc)) >= self.accelerator_folds:
            schemes += [("grouped", tr, te) for tr, te in
                        GroupKFold(n_splits=self.accelerator_folds).split(X, groups=groups_acc)]
        rounds = X["round"].astype("string").to_numpy(dtype=object)
        order = sorted(set(rounds), key=round_key)
        keys = [round_key(x) for x in rounds]
        for r in order[-self.forward_rounds:] if self.forward_rounds else []:
            tr = np.flatnonzero([k < round_key(r) for k in keys])
            te = np.flatnonzero(rounds == r)
            if len(tr) and len(te):
                schemes.append(("forward", tr, te))
        oof = np.full(len(X), np.nan)  # out-of-fold log-predictions from the system folds
        held: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []
        carries: list[np.ndarray] = []
        for kind, tr, te in schemes:
            test = X.iloc[te]
            known = test["benchmark"].isin(set(X["benchmark"].iloc[tr])).to_numpy()
            if not known.any():
                continue
            m = self._base().fit(X.iloc[tr], y[tr])
            mu, cat = m.predict_log(test[known])
            r = ly[te][known] - mu
            if kind == "system":
                oof[te[known]] = mu
            if kind == "forward":
                carries.append(_carry_residuals(X, ly, tr, te, m))
            held.append((kind, cat, np.abs(r), test.loc[known, "benchmark"].astype("string").to_numpy(dtype=object)))
        # benchmarks differ in how predictable they are (big software jumps on some): a per-benchmark scale,
        # shrunk towards 1, normalises the residuals (normalised split-conformal)
        all_abs = np.concatenate([h[2] for h in held]) if held else np.zeros(0)
        all_b = np.concatenate([h[3] for h in held]) if held else np.zeros(0, dtype=object)
        self.benchmark_scale_ = _benchmark_scales(all_abs, all_b, self.scale_prior)
        for kind, cat, a, b in held:
            scale = np.array([self.benchmark_scale_.get(x, 1.0) for x in b])
            for c in range(len(CATEGORIES)):
                pooled["forward" if kind == "forward" else "grouped"][c].append((a / scale)[cat == c])

        def cat_pool(kind: str, c: int) -> np.ndarray:
            v = pooled[kind][c]
            return np.concatenate(v) if v else np.zeros(0)

        # Buyers ask about today and tomorrow: where enough forward-in-time residuals exist they set the width
        # (they include round-to-round drift); otherwise all held-out residuals of the category are pooled.
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
        self.carry_ = np.concatenate(carries) if carries else np.zeros((0, 2))
        self.replicate_abs_ = _replicate_spread(X, ly)
        self.transfer_abs_ = self._transfer_residuals(X, ly, oof)
        return self

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
        """Half-width for a result carried ``gap_years`` forward: conformal quantile of the forward-split carry
        errors with a similar gap (within a year, one to two years, more), never below the replicate spread."""
        c = getattr(self, "carry_", np.zeros((0, 2)))
        gap = np.asarray(gap_years, dtype=float)
        edges = (0.0, 1.01, 2.01, np.inf)
        out = np.full(len(gap), np.nan)
        floor = self.replicate_halfwidth(coverage)
        pooled = conformal(np.sort(c[:, 0]), coverage) if len(c) else float(DEFAULT_LOG_HALFWIDTH)
        for lo, hi in zip(edges[:-1], edges[1:]):
            sel = (gap >= lo) & (gap < hi)
            pool = np.sort(c[(c[:, 1] >= lo) & (c[:, 1] < hi), 0]) if len(c) else np.zeros(0)
            q = conformal(pool, coverage) if len(pool) >= 20 else pooled
            out[sel] = max(q, floor)
        return np.where(np.isnan(out), max(pooled, floor), out)

    def replicate_halfwidth(self, coverage: float) -> float:
        return max(conformal(self.replicate_abs_, coverage), 0.01)

    def transfer_halfwidth(self, coverage: float, *, like: str | None, measurements: int) -> float:
        """Half-width for a custom workload with ``measurements`` anchors (like = benchmark id or None)."""
        key = "generic" if like is None else (f"like:{like}" if f"like:{like}" in self.transfer_abs_ else "like")
        q = conformal(self.transfer_abs_[key], coverage)
        # one anchor: e_target - e_anchor; k anchors: e_target - mean(e_anchor) -> variance (1 + 1/k) / 2 of it
        return q * math.sqrt((1.0 + 1.0 / max(measurements, 1)) / 2.0)


def _carry_residuals(X: pd.DataFrame, ly: np.ndarray, tr: np.ndarray, te: np.ndarray,
                     m: PerformanceModelCore) -> np.ndarray:
    """(|error|, gap in years) of carrying each test row's configuration from its latest training-part
    measurement to the test round with the forward-fitted model ``m``'s round-to-round change."""
    prev = measured_table(X.iloc[tr]).sort_values("_rk").drop_duplicates(
        ["accelerator_id", "accelerators", "benchmark"], keep="last")
    test = X.iloc[te][["accelerator_id", "accelerators", "benchmark", "round"]].copy()
    test["accelerators"] = test["accelerators"].astype("int64")
    test["_ly"] = ly[te]
    hit = test.merge(prev.rename(columns={"round": "_r0", "minutes": "_m0"}),
                     on=["accelerator_id", "accelerators", "benchmark"], how="inner")
    hit = hit[hit["benchmark"].isin(m.bench_index_)]
    if hit.empty:
        return np.zeros((0, 2))
    now = m.predict_log(hit[["accelerator_id", "accelerators", "benchmark", "round"]])[0]
    then = m.predict_log(hit[["accelerator_id", "accelerators", "benchmark"]].assign(round=hit["_r0"]))[0]
    err = hit["_ly"].to_numpy() - (np.log(hit["_m0"].to_numpy(dtype=float)) + now - then)
    gap = years_of(hit["round"].to_numpy(dtype=object)) - years_of(hit["_r0"].to_numpy(dtype=object))
    return np.column_stack([np.abs(err), gap])


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

