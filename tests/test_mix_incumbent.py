"""Mix mode keeps its promise: it starts from the best fleet of one configuration and never returns worse."""

from __future__ import annotations

import numpy as np
import pulp
import pytest

from recommender.planning import solve as S
from recommender.planning.solve_time import solve_mix_time

# two configurations, two workloads; minutes[w, c]
MINUTES = np.array([[10.0, 20.0], [30.0, 15.0]])
SHARES = np.array([1.0, 1.0])
RES = S.Resources(np.array([100.0, 150.0]), np.array([1.0, 1.0]), np.array([4.0, 4.0]), np.array([1.0, 1.0]),
                  np.array([8.0, 8.0]))  # fmt: skip
LIMITS = S.Limits(budget_usd=1000)


def test_best_incumbent_fills_the_limits_with_one_configuration() -> None:
    # one copy: c0 1440/40 = 36 mixes/day, c1 1440/35 = 41.1; the budget allows 10 copies of c0, 6 of c1
    thr = 1440 / (MINUTES * SHARES[:, None]).sum(axis=0)
    assert S.best_incumbent(thr, None, RES, LIMITS) == (0, 10)  # 360 > 246.9 mixes/day
    tco = np.array([100.0, 150.0])
    # at least 100 mixes a day: c0 needs 3 copies (300 USD), c1 3 copies (450 USD)
    assert S.best_incumbent(thr, tco, RES, LIMITS, objective="tco", required_throughput=100) == (0, 3)
    assert S.best_incumbent(thr, tco, RES, LIMITS, objective="tco", required_throughput=1e6) is None


def test_warm_started_mix_is_the_optimum() -> None:
    thr = 1440 / MINUTES.sum(axis=0)
    inc = S.best_incumbent(thr, None, RES, LIMITS)
    cold = S.solve_mix(MINUTES, SHARES, RES, LIMITS)
    warm = S.solve_mix(MINUTES, SHARES, RES, LIMITS, incumbent=inc)
    assert warm.status == "optimal" and warm.throughput == pytest.approx(cold.throughput)
    assert warm.throughput >= 360 - 1e-6


def test_solver_that_stops_without_a_solution_returns_the_incumbent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pulp.LpProblem, "solve", lambda self, solver=None: 0)  # "not solved", as at a time limit
    r = S.solve_mix(MINUTES, SHARES, RES, LIMITS, incumbent=(0, 10), time_limit_s=0.01)
    assert r.status == "feasible" and r.solver == "cbc+incumbent"
    assert list(r.counts) == [10, 0] and r.throughput == pytest.approx(360.0)  # 10 x 1440 / 40
    none = S.solve_mix(MINUTES, SHARES, RES, LIMITS, time_limit_s=0.01)
    assert none.status == "infeasible" and none.counts is None


def test_highs_in_process_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    if not S.highs_available():
        pytest.skip("highspy not installed")
    r = S.solve_mix(MINUTES, SHARES, RES, LIMITS, solver="highs")
    cbc = S.solve_mix(MINUTES, SHARES, RES, LIMITS)
    assert r.status == "optimal" and r.throughput == pytest.approx(cbc.throughput)
    out, _err = capfd.readouterr()
    assert out == ""


def test_configuration_running_only_some_workloads_may_join_a_mix() -> None:
    import numpy as np
    import pandas as pd
    from optimize_fakes import fake_predict

    from recommender import optimize

    h100, a30 = "nvidia-h100-sxm5-80gb", "nvidia-a30-pcie-24gb"

    def predict(frame: pd.DataFrame, **kw) -> pd.DataFrame:
        out = fake_predict(frame, **kw)
        # the A30 cannot train bert at all, but trains resnet 50x faster than the fake model says
        a = (out["accelerator_id"] == a30).to_numpy()
        bert = (out["benchmark"] == "bert").to_numpy()
        out.loc[a & bert, ["minutes", "minutes_low", "minutes_high"]] = np.nan
        out.loc[a & ~bert, ["minutes", "minutes_low", "minutes_high"]] /= 50
        return out

    s = {"name": "partial", "budget_usd": 600_000, "mix": True, "objective": "max_throughput",
         "accelerators": [h100, a30], "workloads": [{"benchmark": "bert"}, {"benchmark": "resnet"}]}  # fmt: skip
    single = optimize({**s, "mix": False}, predictor=predict, explain=False)
    mix = optimize(s, predictor=predict, explain=False)
    assert single.choice.accelerator_id == h100  # the A30 alone cannot train the mix
    assert a30 in {c.accelerator_id for c in mix.configurations}
    assert mix.objective_value > single.objective_value


def test_mix_min_time_is_the_time_of_each_workload_on_its_servers() -> None:
    """Issue 12: mix mode's min_time is a real objective — share-weighted minutes of each workload on the
    configuration that trains it — never worse than the best single configuration, and equal to the
    hand-computed sum over the answer's own runs."""
    from optimize_fakes import fake_predict

    from recommender import optimize

    base = {"name": "t", "budget_usd": 900_000, "workloads": [{"benchmark": "bert"}, {"benchmark": "resnet"},
                                                                {"benchmark": "unet3d"}]}  # fmt: skip
    for risk in ("expected", "p80"):  # p80 (the default for a purchase) times each run at its interval's upper end
        single = optimize({**base, "risk": risk}, predictor=fake_predict, explain=False)
        mix = optimize({**base, "mix": True, "risk": risk}, predictor=fake_predict, explain=False)
        assert mix.status == "optimal" and mix.objective_unit == "minutes" and mix.risk == risk
        assert mix.objective_value <= single.objective_value * (1 + 1e-9)
        by_hand = 0.0
        for c in mix.configurations:
            assert c.count == 1
            for w in c.workloads:
                run = max(w.minutes_high, w.minutes) if risk == "p80" else w.minutes
                by_hand += w.share * run * c.serves[w.workload]
        assert mix.objective_value == pytest.approx(by_hand)
        # a batch row's `minutes` are expected minutes whatever the risk (objective_value is in the risk's terms)
        from recommender.batch import row_from_recommendation

        expected = sum(w.share * w.minutes * c.serves[w.workload] for c in mix.configurations for w in c.workloads)
        assert row_from_recommendation(mix, file="t.yaml").minutes == pytest.approx(expected, abs=1e-4)
        # every run's minutes are at most... the reported value is a share-weighted time, not a throughput figure
        slowest = max((max(w.minutes_high, w.minutes) if risk == "p80" else w.minutes)
                      for c in mix.configurations for w in c.workloads if c.serves[w.workload] > 0)
        assert mix.objective_value <= slowest


def test_solve_mix_time_keeps_the_incumbent_at_a_tiny_time_limit() -> None:
    rng = np.random.default_rng(5)
    W, C = 4, 40
    minutes = rng.uniform(5, 100, size=(W, C))
    shares = np.full(W, 0.25)
    res = S.Resources(rng.uniform(1e5, 5e5, C), rng.uniform(5, 40, C), np.full(C, 8.0), np.ones(C), np.full(C, 8.0))
    limits = S.Limits(budget_usd=6e5)
    fits = res.capex_usd <= 6e5
    weighted = (minutes * shares[:, None]).sum(axis=0)
    inc = int(np.flatnonzero(fits)[np.argmin(weighted[fits])])
    r = solve_mix_time(minutes, shares, res, limits, time_limit_s=0.01, incumbent=inc)
    assert r.objective is not None and r.objective <= weighted[inc] * (1 + 1e-9)
    assert float(np.dot(r.counts, res.capex_usd)) <= 6e5 * (1 + 1e-9)
