"""The mix MILP of :func:`recommender.planning.solve.build_mix_problem`, handed to HiGHS (``highspy``, in-process)
as arrays.

The same variables, scaling and constraints as the PuLP model (integer copies ``n[c]``, copy-days ``f[w, c]``,
mixes per day ``lam``; rows ``time_c``, ``share_w`` and one per limit), built from numpy in one call instead of
~1,700 PuLP objects, and started from a given fleet (``setSolution`` with the copies only: HiGHS completes the
copy-days by solving the LP with them fixed). The status is mapped to ours, never asserted; a HiGHS that does
not run (an error status, e.g. its thread pool fixed otherwise by another user of highspy in the process)
reports ``ran=False`` so that the caller can use CBC instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from recommender.models import Status
from recommender.planning.mix_check import MINUTES_PER_DAY, BusyEnergy
from recommender.planning.solvers import HIGHS_OPTIONS, _silence_highs_banner


@dataclass
class HighsMix:
    """What HiGHS returned: ``counts`` (copies) and ``copy_days`` ``f[w, c]`` when it has a solution."""

    ran: bool
    status: Status
    counts: np.ndarray | None = None
    copy_days: np.ndarray | None = None


def _rows(minutes: np.ndarray, shares: np.ndarray, limit_rows: list[tuple[np.ndarray, float]],
          ok: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """CSR rows (lower, upper, starts, indices, values) over columns [n (C), lam, f (valid (w, c), row-major)]."""
    C = minutes.shape[1]
    w_of, c_of = np.nonzero(ok)  # row-major: the f columns' order
    fcol = C + 1 + np.arange(w_of.size)
    lower: list[float] = []
    upper: list[float] = []
    idx_parts: list[np.ndarray] = []
    val_parts: list[np.ndarray] = []
    # time_c: sum_w f[w, c] - n[c] <= 0 (grouped by c: a stable sort of the f columns by configuration)
    order = np.argsort(c_of, kind="stable")
    bounds = np.searchsorted(c_of[order], np.arange(C + 1))
    for c in range(C):
        cols = fcol[order[bounds[c] : bounds[c + 1]]]
        if cols.size:
            idx_parts.append(np.append(cols, c))
            val_parts.append(np.append(np.ones(cols.size), -1.0))
            lower.append(-np.inf)
            upper.append(0.0)
    # share_w: sum_c f[w, c] * 1440 / (minutes[w, c] share[w]) - lam >= 0
    for w in np.flatnonzero(shares > 0):
        sel = w_of == w
        rate = MINUTES_PER_DAY / (minutes[w, c_of[sel]] * shares[w])
        idx_parts.append(np.append(fcol[sel], C))
        val_parts.append(np.append(rate, -1.0))
        lower.append(0.0)
        upper.append(np.inf)
    # limits: sum_c n[c] use[c] / limit <= 1
    for use, limit in limit_rows:
        idx_parts.append(np.arange(C))
        val_parts.append(use / limit if limit > 0 else use.astype(float))
        lower.append(-np.inf)
        upper.append(1.0 if limit > 0 else 0.0)
    starts = np.cumsum([0] + [a.size for a in idx_parts[:-1]]) if idx_parts else np.zeros(0)
    index = np.concatenate(idx_parts) if idx_parts else np.zeros(0)
    value = np.concatenate(val_parts) if val_parts else np.zeros(0)
    return (np.array(lower), np.array(upper), starts.astype(np.int32), index.astype(np.int32),
            value.astype(float))  # fmt: skip


#: HiGHS options for the MILP after :func:`_reduce` has found a good fleet: the work left is mostly the proof, so
#: no probing in presolve (bit 15 of ``presolve_rule_off``), no restarts and of the primal heuristics only the
#: cheap root reduced-cost one (RINS and RENS cost up to 0.2 s there). Measured on the catalog's instances
#: (``benchmarks/bench_optimize.py``, one core): 165 x 10 ~250 -> ~160 ms, 182 x 10 2 s -> ~0.2 s, 60 x 10
#: 250 -> ~55 ms; the optimizer's own 347 x 10 (p80 minutes) ~0.5 s, mostly root cuts (CBC: 0.9 s).
PROOF_OPTIONS: dict[str, Any] = {"mip_heuristic_effort": 0.0, "presolve_rule_off": 1 << 15, "mip_allow_restart": False,
                                 "mip_heuristic_run_rins": False, "mip_heuristic_run_rens": False}  # fmt: skip
#: ... and, for the small neighbourhood MILP of :func:`_reduce`, none at all (a good fleet is all it is for).
NO_HEURISTICS: dict[str, Any] = {"mip_heuristic_run_root_reduced_cost": False}

#: Below this many configurations the MILP goes to HiGHS as it is; above, the LP relaxation first rules out the
#: configurations that cannot be in an optimum (see :func:`solve_mix_highs`).
REDUCE_ABOVE = 24


def solve_mix_highs(minutes: np.ndarray, shares: np.ndarray, ub: np.ndarray, limit_rows: list[tuple[np.ndarray, float]],
                    *, objective: str, tco_usd: np.ndarray | None, required_throughput: float | None,
                    time_limit_s: float, start: np.ndarray | None = None,
                    max_nodes: int | None = None, busy_energy: BusyEnergy | None = None) -> HighsMix:  # fmt: skip
    """Solve the mix MILP with HiGHS; ``ub`` bounds the copies, ``limit_rows`` are (use per copy, limit) pairs,
    ``start`` is a fleet (copies per configuration) to start from.

    With more than :data:`REDUCE_ABOVE` configurations, :func:`_reduce` first finds a good fleet from the LP
    relaxation and leaves out every configuration that cannot be in a better one; the MILP over the rest then
    mostly proves optimality (:data:`PROOF_OPTIONS`). HiGHS does the same inside its branch and bound, but only
    after its presolve, probing and root heuristics on the whole model (~0.25–2 s at 165–182 x 10).
    ``max_nodes`` bounds both MILPs (the neighbourhood's and the final one), so that a node-limited re-solve
    gives the same answer whatever the machine's load. ``busy_energy``: the work's energy columns ``e[c]`` and rows
    ``energy_c`` of the PuLP model (``tco`` only)."""
    import time

    t0 = time.perf_counter()
    C = minutes.shape[1]
    m = _Model(
        minutes, shares, np.asarray(ub, dtype=float), limit_rows, objective, tco_usd, required_throughput,
        busy_energy,
    )
    keep = np.arange(C)
    if C > REDUCE_ABOVE:
        start, keep = _reduce(m, start, time_limit_s, max_nodes)
    left = max(time_limit_s - (time.perf_counter() - t0), 1e-3)
    h = m.build(keep, integer=True, time_limit_s=left, max_nodes=max_nodes)
    if C > REDUCE_ABOVE:
        for key, value in PROOF_OPTIONS.items():
            h.setOptionValue(key, value)
    if start is not None and np.any(start[keep] > 0):
        h.setSolution(keep.size, np.arange(keep.size, dtype=np.int32), np.asarray(start[keep], dtype=float))
    h.run()
    out = _outcome(h, m.highspy, m.ok[:, keep], keep.size)
    if out.counts is not None and out.copy_days is not None:
        counts, days = np.zeros(C, dtype=int), np.zeros(minutes.shape)
        counts[keep], days[:, keep] = out.counts, out.copy_days
        out.counts, out.copy_days = counts, days
    return out


class _Model:
    """The mix problem's data, built into a HiGHS model over any subset of configurations."""

    def __init__(self, minutes: np.ndarray, shares: np.ndarray, ub: np.ndarray,
                 limit_rows: list[tuple[np.ndarray, float]], objective: str, tco_usd: np.ndarray | None,
                 required_throughput: float | None, busy_energy: BusyEnergy | None = None) -> None:  # fmt: skip
        import highspy

        _silence_highs_banner()
        self.highspy = highspy
        self.minutes, self.shares, self.ub, self.limit_rows = minutes, shares, ub, limit_rows
        self.ok = np.isfinite(minutes) & (minutes > 0)
        self.maximise = objective == "throughput"
        self.lam_low = 0.0
        self.cost = np.zeros(minutes.shape[1])
        self.busy: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # (cost, busy per f, floor)
        if not self.maximise:
            if tco_usd is None or required_throughput is None:
                raise ValueError("objective='tco' needs tco_usd and required_throughput")
            scale = float(np.max(tco_usd)) if len(tco_usd) and np.max(tco_usd) > 0 else 1.0
            self.cost = np.asarray(tco_usd, dtype=float) / scale
            self.lam_low = float(required_throughput)
            if busy_energy is not None:
                self.busy = (np.asarray(busy_energy.usd_full, dtype=float) / scale,
                             busy_energy.per_copy_day(minutes), np.asarray(busy_energy.floor, dtype=float))  # fmt: skip
        pos = shares > 0
        runs_all = np.all(self.ok[pos], axis=0) if pos.any() else np.zeros(minutes.shape[1], dtype=bool)
        per_mix = (
            np.where(self.ok, minutes, 0.0)[pos].T @ shares[pos] if pos.any() else np.zeros(minutes.shape[1])
        )
        with np.errstate(divide="ignore"):
            self.thr1 = np.where(
                runs_all & (per_mix > 0), MINUTES_PER_DAY / per_mix, 0.0
            )  # mixes/day of one copy

    def build(self, cols: np.ndarray, *, integer: bool, time_limit_s: float, max_nodes: int | None = None,
              fixed: np.ndarray | None = None) -> Any:  # fmt: skip
        """A HiGHS model over configurations ``cols`` (copies fixed to ``fixed`` when given)."""
        hs = self.highspy
        C = cols.size
        ok = self.ok[:, cols]
        nf = int(ok.sum())
        ne = C if self.busy is not None else 0  # the work's energy columns e[c], last
        h = hs.Highs()
        for key, value in {"output_flag": False, "time_limit": float(time_limit_s), "mip_rel_gap": 0.0,
                           **HIGHS_OPTIONS}.items():  # fmt: skip
            h.setOptionValue(key, value)
        if max_nodes is not None:
            h.setOptionValue("mip_max_nodes", int(max_nodes))
        nv = C + 1 + nf + ne
        cost = np.zeros(nv)
        low = np.zeros(nv)
        high = np.full(nv, hs.kHighsInf)
        if self.maximise:
            cost[C] = 1.0
            h.changeObjectiveSense(hs.ObjSense.kMaximize)
        else:
            cost[:C] = self.cost[cols]
            low[C] = self.lam_low
            if self.busy is not None:
                cost[C + 1 + nf :] = self.busy[0][cols]
        high[:C] = self.ub[cols]
        if fixed is not None:
            low[:C] = high[:C] = fixed
        h.addVars(nv, low, high)
        h.changeColsCost(nv, np.arange(nv, dtype=np.int32), cost)
        if integer and C:
            h.changeColsIntegrality(
                C, np.arange(C, dtype=np.int32), np.full(C, 1, dtype=np.uint8)
            )  # kInteger
        rows = [(use[cols], limit) for use, limit in self.limit_rows]
        lower, upper, starts, index, value = _rows(self.minutes[:, cols], self.shares, rows, ok)
        lower = np.where(np.isinf(lower), -hs.kHighsInf, lower)
        upper = np.where(np.isinf(upper), hs.kHighsInf, upper)
        h.addRows(lower.size, lower, upper, index.size, starts, index, value)
        if self.busy is not None:  # energy_c: e[c] - sum_w k[w, c] f[w, c] + floor[c] n[c] >= 0
            k = self.busy[1][:, cols][ok]
            _w_of, c_of = np.nonzero(ok)
            for c in range(C):
                sel = np.flatnonzero(c_of == c)
                idx = np.concatenate([[C + 1 + nf + c, c], C + 1 + sel]).astype(np.int32)
                val = np.concatenate([[1.0, float(self.busy[2][cols[c]])], -k[sel]])
                h.addRow(0.0, hs.kHighsInf, idx.size, idx, val)
        return h

    def worse(self, a: float, b: float) -> bool:
        """Is objective value ``a`` worse than ``b`` beyond round-off?"""
        tol = 1e-6 * max(1.0, abs(b))
        return a < b - tol if self.maximise else a > b + tol

    def value(self, counts: np.ndarray, time_limit_s: float) -> float | None:
        """The objective of fleet ``counts`` (the LP over its copy-days), None if it is not a solution."""
        cols = np.flatnonzero(counts > 0)
        if cols.size == 0 or any(float(np.dot(counts, use)) > (limit if limit > 0 else 0.0) * (1 + 1e-9) + 1e-9
                                 for use, limit in self.limit_rows) or np.any(counts > self.ub):  # fmt: skip
            return None
        h = self.build(cols, integer=False, time_limit_s=time_limit_s, fixed=counts[cols].astype(float))
        h.run()
        if h.getModelStatus() != self.highspy.HighsModelStatus.kOptimal:
            return None
        return float(h.getInfo().objective_function_value)


def _reduce(m: _Model, start: np.ndarray | None, time_limit_s: float,
            max_nodes: int | None = None) -> tuple[np.ndarray | None, np.ndarray]:  # fmt: skip
    """(the best fleet found before the MILP, the configurations that may be in an optimum).

    The LP relaxation over every configuration gives the bound ``z_LP`` and reduced costs ``d_c``. A fleet is then
    sought three ways and the best kept: ``start``; the LP's solution rounded down and filled (:func:`_fill`,
    maximisation only); and the MILP over a small neighbourhood of the LP — its support, the
    :data:`NEIGHBOURS` configurations whose reduced costs are smallest, and ``start``'s — a restriction in the
    spirit of RENS (Berthold 2014, "RENS: the optimal rounding", Math. Prog. Comp. 6) that is solved in a few
    ms. Every configuration outside the LP's support whose first copy would cost the bound more than the gap to
    that fleet (``z_LP + d_c`` worse than it) is left out of the MILP: no solution using it can match the fleet,
    so the optimum and its proof are those of the whole problem. The better the fleet, the more is left out and
    the less the MILP has to prove."""
    import time

    t0 = time.perf_counter()
    C = m.minutes.shape[1]
    everything = np.arange(C)
    h = m.build(everything, integer=False, time_limit_s=time_limit_s)
    h.run()
    if h.getModelStatus() != m.highspy.HighsModelStatus.kOptimal:
        return start, everything
    z = float(h.getInfo().objective_function_value)
    sol = h.getSolution()
    n_lp = np.asarray(sol.col_value, dtype=float)[:C]
    d = np.asarray(sol.col_dual, dtype=float)[:C]
    tries = [] if start is None else [start]
    if m.maximise:
        tries += [_fill(m, np.floor(n_lp + 1e-9))] + ([_fill(m, start)] if start is not None else [])
    left = time_limit_s - (time.perf_counter() - t0)
    tries.append(_neighbourhood(m, n_lp, d, start, left * NEIGHBOURHOOD_SHARE, max_nodes))
    best, best_value = None, None
    for counts in tries:
        v = m.value(counts, time_limit_s) if counts is not None else None
        if v is not None and (best_value is None or m.worse(best_value, v)):
            best, best_value = counts, v
    if best is None or best_value is None:
        return start, everything
    out = (n_lp <= 1e-9) & np.array([m.worse(z + float(dc), best_value) for dc in d]) & (best <= 0)
    return best, everything[~out]


#: Configurations besides the LP's support in the neighbourhood MILP of :func:`_reduce`, and the share of the
#: time limit it may use.
NEIGHBOURS = 10
NEIGHBOURHOOD_SHARE = 0.25
NEIGHBOURHOOD_NODES = 50
NEIGHBOURHOOD_GAP = 0.01


def _neighbourhood(m: _Model, n_lp: np.ndarray, d: np.ndarray, start: np.ndarray | None, time_limit_s: float,
                   max_nodes: int | None = None) -> np.ndarray | None:  # fmt: skip
    """The best fleet of the MILP restricted to the LP's support, the :data:`NEIGHBOURS` other configurations
    with the smallest reduced costs and ``start``'s configurations (None if it finds none in its time)."""
    if time_limit_s <= 1e-3:
        return None
    support = n_lp > 1e-9
    rank = np.argsort(np.where(support, -1.0, np.abs(d)), kind="stable")
    cols = np.union1d(
        rank[: int(support.sum()) + NEIGHBOURS], np.flatnonzero(start > 0) if start is not None else []
    )
    cols = cols.astype(int)
    nodes = NEIGHBOURHOOD_NODES if max_nodes is None else min(max_nodes, NEIGHBOURHOOD_NODES)
    h = m.build(cols, integer=True, time_limit_s=time_limit_s, max_nodes=nodes)
    for key, value in {**PROOF_OPTIONS, **NO_HEURISTICS, "mip_rel_gap": NEIGHBOURHOOD_GAP}.items():
        h.setOptionValue(key, value)  # a good fleet is all it is for, found by the search itself, not a proof
    if start is not None and np.any(start[cols] > 0):
        h.setSolution(cols.size, np.arange(cols.size, dtype=np.int32), np.asarray(start[cols], dtype=float))
    h.run()
    if int(h.getInfo().primal_solution_status) != 2:  # kSolutionStatusFeasible
        return None
    counts = np.zeros(m.minutes.shape[1])
    counts[cols] = np.rint(np.asarray(h.getSolution().col_value, dtype=float)[: cols.size])
    return counts


def _fill(m: _Model, counts: np.ndarray) -> np.ndarray:
    """``counts`` plus, while anything fits in what the limits leave, the most copies of the configuration whose
    copies alone would train the most mixes per day in that room (a fleet to start the MILP from)."""
    counts = np.asarray(counts, dtype=float).copy()
    caps = np.array([limit if limit > 0 else 0.0 for _use, limit in m.limit_rows])
    # no limit rows (a budget no purchase reaches is "no limit"): only the copies' bounds remain
    uses = np.array([np.asarray(use, dtype=float) for use, _limit in m.limit_rows]).reshape(len(caps), len(counts))
    for _ in range(8):
        room = caps - uses @ counts
        with np.errstate(divide="ignore", invalid="ignore"):
            fit = np.where(uses > 0, np.floor(room[:, None] / np.where(uses > 0, uses, 1.0) + 1e-9), np.inf)
        k = np.minimum(fit.min(axis=0) if len(caps) else np.inf, m.ub - counts)
        k = np.where(np.isfinite(k), np.maximum(k, 0), 0)
        gain = k * m.thr1
        c = int(np.argmax(gain))
        if gain[c] <= 0:
            break
        counts[c] += k[c]
    return counts


def _outcome(h: Any, highspy: Any, ok: np.ndarray, C: int) -> HighsMix:
    """HiGHS's status mapped to ours, with the copies and copy-days of its solution when it has one."""
    ms = highspy.HighsModelStatus
    status = h.getModelStatus()
    has_solution = int(h.getInfo().primal_solution_status) == 2  # kSolutionStatusFeasible
    if status == ms.kOptimal and has_solution:
        ours = Status.OPTIMAL
    elif status in (ms.kTimeLimit, ms.kIterationLimit, ms.kSolutionLimit, ms.kInterrupt, ms.kObjectiveBound,
                    ms.kObjectiveTarget, ms.kHighsInterrupt, ms.kMemoryLimit):  # fmt: skip
        ours = Status.FEASIBLE if has_solution else Status.INFEASIBLE
    elif status in (ms.kInfeasible, ms.kUnboundedOrInfeasible, ms.kModelEmpty):
        return HighsMix(True, Status.INFEASIBLE)
    else:  # load/model/presolve/solve/postsolve errors, not set, unknown: HiGHS did not really run
        return HighsMix(False, Status.INFEASIBLE)
    if not has_solution:
        return HighsMix(True, ours)
    x = np.asarray(h.getSolution().col_value, dtype=float)
    counts = np.rint(x[:C]).astype(int)
    copy_days = np.zeros(ok.shape)
    copy_days[ok] = np.maximum(x[C + 1 : C + 1 + int(ok.sum())], 0.0)
    return HighsMix(True, ours, counts, copy_days)
