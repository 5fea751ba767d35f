"""Mix mode (Gavel-style): several configurations with the workloads split among them, solved by HiGHS in-process
(``highspy``) or CBC."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from recommender import format as fmt
from recommender.models import Alternative, Configuration, Objective, Recommendation, Sensitivity, Status
from recommender.planning import solve as S
from recommender.planning.explain import explain_mix, infeasible_explanation, value_text, weak_bases
from recommender.planning.feasibility import (
    busy_energy,
    copies_dominated,
    dominated_mask,
    is_better,
    risk_arrays,
    risk_minutes,
    value_unit,
)
from recommender.planning.mix_measured import NONE_MEASURED, fleet_lines, measured_mask
from recommender.planning.results import assumptions_for, configuration, slack_of, totals
from recommender.planning.risk import resolve as resolve_risk
from recommender.planning.single import solve_single, why_none
from recommender.planning.solve_time import solve_mix_time
from recommender.planning.table import Prepared
from recommender.planning.whatif import (
    EXPLAIN_MAX_NODES,
    PARALLEL_SOLVES,
    SENSITIVITY_FACTOR,
    sensitivity_of,
)

MIX_MAX_COPIES = 64  # copies of a configuration no limit bounds (only with min_tco's own bound as well)
#: Most copies of one configuration the mix MILP considers, however large the limits: CBC reads integer counts
#: of ~1e11 (a 2e15 budget of $10,000 servers) as infeasible. A limit that every configuration's capped count
#: fits in is no limit, and is left out of the MILP (its coefficients would be ~1e-11).
MIX_COPIES_CAP = 1_000_000


def optimize_mix(p: Prepared, *, time_limit_s: float, explain: bool, solver: str = "auto") -> Recommendation:
    """``solver``: ``auto`` (HiGHS in-process when installed, else CBC), ``cbc`` or ``highs``."""
    s, t = p.scenario, p.table
    sense = "min" if s.objective in (Objective.MIN_TCO, Objective.MIN_TIME) else "max"
    how: dict[str, str] = {} if solver == "auto" else {"solver": solver}
    r, keep = solve_mix(p, p.limits, time_limit_s=time_limit_s, **how)
    common: dict[str, Any] = {
        "scenario": s.name, "objective": s.objective, "objective_unit": value_unit(s.objective),
        "skipped": p.skipped, "workload_shares": dict(zip(p.names, p.shares.tolist())),
        "candidates_considered": len(t), "candidates_after_pruning": int(keep.size),
        "solver": (r.solver or "cbc").split("+")[0],
        "catalog_fingerprint": p.catalog.fingerprint, "risk": resolve_risk(s.risk),
        "minutes_as_of": p.meta.newest_round, "required_mixes_per_day": s.required_mixes_per_day,
    }  # fmt: skip
    if r.counts is None:
        return Recommendation(status=Status.INFEASIBLE, explanation=infeasible_explanation(p, wide=explain),
                              assumptions=assumptions_for(p, []), **common)  # fmt: skip
    configs, used = mix_configs(p, keep, r)
    value = mix_value(s.objective, r)
    binding: list[str] = []
    unknown: list[str] = []
    sensitivity: list[Sensitivity] = []
    alternatives: list[Alternative] = []
    single_best: float | None = None
    if explain:
        binding, unknown, sensitivity = mix_whatifs(p, r, keep, configs, value, time_limit_s=time_limit_s, **how)
        proven = single_proofs(p, value, sense, binding)
        binding += proven
        unknown = [u for u in unknown if u not in proven]
        # the best single configuration (mix is never worse) and each accelerator's best
        rs, _ = solve_single(p, p.limits)
        if rs.index is not None:
            single_best = float(single_as_mix_value(p, rs.index))
        alternatives = alternatives_mix(p, set(used), value, sense)
    explanation = explain_mix(p, configs, value, binding, single_best, int(keep.size), common["solver"],
                              checked=explain and not unknown)
    if explain:  # issue 12: a fleet on carried / specs-only figures names the best all-measured fleet
        at = next((k + 1 for k, line in enumerate(explanation) if line.startswith("The choice rests ")), None)
        if at is not None:
            explanation[at:at] = measured_fleet(p, configs, value, time_limit_s=time_limit_s, **how)
    if unknown:
        explanation.append(f"Unknown whether {' or '.join(unknown)} bind{'s' if len(unknown) == 1 else ''}: the "
                           f"what-if re-solve stopped at its limit of {EXPLAIN_MAX_NODES:,} nodes.")
    if r.status == Status.FEASIBLE and r.solver.endswith("+incumbent"):
        explanation.insert(0, f"The solver stopped at its time limit ({fmt.amount(time_limit_s)} s) without a better "
                              "mix; this is the best fleet of one configuration (status: feasible; a better mix may "
                              "exist).")  # fmt: skip
    elif r.status == Status.FEASIBLE:
        name = "HiGHS" if r.solver.startswith("highs") else "CBC"
        explanation.insert(0, f"{name} stopped at its time limit ({fmt.amount(time_limit_s)} s) with this solution; a "
                              "better one may exist (status: feasible).")  # fmt: skip
    if s.objective == Objective.MAX_THROUGHPUT and np.any(np.asarray(r.counts) >= MIX_COPIES_CAP):
        explanation.insert(0, f"No limit bounds this fleet: more copies always add throughput, so each configuration "
                              f"stops at the cap of {MIX_COPIES_CAP:,} copies. Set a budget, power or space limit "
                              "that a purchase can reach for a meaningful answer.")  # fmt: skip
    choice = max(configs, key=lambda c: c.capex_usd * c.count)
    return Recommendation(status=r.status, objective_value=value, configurations=configs, choice=choice,
                          alternatives=alternatives, binding=binding, sensitivity=sensitivity,
                          explanation=explanation, assumptions=assumptions_for(p, used), **totals(configs),
                          slack=slack_of(p, [(int(keep[c]), int(r.counts[c])) for c in np.flatnonzero(r.counts)]),
                          **common)  # fmt: skip


def measured_fleet(p: Prepared, configs: list[Configuration], value: float, *, time_limit_s: float,
                   **how: str) -> list[str]:  # fmt: skip
    """Issue 12: when the chosen fleet uses carried, predicted or specs-only figures, the best fleet of configurations whose
    figures are all measured (the same MILP, limits, objective and time limit over those only) and what it
    costs or loses (:func:`recommender.planning.mix_measured.fleet_lines`); else nothing."""
    if not weak_bases(configs):
        return []
    measured = measured_mask(p)
    if not measured.any():
        return [NONE_MEASURED]
    r, keep = solve_mix(p, p.limits, time_limit_s=time_limit_s, restrict=measured, **how)
    if r.counts is None:
        return fleet_lines(p, configs, value, None, None, r.status)
    return fleet_lines(p, configs, value, mix_configs(p, keep, r)[0], mix_value(p.scenario.objective, r), r.status)


def mix_whatifs(p: Prepared, r: S.MixResult, keep: np.ndarray, configs: list[Configuration], value: float, *,
                time_limit_s: float, **how: str) -> tuple[list[str], list[str], list[Sensitivity]]:  # fmt: skip
    """Binding limits, limits whose re-solve stopped at :data:`EXPLAIN_MAX_NODES` without an answer (unknown),
    and the +10 % budget / power sensitivity. Re-solves are limited by nodes, not time, so the same input
    gives the same answer whatever the machine's load (``time_limit_s`` is only a safety net)."""
    s, t = p.scenario, p.table
    sense = "min" if s.objective in (Objective.MIN_TCO, Objective.MIN_TIME) else "max"
    binding: list[str] = []
    unknown: list[str] = []
    sensitivity: list[Sensitivity] = []

    # every what-if relaxes a limit, so the answer is a solution of each: the re-solves start from it
    start: dict[str, Any] = {}
    if r.counts is not None and r.copy_days is not None and s.objective != Objective.MIN_TIME:
        counts, days = np.zeros(len(t), dtype=int), np.zeros((len(p.names), len(t)))
        counts[keep], days[:, keep] = r.counts, r.copy_days
        start["start"] = (counts, days)

    def resolve(limits: S.Limits) -> tuple[S.MixResult, np.ndarray]:
        return solve_mix(p, limits, time_limit_s=time_limit_s, max_nodes=EXPLAIN_MAX_NODES, **how, **start)

    def judge(name: str, rr: S.MixResult) -> None:
        if rr.counts is not None and is_better(mix_value(s.objective, rr), value, sense):
            binding.append(name)  # a better solution of the relaxation proves the limit binds
        elif rr.status != Status.OPTIMAL:
            unknown.append(name)

    # sensitivity doubles as the re-solve check for budget and power; the CBC runs are subprocesses,
    # so the two re-solves run side by side
    todo = [(name, attr, getattr(s, attr)) for name, attr in (("budget", "budget_usd"), ("power", "power_limit_kw"))
            if getattr(s, attr) is not None]  # fmt: skip
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, min(len(todo), PARALLEL_SOLVES))) as pool:
        solved = list(pool.map(lambda item: resolve(p.limits.scaled(item[0], SENSITIVITY_FACTOR)), todo))
    for (name, attr, limit), (rr, kk) in zip(todo, solved):
        v = mix_value(s.objective, rr) if rr.counts is not None else None
        cfgs = mix_configs(p, kk, rr)[0] if rr.counts is not None else []
        sensitivity.append(sensitivity_of(p, attr, limit, rr.status, None, v, value, sense, configs, cfgs))
        judge(name, rr)
    # other limits: binding if the MILP's slack is below the smallest step, confirmed by a re-solve
    for name in p.limits.names():
        if name in ("budget", "power"):
            continue
        step = float(np.min(t.res.usage(name)[keep])) if keep.size else 0.0
        if r.slack.get(name, math.inf) < step - 1e-9:
            judge(name, resolve(p.limits.without(name))[0])
    return binding, unknown, sensitivity


