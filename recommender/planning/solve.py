"""The optimization problems, as pure functions over candidate arrays.

* :func:`build_choice_problem` / :func:`solve_choice`: a binary choice of one candidate (PuLP, CBC).
* :func:`enumerate_choice`: the same choice solved exactly by enumeration (numpy); the API uses it for the
  single-configuration case because a CBC call costs ~10-20 ms of process start-up and the API re-solves
  several times (binding limits, sensitivity). Tests check both give the same objective value.
* :func:`build_mix_problem` / :func:`solve_mix`: Gavel-style mix (integer copies ``n[c]`` of candidate
  configurations, trainings per day ``x[w, c]``), maximising the mix throughput ``lam`` or minimising TCO
  subject to a required throughput.

Constraints carry the names of :data:`recommender.models.LIMITS` (``budget``, ``power``, ``rack_units``,
``max_nodes``, ``max_accelerators``; ``memory`` and ``allow_list`` when excluded candidates are passed in).
Solver statuses map to :class:`recommender.models.Status`; nothing here asserts on a solver status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pulp

from recommender.models import Status
from recommender.planning.mix_check import (
    MINUTES_PER_DAY,
    BusyEnergy,
    best_assignment_throughput,  # noqa: F401  (re-exported)
)
from recommender.planning.solvers import (  # noqa: F401  (re-exported: the solver layer's names)
    _silence_highs_banner,
    _solver,
    highs_available,
    map_status,
    resolve_solver,
    solve_problem,
)

DEFAULT_TIME_LIMIT_S = 10.0
_EPS = 1e-9


@dataclass(frozen=True)
class Limits:
    """The scenario's resource limits (None = no limit)."""

    budget_usd: float | None = None
    power_kw: float | None = None
    rack_units: float | None = None
    max_nodes: float | None = None
    max_accelerators: float | None = None

    def items(self) -> list[tuple[str, float]]:
        """(constraint name, limit) pairs of the limits that are set."""
        pairs = [
            ("budget", self.budget_usd),
            ("power", self.power_kw),
            ("rack_units", self.rack_units),
            ("max_nodes", self.max_nodes),
            ("max_accelerators", self.max_accelerators),
        ]
        return [(k, float(v)) for k, v in pairs if v is not None]

    def names(self) -> list[str]:
        """Constraint names of the limits that are set."""
        return [k for k, _ in self.items()]

    def without(self, name: str) -> Limits:
        attr = _LIMIT_ATTR[name]
        return Limits(**{**self.__dict__, attr: None})

    def scaled(self, name: str, factor: float) -> Limits:
        attr = _LIMIT_ATTR[name]
        value = getattr(self, attr)
        return Limits(**{**self.__dict__, attr: None if value is None else value * factor})


_LIMIT_ATTR = {
    "budget": "budget_usd",
    "power": "power_kw",
    "rack_units": "rack_units",
    "max_nodes": "max_nodes",
    "max_accelerators": "max_accelerators",
}


@dataclass(frozen=True)
class Resources:
    """Per-candidate resource use (arrays of equal length)."""

    capex_usd: np.ndarray
    it_power_kw: np.ndarray
    rack_units: np.ndarray
    nodes: np.ndarray
    accelerators: np.ndarray

    def usage(self, name: str) -> np.ndarray:
        return {
            "budget": self.capex_usd,
            "power": self.it_power_kw,
            "rack_units": self.rack_units,
            "max_nodes": self.nodes,
            "max_accelerators": self.accelerators,
        }[name]

    def take(self, idx: np.ndarray) -> Resources:
        return Resources(*(np.asarray(a)[idx] for a in (self.capex_usd, self.it_power_kw, self.rack_units,
                                                        self.nodes, self.accelerators)))  # fmt: skip

    def __len__(self) -> int:
        return len(self.capex_usd)


def within_limits(res: Resources, limits: Limits, *, rel_tol: float = 1e-9) -> np.ndarray:
    """Boolean mask of candidates that satisfy every set limit."""
    ok = np.ones(len(res), dtype=bool)
    for name, limit in limits.items():
        ok &= res.usage(name) <= limit * (1 + rel_tol) + _EPS
    return ok


