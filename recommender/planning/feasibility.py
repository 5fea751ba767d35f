"""Feasibility, the objective's arrays, and dominance (Pareto) pruning of candidates."""

from __future__ import annotations

import math
import re

import numpy as np

from recommender import format as fmt
from recommender.models import Objective
from recommender.planning import risk as R
from recommender.planning import solve as S
from recommender.planning.power import energy_usd_per_year
from recommender.planning.table import Prepared


def objective_arrays(p: Prepared) -> tuple[np.ndarray, str, np.ndarray | None, float | None]:
    """(cost to optimise, sense, throughput, required throughput) of the single-choice problem."""
    t, s = p.table, p.scenario
    weighted, mixes = risk_arrays(p)
    if s.objective == Objective.MIN_TCO:
        return t.tco, "min", mixes, s.required_mixes_per_day
    if s.objective == Objective.MAX_THROUGHPUT:
        return mixes, "max", None, None
    return weighted, "min", None, None


def busy_energy(p: Prepared, keep: np.ndarray) -> S.BusyEnergy | None:
    """Mix mode, min_tco under a required rate: the energy the work draws beyond the TCO's utilisation, for the
    configurations ``keep`` (None otherwise: the copies' energy stays at the scenario's utilisation)."""
    s, t = p.scenario, p.table
    rate = s.required_mixes_per_day
    if not s.mix or s.objective != Objective.MIN_TCO or rate is None or p.plan is None or t.draw is None:
        return None
    year = energy_usd_per_year(t.draw[keep], t.pue[keep], 1.0, p.model.energy_usd_per_kwh)
    floor = t.utilization[keep] if t.utilization is not None else np.full(keep.size, p.plan.utilization)
    return S.BusyEnergy(usd_full=np.asarray(p.plan.financing.pv_of_yearly(year), dtype=float), floor=floor,
                        expected=t.minutes[keep].T, weighted=t.weighted[keep],
                        mixes_per_day=float(rate))  # fmt: skip


def risk_arrays(p: Prepared) -> tuple[np.ndarray, np.ndarray]:
    """Weighted minutes and mixes per day to rank by under the scenario's ``risk`` (issue 12)."""
    t = p.table
    if R.resolve(p.scenario.risk) == R.EXPECTED:
        return t.weighted, t.mixes
    hit = p.extra.get("risk")
    if hit is None:
        hit = p.extra["risk"] = R.ranked_arrays(t.minutes, t.high, p.shares, p.scenario.risk)
    return hit


def risk_minutes(p: Prepared) -> np.ndarray:
    """Per-workload minutes to rank by under the scenario's ``risk`` (mix mode)."""
    t = p.table
    if R.resolve(p.scenario.risk) == R.EXPECTED:
        return t.minutes
    return R.objective_minutes(t.minutes, t.high, p.scenario.risk)


def value_unit(obj: Objective) -> str:
    return {Objective.MIN_TIME: "minutes", Objective.MAX_THROUGHPUT: "mixes_per_day", Objective.MIN_TCO: "usd"}[obj]


#: The basis of a minutes row whose configuration cannot hold the workload (no minutes; see recommender.performance).
DOES_NOT_FIT = "does_not_fit"


def unfit_mask(p: Prepared) -> np.ndarray:
    """Candidates that cannot hold one of the mix's workloads (positive share) in their total accelerator memory."""
    hit = p.extra.get("unfit")
    if hit is None:
        pos = np.flatnonzero(p.shares > 0)
        hit = np.array([any(bs[w] == DOES_NOT_FIT for w in pos) for bs in p.table.basis], dtype=bool)
        hit.flags.writeable = False
        p.extra["unfit"] = hit
    return hit


def _memory_need_gb(p: Prepared, w: int) -> float:
    from recommender.performance.memory import memory_need_gb

    customs = [x.custom for x in p.scenario.workloads if x.custom is not None]
    return memory_need_gb(p.names[w], customs)


def memory_need_text(p: Prepared, i: int, w: int) -> str:
    """``llama31_405b needs ≥ 9,720 GB in total (405B parameters x 16 bytes, full training, x 1.5 headroom)`` for a
    does_not_fit row ``i`` and workload ``w`` (the rule in brackets comes from the model's reason)."""
    rule = re.search(r"\(([^()]*)\)\s*$", str(p.table.source[i][w] or ""))
    return (f"{p.names[w]} needs ≥ {fmt.amount(_memory_need_gb(p, w))} GB in total"
            + (f" ({rule.group(1)})" if rule else ""))


def memory_why(p: Prepared, i: int) -> str:
    """Why candidate ``i`` cannot hold its workloads, e.g. ``memory: llama31_405b needs ≥ 9,720 GB in total
    (405B parameters x 16 bytes, full training, x 1.5 headroom); 24 × 24 GB = 576 GB`` ('' if it holds them)."""
    t = p.table
    needs = [memory_need_text(p, i, w) for w in range(len(p.names))
             if p.shares[w] > 0 and t.basis[i][w] == DOES_NOT_FIT]  # fmt: skip
    if not needs:
        return ""
    n, per = int(t.accelerators[i]), float(t.memory[i])
    return f"memory: {'; '.join(needs)}; {n:,} × {fmt.amount(per)} GB = {fmt.amount(n * per)} GB"