def solve_mix(p: Prepared, limits: S.Limits, *, time_limit_s: float, max_nodes: int | None = None,
              solver: str = "auto", start: tuple[np.ndarray, np.ndarray] | None = None,
              restrict: np.ndarray | None = None) -> tuple[S.MixResult, np.ndarray]:  # fmt: skip
    """The mix MILP over the configurations that may join a mix (pruned); ``solver`` as in :func:`optimize_mix`.
    ``start``: a fleet known to satisfy ``limits`` (copies and copy-days per candidate of the table) to start
    from and never return worse than, instead of the best fleet of one configuration (used when every
    configuration it buys is among those handed to the MILP). ``restrict``: a mask over the table's candidates;
    only those may join the mix (the measured-only fleet of :mod:`recommender.planning.mix_measured`)."""
    s, t = p.scenario, p.table
    if solver == "auto":  # HiGHS with the reduction of mix_highs: 347 x 10 ~0.15 s where CBC takes ~0.9 s
        solver = "highs" if S.highs_available() else "cbc"
    # issue 12: a configuration that can train only some of the workloads may join a mix
    pos = p.shares > 0
    runs_some = np.any(np.isfinite(t.minutes[:, pos]) & (t.minutes[:, pos] > 0), axis=1)
    ok = runs_some & (t.mem_ok if s.min_accelerator_memory_gb is not None else True)
    ok = ok & S.within_limits(t.res, limits)
    if restrict is not None:
        ok = ok & restrict
    idx = np.flatnonzero(ok)
    keep = idx[~dominated_mask(p, idx, per_workload=True)] if idx.size else idx
    if s.objective != Objective.MIN_TIME:  # copies shorten no run: min_time keeps every configuration
        keep = keep[~copies_dominated(p, keep)] if keep.size else keep
    if keep.size == 0:
        return S.MixResult(Status.INFEASIBLE, None, None, None, None), keep
    minutes = risk_minutes(p)[keep].T.copy()  # issue 12: p80 ranks by the interval's upper end
    weighted, mixes = risk_arrays(p)
    if s.objective == Objective.MIN_TIME:  # issue 12: a real objective, the time of each workload on its servers
        w = weighted[keep]
        best = int(np.argmin(w)) if np.isfinite(w).any() else None
        return solve_mix_time(minutes, p.shares, t.res.take(keep), limits, time_limit_s=time_limit_s,
                                incumbent=best), keep  # fmt: skip  (CBC: not measured with HiGHS)
    objective = "tco" if s.objective == Objective.MIN_TCO else "throughput"
    copies: int | np.ndarray = MIX_MAX_COPIES
    if objective == "tco" and s.required_mixes_per_day is not None:
        # more copies of c than c alone needs to meet the requirement are never optimal
        with np.errstate(divide="ignore"):
            copies = np.ceil(s.required_mixes_per_day / np.maximum(mixes[keep], 1e-300)).clip(1, 1e6)
    res = t.res.take(keep)
    needed, copies = bounded_limits(res, limits, copies)
    # issue 12: start from (and never return worse than) the best fleet of one configuration
    busy = busy_energy(p, keep)
    incumbent = S.best_incumbent(mixes[keep], t.tco[keep], res, needed, objective=objective,
                                 required_throughput=s.required_mixes_per_day, max_copies=copies,
                                 busy_energy=busy)  # fmt: skip
    r = S.solve_mix(minutes, p.shares, res, needed, objective=objective, tco_usd=t.tco[keep],
                    required_throughput=s.required_mixes_per_day, max_copies=copies,
                    time_limit_s=time_limit_s, max_nodes=max_nodes, incumbent=incumbent, solver=solver,
                    start=_local(start, keep), busy_energy=busy)  # fmt: skip
    if r.counts is not None:  # slack against every limit the scenario sets, including those left out
        r.slack = {name: limit - float(np.dot(r.counts, res.usage(name))) for name, limit in limits.items()}
    return r, keep