def violations(res: Resources, limits: Limits, i: int) -> dict[str, float]:
    """Limits candidate ``i`` exceeds, with the relative excess (0.25 = 25 % over)."""
    out = {}
    for name, limit in limits.items():
        use = float(res.usage(name)[i])
        if use > limit * (1 + 1e-9) + _EPS:
            out[name] = use / limit - 1.0 if limit > 0 else float("inf")
    return out


# --------------------------------------------------------------------------------------------- status


def _slacks(prob: pulp.LpProblem) -> dict[str, float]:
    """Slack (limit - use) of each named limit constraint."""
    out = {}
    for name in _LIMIT_ATTR:
        c = prob.get_constraint_by_name(name)
        if c is not None:
            out[name] = float(c.slack)
    return out


# ----------------------------------------------------------------------------------- single choice


@dataclass
class ChoiceResult:
    status: Status
    index: int | None  # chosen candidate (position in the arrays passed in)
    objective: float | None
    slack: dict[str, float] = field(default_factory=dict)  # constraint name -> slack (limit - use)
    solver: str = "cbc"


def _add_limits(prob: pulp.LpProblem, use: dict[str, Any], limits: Limits) -> None:
    for name, limit in limits.items():
        prob += (use[name] <= limit, name)


def _linear(variables: list[pulp.LpVariable], coefficients: np.ndarray) -> pulp.LpAffineExpression:
    """sum_i coefficients[i] * variables[i], built in one go (lpSum of products is ~5x slower)."""
    return pulp.LpAffineExpression(list(zip(variables, np.asarray(coefficients, dtype=float).tolist())))


def build_choice_problem(
    cost: np.ndarray,
    res: Resources,
    limits: Limits,
    *,
    sense: str = "min",
    throughput: np.ndarray | None = None,
    required_throughput: float | None = None,
    memory_ok: np.ndarray | None = None,
    allowed: np.ndarray | None = None,
) -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
    """Binary choice of exactly one candidate optimising ``cost`` (``sense`` min or max) within the limits.

    ``throughput``/``required_throughput`` add the ``required_throughput`` constraint (min_tco);
    ``memory_ok``/``allowed`` masks add the named ``memory``/``allow_list`` constraints that rule out the others.
    """
    n = len(cost)
    prob = pulp.LpProblem("choice", pulp.LpMinimize if sense == "min" else pulp.LpMaximize)
    y = [prob.add_variable(f"y_{i}", cat=pulp.LpBinary) for i in range(n)]
    prob += _linear(y, cost)
    prob += (_linear(y, np.ones(n)) == 1, "choose_one")
    use = {name: _linear(y, res.usage(name)) for name, _ in limits.items()}
    _add_limits(prob, use, limits)
    if throughput is not None and required_throughput is not None:
        prob += (_linear(y, throughput) >= required_throughput, "required_throughput")
    for name, mask in (("memory", memory_ok), ("allow_list", allowed)):
        if mask is not None and not np.all(mask):
            prob += (pulp.lpSum(y[i] for i in range(n) if not mask[i]) <= 0, name)
    return prob, y


def solve_choice(
    cost: np.ndarray,
    res: Resources,
    limits: Limits,
    *,
    sense: str = "min",
    throughput: np.ndarray | None = None,
    required_throughput: float | None = None,
    memory_ok: np.ndarray | None = None,
    allowed: np.ndarray | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    solver: str = "cbc",
    tiebreak: tuple[np.ndarray, ...] = (),
) -> ChoiceResult:
    """Solve :func:`build_choice_problem` with CBC or HiGHS (``solver``). Among candidates tied with the
    solver's choice (same objective, within the limits), the first by ``tiebreak`` (ascending, e.g. capex then
    power) and then by position is returned, so both solvers (and enumeration) give the same answer."""
    if len(cost) == 0:
        return ChoiceResult(Status.INFEASIBLE, None, None, solver=solver)
    prob, y = build_choice_problem(cost, res, limits, sense=sense, throughput=throughput,
                                   required_throughput=required_throughput, memory_ok=memory_ok, allowed=allowed)
    # presolve finds nothing to remove in one choice row and a few knapsack rows, and costs ~8 ms per solve
    solver = solve_problem(prob, time_limit_s, solver, highs_options={"presolve": "off"})
    status = map_status(prob.status, prob.sol_status)
    if status == Status.INFEASIBLE:
        return ChoiceResult(status, None, None, solver=solver)
    values = np.array([v.value() or 0.0 for v in y])
    idx = int(np.argmax(values))
    tied = _tied(cost, res, limits, idx, throughput, required_throughput, memory_ok, allowed)
    if tied.size > 1:
        keys = [tied] + [np.asarray(t)[tied] for t in reversed(tiebreak)]
        best = int(tied[np.lexsort(keys)[0]])
        if best != idx:
            slack = {name: limit - float(res.usage(name)[best]) for name, limit in limits.items()}
            return ChoiceResult(status, best, float(cost[best]), slack, solver)
    return ChoiceResult(status, idx, float(cost[idx]), _slacks(prob), solver)