def memory_minimum(p: Prepared, i: int) -> int | None:
    """The fewest accelerators of candidate ``i``'s kind whose total memory holds every workload it cannot."""
    t = p.table
    needs = [_memory_need_gb(p, w) for w in range(len(p.names))
             if p.shares[w] > 0 and t.basis[i][w] == DOES_NOT_FIT]  # fmt: skip
    per = float(t.memory[i])
    return math.ceil(max(needs) / per) if needs and per > 0 else None


def memory_sentence(p: Prepared, among: np.ndarray, what: str = "candidates") -> str | None:
    """One sentence naming memory as a reason when candidates in ``among`` cannot hold a workload, with the most
    memory any of them has; None when memory is not the reason for any of them."""
    t = p.table
    rows = np.flatnonzero(among & unfit_mask(p))
    if rows.size == 0:
        return None
    need_of: dict[int, str] = {}
    for i in rows:
        for w in range(len(p.names)):
            if p.shares[w] > 0 and t.basis[i][w] == DOES_NOT_FIT and w not in need_of:
                need_of[w] = memory_need_text(p, int(i), w)
    # the largest of those that cannot hold it (of all of ``among``, it could be one that can: "121 of 131 cannot
    # hold it; the most memory among them is 11,520 GB" for a 9,720 GB need)
    total = np.nan_to_num(t.memory[rows] * t.accelerators[rows], nan=0.0)
    j = int(rows[int(np.argmax(total))])
    name = p.meta.accelerators[str(t.acc[j])].name or str(t.acc[j])
    return (f"Memory: {len(rows)} of {int(among.sum())} {what} cannot hold the workload: "
            f"{'; '.join(need_of.values())}; the most memory among them is {int(t.accelerators[j]):,} × {name} "
            f"= {fmt.amount(float(total.max()))} GB.")


def base_mask(p: Prepared, *, memory: bool = True) -> np.ndarray:
    """Candidates usable at all (a prediction for every workload; memory if asked)."""
    m = p.table.predicted.copy()
    if memory:
        m &= p.table.mem_ok
    return m


def rate_mask(p: Prepared) -> np.ndarray:
    """Candidates that train the scenario's required mixes/day as min_tco checks it: at the minutes the ``risk``
    ranks (p80 by default). All True where no rate is required (another objective, or none set)."""
    _cost, _sense, thr, req = objective_arrays(p)
    if thr is None or req is None:
        return np.ones(len(p.table), dtype=bool)
    return np.asarray(thr >= req * (1 - 1e-9), dtype=bool)


def feasible_mask(p: Prepared, limits: S.Limits | None = None, *, memory: bool = True) -> np.ndarray:
    limits = p.limits if limits is None else limits
    key = ("feasible", limits, memory)
    hit = p.extra.get(key)
    if hit is not None:
        return hit
    ok = base_mask(p, memory=memory) & S.within_limits(p.table.res, limits) & rate_mask(p)
    ok.flags.writeable = False
    p.extra[key] = ok
    return ok


def why_infeasible(p: Prepared) -> list[str]:
    """Why each candidate is infeasible ('' if feasible)."""
    t, s = p.table, p.scenario
    out: list[str] = []
    res = t.res
    what = {"budget": "capex", "power": "IT power", "rack_units": "rack space", "max_nodes": "nodes",
            "max_accelerators": "accelerators"}  # fmt: skip
    unfit = unfit_mask(p)
    mixes, per_day = risk_arrays(p)[1], R.unit_label("mixes/day", s.risk)
    for i in range(len(t)):
        parts = []
        if not t.predicted[i]:
            missing = [p.names[w] for w in range(len(p.names)) if p.shares[w] > 0 and t.basis[i][w] != DOES_NOT_FIT
                       and not (np.isfinite(t.minutes[i, w]) and t.minutes[i, w] > 0)]  # fmt: skip
            if unfit[i]:
                parts.append(memory_why(p, i))
            if missing:
                parts.append("no prediction for " + ", ".join(missing))
        if not t.mem_ok[i]:
            parts.append(f"memory {fmt.amount(t.memory[i])} GB < {fmt.amount(s.min_accelerator_memory_gb)} GB")
        for name, limit in p.limits.items():
            use = float(res.usage(name)[i])
            if use > limit * (1 + 1e-9) + 1e-9:
                parts.append(f"{name}: {what[name]} {fmt.limit(name, use)} > {fmt.limit(name, limit)}")
        if s.objective == Objective.MIN_TCO and t.predicted[i] and mixes[i] < s.required_mixes_per_day * (1 - 1e-9):
            parts.append(f"{fmt.amount(mixes[i])} {per_day} < required {fmt.amount(s.required_mixes_per_day)}")
        out.append("; ".join(parts))
    return out