def _local(start: tuple[np.ndarray, np.ndarray] | None, keep: np.ndarray) -> S.Fleet | None:
    """A fleet over the table's candidates restricted to ``keep``, or None if it buys something outside it."""
    if start is None or np.any(np.delete(start[0], keep)):
        return None
    return start[0][keep], start[1][:, keep]


def bounded_limits(res: S.Resources, limits: S.Limits,
                   copies: int | np.ndarray) -> tuple[S.Limits, int | np.ndarray]:  # fmt: skip
    """The limits the mix MILP needs and the copies of each configuration it may buy (at most
    :data:`MIX_COPIES_CAP`). When every configuration at its largest count stays within every limit, no limit
    can bind: all are left out and the counts' bounds alone remain, so a huge budget means "no limit" instead
    of an ill-scaled, "infeasible" MILP. Otherwise all limits stay (the MILP's own bounds come from them)."""
    ub = np.minimum(S.count_upper_bounds(res, limits, default=copies), MIX_COPIES_CAP)
    if all(float(np.dot(ub, res.usage(name).astype(float))) <= limit for name, limit in limits.items()):
        return S.Limits(), ub
    return limits, copies if np.isscalar(copies) else np.asarray(copies)


def mix_value(obj: Objective, r: S.MixResult) -> float:
    if obj == Objective.MIN_TCO:
        return float(r.objective)  # type: ignore[arg-type]
    if obj == Objective.MAX_THROUGHPUT:
        return float(r.throughput)  # type: ignore[arg-type]
    return float(r.objective)  # type: ignore[arg-type]  # share-weighted minutes of each workload on its servers