def _tied(cost: np.ndarray, res: Resources, limits: Limits, idx: int, throughput: np.ndarray | None,
          required_throughput: float | None, memory_ok: np.ndarray | None, allowed: np.ndarray | None) -> np.ndarray:
    """Positions of the candidates as good as ``idx`` (equal objective) that satisfy every constraint."""
    ok = within_limits(res, limits) & (np.abs(cost - cost[idx]) <= 1e-12 * abs(cost[idx]))
    if throughput is not None and required_throughput is not None:
        ok &= throughput >= required_throughput * (1 - 1e-9)
    for mask in (memory_ok, allowed):
        if mask is not None:
            ok &= np.asarray(mask, dtype=bool)
    ok[idx] = True
    return np.flatnonzero(ok)


def enumerate_choice(
    cost: np.ndarray,
    res: Resources,
    limits: Limits,
    *,
    sense: str = "min",
    throughput: np.ndarray | None = None,
    required_throughput: float | None = None,
    mask: np.ndarray | None = None,
    tiebreak: tuple[np.ndarray, ...] = (),
) -> ChoiceResult:
    """Exact single choice by enumeration: the best feasible candidate; ties broken by ``tiebreak`` arrays
    (ascending, e.g. capex then power) and then by position."""
    ok = within_limits(res, limits)
    if mask is not None:
        ok &= mask
    if throughput is not None and required_throughput is not None:
        ok &= throughput >= required_throughput * (1 - 1e-9)
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return ChoiceResult(Status.INFEASIBLE, None, None, solver="enumeration")
    primary = cost[idx] if sense == "min" else -cost[idx]
    keys = [np.arange(idx.size)] + [np.asarray(t)[idx] for t in reversed(tiebreak)] + [primary]
    best = int(idx[np.lexsort(keys)[0]])
    slack = {name: limit - float(res.usage(name)[best]) for name, limit in limits.items()}
    return ChoiceResult(Status.OPTIMAL, best, float(cost[best]), slack, "enumeration")


# --------------------------------------------------------------------------------------------- mix


@dataclass
class MixResult:
    status: Status
    counts: np.ndarray | None  # copies of each candidate configuration
    trainings: np.ndarray | None  # x[w, c]: trainings per day of workload w on configuration c
    throughput: float | None  # mixes per day (lam)
    objective: float | None  # lam (max_throughput) or TCO (min_tco)
    slack: dict[str, float] = field(default_factory=dict)
    solver: str = "cbc"
    copy_days: np.ndarray | None = None  # f[w, c]: copy-days of configuration c spent on workload w


def count_upper_bounds(res: Resources, limits: Limits, *, default: int | np.ndarray = 64) -> np.ndarray:
    """Largest number of copies of each candidate the limits allow on their own; ``default`` (a number or one
    per candidate) where no limit bounds a candidate."""
    ub = np.full(len(res), np.inf)
    for name, limit in limits.items():
        use = res.usage(name).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            cap = np.where(use > 0, np.floor(limit / np.maximum(use, _EPS) + 1e-9), np.inf)
        ub = np.minimum(ub, cap)
    ub = np.where(np.isfinite(ub), ub, np.broadcast_to(np.asarray(default, dtype=float), ub.shape))
    return np.maximum(ub, 0).astype(int)


