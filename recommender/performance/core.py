"""The structured performance model behind :func:`recommender.performance.predict`.

``log(minutes)`` of a (benchmark *b*, accelerator *a*, count *n*, nodes, round *t*) is modelled as

    alpha_b                                    benchmark offset
  + sum_k c_bk(a) * psi_k(log n)               count term: psi_k concave, every coefficient <= 0, so the term
                                               is non-increasing and convex in log n (diminishing returns);
                                               where it falls faster than linear scaling (slope < -1, at
                                               small counts) the answer follows the linear line down from
                                               the count where it stops (never fewer accelerator-hours at
                                               more accelerators; :func:`.basis.no_faster_than_linear`);
                                               c_bk(a) interpolates a slow- and a fast-accelerator shape by the
                                               accelerator's low-precision peak; pooled to a shared curve; the
                                               count axis is shifted back by the benchmark's work per run
                                               (learned from its results), so GPT-3/Llama 405B stay near-linear
                                               to thousands of accelerators instead of saturating like BERT
  + F_a . (beta + beta_b)                      accelerator efficiency from its datasheet (shared + per benchmark)
  + tau_b * (years(t) - t0)                    software progress (per benchmark, pooled to a shared trend)
  + (m + m_b) * exp(-age / maturity_years)     a new accelerator's software is immature: age = years since its
                                               first MLPerf result (an unmeasured one inherits its relatives')
  + (q + q_b) * exp(-bage / bench_maturity_years)  a new benchmark's software is tuned fast in its first
                                               rounds: bage = years since its first MLPerf round (off by
                                               default; see :mod:`.maturity` for why)
  + kappa * log(nodes / default_nodes(n))      spreading the same count over more nodes (kappa >= 0)
  + gamma_a + gamma_ab                         accelerator and accelerator x benchmark corrections, shrunk to 0;
                                               an unmeasured accelerator borrows its spec-space neighbours'
  + local_ab(n, t)                             kernel-smoothed residuals of the same pair near this count and
                                               round, folded into the count term through a running minimum

fitted jointly as one bounded, ridge-penalised least-squares problem with Huber re-weighting, plus a
per-submitter effect used only during fitting (so one exotic software stack does not bias an accelerator).
``psi_k(x) = min(x, T_k)`` with knots at n = 4, 16, 64, ...; the last basis is ``x`` itself. The bounded
coefficients are solved by NNLS after profiling out the free ones (about 0.3 s for the whole catalog).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.performance.basis import (
    KNOTS,
    count_basis,
    count_term_no_faster_than_linear,
    lookup,
    no_faster_than_linear,
    node_spread,
    solve_bounded,
    years_of,
)
from recommender.performance.features import SPEC_FEATURES, raw_spec_features, standardise
from recommender.performance.maturity import (
    accelerator_maturity,
    benchmark_first_years,
    benchmark_maturity,
    release_years,
)

#: log-n knots of the count basis (n = 4, 16, ..., 4**10)

@dataclass
class Layout:
    benches: list[str]
    accs: list[str]
    pairs: list[tuple[str, str]]
    subs: list[str]

    def __post_init__(self) -> None:
        B, K, P = len(self.benches), len(KNOTS) + 1, len(SPEC_FEATURES)
        self.K, self.P = K, P
        o = 0
        self.alpha = o; o += B
        self.c_shared = o; o += 2 * K
        self.c_bench = o; o += 2 * B * K
        self.beta = o; o += P
        self.beta_bench = o; o += B * P
        self.tau = o; o += 1
        self.tau_bench = o; o += B
        self.mat = o; o += 1
        self.mat_bench = o; o += B
        self.bmat = o; o += 1
        self.bmat_bench = o; o += B
        self.kappa = o; o += 1
        self.gamma = o; o += len(self.accs)
        self.gamma_pair = o; o += len(self.pairs)
        self.sub = o; o += len(self.subs)
        self.n_params = o


class PerformanceModelCore:
    """Minutes-to-train regressor on MLPerf-style rows (see module docstring) — all of it but the scikit-learn
    base classes, so that a fitted model unpickles (and predicts) without importing scikit-learn.
    The estimator to use is :class:`PerformanceModel` (:mod:`recommender.performance.estimators`), which adds
    ``BaseEstimator`` and ``RegressorMixin``.

    ``fit(X, y)``: ``X`` is a DataFrame with ``benchmark, accelerator_id, accelerators, round`` and optionally
    ``nodes``, ``default_nodes`` and ``submitter``; ``y`` is minutes to train. ``predict(X)`` returns minutes;
    :meth:`predict_log` returns log-minutes and the row's evidence category (for the interval tables that
    :mod:`recommender.performance.calibration` calibrates).
    """

    def __init__(
        self,
        accelerator_table: pd.DataFrame | None = None,
        *,
        scaling_pool: float = 3.0,
        spec_ridge: float = 2.0,
        spec_bench_ridge: float = 20.0,
        trend_pool: float = 5.0,
        accelerator_ridge: float = 4.0,
        pair_ridge: float = 2.0,
        submitter_ridge: float = 1.0,
        half_life_years: float | None = 1.0,
        huber_iterations: int = 3,
        max_extrapolation_years: float = 2.0,
        trend_extrapolation: float = 1.0,
        maturity_years: float | None = 0.5,
        maturity_pool: float = 5.0,
        maturity_origin: str = "first_result",
        maturity_form: str = "exp",
        maturity_neighbor_prior: float = 1.0,
        bench_maturity_years: float | None = None,
        bench_maturity_pool: float = 5.0,
        scaling_shift: float = 0.0,
        work_shift: float = 0.0,
        neighbor_bandwidth: float = 0.5,
        neighbor_prior: float = 0.3,
        neighbor_vendor_distance: float = 1.0,
        new_accelerator_years: float = 1.0,
        local_bandwidth: float | None = 0.3,
        local_half_life_years: float = 0.25,
        local_prior: float = 0.05,
        random_state: int | None = 0,
    ) -> None:
        self.accelerator_table = accelerator_table
        self.scaling_pool = scaling_pool
        self.spec_ridge = spec_ridge
        self.spec_bench_ridge = spec_bench_ridge
        self.trend_pool = trend_pool
        self.accelerator_ridge = accelerator_ridge
        self.pair_ridge = pair_ridge
        self.submitter_ridge = submitter_ridge
        self.half_life_years = half_life_years
        self.huber_iterations = huber_iterations
        self.max_extrapolation_years = max_extrapolation_years
        self.trend_extrapolation = trend_extrapolation
        self.maturity_years = maturity_years
        self.maturity_pool = maturity_pool
        self.maturity_origin = maturity_origin
        self.maturity_form = maturity_form
        self.maturity_neighbor_prior = maturity_neighbor_prior
        self.bench_maturity_years = bench_maturity_years
        self.bench_maturity_pool = bench_maturity_pool
        self.scaling_shift = scaling_shift
        self.work_shift = work_shift
        self.neighbor_bandwidth = neighbor_bandwidth
        self.neighbor_prior = neighbor_prior
        self.neighbor_vendor_distance = neighbor_vendor_distance
        self.new_accelerator_years = new_accelerator_years
        self.local_bandwidth = local_bandwidth
        self.local_half_life_years = local_half_life_years
        self.local_prior = local_prior
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting
    def fit(self, X: pd.DataFrame, y: np.ndarray | pd.Series) -> PerformanceModelCore:
        from threadpoolctl import threadpool_limits

        # small dense algebra: one BLAS thread is faster than several competing ones
        with threadpool_limits(limits=1):
            return self._fit(X, y)

    def _fit(self, X: pd.DataFrame, y: np.ndarray | pd.Series) -> PerformanceModelCore:
        if self.accelerator_table is None:
            raise ValueError("PerformanceModel needs accelerator_table (the catalog's accelerator table)")
        raw = raw_spec_features(self.accelerator_table)
        feats, self.spec_mean_, self.spec_scale_ = standardise(raw)
        self.spec_features_ = feats
        z = raw["log_lowp_tflops"].to_numpy()
        self.speed_log_ = np.nan_to_num(z - np.nanmin(z))
        self.speed_weight_ = np.clip((z - np.nanmin(z)) / max(np.nanmax(z) - np.nanmin(z), 1e-9), 0.0, 1.0)
        y = np.log(np.asarray(y, dtype=float))
        if not np.all(np.isfinite(y)):
            raise ValueError("minutes must be positive and finite")
        cols = self._columns(X)
        benches = sorted(set(cols["benchmark"]))
        accs = list(feats.index)
        unknown = set(cols["accelerator_id"]) - set(accs)
        if unknown:
            raise ValueError(f"accelerators without specs: {sorted(unknown)}")
        pairs = sorted(set(zip(cols["accelerator_id"], cols["benchmark"])))
        subs = sorted(set(cols["submitter"]) - {""})
        lay = Layout(benches, accs, pairs, subs)
        self.benchmarks_ = benches
        self.layout_ = lay
        self.bench_index_ = {b: i for i, b in enumerate(benches)}
        self.acc_index_ = {a: i for i, a in enumerate(accs)}
        self.bench_work_ = self._bench_work(cols, y)
        self.pair_index_ = {p: i for i, p in enumerate(pairs)}
        self.sub_index_ = {s: i for i, s in enumerate(subs)}
        years = cols["years"]
        self.release_years_ = release_years(self, cols)
        self.bench_first_years_ = benchmark_first_years(benches, cols)
        first: dict[str, float] = {}
        for acc, t in zip(cols["accelerator_id"], cols["years"]):
            first[acc] = min(first.get(acc, np.inf), t)
        self.first_result_years_ = np.array([first.get(acc, np.inf) for acc in lay.accs])
        self.t0_ = float(np.median(years))
        self.t_max_ = float(years.max())
        A = self._design(cols, with_submitter=True)
        pen, lo, hi = self._penalties(lay)
        base_w = np.ones(len(y))
        if self.half_life_years:
            base_w = 0.5 ** ((self.t_max_ - years) / float(self.half_life_years))
        w = base_w.copy()
        theta = np.zeros(lay.n_params)
        for it in range(max(1, int(self.huber_iterations))):
            sw = np.sqrt(w)[:, None]
            M = np.vstack([A * sw, pen])
            rhs = np.concatenate([y * sw[:, 0], np.zeros(pen.shape[0])])
            theta = solve_bounded(M, rhs, lo, hi)
            r = y - A @ theta
            scale = 1.4826 * np.median(np.abs(r - np.median(r))) + 1e-6
            delta = 1.345 * scale
            hub = np.minimum(1.0, delta / np.maximum(np.abs(r), 1e-12))
            w = base_w * hub
        self.coef_ = theta
        self.train_residuals_ = y - A @ theta  # net of the submitter effects
        self.train_weights_ = hub
        self.seen_accelerators_ = sorted(set(cols["accelerator_id"]))
        self.seen_pairs_ = set(pairs)
        self._borrow_corrections()
        self._store_local(cols)
        self.pair_eff_index_ = np.full((len(lay.accs), len(lay.benches)), -1, dtype=int)
        for (acc, bench), i in self.pair_index_.items():
            self.pair_eff_index_[self.acc_index_[acc], self.bench_index_[bench]] = i
        self._build_local_grid()
        self.n_train_ = len(y)
        return self

    def _borrow_corrections(self) -> None:
        """Accelerator (x benchmark) corrections for every accelerator, borrowed from spec-space neighbours.

        A measured accelerator keeps its own fitted corrections. One without results (or without results on
        a benchmark) gets a kernel-weighted average of its neighbours' corrections, shrunk towards 0 (pure
        spec prediction) by ``neighbor_prior``; the kernel is Gaussian in the standardised spec features
        with an extra distance for a different vendor.
        """
        lay, th = self.layout_, self.coef_
        accs = lay.accs
        table = self.accelerator_table.set_index(self.accelerator_table["accelerator_id"].astype("string"))
        vendor = table["vendor"].astype("string").reindex(accs).fillna("").to_numpy(dtype=object)
        cont = [c for c in self.spec_features_.columns if not c.startswith("is_")]
        F = self.spec_features_[cont].to_numpy()
        d2 = ((F[:, None, :] - F[None, :, :]) ** 2).sum(axis=2) / len(cont)
        d2 = d2 + (vendor[:, None] != vendor[None, :]) * self.neighbor_vendor_distance
        W = np.exp(-d2 / (2.0 * self.neighbor_bandwidth**2))
        seen = np.isin(np.asarray(accs, dtype=object), self.seen_accelerators_)
        gamma = th[lay.gamma : lay.gamma + len(accs)].copy()
        Ws = W[:, seen]
        self.neighbor_weights_ = np.where(seen[:, None], 0.0, Ws)  # unseen rows only: weights on seen ones
        self.neighbor_seen_ = np.flatnonzero(seen)
        borrowed = Ws @ gamma[seen] / (Ws.sum(axis=1) + self.neighbor_prior)
        self.gamma_eff_ = np.where(seen, gamma, borrowed)
        B = len(lay.benches)
        G = np.zeros((len(accs), B))
        has = np.zeros((len(accs), B), dtype=bool)
        for (acc, bench), i in self.pair_index_.items():
            ai, bi = self.acc_index_[acc], self.bench_index_[bench]
            G[ai, bi] = th[lay.gamma_pair + i]
            has[ai, bi] = True
        W0 = W.copy()
        np.fill_diagonal(W0, 0.0)
        num = W0 @ (G * has)
        den = W0 @ has.astype(float) + self.neighbor_prior
        self.pair_eff_ = np.where(has, G, num / den)

    def _store_local(self, cols: dict[str, np.ndarray]) -> None:
        """Residuals of each measured (accelerator, benchmark) pair, padded per pair, for local smoothing."""
        pi = np.array([self.pair_index_[p] for p in zip(cols["accelerator_id"], cols["benchmark"])], dtype=int)
        n_pairs = len(self.pair_index_)
        counts = np.bincount(pi, minlength=n_pairs)
        L = int(counts.max()) if len(counts) else 1
        self.local_log_n_ = np.zeros((n_pairs, L))
        self.local_years_ = np.zeros((n_pairs, L))
        self.local_resid_ = np.zeros((n_pairs, L))
        self.local_mask_ = np.zeros((n_pairs, L), dtype=bool)
        self.local_weight_ = np.zeros((n_pairs, L))
        order = np.argsort(pi, kind="stable")
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        slot = np.arange(len(pi)) - starts[pi[order]]
        self.local_log_n_[pi[order], slot] = cols["log_n"][order]
        self.local_years_[pi[order], slot] = cols["years"][order]
        self.local_resid_[pi[order], slot] = self.train_residuals_[order]
        self.local_mask_[pi[order], slot] = True
        self.local_weight_[pi[order], slot] = self.train_weights_[order] ** 2

    def _pair_curve(self, pair_acc: np.ndarray, pair_bench: np.ndarray, log_n: np.ndarray) -> np.ndarray:
        """Count term S(log n) of each (accelerator, benchmark) pair on a grid: pairs x len(log_n)."""
        lay, th = self.layout_, self.coef_
        K = lay.K
        C = th[lay.c_bench : lay.c_bench + len(lay.benches) * 2 * K].reshape(-1, 2 * K)
        out = np.empty((len(pair_acc), len(log_n)))
        for i, (a, b) in enumerate(zip(pair_acc, pair_bench)):
            psi = count_basis(self._x(np.full(len(log_n), a), log_n, np.full(len(log_n), b)))
            lam = self.speed_weight_[a]
            out[i] = np.hstack([psi * (1.0 - lam), psi * lam]) @ C[b]
        return out

    def _build_local_grid(self) -> None:
        """Monotone local corrections: for each measured pair and each training round, S(log n) + the smoothed
        residual on a grid of counts, made non-increasing by a running minimum, so the correction can never
        make more accelerators slower, and no steeper than linear scaling (:func:`.basis.no_faster_than_linear`),
        so it never makes more accelerators faster than in proportion to their number. Rounds after the catalog's use the latest round's grid."""
        grid = np.arange(0.0, math.log(16384.0) + 1e-9, 0.1)
        self.local_grid_ = grid
        pairs = sorted(self.pair_index_.items(), key=lambda kv: kv[1])
        pa = np.array([self.acc_index_[a] for (a, _), _ in pairs], dtype=int)
        pb = np.array([self.bench_index_[b] for (_, b), _ in pairs], dtype=int)
        S = self._pair_curve(pa, pb, grid)
        self.local_rounds_ = np.unique(self.local_years_[self.local_mask_]) if self.local_mask_.any() else np.array([self.t_max_])
        totals = np.empty((len(self.local_rounds_), len(pairs), len(grid)))
        kern = None
        if self.local_bandwidth and len(pairs):
            kern = [np.exp(-0.5 * ((self.local_log_n_ - x) / self.local_bandwidth) ** 2) for x in grid]
        for r, t in enumerate(self.local_rounds_):
            g = np.zeros_like(S)
            if kern is not None:
                rec = 0.5 ** (np.abs(t - self.local_years_) / self.local_half_life_years)
                base = np.where(self.local_mask_, rec * self.local_weight_, 0.0)  # pairs x L
                br = base * self.local_resid_
                for j, k in enumerate(kern):
                    g[:, j] = (k * br).sum(axis=1) / ((k * base).sum(axis=1) + self.local_prior)
            totals[r] = no_faster_than_linear(np.minimum.accumulate(S + g, axis=1), grid)
        self.local_total_ = totals

    def _local(self, cols: dict[str, np.ndarray], b: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows of measured pairs, their count term + local correction) — linear interpolation of a
        non-increasing grid (the nearest training round's), hence non-increasing in the count."""
        out = np.zeros(len(cols["log_n"]))
        pi = self.pair_eff_index_[a, b]
        ok = pi >= 0
        if not ok.any():
            return ok, out
        x = np.clip(cols["log_n"][ok], 0.0, self.local_grid_[-1])
        step = self.local_grid_[1] - self.local_grid_[0]
        j = np.minimum((x / step).astype(int), len(self.local_grid_) - 2)
        f = (x - self.local_grid_[j]) / step
        rounds = self.local_rounds_
        mids = (rounds[1:] + rounds[:-1]) / 2.0
        r = np.searchsorted(mids, cols["years"][ok])
        p = pi[ok]
        out[ok] = self.local_total_[r, p, j] * (1.0 - f) + self.local_total_[r, p, j + 1] * f
        return ok, out

    def _columns(self, X: pd.DataFrame) -> dict[str, np.ndarray]:
        def obj(name: str, default: str = "") -> np.ndarray:
            if name not in X.columns:
                return np.full(len(X), default, dtype=object)
            col = X[name]
            if col.dtype == object and not col.isna().any():
                return col.to_numpy(dtype=object)
            return col.astype("string").fillna(default).to_numpy(dtype=object)

        n = pd.to_numeric(X["accelerators"], errors="coerce").astype("float64").to_numpy(na_value=np.nan)
        if "nodes" in X.columns:
            nodes = pd.to_numeric(X["nodes"], errors="coerce").astype("float64").to_numpy(na_value=np.nan)
        else:
            nodes = np.full(len(X), np.nan)
        if "default_nodes" in X.columns:
            dn = pd.to_numeric(X["default_nodes"], errors="coerce").astype("float64").to_numpy(na_value=np.nan)
        else:
            dn = nodes.copy()
        nodes = np.where(np.isnan(nodes), dn, nodes)
        dn = np.where(np.isnan(dn), nodes, dn)
        rounds = obj("round")
        return {
            "benchmark": obj("benchmark"),
            "accelerator_id": obj("accelerator_id"),
            "submitter": obj("submitter"),
            "log_n": np.log(np.maximum(n, 1.0)),
            "extra_nodes": node_spread(nodes, dn),
            "years": years_of(rounds),
        }

    def _design(self, cols: dict[str, np.ndarray], *, with_submitter: bool) -> np.ndarray:
        lay = self.layout_
        m = len(cols["benchmark"])
        A = np.zeros((m, lay.n_params))
        rows = np.arange(m)
        b = lookup(cols["benchmark"], self.bench_index_)
        a = lookup(cols["accelerator_id"], self.acc_index_)
        A[rows, lay.alpha + b] = 1.0
        psi = count_basis(self._x(a, cols["log_n"], b))
        K, P = lay.K, lay.P
        lam = self._speed_weight(a)
        for k in range(K):
            A[rows, lay.c_bench + b * 2 * K + k] = psi[:, k] * (1.0 - lam)
            A[rows, lay.c_bench + b * 2 * K + K + k] = psi[:, k] * lam
        F = self.spec_features_.to_numpy()[a]
        A[:, lay.beta : lay.beta + P] = F
        for p in range(P):
            A[rows, lay.beta_bench + b * P + p] = F[:, p]
        dt = self._dt(cols["years"])
        A[:, lay.tau] = dt
        A[rows, lay.tau_bench + b] = dt
        mat = self._maturity(a, cols["years"])
        A[:, lay.mat] = mat
        A[rows, lay.mat_bench + b] = mat
        bmat = self._bench_maturity(b, cols["years"])
        A[:, lay.bmat] = bmat
        A[rows, lay.bmat_bench + b] = bmat
        A[:, lay.kappa] = cols["extra_nodes"]
        A[rows, lay.gamma + a] = 1.0
        pi = np.array([self.pair_index_.get(p, -1) for p in zip(cols["accelerator_id"], cols["benchmark"])])
        ok = pi >= 0
        A[rows[ok], lay.gamma_pair + pi[ok]] = 1.0
        if with_submitter:
            si = np.array([self.sub_index_.get(s, -1) for s in cols["submitter"]])
            ok = si >= 0
            A[rows[ok], lay.sub + si[ok]] = 1.0
        return A

    def _maturity(self, a: np.ndarray, years: np.ndarray) -> np.ndarray:
        return accelerator_maturity(self, a, years)

    def _bench_maturity(self, b: np.ndarray, years: np.ndarray) -> np.ndarray:
        return benchmark_maturity(self, b, years)

    def _dt(self, years: np.ndarray) -> np.ndarray:
        """Trend axis: years from t0; beyond the last training round the trend is damped and capped."""
        t = np.minimum(years, self.t_max_ + self.max_extrapolation_years)
        t = np.where(t > self.t_max_, self.t_max_ + self.trend_extrapolation * (t - self.t_max_), t)
        return t - self.t0_

    def _penalties(self, lay: Layout) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows: list[np.ndarray] = []

        def add(idx_weights: list[tuple[int, float]]) -> None:
            r = np.zeros(lay.n_params)
            for i, v in idx_weights:
                r[i] += v
            rows.append(r)

        B, K, P = len(lay.benches), lay.K, lay.P
        s = math.sqrt(self.scaling_pool)
        for bi in range(B):
            for k in range(2 * K):
                add([(lay.c_bench + bi * 2 * K + k, s), (lay.c_shared + k, -s)])
            for p in range(P):
                add([(lay.beta_bench + bi * P + p, math.sqrt(self.spec_bench_ridge))])
            add([(lay.tau_bench + bi, math.sqrt(self.trend_pool))])
            add([(lay.mat_bench + bi, math.sqrt(self.maturity_pool))])
            add([(lay.bmat_bench + bi, math.sqrt(self.bench_maturity_pool))])
        for p in range(P):
            add([(lay.beta + p, math.sqrt(self.spec_ridge))])
        for i in range(len(lay.accs)):
            add([(lay.gamma + i, math.sqrt(self.accelerator_ridge))])
        for i in range(len(lay.pairs)):
            add([(lay.gamma_pair + i, math.sqrt(self.pair_ridge))])
        for i in range(len(lay.subs)):
            add([(lay.sub + i, math.sqrt(self.submitter_ridge))])
        # tiny ridge on the shared count curve keeps the problem well-posed where no benchmark has data
        for k in range(2 * K):
            add([(lay.c_shared + k, 0.05)])
        # and a negligible one on the shared trend/maturity/node terms (identifiable from data when present)
        for i in (lay.tau, lay.mat, lay.bmat, lay.kappa):
            add([(i, 1e-3)])
        lo = np.full(lay.n_params, -np.inf)
        hi = np.full(lay.n_params, np.inf)
        hi[lay.c_shared : lay.c_shared + 2 * K] = 0.0
        hi[lay.c_bench : lay.c_bench + 2 * B * K] = 0.0
        lo[lay.kappa] = 0.0
        return np.vstack(rows), lo, hi

    # --------------------------------------------------------------- prediction
    def predict_log(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """log(minutes) and the evidence category index into :data:`CATEGORIES`."""
        cols = self._columns(X)
        mu = self._mu(cols)
        a = lookup(cols["accelerator_id"], self.acc_index_)
        b = lookup(cols["benchmark"], self.bench_index_)
        seen_set = set(self.seen_accelerators_)
        seen_acc = lookup(cols["accelerator_id"], {x: x in seen_set for x in self.acc_index_}, bool)
        seen_pair = self.pair_eff_index_[a, b] >= 0
        age = cols["years"] - self.first_result_years_[a]
        new = seen_pair & (age < self.new_accelerator_years)
        cat = np.where(new, 3, np.where(seen_pair, 0, np.where(seen_acc, 1, 2)))
        return mu, cat

    def _mu(self, cols: dict[str, np.ndarray]) -> np.ndarray:
        """Vectorised prediction without building the design matrix."""
        lay, th = self.layout_, self.coef_
        K, P = lay.K, lay.P
        b = lookup(cols["benchmark"], self.bench_index_)
        a = lookup(cols["accelerator_id"], self.acc_index_)
        C = th[lay.c_bench : lay.c_bench + len(lay.benches) * 2 * K].reshape(-1, 2 * K)
        Bb = th[lay.beta_bench : lay.beta_bench + len(lay.benches) * P].reshape(-1, P)
        F = self.spec_features_.to_numpy()[a]
        x = self._x(a, cols["log_n"], b)
        lam = self._speed_weight(a)[:, None]
        mu = th[lay.alpha + b]
        coef = C[b][:, :K] * (1.0 - lam) + C[b][:, K:] * lam  # each row's count curve (slow/fast mixed)
        count_term = count_term_no_faster_than_linear(coef, x, np.einsum("ij,ij->i", count_basis(x), coef))
        ok, local = self._local(cols, b, a)
        count_term[ok] = local[ok]
        mu = mu + count_term
        mu = mu + np.einsum("ij,ij->i", F, th[lay.beta : lay.beta + P][None, :] + Bb[b])
        dt = self._dt(cols["years"])
        mu = mu + dt * (th[lay.tau] + th[lay.tau_bench + b])
        mu = mu + self._maturity(a, cols["years"]) * (th[lay.mat] + th[lay.mat_bench + b])
        mu = mu + self._bench_maturity(b, cols["years"]) * (th[lay.bmat] + th[lay.bmat_bench + b])
        mu = mu + th[lay.kappa] * cols["extra_nodes"]
        mu = mu + self.gamma_eff_[a] + self.pair_eff_[a, b]
        return mu

    def generic_log(self, accelerator_ids: np.ndarray, log_n: np.ndarray, extra_nodes: np.ndarray) -> np.ndarray:
        """log-minutes up to a constant for a workload that behaves like no benchmark in particular.

        Uses only the shared parts: the pooled count curve, the shared spec coefficients and the
        accelerator corrections (no benchmark offset, no trend).
        """
        lay, th = self.layout_, self.coef_
        K, P = lay.K, lay.P
        a = lookup(accelerator_ids, self.acc_index_)
        x = self._x(a, log_n)
        lam = self._speed_weight(a)[:, None]
        F = self.spec_features_.to_numpy()[a]
        shared = th[lay.c_shared : lay.c_shared + 2 * K]
        coef = shared[None, :K] * (1.0 - lam) + shared[None, K:] * lam
        mu = count_term_no_faster_than_linear(coef, x, np.einsum("ij,ij->i", count_basis(x), coef))
        mu = mu + F @ th[lay.beta : lay.beta + P]
        mu = mu + self.gamma_eff_[a] + th[lay.kappa] * extra_nodes
        return mu

    def shared_trend(self, rounds: np.ndarray) -> np.ndarray:
        """The shared software-progress term (log-minutes) of each round, relative to the latest round."""
        t = years_of(np.asarray(rounds, dtype=object))
        lay = self.layout_
        return self.coef_[lay.tau] * (self._dt(t) - self._dt(np.array([self.t_max_])))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.exp(self.predict_log(X)[0])

    def _x(self, a: np.ndarray, log_n: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        """Position on the count axis: log n shifted by the accelerator's peak (log n + s * log(peak/slowest)):
        a faster accelerator reaches the communication-bound, flatter part of the curve at a smaller count;
        and shifted back by the benchmark's work (``work_shift * bench_work_``): a benchmark with more work per
        run (GPT-3, Llama 405B) stays in the steep, near-linear part of the curve to larger counts."""
        x = np.asarray(log_n, dtype=float) + self.scaling_shift * self.speed_log_[a]
        if b is not None and self.work_shift:
            x = x - self.work_shift * getattr(self, "bench_work_", np.zeros(len(self.bench_index_)))[b]
        return x

    def _bench_work(self, cols: dict[str, np.ndarray], y: np.ndarray) -> np.ndarray:
        """Work per run of each benchmark relative to the median benchmark, in log units: the median over its
        results of log(minutes x accelerators x peak) — accelerator-time normalised by the accelerator's speed."""
        b = lookup(cols["benchmark"], self.bench_index_)
        a = lookup(cols["accelerator_id"], self.acc_index_)
        v = y + cols["log_n"] + self.speed_log_[a]
        work = np.array([np.median(v[b == i]) for i in range(len(self.bench_index_))])
        return work - np.median(work)

    def _speed_weight(self, a: np.ndarray) -> np.ndarray:
        """Position of each accelerator between the slowest (0) and fastest (1) on low-precision peak."""
        return self.speed_weight_[a]

