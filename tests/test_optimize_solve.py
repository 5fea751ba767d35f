"""recommender.planning.solve: the PuLP problems, status mapping, slack, and CBC vs enumeration."""

from __future__ import annotations

import numpy as np
import pulp
import pytest

from recommender.models import Status
from recommender.planning import solve as S
from recommender.planning.feasibility import pareto_dominated


def resources(n: int, rng: np.random.Generator) -> S.Resources:
    return S.Resources(
        capex_usd=rng.uniform(1e4, 1e6, n),
        it_power_kw=rng.uniform(1, 100, n),
        rack_units=rng.integers(1, 40, n).astype(float),
        nodes=rng.integers(1, 10, n).astype(float),
        accelerators=rng.integers(1, 80, n).astype(float),
    )


@pytest.mark.parametrize(
    ("status", "sol_status", "expected"),
    [
        (pulp.LpStatusOptimal, pulp.LpSolutionOptimal, Status.OPTIMAL),
        (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible, Status.FEASIBLE),  # time limit, with a solution
        (pulp.LpStatusNotSolved, pulp.LpSolutionIntegerFeasible, Status.FEASIBLE),
        (pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound, Status.INFEASIBLE),  # time limit, nothing found
        (pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible, Status.INFEASIBLE),
        (pulp.LpStatusUnbounded, pulp.LpSolutionUnbounded, Status.INFEASIBLE),
        (pulp.LpStatusUndefined, pulp.LpSolutionNoSolutionFound, Status.INFEASIBLE),
    ],
)
def test_status_mapping(status: int, sol_status: int, expected: Status) -> None:
    assert S.map_status(status, sol_status) == expected


def test_choice_problem_has_named_constraints() -> None:
    rng = np.random.default_rng(0)
    res = resources(6, rng)
    limits = S.Limits(budget_usd=5e5, power_kw=50, rack_units=30, max_nodes=8, max_accelerators=60)
    mem = np.array([True, True, False, True, True, True])
    allowed = np.array([True, False, True, True, True, True])
    prob, y = S.build_choice_problem(rng.uniform(1, 10, 6), res, limits, memory_ok=mem, allowed=allowed)
    for name in ("choose_one", "budget", "power", "rack_units", "max_nodes", "max_accelerators", "memory",
                 "allow_list"):  # fmt: skip
        assert prob.get_constraint_by_name(name) is not None, name
    assert len(y) == 6


def test_cbc_choice_equals_enumeration_and_reports_slack() -> None:
    rng = np.random.default_rng(42)
    agreed = 0
    for _ in range(25):
        n = int(rng.integers(1, 30))
        res = resources(n, rng)
        cost = rng.uniform(1, 100, n)
        limits = S.Limits(budget_usd=float(rng.uniform(1e4, 1e6)), power_kw=float(rng.uniform(1, 100)))
        sense = str(rng.choice(["min", "max"]))
        a = S.solve_choice(cost, res, limits, sense=sense)
        b = S.enumerate_choice(cost, res, limits, sense=sense)
        assert a.status == b.status
        if b.index is None:
            assert a.index is None and a.objective is None
            continue
        assert a.objective == pytest.approx(b.objective)
        assert S.within_limits(res, limits)[a.index]
        # slack = limit - use (CBC reads the problem from a text file: agree to 1e-6 of the limit)
        tol_b, tol_p = 1e-6 * limits.budget_usd, 1e-6 * limits.power_kw
        assert a.slack["budget"] == pytest.approx(limits.budget_usd - res.capex_usd[a.index], abs=tol_b)
        assert a.slack["power"] == pytest.approx(limits.power_kw - res.it_power_kw[a.index], abs=tol_p)
        assert a.index != b.index or b.slack["budget"] == pytest.approx(a.slack["budget"], abs=tol_b)
        agreed += 1
    assert agreed >= 10