def single_proofs(p: Prepared, value: float, sense: str, known: list[str]) -> list[str]:
    """Limits a single configuration proves binding. Mix mode re-solves each limit only 10 % looser; but one
    configuration better than the fleet with a limit removed proves that limit binds (a fleet may be one
    configuration), as single mode reports it. Not for min_tco, whose single answer buys copies to the rate."""
    from recommender.planning.binding import wider

    if p.scenario.objective == Objective.MIN_TCO:
        return []
    out: list[str] = []
    for name in p.limits.names():
        if name in known:
            continue
        q = p
        rr, _ = solve_single(p, p.limits.without(name))
        if rr.index is None or not is_better(single_as_mix_value(p, rr.index), value, sense):
            q = wider(p, name)  # the scenario's table stops a little past the limit (see planning.binding)
            rr, _ = solve_single(q, q.limits) if q is not p else (rr, None)
        if rr.index is not None and is_better(single_as_mix_value(q, rr.index), value, sense):
            out.append(name)
    return out


def single_as_mix_value(p: Prepared, i: int) -> float:
    obj = p.scenario.objective
    weighted, mixes = risk_arrays(p)
    if obj == Objective.MIN_TCO:
        be = busy_energy(p, np.array([i]))
        return float(p.table.tco[i]) + (float(be.one_configuration_usd(np.ones(1))[0]) if be is not None else 0.0)
    if obj == Objective.MAX_THROUGHPUT:
        return float(mixes[i])
    return float(weighted[i])