def dominated_mask(p: Prepared, idx: np.ndarray, *, per_workload: bool) -> np.ndarray:
    """Boolean mask over ``idx``: candidate dominated by another one in ``idx`` (no worse in every resource the
    limits use and in the objective, better in at least one)."""
    t = p.table
    if idx.size <= 1:
        return np.zeros(idx.size, dtype=bool)
    cost, sense, _thr, _req = objective_arrays(p)
    cols = [t.capex[idx]]
    for name in p.limits.names():
        if name != "budget":
            cols.append(t.res.usage(name)[idx].astype(float))
    if per_workload:
        pos = p.shares > 0
        mins = risk_minutes(p)
        cols += [mins[idx][:, w] for w in np.flatnonzero(pos)]
        if p.scenario.objective == Objective.MIN_TCO:
            cols.append(t.tco[idx])
            cols += _energy_columns(p, idx)
    else:
        cols.append(cost[idx] if sense == "min" else -cost[idx])
        if p.scenario.objective == Objective.MIN_TCO:
            cols.append(-t.mixes[idx])
    M = np.column_stack(cols)  # smaller is better in every column
    return pareto_dominated(M)


def copies_dominated(p: Prepared, idx: np.ndarray) -> np.ndarray:
    """Mix mode: mask over ``idx`` of configurations that k >= 2 copies of another one replace — using at most
    the same resources (k x use <= use, for capex, TCO and every set limit) while training every workload
    at least as often (minutes' <= k x minutes). E.g. a 2-node configuration that scales sublinearly is
    replaced by two 1-node copies. Exact: any assignment on the dominated configuration fits on the copies."""
    t = p.table
    n = idx.size
    if n <= 1:
        return np.zeros(n, dtype=bool)
    res = [t.capex[idx], t.tco[idx]] + [t.res.usage(name)[idx].astype(float) for name, _ in p.limits.items()
                                        if name != "budget"]  # fmt: skip
    be = busy_energy(p, idx)
    if be is not None:  # k copies' energy floor within one's
        res.append(be.usd_full * be.floor)
    pos = np.flatnonzero(p.shares > 0)
    mins = risk_minutes(p)[idx][:, pos]
    # kmax[j, i]: how many copies of j fit in the resources of i
    kmax = np.full((n, n), np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        for r in res:
            ratio = np.where(r[:, None] > 0, r[None, :] / r[:, None], np.inf)
            kmax = np.minimum(kmax, ratio)
    kmax = np.floor(kmax + 1e-9)
    ok = kmax >= 2
    for w in range(mins.shape[1]):
        ok &= mins[:, w][:, None] <= kmax * mins[:, w][None, :] * (1 + 1e-12)
    for col in _energy_columns(p, idx)[1:]:  # and each training's energy no more on the copies
        ok &= col[:, None] <= col[None, :] * (1 + 1e-12)
    np.fill_diagonal(ok, False)
    return ok.any(axis=0)


def _energy_columns(p: Prepared, idx: np.ndarray) -> list[np.ndarray]:
    """Under :func:`busy_energy`: the energy floor of a copy and the energy of one training of each positive-share
    workload (smaller is better), so that pruning stays exact with the work's energy in the objective."""
    be = busy_energy(p, idx)
    if be is None:
        return []
    per_training = be.usd_full[:, None] * np.nan_to_num(be.expected.T, nan=np.inf, posinf=np.inf)
    return [be.usd_full * be.floor] + [per_training[:, w] for w in np.flatnonzero(p.shares > 0)]


def _dominates(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """[j, i]: row j of A dominates row i of B (no worse in every column, strictly better in one)."""
    le = np.ones((A.shape[0], B.shape[0]), dtype=bool)
    lt = np.zeros((A.shape[0], B.shape[0]), dtype=bool)
    for k in range(A.shape[1]):
        a, b = A[:, k][:, None], B[:, k][None, :]
        le &= a <= b
        lt |= a < b
    return le & lt


def pareto_dominated(M: np.ndarray, *, block: int = 256) -> np.ndarray:
    """Rows of ``M`` (smaller is better in every column; NaN = worst) that another row dominates: no worse
    everywhere and strictly better somewhere.

    Rows are visited in lexicographic order, block by block, so every dominator comes first; a row is compared
    with the rows of its own block and with the non-dominated rows of the blocks before it (dominance is
    transitive, so a dominated dominator has a non-dominated one of its own). Cost ~ n x (front + block).
    """
    n = M.shape[0]
    out = np.zeros(n, dtype=bool)
    if n <= 1:
        return out
    M = np.where(np.isnan(M), np.inf, M)
    order = np.lexsort(M.T[::-1])
    S_ = M[order]
    front = np.empty((0, M.shape[1]))
    for start in range(0, n, block):
        B = S_[start : start + block]
        dom = _dominates(B, B).any(axis=0)
        if front.shape[0]:
            dom |= _dominates(front, B).any(axis=0)
        out[order[start : start + block]] = dom
        front = np.vstack([front, B[~dom]])
    return out


def is_better(a: float | None, b: float | None, sense: str) -> bool:
    """Is objective a strictly better than b?"""
    if a is None:
        return False
    if b is None:
        return True
    tol = 1e-9 * max(1.0, abs(b))
    return a < b - tol if sense == "min" else a > b + tol
