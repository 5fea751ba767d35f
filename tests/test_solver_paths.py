"""The fast paths give the same answers: HiGHS in-process (with CBC as its fallback), the mix MILP's LP-based
reduction, and the caches of scenario files and catalog fingerprints (which must notice a changed file)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pulp
import pytest

from recommender.models import Status
from recommender.planning import mix_highs
from recommender.planning import solve as S

needs_highs = pytest.mark.skipif(not S.highs_available(), reason="highspy not installed")


def random_mix(seed: int, C: int, W: int = 4) -> tuple[np.ndarray, np.ndarray, S.Resources, S.Limits]:
    rng = np.random.default_rng(seed)
    base = rng.uniform(20, 200, size=C)
    minutes = base[None, :] * rng.uniform(0.5, 2.0, size=(W, C))
    minutes[0, rng.integers(0, C)] = np.nan  # one configuration cannot train one workload
    shares = rng.dirichlet(np.ones(W))
    capex = rng.uniform(5e4, 4e5, size=C) * (100 / base)
    power = rng.uniform(2, 20, size=C)
    res = S.Resources(capex, power, np.full(C, 4.0), np.ones(C), np.full(C, 8.0))
    limits = S.Limits(budget_usd=float(rng.uniform(1e6, 3e6)), power_kw=float(rng.uniform(40, 120)))
    return minutes, shares, res, limits


@needs_highs
@pytest.mark.parametrize("seed", range(6))
def test_highs_mix_with_reduction_matches_cbc(seed: int) -> None:
    C = mix_highs.REDUCE_ABOVE + 16  # large enough for the LP-based reduction
    minutes, shares, res, limits = random_mix(seed, C)
    thr = 1440 / np.nansum(minutes * shares[:, None], axis=0)
    thr[~np.all(np.isfinite(minutes), axis=0)] = 0.0
    inc = S.best_incumbent(thr, None, res, limits)
    cbc = S.solve_mix(minutes, shares, res, limits, incumbent=inc, solver="cbc", time_limit_s=60)
    highs = S.solve_mix(minutes, shares, res, limits, incumbent=inc, solver="highs", time_limit_s=60)
    assert cbc.status == highs.status == Status.OPTIMAL and highs.solver == "highs"
    assert highs.throughput == pytest.approx(cbc.throughput, rel=1e-6)
    assert float(np.dot(highs.counts, res.capex_usd)) <= limits.budget_usd * (1 + 1e-9)
    assert float(np.dot(highs.counts, res.it_power_kw)) <= limits.power_kw * (1 + 1e-9)
    exact = S.best_assignment_throughput(minutes, shares, highs.counts)
    assert highs.throughput == pytest.approx(exact, rel=1e-6)  # the reported trainings are a real assignment


def big_item_mix(seed: int, C: int = 90, W: int = 6) -> tuple[np.ndarray, np.ndarray, S.Resources, S.Limits]:
    """Like the catalog's mix instances: some configurations take most of the budget or power on their own (the
    LP relaxation is several per cent loose there), some only a few per cent."""
    rng = np.random.default_rng(100 + seed)
    budget, power_kw = 3e6, 150.0
    size = rng.uniform(0.01, 0.9, size=C)  # share of the limits one copy takes
    minutes = (60 / np.sqrt(size))[None, :] * rng.uniform(0.4, 2.5, size=(W, C))
    minutes[rng.integers(0, W, size=C // 5), rng.integers(0, C, size=C // 5)] = np.nan  # some cannot train some
    capex = budget * size * rng.uniform(0.7, 1.3, size=C)
    power = power_kw * size * rng.uniform(0.7, 1.3, size=C)
    res = S.Resources(capex, power, np.full(C, 4.0), np.ones(C), np.full(C, 8.0))
    return minutes, np.full(W, 1 / W), res, S.Limits(budget_usd=budget, power_kw=power_kw)


def plain_highs(minutes: np.ndarray, shares: np.ndarray, res: S.Resources, limits: S.Limits,
                **objective: object) -> tuple[mix_highs._Model, mix_highs.HighsMix]:  # fmt: skip
    """HiGHS with its default options on the whole model, no reduction: the reference optimum."""
    ub = S.count_upper_bounds(res, limits, default=64).astype(float)
    rows = [(res.usage(k), v) for k, v in limits.items()]
    m = mix_highs._Model(minutes, shares, ub, rows, objective.get("objective", "throughput"),  # type: ignore[arg-type]
                         objective.get("tco_usd"), objective.get("required_throughput"))  # type: ignore[arg-type]
    h = m.build(np.arange(minutes.shape[1]), integer=True, time_limit_s=120)
    h.run()
    return m, mix_highs._outcome(h, m.highspy, m.ok, minutes.shape[1])


@needs_highs
@pytest.mark.parametrize("seed", range(6))
def test_reduced_mix_solve_equals_plain_highs_on_big_item_instances(seed: int) -> None:
    """The neighbourhood fleet, the reduced-cost fixing and the proof options change the speed, never the optimum
    (both objectives)."""
    minutes, shares, res, limits = big_item_mix(seed)
    ub = S.count_upper_bounds(res, limits, default=64)
    rows = [(res.usage(k), v) for k, v in limits.items()]
    m, ref = plain_highs(minutes, shares, res, limits)
    fast = mix_highs.solve_mix_highs(minutes, shares, ub, rows, objective="throughput", tco_usd=None,
                                     required_throughput=None, time_limit_s=60)  # fmt: skip
    assert fast.status == ref.status == Status.OPTIMAL
    assert m.value(fast.counts, 60) == pytest.approx(m.value(ref.counts, 60), rel=1e-6)
    tco = res.capex_usd * 1.4
    need = 0.7 * float(m.value(ref.counts, 60))  # a requirement some fleets meet and others do not
    m2, ref2 = plain_highs(minutes, shares, res, limits, objective="tco", tco_usd=tco, required_throughput=need)
    fast2 = mix_highs.solve_mix_highs(minutes, shares, ub, rows, objective="tco", tco_usd=tco,
                                      required_throughput=need, time_limit_s=60)  # fmt: skip
    assert fast2.status == ref2.status == Status.OPTIMAL
    assert m2.value(fast2.counts, 60) == pytest.approx(m2.value(ref2.counts, 60), rel=1e-6)


@needs_highs
def test_node_limited_mix_solve_gives_the_same_fleet_every_time() -> None:
    """What-if re-solves are limited by nodes, not time: the neighbourhood MILP is node-limited too, so the same
    input gives the same fleet whatever the machine's load."""
    minutes, shares, res, limits = big_item_mix(3, C=120)
    ub = S.count_upper_bounds(res, limits, default=64)
    rows = [(res.usage(k), v) for k, v in limits.items()]
    runs = [mix_highs.solve_mix_highs(minutes, shares, ub, rows, objective="throughput", tco_usd=None,
                                      required_throughput=None, time_limit_s=60, max_nodes=20) for _ in range(3)]  # fmt: skip
    assert all(r.counts is not None for r in runs)
    assert all(np.array_equal(r.counts, runs[0].counts) for r in runs)