def test_required_throughput_and_masks() -> None:
    res = S.Resources(np.array([1.0, 2.0, 3.0]), np.ones(3), np.ones(3), np.ones(3), np.ones(3))
    cost = np.array([1.0, 2.0, 3.0])
    thr = np.array([1.0, 5.0, 10.0])
    r = S.solve_choice(cost, res, S.Limits(), throughput=thr, required_throughput=4.0)
    assert r.index == 1
    assert S.enumerate_choice(cost, res, S.Limits(), throughput=thr, required_throughput=4.0).index == 1
    r = S.solve_choice(cost, res, S.Limits(), throughput=thr, required_throughput=4.0,
                       memory_ok=np.array([True, False, True]))  # fmt: skip
    assert r.index == 2
    r = S.solve_choice(cost, res, S.Limits(), throughput=thr, required_throughput=4.0,
                       allowed=np.array([True, False, False]))  # fmt: skip
    assert r.status == Status.INFEASIBLE and r.index is None
    assert S.solve_choice(np.zeros(0), res.take(np.array([], dtype=int)), S.Limits()).status == "infeasible"


def test_enumeration_tiebreak_prefers_cheaper() -> None:
    res = S.Resources(np.array([3.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.5]), np.ones(3), np.ones(3), np.ones(3))
    r = S.enumerate_choice(np.array([5.0, 5.0, 5.0]), res, S.Limits(), tiebreak=(res.capex_usd, res.it_power_kw))
    assert r.index == 1


def test_limits_helpers() -> None:
    lim = S.Limits(budget_usd=100.0, power_kw=10.0)
    assert lim.names() == ["budget", "power"]
    assert lim.without("budget").budget_usd is None and lim.without("budget").power_kw == 10.0
    assert lim.scaled("power", 1.1).power_kw == pytest.approx(11.0)
    res = S.Resources(np.array([50.0, 150.0]), np.array([20.0, 5.0]), np.ones(2), np.ones(2), np.ones(2))
    assert S.violations(res, lim, 0) == {"power": pytest.approx(1.0)}
    assert set(S.violations(res, lim, 1)) == {"budget"}
    assert list(S.count_upper_bounds(res, lim, default=64)) == [0, 0]
    assert list(S.count_upper_bounds(res, S.Limits(budget_usd=300.0), default=64)) == [6, 2]


def test_mix_throughput_of_an_assignment() -> None:
    minutes = np.array([[10.0, 20.0], [30.0, np.nan]])
    shares = np.array([0.5, 0.5])
    # one copy each: workload 1 only runs on configuration 0 (30 min), workload 0 on configuration 1 (20 min):
    # lam = min(1440 / 30, 1440 / 20) / 0.5 when each configuration serves one workload
    assert S.best_assignment_throughput(minutes, shares, np.array([1, 1])) >= 1440 / 30 / 0.5 * (1 - 1e-9)
    best = max(S.best_assignment_throughput(minutes, shares, np.array(c)) for c in ([2, 0], [1, 1], [0, 2]))
    r = S.solve_mix(minutes, shares, S.Resources(np.ones(2), np.ones(2), np.ones(2), np.ones(2), np.ones(2)),
                    S.Limits(max_nodes=2))  # fmt: skip
    assert r.counts.sum() == 2
    assert r.throughput == pytest.approx(best, rel=1e-6)
    assert S.best_assignment_throughput(minutes, shares, np.array([0, 2])) == 0.0  # config 1 cannot run workload 1
    if r.counts[1]:
        assert r.trainings[1, 1] == 0


def test_pareto_dominated() -> None:
    M = np.array([[1.0, 1.0], [2.0, 2.0], [1.0, 1.0], [0.5, 3.0], [2.0, 1.0]])
    assert list(pareto_dominated(M)) == [False, True, False, False, True]
    rng = np.random.default_rng(1)
    M = rng.random((300, 4))
    dom = pareto_dominated(M)
    brute = np.array([any(np.all(M[j] <= M[i]) and np.any(M[j] < M[i]) for j in range(300)) for i in range(300)])
    assert (dom == brute).all()
