"""The exact throughput of a fixed fleet, for tests and checks of the mix MILP (split from
:mod:`recommender.planning.solve` to keep one problem per module)."""

from __future__ import annotations

import numpy as np

MINUTES_PER_DAY = 1440.0  # the one definition (solve, mix_highs and power import it; this module is light)


def best_assignment_throughput(minutes: np.ndarray, shares: np.ndarray, counts: np.ndarray) -> float:
    """Exact max mixes per day for fixed copies (an LP, solved with scipy's HiGHS); used by tests and checks."""
    from scipy.optimize import linprog

    W, C = minutes.shape
    active = [c for c in range(C) if counts[c] > 0]
    if not active:
        return 0.0
    pairs = [(w, c) for w in range(W) for c in active if np.isfinite(minutes[w, c]) and minutes[w, c] > 0]
    nv = len(pairs) + 1  # x's then lam
    cvec = np.zeros(nv)
    cvec[-1] = -1.0
    a_ub, b_ub = [], []
    for c in active:
        row = np.zeros(nv)
        for k, (w, cc) in enumerate(pairs):
            if cc == c:
                row[k] = minutes[w, c]
        a_ub.append(row)
        b_ub.append(MINUTES_PER_DAY * counts[c])
    for w in range(W):
        if shares[w] <= 0:
            continue
        row = np.zeros(nv)
        for k, (ww, _) in enumerate(pairs):
            if ww == w:
                row[k] = -1.0
        row[-1] = shares[w]
        a_ub.append(row)
        b_ub.append(0.0)
    out = linprog(cvec, A_ub=np.array(a_ub), b_ub=np.array(b_ub), bounds=[(0, None)] * nv, method="highs")
    return float(-out.fun) if out.status == 0 else 0.0