@needs_highs
def test_highs_mix_tco_matches_cbc() -> None:
    minutes, shares, res, limits = random_mix(11, 12)
    tco = res.capex_usd * 1.3
    cbc = S.solve_mix(minutes, shares, res, limits, objective="tco", tco_usd=tco, required_throughput=20.0)
    highs = S.solve_mix(minutes, shares, res, limits, objective="tco", tco_usd=tco, required_throughput=20.0,
                        solver="highs")  # fmt: skip
    assert highs.status == cbc.status
    if cbc.objective is not None:
        assert highs.objective == pytest.approx(cbc.objective, rel=1e-6)


@needs_highs
def test_highs_that_does_not_run_falls_back_to_cbc(monkeypatch: pytest.MonkeyPatch) -> None:
    minutes, shares, res, limits = random_mix(3, 6)
    monkeypatch.setattr(mix_highs, "solve_mix_highs", lambda *a, **k: mix_highs.HighsMix(False, Status.INFEASIBLE))
    r = S.solve_mix(minutes, shares, res, limits, solver="highs")
    assert r.solver == "cbc" and r.status == Status.OPTIMAL

    def not_solved(self: pulp.HiGHS, lp: pulp.LpProblem) -> int:
        lp.assignStatus(pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound)
        return pulp.LpStatusNotSolved

    monkeypatch.setattr(pulp.HiGHS, "actualSolve", not_solved)
    cost = np.array([3.0, 1.0, 2.0])
    small = S.Resources(np.array([1.0, 5.0, 2.0]), np.ones(3), np.ones(3), np.ones(3), np.ones(3))
    c = S.solve_choice(cost, small, S.Limits(budget_usd=3.0), solver="highs")
    assert c.solver == "cbc" and c.index == 2 and c.status == Status.OPTIMAL


