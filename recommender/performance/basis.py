"""Building blocks of the structured model: the count basis, the round axis, evidence categories and the
bounded least-squares solver (profiling out free variables; scipy's NNLS for the sign-constrained ones)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from catalog.registry import round_years

KNOTS: tuple[float, ...] = tuple(math.log(4.0**i) for i in range(1, 11))

#: The steepest the count term may fall, in log-minutes per log-count: -1 is linear scaling (twice the
#: accelerators, half the minutes). Faster than linear would mean n accelerators cannot match what 2n do in twice
#: the time, though they could run the 2n's work in turns; every measured GPT-3 / Llama 405B series is
#: sub-linear. (Neighbouring *results* of different systems do scale better than linearly now and then — other
#: software, other tuning — which :func:`.anchors.scaling_slack` allows around measured counts.)
STEEPEST_COUNT_SLOPE = -1.0

#: Evidence categories of a prediction (each gets its own calibrated interval width):
#: the accelerator was measured on this benchmark / only on other benchmarks / never (specs only) /
#: measured on this benchmark but its first MLPerf result is recent (software still moving fast).
CATEGORIES = ("seen_pair", "seen_accelerator", "unseen_accelerator", "seen_pair_new")


def count_basis(log_n: np.ndarray) -> np.ndarray:
    """psi_k(log n): one column per knot plus the unbounded last one; all concave, non-decreasing."""
    x = np.asarray(log_n, dtype=float)[:, None]  # below 0 (a shifted axis) every column is x: linear
    capped = np.minimum(x, np.asarray(KNOTS)[None, :])
    return np.hstack([capped, x])


def no_faster_than_linear(curves: np.ndarray, log_n: np.ndarray) -> np.ndarray:
    """Count terms on an increasing grid of ``log_n`` (last axis), lowered where they fall faster than
    :data:`STEEPEST_COUNT_SLOPE` towards a larger count: ``f(x) = min over y >= x of f(y) + (y - x)`` (the
    smallest curve at or below the input whose slope is nowhere steeper). A non-increasing curve stays so."""
    tilted = curves + np.asarray(log_n, dtype=float) * -STEEPEST_COUNT_SLOPE
    lowest_ahead = np.minimum.accumulate(tilted[..., ::-1], axis=-1)[..., ::-1]
    return lowest_ahead + np.asarray(log_n, dtype=float) * STEEPEST_COUNT_SLOPE


def count_term_no_faster_than_linear(coef: np.ndarray, x: np.ndarray, term: np.ndarray) -> np.ndarray:
    """:func:`no_faster_than_linear` of parametric count terms ``term = count_basis(x) @ coef`` (one coefficient
    row per value): the curve is piecewise linear with its bends at :data:`KNOTS`, so the lowest ``f(y) + y``
    at or beyond ``x`` is at ``x`` itself or at a knot beyond it."""
    knots = np.asarray(KNOTS)
    at_knots = coef @ count_basis(knots).T + knots[None, :] * -STEEPEST_COUNT_SLOPE
    ahead = np.where(knots[None, :] >= np.asarray(x, dtype=float)[:, None], at_knots, np.inf).min(axis=1)
    tilt = np.asarray(x, dtype=float) * -STEEPEST_COUNT_SLOPE
    return np.minimum(term + tilt, ahead) - tilt


def lookup(values: np.ndarray, table: dict, dtype: type = int) -> np.ndarray:
    """``table[v]`` for every value, looked up once per distinct value (factorize, then take)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return np.array([table[u] for u in uniques], dtype=dtype)[codes] if len(uniques) else np.zeros(0, dtype)


def node_spread(nodes: np.ndarray, default_nodes: np.ndarray) -> np.ndarray:
    """``log(nodes / default_nodes)`` where positive, else 0: how much wider than the accelerator's usual node
    size a configuration spreads its accelerators (a 2 x 4 system of 8-card nodes: log 2). The model's node
    feature; times its coefficient kappa it is the log-minutes lost to the network. Missing values count as the
    usual layout."""
    n = np.maximum(np.nan_to_num(np.asarray(nodes, dtype=float), nan=1.0), 1.0)
    d = np.maximum(np.nan_to_num(np.asarray(default_nodes, dtype=float), nan=1.0), 1.0)
    return np.maximum(np.log(n / d), 0.0)


def years_of(rounds: np.ndarray) -> np.ndarray:
    """Years on the round axis (:func:`catalog.registry.round_years`) of each round name."""
    codes, uniques = pd.factorize(np.asarray(rounds, dtype=object))
    return np.array([round_years(str(u)) for u in uniques], dtype=float)[codes] if len(uniques) else np.zeros(0)


def solve_bounded(M: np.ndarray, rhs: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """min ||M x - rhs|| subject to lo <= x <= hi, for a problem where most variables are free.

    Normal equations; the free variables are profiled out with a Cholesky factorisation (Schur complement),
    the few bounded ones (count-curve coefficients) are solved as a small bounded least-squares problem, and
    the free ones are then back-substituted. The penalty rows keep every block positive definite.
    """
    from scipy.linalg import cho_factor, cho_solve, cholesky

    free = np.isinf(lo) & np.isinf(hi)
    G = M.T @ M
    g = M.T @ rhs
    jitter = 1e-10 * np.trace(G) / len(G)
    Gff = G[np.ix_(free, free)] + jitter * np.eye(int(free.sum()))
    Gfb = G[np.ix_(free, ~free)]
    Gbb = G[np.ix_(~free, ~free)]
    cf = cho_factor(Gff, lower=True)
    S = cho_solve(cf, Gfb)
    H = Gbb - Gfb.T @ S + jitter * np.eye(int((~free).sum()))
    h = g[~free] - S.T @ g[free]
    L = cholesky(H, lower=True)
    from scipy.linalg import solve_triangular

    target = solve_triangular(L, h, lower=True)
    lb, ub = lo[~free], hi[~free]
    if np.all(np.isinf(lb) != np.isinf(ub)) and np.all(np.where(np.isinf(lb), ub, lb) == 0.0):
        # every bounded variable is one-sided at 0: flip the upper-bounded ones and use NNLS (fast, exact)
        sign = np.where(np.isinf(lb), -1.0, 1.0)
        from scipy.optimize import nnls

        z, _ = nnls(L.T * sign[None, :], target, maxiter=50 * len(sign))
        xb = z * sign
    else:  # pragma: no cover - general bounds
        from scipy.optimize import lsq_linear

        xb = lsq_linear(L.T, target, bounds=(lb, ub), method="trf", tol=1e-10).x
    xf = cho_solve(cf, g[free] - Gfb @ xb)
    x = np.empty(M.shape[1])
    x[free] = xf
    x[~free] = xb
    return x


