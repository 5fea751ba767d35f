"""Issue 15, deterministic answers in mix mode: huge limits mean "no limit", and what-if re-solves either finish
or are reported as unknown, limited by branch-and-bound nodes instead of time (so machine load cannot change
the answer)."""

from __future__ import annotations

import numpy as np
import pytest

from recommender import optimize
from recommender.models import Scenario, Status
from recommender.planning import mix
from recommender.planning import solve as S
from recommender.planning.whatif import EXPLAIN_MAX_NODES

WORKLOADS = [{"benchmark": "bert"}, {"benchmark": "resnet"}]


def _res(capex: list[float], power: list[float]) -> S.Resources:
    n = len(capex)
    return S.Resources(np.array(capex), np.array(power), np.ones(n), np.ones(n), np.full(n, 8.0))


def test_limits_no_configuration_can_reach_are_left_out_and_copies_are_capped() -> None:
    res = _res([1e4, 1e5], [1.0, 10.0])
    needed, ub = mix.bounded_limits(res, S.Limits(budget_usd=2e15), 64)
    assert needed == S.Limits()
    assert np.asarray(ub).tolist() == [mix.MIX_COPIES_CAP] * 2
    needed, ub = mix.bounded_limits(res, S.Limits(budget_usd=2e15, power_kw=1e12), 64)
    assert needed == S.Limits()
    # a limit that can bind keeps every limit in the MILP (its count bounds come from them)
    limits = S.Limits(budget_usd=2e15, power_kw=50.0)
    assert mix.bounded_limits(res, limits, 64) == (limits, 64)


@pytest.mark.parametrize("budget", [2e15, 1e18])
def test_a_huge_budget_in_mix_mode_is_optimal(budget: float) -> None:
    rec = optimize(Scenario.parse({"budget_usd": budget, "mix": True, "workloads": WORKLOADS}), explain=False)
    assert rec.status == Status.OPTIMAL
    assert rec.configurations
    assert all(c.count <= mix.MIX_COPIES_CAP for c in rec.configurations)
    assert "budget" not in rec.binding


def test_a_larger_budget_is_never_worse_in_mix_mode() -> None:
    values = [optimize(Scenario.parse({"budget_usd": b, "mix": True, "workloads": WORKLOADS}),
                       explain=False).objective_value for b in (1e12, 1e15, 2e15)]  # fmt: skip
    assert values[0] >= values[1] * (1 - 1e-9)
    assert values[1] == pytest.approx(values[2])


def test_what_if_resolves_are_node_limited_and_an_unfinished_one_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    real = mix.solve_mix
    calls: list[int | None] = []

    def stopped(p, limits, *, time_limit_s, max_nodes=None, **kw):  # type: ignore[no-untyped-def]
        calls.append(max_nodes)
        if max_nodes is not None:  # a what-if re-solve that reached its node limit without a solution
            return S.MixResult(Status.INFEASIBLE, None, None, None, None), np.array([], dtype=int)
        return real(p, limits, time_limit_s=time_limit_s)

    monkeypatch.setattr(mix, "solve_mix", stopped)
    scenario = Scenario.parse({"budget_usd": 500_000, "power_limit_kw": 40, "mix": True, "workloads": WORKLOADS})
    rec = optimize(scenario)
    assert rec.status == Status.OPTIMAL
    assert set(calls) == {None, EXPLAIN_MAX_NODES}
    # a single configuration better than the fleet without the budget proves the budget binds, whatever the
    # node-limited re-solves found; power stays unknown
    assert rec.binding == ["budget"]
    assert any(e.startswith("Unknown whether power binds:") for e in rec.explanation), rec.explanation
    assert all("unknown" in s.summary for s in rec.sensitivity), [s.summary for s in rec.sensitivity]


def test_the_same_mix_scenario_gives_the_same_explanation_twice() -> None:
    scenario = Scenario.parse({"budget_usd": 500_000, "power_limit_kw": 40, "mix": True, "workloads": WORKLOADS})
    first, second = optimize(scenario), optimize(scenario)
    assert first.model_dump_json() == second.model_dump_json()


@pytest.mark.parametrize("budget", [1e11, 2e15])
def test_a_min_time_mix_buys_only_configurations_that_train_something(budget: float) -> None:
    # with no limit binding, the MILP was free to leave configurations bought that train nothing (595 of 597 at
    # 1e11 once: $16 billion of idle servers)
    rec = optimize(Scenario.parse({"budget_usd": budget, "mix": True, "workloads": WORKLOADS}), explain=False)
    assert rec.status == Status.OPTIMAL
    assert rec.configurations
    idle = [c for c in rec.configurations if not any(v > 0 for v in c.serves.values())]
    assert idle == []
    assert len(rec.configurations) <= len(WORKLOADS)


def test_max_throughput_mix_without_a_reachable_limit_answers_and_says_the_copies_are_capped() -> None:
    # a budget past every limit row left the fleet heuristic with no rows: it crashed ("cannot reshape array of
    # size 0") and the CLI reported an internal error
    rec = optimize(Scenario.parse({"budget_usd": 1e17, "mix": True, "objective": "max_throughput",
                                   "workloads": WORKLOADS}), explain=False)  # fmt: skip
    assert rec.status == Status.OPTIMAL
    assert max(c.count for c in rec.configurations) == mix.MIX_COPIES_CAP
    assert rec.explanation[0].startswith("No limit bounds this fleet"), rec.explanation[0]


def test_a_choice_at_the_grid_cap_says_so_and_huge_amounts_read_as_such() -> None:
    # a new user's review: at a budget of 9e17 the app bought 4,096 cards, said only "No limit binds", and showed
    # "+10 % budget ($990,000,000,000,000,128)"
    from recommender import format as fmt
    from recommender.planning.grid import MAX_GENERATED_ACCELERATORS

    # (8-accelerator nodes reach the cap exactly; 72-GPU NVL72 racks stop at 4,032)
    rec = optimize(Scenario.parse({"budget_usd": 9e17, "workloads": WORKLOADS,
                                   "accelerators": ["nvidia-h100-sxm5-80gb", "nvidia-b200-sxm-180gb"]}))
    assert rec.status == Status.OPTIMAL and rec.choice.accelerators == MAX_GENERATED_ACCELERATORS
    assert any(e.startswith("It is the largest configuration of ") and "stop at 4,096 accelerators" in e
               for e in rec.explanation), rec.explanation  # fmt: skip
    assert fmt.money(9.9e17) == "$9.9e+17" and fmt.money(123_456.4) == "$123,456"
    assert all("000,128" not in s.summary for s in rec.sensitivity)
    small = optimize(Scenario.parse({"budget_usd": 300_000, "workloads": WORKLOADS}))
    assert not any(e.startswith("It is the largest configuration") for e in small.explanation)
