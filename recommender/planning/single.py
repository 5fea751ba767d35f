"""Single-choice mode: the best one configuration, its alternatives and its what-if re-solves."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from recommender import format as fmt
from recommender.models import Alternative, Objective, Recommendation, Sensitivity, Status
from recommender.planning import solve as S
from recommender.planning.binding import MATERIAL_GAIN, Relaxed, binding_limits, bound_together
from recommender.planning.explain import explain_single, infeasible_explanation, risk_lines, value_text
from recommender.planning.feasibility import (
    dominated_mask,
    feasible_mask,
    memory_minimum,
    memory_why,
    objective_arrays,
    risk_arrays,
    unfit_mask,
    value_unit,
)
from recommender.planning.results import assumptions_for, configuration, slack_of, totals
from recommender.planning.risk import resolve as resolve_risk
from recommender.planning.table import Prepared
from recommender.planning.whatif import SENSITIVITY_FACTOR, sensitivity_of


def solve_single(p: Prepared, limits: S.Limits, *, memory: bool = True, solver: str = "enumeration",
                  time_limit_s: float = S.DEFAULT_TIME_LIMIT_S, restrict: np.ndarray | None = None,
                  prune: bool = False) -> tuple[S.ChoiceResult, np.ndarray]:  # fmt: skip
    """Best single candidate under ``limits``; returns the result and the candidate positions handed to the
    solver (dominated ones pruned when ``prune`` or with a MILP solver, ``cbc`` or ``highs``; enumeration does
    not need it). Ties are broken by capex, then power, then position, whichever way the answer is found."""
    t = p.table
    cost, sense, thr, req = objective_arrays(p)
    ok = feasible_mask(p, limits, memory=memory)
    if restrict is not None:
        ok = ok & restrict
    idx = np.flatnonzero(ok)
    if (prune or solver != "enumeration") and idx.size:
        keep = idx[~dominated_mask(p, idx, per_workload=False)]
    else:
        keep = idx
    if keep.size == 0:
        return S.ChoiceResult(Status.INFEASIBLE, None, None, solver=solver), keep
    sub_res = t.res.take(keep)
    if solver != "enumeration":
        r = S.solve_choice(cost[keep], sub_res, limits, sense=sense,
                           throughput=None if thr is None else thr[keep], required_throughput=req,
                           time_limit_s=time_limit_s, solver=solver,
                           tiebreak=(t.capex[keep], t.power[keep]))  # fmt: skip
    else:
        r = S.enumerate_choice(cost[keep], sub_res, limits, sense=sense,
                               throughput=None if thr is None else thr[keep], required_throughput=req,
                               tiebreak=(t.capex[keep], t.power[keep]))  # fmt: skip
    if r.index is not None:
        r.index = int(keep[r.index])
    return r, keep


def optimize_single(p: Prepared, *, solver: str, time_limit_s: float, explain: bool) -> Recommendation:
    s, t = p.scenario, p.table
    sense = objective_arrays(p)[1]
    use = S.resolve_solver(solver)  # auto: HiGHS in-process when installed, else CBC
    r, keep = solve_single(p, p.limits, solver=use, time_limit_s=time_limit_s, prune=True)
    n_feasible = int(feasible_mask(p).sum())
    common: dict[str, Any] = {
        "scenario": s.name, "objective": s.objective, "objective_unit": value_unit(s.objective),
        "skipped": p.skipped, "workload_shares": dict(zip(p.names, p.shares.tolist())),
        "candidates_considered": len(t), "candidates_after_pruning": int(keep.size), "solver": r.solver,
        "catalog_fingerprint": p.catalog.fingerprint, "risk": resolve_risk(s.risk),
        "minutes_as_of": p.meta.newest_round, "required_mixes_per_day": s.required_mixes_per_day,
    }  # fmt: skip
    if r.index is None:
        return Recommendation(status=Status.INFEASIBLE, explanation=infeasible_explanation(p, wide=explain),
                              assumptions=assumptions_for(p, []), **common)  # fmt: skip
    i = r.index
    config = configuration(p, i)
    binding: list[str] = []
    alternatives: list[Alternative] = []
    sensitivity: list[Sensitivity] = []
    relaxed: Relaxed = {}
    if explain:
        # binding: re-solve with each limit removed (on a table wide enough for it); strictly better = binds
        binding, relaxed = binding_limits(p, r.objective, sense, solve_single, nearest_better)
        alternatives = alternatives_single(p, i, r.objective, sense)
        for name, attr in (("budget", "budget_usd"), ("power", "power_limit_kw")):
            limit = getattr(s, attr)
            if limit is None:
                continue
            rr, _ = solve_single(p, p.limits.scaled(name, SENSITIVITY_FACTOR))
            sensitivity.append(sensitivity_of(p, attr, limit, rr.status, rr.index, rr.objective, r.objective,
                                            sense, [config]))  # fmt: skip
    explanation = explain_single(p, i, r, binding, relaxed, n_feasible, int(keep.size), alternatives,
                                  checked=explain)  # fmt: skip
    explanation += risk_lines(p, i)
    value = float(r.objective) if r.objective is not None else None
    return Recommendation(
        status=r.status, objective_value=value, configurations=[config], choice=config, alternatives=alternatives,
        binding=binding, binding_together=bound_together(binding, relaxed), sensitivity=sensitivity,
        explanation=explanation, assumptions=assumptions_for(p, [i]),
        slack=slack_of(p, [(i, 1)]), **totals([config]), **common,
    )  # fmt: skip


def nearest_better(p: Prepared, limits: S.Limits, best: float | None, sense: str, name: str, *,
                   material: float = MATERIAL_GAIN) -> int | None:  # fmt: skip
    """The candidate that improves on ``best`` by at least ``material`` (relative) using the least of the relaxed
    limit ``name``; when none improves on it that much, the one that improves on it at all (the explanation says
    how little)."""
    cost, _sense, _thr, _req = objective_arrays(p)
    ok = feasible_mask(p, limits)
    for gain in (material, 1e-9):
        better = cost < best * (1 - gain) if sense == "min" else cost > best * (1 + gain)
        idx = np.flatnonzero(ok & better)
        if idx.size:
            break
    else:
        return None
    use = p.table.res.usage(name)[idx]
    least = idx[use <= use.min() * (1 + 1e-9) + 1e-9]  # equal needs up to float noise (840.672 kW both ways)
    return int(least[np.argmin(cost[least]) if sense == "min" else np.argmax(cost[least])])


def alternatives_single(p: Prepared, i: int, best: float | None, sense: str) -> list[Alternative]:
    t = p.table
    out: list[Alternative] = []
    chosen = t.acc[i]
    s = p.scenario
    for acc in p.considered:
        if acc == chosen:
            continue
        mine = t.acc == acc
        rr, _ = solve_single(p, p.limits, restrict=mine)
        name = p.meta.accelerators[acc].name
        if rr.index is None:
            reason = why_none(p, mine)
            out.append(Alternative(accelerator_id=acc, reason=f"{name}: {reason}"))
            continue
        cfg = configuration(p, rr.index)
        val = float(rr.objective)  # type: ignore[arg-type]
        if sense == "min":
            rel = (val / best - 1) if best else math.inf
            reason = (f"best fit {fmt.count(cfg.accelerators)} x {name} ({fmt.money(cfg.capex_usd)}): {value_text(s.objective, s.risk, val)}, "
                      f"{fmt.signed_percent(rel)} vs the choice")  # fmt: skip
        else:
            rel = (val / best - 1) if best else -math.inf
            reason = (f"best fit {fmt.count(cfg.accelerators)} x {name} ({fmt.money(cfg.capex_usd)}): {value_text(s.objective, s.risk, val)}, "
                      f"{fmt.signed_percent(rel)} vs the choice")  # fmt: skip
        if abs(val - (best or 0.0)) <= 1e-9 * max(1.0, abs(best or 0.0)):
            reason += " (tie: the choice is cheaper or draws less power)"
        out.append(Alternative(accelerator_id=acc, configuration=cfg, objective_value=val, reason=reason))
    key = (lambda a: (a.objective_value is None, a.objective_value if sense == "min" else -(a.objective_value or 0)))
    return sorted(out, key=key)


def why_none(p: Prepared, mask: np.ndarray) -> str:
    """Why no candidate in ``mask`` is feasible, from its cheapest usable candidate."""
    t = p.table
    usable = mask & t.predicted
    if not usable.any():
        unfit = np.flatnonzero(mask & unfit_mask(p))
        if unfit.size:  # memory: cite its largest candidate, and the count that would hold the workloads (a
            i = int(unfit[np.argmax(t.accelerators[unfit] * t.memory[unfit])])  # reviewer read "88 × 80 GB" as
            least = memory_minimum(p, i)  # "H100 can never hold it"; 144 did, at a larger budget)
            more = f"; {least:,} would hold it, beyond the limits" if least is not None else ""
            return memory_why(p, i) + more
        return "no prediction from the performance model"
    if not (usable & t.mem_ok).any():
        return f"memory {fmt.amount(float(np.nanmax(t.memory[mask])))} GB is below the minimum"
    idx = np.flatnonzero(usable & t.mem_ok)
    j = int(idx[np.argmin(t.capex[idx])])
    v = S.violations(t.res, p.limits, j)
    if v:
        parts = [f"{k} by {x * 100:.0f} %" for k, x in v.items()]
        what = "option that holds the workloads in memory" if (mask & unfit_mask(p)).any() else "option"
        return f"even the smallest {what} ({t.accelerators[j]} accelerators) exceeds " + ", ".join(parts)
    if p.scenario.objective == Objective.MIN_TCO:
        fast = idx[S.within_limits(t.res.take(idx), p.limits)]
        if fast.size:  # at the rate the requirement is checked with: the risk's (p80 by default), not expected
            best = float(risk_arrays(p)[1][fast].max())
            at = " at p80" if resolve_risk(p.scenario.risk) == "p80" else ""
            return (f"at most {fmt.per_day(best, against=p.scenario.required_mixes_per_day)} mixes/day{at} within the limits, below the required "
                    f"{fmt.amount(p.scenario.required_mixes_per_day)}")  # fmt: skip
    return "no candidate fits the limits"