def single_utilization(p: Prepared, i: int) -> float | None:
    """The share of the year candidate ``i`` alone would draw training power doing the required work (min_tco
    under a rate, as single mode charges it), or None where the table's utilisation holds."""
    be = busy_energy(p, np.array([i]))
    if be is None or not np.isfinite(be.weighted[0]):
        return None
    return max(float(be.floor[0]), min(1.0, be.mixes_per_day * float(be.weighted[0]) / S.MINUTES_PER_DAY))


def mix_configs(p: Prepared, keep: np.ndarray, r: S.MixResult) -> tuple[list[Configuration], list[int]]:
    configs: list[Configuration] = []
    used: list[int] = []
    total = r.trainings.sum(axis=1)  # type: ignore[union-attr]
    be = busy_energy(p, keep)
    busy = be.busy(r.trainings, float(r.throughput or 0.0)) if be is not None else None  # type: ignore[arg-type]
    for c in np.flatnonzero(r.counts):  # type: ignore[arg-type]
        i = int(keep[c])
        x = r.trainings[:, c]  # type: ignore[index]
        k = int(r.counts[c])  # type: ignore[index]
        serves = {n: float(x[w] / total[w]) if total[w] > 0 else 0.0 for w, n in enumerate(p.names)}
        u = None if busy is None else max(float(be.floor[c]), min(1.0, float(busy[c]) / k))  # type: ignore[union-attr]
        configs.append(configuration(p, i, count=k, serves=serves, trainings=x, utilization=u))
        used.append(i)
    configs.sort(key=lambda c: -c.capex_usd * c.count)
    return configs, used


def alternatives_mix(p: Prepared, used: set[int], value: float, sense: str) -> list[Alternative]:
    t = p.table
    used_acc = {t.acc[i] for i in used}
    out = []
    s = p.scenario
    for acc in p.considered:
        if acc in used_acc:
            continue
        mine = t.acc == acc
        rr, _ = solve_single(p, p.limits, restrict=mine)
        name = p.meta.accelerators[acc].name
        if rr.index is None:
            out.append(Alternative(accelerator_id=acc, reason=f"{name}: {why_none(p, mine)}"))
            continue
        v = single_as_mix_value(p, rr.index)
        cfg = configuration(p, rr.index, utilization=single_utilization(p, rr.index))
        out.append(Alternative(accelerator_id=acc, configuration=cfg, objective_value=v,
                               reason=f"best single fit {fmt.count(cfg.accelerators)} x {name}: {value_text(s.objective, s.risk, v)} "
                                      f"vs {value_text(s.objective, s.risk, value)} for the mix; the optimizer gave it no work"))  # fmt: skip
    return out