def build_mix_problem(
    minutes: np.ndarray,
    shares: np.ndarray,
    res: Resources,
    limits: Limits,
    *,
    objective: str = "throughput",
    tco_usd: np.ndarray | None = None,
    required_throughput: float | None = None,
    max_copies: int | np.ndarray = 64,
    busy_energy: BusyEnergy | None = None,
) -> tuple[pulp.LpProblem, list[pulp.LpVariable], list[list[pulp.LpVariable | None]], pulp.LpVariable]:
    """Gavel's formulation over configurations ``c`` and workloads ``w``, written in scaled variables.

    ``minutes[w, c]``: minutes to train w on c (inf/NaN = cannot run). Integer ``n[c]`` copies of each
    configuration; ``f[w, c] >= 0`` copy-days of c spent on w, so that the trainings per day are
    ``x[w, c] = f[w, c] * 1440 / minutes[w, c]``. Then Gavel's ``sum_w x[w, c] * minutes[w, c] <= 1440 n[c]``
    reads ``sum_w f[w, c] <= n[c]`` (``time_c``) and ``sum_c x[w, c] >= lam * share[w]`` reads
    ``sum_c f[w, c] * 1440 / (minutes[w, c] * share[w]) >= lam`` (``share_w``). Limits are named constraints
    ``sum_c n[c] * use[c] / limit <= 1``. The scaling (unit right-hand sides) lets CBC prove optimality
    about a third faster than the unscaled form on the catalog's instances.

    ``objective="throughput"``: maximise ``lam`` (mixes per day); ``objective="tco"``: minimise
    ``sum_c n[c] tco[c]`` (scaled by the largest TCO) with ``lam >= required_throughput``.
    ``max_copies`` bounds the copies of a configuration no limit bounds (a number, or one per configuration).
    ``busy_energy`` (``tco`` only) adds the work's energy beyond the TCO's floor: ``e[c] >= 0``,
    ``e[c] >= sum_w k[w, c] f[w, c] - floor[c] n[c]`` (``energy_c``; ``k``: busy days per copy-day) at
    ``usd_full[c]`` each (see :class:`~recommender.planning.mix_check.BusyEnergy`).
    Returns the problem, ``n``, ``f`` (None where a workload cannot run) and ``lam``.
    """
    W, C = minutes.shape
    prob = pulp.LpProblem("mix", pulp.LpMaximize if objective == "throughput" else pulp.LpMinimize)
    ub = count_upper_bounds(res, limits, default=max_copies)
    n = [prob.add_variable(f"n_{c}", lowBound=0, upBound=int(ub[c]), cat=pulp.LpInteger) for c in range(C)]
    lam = prob.add_variable("lam", lowBound=0)
    f: list[list[pulp.LpVariable | None]] = []
    for w in range(W):
        row: list[pulp.LpVariable | None] = []
        for c in range(C):
            m = minutes[w, c]
            row.append(prob.add_variable(f"f_{w}_{c}", lowBound=0) if np.isfinite(m) and m > 0 else None)
        f.append(row)
    if objective == "throughput":
        prob += lam
    else:
        if tco_usd is None or required_throughput is None:
            raise ValueError("objective='tco' needs tco_usd and required_throughput")
        scale = float(np.max(tco_usd)) if len(tco_usd) and np.max(tco_usd) > 0 else 1.0
        cost = [float(tco_usd[c] / scale) * n[c] for c in range(C)]
        if busy_energy is not None:
            k = busy_energy.per_copy_day(minutes)
            for c in range(C):
                e = prob.add_variable(f"e_{c}", lowBound=0)
                cost.append(float(busy_energy.usd_full[c] / scale) * e)
                busy = [float(k[w, c]) * f[w][c] for w in range(W) if f[w][c] is not None]
                prob += (e - pulp.lpSum(busy) + float(busy_energy.floor[c]) * n[c] >= 0, f"energy_{c}")
        prob += pulp.lpSum(cost)
        prob += (lam >= float(required_throughput), "required_throughput")
    for c in range(C):
        terms = [f[w][c] for w in range(W) if f[w][c] is not None]
        if terms:
            prob += (pulp.lpSum(terms) <= n[c], f"time_{c}")
    for w in range(W):
        if shares[w] > 0:
            rate = MINUTES_PER_DAY / (minutes[w] * shares[w])
            prob += (pulp.lpSum(float(rate[c]) * v for c, v in enumerate(f[w]) if v is not None) >= lam,
                     f"share_{w}")  # fmt: skip
    for name, limit in limits.items():
        use = res.usage(name)
        if limit > 0:
            prob += (pulp.lpSum(float(use[c] / limit) * n[c] for c in range(C)) <= 1.0, name)
        else:
            prob += (pulp.lpSum(float(use[c]) * n[c] for c in range(C)) <= 0.0, name)
    return prob, n, f, lam