@needs_highs
def test_ties_are_broken_the_same_way_by_every_solver() -> None:
    cost = np.array([5.0, 2.0, 2.0, 2.0, 9.0])
    res = S.Resources(np.array([1.0, 4.0, 3.0, 3.0, 1.0]), np.array([1.0, 1.0, 2.0, 1.0, 1.0]), np.ones(5),
                      np.ones(5), np.ones(5))  # fmt: skip
    limits = S.Limits(budget_usd=10.0)
    tiebreak = (res.capex_usd, res.it_power_kw)
    want = S.enumerate_choice(cost, res, limits, tiebreak=tiebreak).index
    assert want == 3  # cheapest of the tied, then the lower power
    for solver in ("cbc", "highs"):
        assert S.solve_choice(cost, res, limits, solver=solver, tiebreak=tiebreak).index == want


def _age(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_scenario_file_cache_notices_a_changed_file(tmp_path: Path) -> None:
    from optimize_fakes import fake_predict

    from recommender import optimize

    f = tmp_path / "s.yaml"
    f.write_text("name: cached\nbudget_usd: 400000\nworkloads:\n  - benchmark: bert\n")
    _age(f, 60)
    first = optimize(f, predictor=fake_predict, explain=False)
    again = optimize(f, predictor=fake_predict, explain=False)
    assert again.objective_value == first.objective_value
    f.write_text("name: cached\nbudget_usd: 900000\nworkloads:\n  - benchmark: bert\n")  # same size? no matter
    _age(f, 30)
    bigger = optimize(f, predictor=fake_predict, explain=False)
    assert bigger.choice is not None and bigger.choice.capex_usd > 400_000
    # a file rewritten just now (same size, same second) is read again, never trusted by its stamp
    f.write_text("name: cached\nbudget_usd: 400000\nworkloads:\n  - benchmark: bert\n")
    assert optimize(f, predictor=fake_predict, explain=False).objective_value == first.objective_value


def test_catalog_fingerprint_follows_the_files(tmp_path: Path) -> None:
    import shutil

    import catalog

    d = tmp_path / "cat"
    shutil.copytree(catalog.DATA_DIR, d)
    for f in d.iterdir():
        _age(f, 60)
    a = catalog.load(d)
    assert catalog.load(d) is a
    acc = d / "accelerators.csv"
    acc.write_text(acc.read_text() + "\n")
    b = catalog.load(d)
    assert b.fingerprint != a.fingerprint


@needs_highs
def test_highs_prints_nothing_in_a_fresh_process() -> None:
    """HiGHS's banner goes to fd 1 when the first Highs() of a process is built (it would corrupt a running TUI):
    a fresh process that solves one single-choice and one HiGHS mix prints nothing at all."""
    import subprocess
    import sys

    code = (
        "import sys; sys.path.insert(0, 'tests')\n"
        "from optimize_fakes import fake_predict\n"
        "from recommender import optimize\n"
        "s = {'name': 'q', 'budget_usd': 400000, 'workloads': [{'benchmark': 'bert'}, {'benchmark': 'resnet'}]}\n"
        "r = optimize(s, predictor=fake_predict)\n"
        "m = optimize({**s, 'mix': True, 'objective': 'max_throughput'}, predictor=fake_predict, solver='highs')\n"
        "assert r.solver == 'highs' and m.solver == 'highs', (r.solver, m.solver)\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
