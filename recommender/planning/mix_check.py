"""The exact throughput of a fixed fleet, for tests and checks of the mix MILP, and the energy its work draws
(split from :mod:`recommender.planning.solve` to keep one problem per module; light: no PuLP)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MINUTES_PER_DAY = 1440.0  # the one definition (solve, mix_highs and power import it; this module is light)


@dataclass(frozen=True)
class BusyEnergy:
    """The energy a fleet's work draws beyond what its TCO already charges (min_tco under a required rate).

    A copy of configuration ``c`` drawing training power the whole year costs ``usd_full[c]`` in energy
    (present value); the TCO per copy the MILP is given charges ``floor[c]`` of that (the scenario's
    utilisation). Training ``mixes_per_day`` (the required work, however much more the fleet could train),
    the copies of ``c`` are busy ``busy[c] = sum_w x[w, c] * expected[w, c] / 1440`` copies on average
    (trainings per day at the expected minutes), so the energy beyond the floor is
    ``usd_full[c] * max(0, busy[c] - floor[c] * n[c])`` — as one configuration's energy is charged at
    ``max(utilisation, the work's share)`` (:func:`recommender.planning.power.busy_share`).
    ``weighted[c]``: expected share-weighted minutes of one mix on ``c``."""

    usd_full: np.ndarray  # C
    floor: np.ndarray  # C
    expected: np.ndarray  # W x C, expected minutes (inf/NaN: cannot run)
    weighted: np.ndarray  # C
    mixes_per_day: float

    def per_copy_day(self, minutes: np.ndarray) -> np.ndarray:
        """Busy copy-days per copy-day of the MILP's ``f[w, c]`` (whose minutes may be the risk's, e.g. p80)."""
        ok = np.isfinite(minutes) & (minutes > 0) & np.isfinite(self.expected)
        return np.where(ok, np.nan_to_num(self.expected) / np.where(ok, minutes, 1.0), 0.0)

    def busy(self, trainings: np.ndarray, throughput: float) -> np.ndarray:
        """Copies of each configuration busy on average with the fleet's ``trainings[w, c]`` per day (its
        ``throughput`` mixes per day) scaled down to the required work."""
        e = np.where(np.isfinite(self.expected), self.expected, 0.0)
        scale = min(1.0, self.mixes_per_day / throughput) if throughput > 0 else 1.0
        return (np.asarray(trainings) * e).sum(axis=0) * scale / MINUTES_PER_DAY

    def extra_usd(self, counts: np.ndarray, trainings: np.ndarray, throughput: float) -> float:
        """The fleet's energy beyond its TCO's floor (present value, USD)."""
        over = self.busy(trainings, throughput) - self.floor * np.asarray(counts, dtype=float)
        return float(np.dot(self.usd_full, np.maximum(over, 0.0)))

    def one_configuration_usd(self, copies: np.ndarray) -> np.ndarray:
        """:meth:`extra_usd` of ``copies[c]`` copies of each configuration alone doing the work."""
        with np.errstate(invalid="ignore"):
            busy = np.where(np.isfinite(self.weighted), self.mixes_per_day * self.weighted / MINUTES_PER_DAY, np.inf)
        return self.usd_full * np.maximum(busy - self.floor * copies, 0.0)


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
