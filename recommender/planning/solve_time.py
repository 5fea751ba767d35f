"""Mix mode with ``min_time``: each workload on its own servers, minimising the share-weighted minutes to train.

Split from :mod:`recommender.planning.solve` (which holds the choice and throughput/TCO mix problems) to keep
one problem per module.
"""

from __future__ import annotations

import numpy as np
import pulp

from recommender.models import Status
from recommender.planning.solve import (
    DEFAULT_TIME_LIMIT_S,
    MINUTES_PER_DAY,
    Limits,
    MixResult,
    Resources,
    _solver,
    map_status,
)


def solve_mix_time(minutes: np.ndarray, shares: np.ndarray, res: Resources, limits: Limits, *,
                   time_limit_s: float = DEFAULT_TIME_LIMIT_S, incumbent: int | None = None,
                   solver: str = "cbc") -> MixResult:  # fmt: skip
    """Mix mode's ``min_time``: buy a set of configurations (one copy each; more copies do not shorten a run)
    and run each workload on one of them, minimising the share-weighted minutes of each workload on its
    servers, ``sum_w share[w] x minutes[w, c(w)]``, within the limits.

    ``x[c]`` binary (bought), ``y[w, c] in [0, 1]`` (share of w's trainings on c; optimal y is 0/1), ``y <= x``,
    ``sum_c y[w, c] = 1``. The objective is the same as single mode's, so the best single configuration
    (``incumbent``: its column) is a feasible point: it is the warm start, and it is returned whenever the
    solver stops with nothing better (status ``feasible``, solver ``...+incumbent``).
    ``objective`` of the result: the share-weighted minutes; ``throughput``: mixes per day when each
    configuration trains its workloads back to back (``1440 / max_c busy minutes per mix``)."""
    W, C = minutes.shape
    pos = np.flatnonzero(shares > 0)
    if C == 0 or pos.size == 0:
        return MixResult(Status.INFEASIBLE, None, None, None, None)
    ok = np.isfinite(minutes) & (minutes > 0)
    prob = pulp.LpProblem("mix_time", pulp.LpMinimize)
    x = [prob.add_variable(f"x_{c}", lowBound=0, upBound=1, cat=pulp.LpInteger) for c in range(C)]
    y = {(w, c): prob.add_variable(f"y_{w}_{c}", lowBound=0, upBound=1) for w in pos for c in range(C) if ok[w, c]}
    scale = float(np.max(np.where(ok, minutes, 0.0))) or 1.0
    prob += pulp.lpSum(float(shares[w] * minutes[w, c] / scale) * v for (w, c), v in y.items())
    for w in pos:
        terms = [y[(w, c)] for c in range(C) if (w, c) in y]
        if not terms:
            return MixResult(Status.INFEASIBLE, None, None, None, None)
        prob += (pulp.lpSum(terms) == 1, f"assign_{w}")
    for (w, c), v in y.items():
        prob += (v <= x[c], f"open_{w}_{c}")
    for name, limit in limits.items():
        use = res.usage(name)
        if limit > 0:
            prob += (pulp.lpSum(float(use[c] / limit) * x[c] for c in range(C)) <= 1.0, name)
        else:
            prob += (pulp.lpSum(float(use[c]) * x[c] for c in range(C)) <= 0.0, name)
    warm = incumbent is not None and all(ok[w, incumbent] for w in pos)
    if warm:
        for c in range(C):
            x[c].setInitialValue(1 if c == incumbent else 0)
        for (w, c), v in y.items():
            v.setInitialValue(1.0 if c == incumbent else 0.0)
    try:
        prob.solve(_solver(time_limit_s, solver, warm_start=warm))
        status = map_status(prob.status, prob.sol_status)
    except pulp.PulpSolverError:
        status = Status.INFEASIBLE
    out = None
    if status != Status.INFEASIBLE:
        counts = np.array([round(v.value() or 0.0) for v in x], dtype=int)
        # each workload on its fastest bought configuration (what the optimum does; free of round-off)
        assign = np.zeros((W, C))
        for w in pos:
            cand = [c for c in range(C) if counts[c] > 0 and ok[w, c]]
            if not cand:
                counts = None  # type: ignore[assignment]
                break
            assign[w, min(cand, key=lambda c: minutes[w, c])] = 1.0
        if counts is not None:
            # a configuration that trains no workload shortens nothing: the solver may leave it bought when no
            # limit binds (a huge budget), so it is dropped (the limits only get more slack)
            counts = np.where(assign.sum(axis=0) > 0, counts, 0)
            out = _time_result(minutes, shares, res, limits, counts, assign, status, solver)
    if incumbent is None or (out is not None and status == Status.OPTIMAL):
        return out if out is not None else MixResult(Status.INFEASIBLE, None, None, None, None)
    counts = np.zeros(C, dtype=int)
    counts[incumbent] = 1
    assign = np.zeros((W, C))
    assign[pos, incumbent] = 1.0
    inc = _time_result(minutes, shares, res, limits, counts, assign, Status.FEASIBLE, solver + "+incumbent")
    if out is None or out.objective > inc.objective * (1 + 1e-9):  # type: ignore[operator]
        return inc
    return out


def _time_result(minutes: np.ndarray, shares: np.ndarray, res: Resources, limits: Limits, counts: np.ndarray,
                 assign: np.ndarray, status: Status, solver: str) -> MixResult:  # fmt: skip
    m = np.where(np.isfinite(minutes), minutes, 0.0)
    value = float(np.sum(shares[:, None] * m * assign))
    busy = (shares[:, None] * m * assign).sum(axis=0)
    thr = MINUTES_PER_DAY / float(busy.max()) if busy.max() > 0 else 0.0
    trainings = assign * shares[:, None] * thr
    slack = {name: limit - float(np.dot(counts, res.usage(name))) for name, limit in limits.items()}
    return MixResult(status, counts, trainings, thr, value, slack, solver)