#: A known fleet: (copies per configuration, copy-days ``f[w, c]`` or None).
Fleet = tuple[np.ndarray, "np.ndarray | None"]


def solve_mix(
    minutes: np.ndarray,
    shares: np.ndarray,
    res: Resources,
    limits: Limits,
    *,
    objective: str = "throughput",
    tco_usd: np.ndarray | None = None,
    required_throughput: float | None = None,
    max_copies: int | np.ndarray = 64,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    incumbent: tuple[int, int] | None = None,
    start: Fleet | None = None,
    solver: str = "cbc",
    max_nodes: int | None = None,
    busy_energy: BusyEnergy | None = None,
) -> MixResult:
    """Solve :func:`build_mix_problem` with CBC (or HiGHS); integer counts are rounded and the trainings per
    day ``x[w, c]`` recovered from the copy-days. ``max_nodes`` stops the branch and bound after
    that many nodes (a limit that does not depend on the machine's load; status ``feasible`` or none when reached).

    ``incumbent`` = (configuration, copies): the best single configuration; ``start``, in preference to it, a
    known fleet that satisfies this problem's limits (e.g. the answer before a limit was relaxed). The solver
    starts from it (warm start), and whatever the solver returns, the result is never worse than it: when the
    solver stops at its time limit with a worse fleet, or with none, the incumbent is returned (status
    ``feasible``, ``solver`` ending in ``+incumbent``) unless the solver proved its answer optimal.
    """
    if minutes.shape[1] == 0:
        return MixResult(Status.INFEASIBLE, None, None, None, None)
    fleet = start if start is not None else _single_fleet(minutes, shares, incumbent)
    busy_energy = busy_energy if objective == "tco" else None
    args = (minutes, shares, res, limits, objective, tco_usd, busy_energy, fleet)
    if solver == "highs":
        from recommender.planning.mix_highs import solve_mix_highs

        ub = count_upper_bounds(res, limits, default=max_copies)
        h = solve_mix_highs(minutes, shares, ub, [(res.usage(k), v) for k, v in limits.items()], objective=objective,
                            tco_usd=tco_usd, required_throughput=required_throughput, time_limit_s=time_limit_s,
                            start=None if fleet is None else fleet[0], max_nodes=max_nodes,
                            busy_energy=busy_energy)  # fmt: skip
        if h.ran:
            return _guarded(*args, "highs", h.status, h.counts, h.copy_days)
        solver = "cbc"  # HiGHS did not run: CBC answers
    prob, n, f, lam = build_mix_problem(minutes, shares, res, limits, objective=objective, tco_usd=tco_usd,
                                       required_throughput=required_throughput, max_copies=max_copies,
                                       busy_energy=busy_energy)  # fmt: skip
    busy = None if busy_energy is None else (busy_energy.per_copy_day(minutes), busy_energy.floor)
    warm = fleet is not None and _set_warm_start(_incumbent_result(*args, solver), n, f, lam, prob, busy)
    # CBC occasionally fails to run (PulpSolverError) at tiny time limits: retry cold, then fall back
    for attempt in (True, False) if warm else (False,):
        try:
            prob.solve(_solver(time_limit_s, solver, warm_start=attempt, max_nodes=max_nodes))
            break
        except pulp.PulpSolverError:
            continue
    else:
        if fleet is None:
            raise pulp.PulpSolverError(f"{solver} failed to run on the mix problem")
        return _incumbent_result(*args, solver)
    status = map_status(prob.status, prob.sol_status)
    if status == Status.INFEASIBLE:
        return _incumbent_result(*args, solver)
    counts = np.array([round(v.value() or 0.0) for v in n], dtype=int)
    days = np.array([[max(v.value() or 0.0, 0.0) if v is not None else 0.0 for v in row] for row in f])
    return _guarded(*args, solver, status, counts, days.reshape(minutes.shape))


def _guarded(minutes: np.ndarray, shares: np.ndarray, res: Resources, limits: Limits, objective: str,
             tco_usd: np.ndarray | None, busy_energy: BusyEnergy | None, fleet: Fleet | None, solver: str,
             status: Status, counts: np.ndarray | None, copy_days: np.ndarray | None) -> MixResult:  # fmt: skip
    """The solver's answer, or the incumbent fleet when the solver has none or stopped with a worse one (an
    answer proved optimal is kept)."""
    if status == Status.INFEASIBLE or counts is None:
        return _incumbent_result(minutes, shares, res, limits, objective, tco_usd, busy_energy, fleet, solver)
    out = _mix_result(minutes, shares, res, limits, objective, tco_usd, busy_energy, counts, copy_days, status, solver)
    if fleet is None or (status == Status.OPTIMAL and out.counts is not None):
        return out
    inc = _incumbent_result(minutes, shares, res, limits, objective, tco_usd, busy_energy, fleet, solver)
    if out.objective is None or (inc.objective is not None and _worse(out.objective, inc.objective, objective)):
        return inc
    return out


def _worse(a: float, b: float, objective: str) -> bool:
    tol = 1e-9 * max(1.0, abs(b))
    return a < b - tol if objective == "throughput" else a > b + tol


def _single_fleet(minutes: np.ndarray, shares: np.ndarray, incumbent: tuple[int, int] | None) -> Fleet | None:
    """``copies`` of one configuration, each workload's copy-days in proportion to share x minutes (None when
    it cannot run every workload: the solver then gets no start, but the fleet still guards the answer)."""
    if incumbent is None:
        return None
    c0, k = incumbent
    counts = np.zeros(minutes.shape[1], dtype=int)
    counts[c0] = k
    pos = shares > 0
    col = minutes[:, c0]
    if not np.all(np.isfinite(col[pos]) & (col[pos] > 0)):
        return counts, None
    lam0 = MINUTES_PER_DAY * k / float(np.sum(shares[pos] * col[pos]))
    days = np.zeros(minutes.shape)
    days[pos, c0] = lam0 * shares[pos] * col[pos] / MINUTES_PER_DAY
    return counts, days


def _set_warm_start(known: MixResult, n: list[pulp.LpVariable], f: list[list[pulp.LpVariable | None]],
                    lam: pulp.LpVariable, prob: pulp.LpProblem, busy: tuple[np.ndarray, np.ndarray] | None) -> bool:
    """Give the solver a known fleet (a result with its trainings) as its starting solution; False without one."""
    if known.counts is None or known.copy_days is None or known.throughput is None or not np.any(known.copy_days):
        return False
    for c, v in enumerate(n):
        v.setInitialValue(int(known.counts[c]))
    for w, row in enumerate(f):
        for c, v in enumerate(row):
            if v is not None:
                v.setInitialValue(float(known.copy_days[w, c]))
    lam.setInitialValue(known.throughput)
    if busy is not None:  # e[c] as its row energy_c makes it: busy days of the copy-days above the floor
        over = (known.copy_days * busy[0]).sum(axis=0) - busy[1] * known.counts
        named = prob.variablesDict()
        for c, v in enumerate(over):
            named[f"e_{c}"].setInitialValue(max(float(v), 0.0))
    return True


def _incumbent_result(minutes: np.ndarray, shares: np.ndarray, res: Resources, limits: Limits, objective: str,
                      tco_usd: np.ndarray | None, busy_energy: BusyEnergy | None, fleet: Fleet | None,
                      solver: str) -> MixResult:  # fmt: skip
    """The incumbent fleet as a mix result (status feasible: optimality not proved), or infeasible without one."""
    if fleet is None:
        return MixResult(Status.INFEASIBLE, None, None, None, None)
    return _mix_result(minutes, shares, res, limits, objective, tco_usd, busy_energy, np.asarray(fleet[0], dtype=int),
                       fleet[1],
                       Status.FEASIBLE, solver + "+incumbent")  # fmt: skip


def _mix_result(minutes: np.ndarray, shares: np.ndarray, res: Resources, limits: Limits, objective: str,
                tco_usd: np.ndarray | None, busy_energy: BusyEnergy | None, counts: np.ndarray,
                copy_days: np.ndarray | None, status: Status, solver: str) -> MixResult:  # fmt: skip
    """Trainings, throughput, objective and slack of integer ``counts`` (copy-days ``f[w, c]`` when given)."""
    W, C = minutes.shape
    trainings = np.zeros((W, C))
    if copy_days is not None:
        ok = np.isfinite(minutes) & (minutes > 0) & (counts > 0)[None, :]
        trainings[ok] = copy_days[ok] * MINUTES_PER_DAY / minutes[ok]
    active = np.flatnonzero(counts)
    if active.size == 1 and np.all(np.isfinite(minutes[shares > 0, active[0]])):
        # one configuration: the exact throughput, free of the solver's round-off
        c = int(active[0])
        per_mix = float(np.sum(shares * np.where(shares > 0, minutes[:, c], 0.0)))
        lam_exact = MINUTES_PER_DAY * counts[c] / per_mix
        trainings[:, c] = lam_exact * shares
    thr = mix_throughput(minutes, shares, counts, trainings)
    if objective == "throughput":
        if counts.sum() == 0 or thr <= 0:
            return MixResult(Status.INFEASIBLE, None, None, None, None)
        obj = thr
    else:
        obj = float(np.dot(counts, tco_usd))  # type: ignore[arg-type]
        obj += busy_energy.extra_usd(counts, trainings, thr) if busy_energy is not None else 0.0
    slack = {name: limit - float(np.dot(counts, res.usage(name))) for name, limit in limits.items()}
    days = np.where(np.isfinite(minutes) & (trainings > 0), trainings * np.nan_to_num(minutes) / MINUTES_PER_DAY, 0.0)
    return MixResult(status, counts, trainings, thr, obj, slack, solver, days)


def mix_throughput(minutes: np.ndarray, shares: np.ndarray, counts: np.ndarray, trainings: np.ndarray) -> float:
    """Mixes per day an assignment achieves: min over workloads of trainings / share, with each
    configuration's time capped at 1440 x copies (solver round-off is scaled away)."""
    m = np.where(np.isfinite(minutes), minutes, 0.0)
    used = (trainings * m).sum(axis=0)
    cap = MINUTES_PER_DAY * counts
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(used > cap, cap / np.where(used > 0, used, 1.0), 1.0)
    t = trainings * scale[None, :]
    pos = shares > 0
    if not pos.any():
        return 0.0
    return float(np.min(t.sum(axis=1)[pos] / shares[pos]))


def best_incumbent(throughput: np.ndarray, tco_usd: np.ndarray | None, res: Resources, limits: Limits, *,
                   objective: str = "throughput", required_throughput: float | None = None,
                   max_copies: int | np.ndarray = 64, busy_energy: BusyEnergy | None = None,
                   ) -> tuple[int, int] | None:  # fmt: skip
    """The best fleet of copies of ONE configuration, as (configuration, copies): the most mixes per day
    (``throughput``: mixes per day of one copy) within the limits, or the lowest TCO meeting
    ``required_throughput``. None if no configuration qualifies. It is at least as good as the best single
    configuration (one copy), so a mix that starts from it is never worse."""
    thr = np.nan_to_num(np.asarray(throughput, dtype=float), nan=0.0)
    ub = count_upper_bounds(res, limits, default=max_copies)
    if objective == "throughput":
        value = thr * ub
        if not len(value) or np.max(value) <= 0:
            return None
        c = int(np.argmax(value))
        return c, int(ub[c])
    if tco_usd is None or required_throughput is None:
        raise ValueError("objective='tco' needs tco_usd and required_throughput")
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.where(thr > 0, np.ceil(required_throughput / np.where(thr > 0, thr, 1.0) - 1e-9), np.inf)
    need = np.maximum(need, 1)
    cost = need * np.asarray(tco_usd, dtype=float)
    if busy_energy is not None:
        cost = cost + busy_energy.one_configuration_usd(need)
    cost = np.where(need <= ub, cost, np.inf)
    if not len(cost) or not np.isfinite(cost).any():
        return None
    c = int(np.argmin(cost))
    return c, int(need[c])


# ------------------------------------------------------------------------------------ mix, min_time
