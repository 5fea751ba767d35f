"""Time recommender.optimize() (issue 12's goals, on 2 cores: warm single-choice ``optimize()`` on the seed scenario
<= 10 ms median, by path and as a Scenario; the mix MILP for 165 configurations x 10 workloads <= 0.2 s median).

    python benchmarks/bench_optimize.py [--repeat 30] [--fake]

"Warm" = the catalog, the performance model and the candidate predictions are already loaded in the process
(the situation of the TUI re-solving on every keystroke); the first, cold call is shown too. Rows:

* seed (file): examples/seed.yaml by path (includes reading and validating the YAML each call);
* seed (Scenario): the same scenario as an already-validated object;
* broad: every priced accelerator, budget + power limit, 3 workloads; with and without explanations
  (alternatives, binding re-solves, +10 % sensitivity);
* new budget each call: the budget changes on every call (TUI slider), so new candidate rows are predicted;
* mix: 10 workloads, every priced accelerator, ``mix: true`` (Gavel MILP; HiGHS in-process when installed,
  else CBC), full explanation;
* mix MILP only: solve.solve_mix (warm-started from the best fleet of one configuration) on the non-dominated
  configurations x 10 workloads, without the optimizer's extra pruning by copies; on a fixed random subset of 60
  of them; and on 165 configurations (a fixed random subset of those the optimizer hands to the MILP), each by
  CBC and by HiGHS. ``benchmarks/bench_mix.py`` has the fake-model 165 x 10 case and the never-worse check.

``--fake`` uses the tests' deterministic stand-in for the performance model (default: the real one).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "examples" / "seed.yaml"
TEN = ["bert", "resnet", "unet3d", "maskrcnn", "llama2_70b_lora", "stable_diffusion", "retinanet", "dlrm_dcnv2",
       "rgat", "gpt3"]  # fmt: skip


def timeit(fn: Callable[[int], Any], repeat: int) -> tuple[float, float, float, Any]:
    """(cold seconds, median warm seconds, max warm seconds, last result)."""
    t = time.perf_counter()
    out = fn(0)
    cold = time.perf_counter() - t
    times = []
    for i in range(1, repeat + 1):
        t = time.perf_counter()
        out = fn(i)
        times.append(time.perf_counter() - t)
    return cold, statistics.median(times), max(times), out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--fake", action="store_true", help="use the tests' fake performance model")
    args = ap.parse_args()

    from recommender import api
    from recommender.planning import feasibility
    from recommender.planning import solve as S
    from recommender.scenario import load_scenario

    predictor = None
    label = "real (recommender.performance.answers.predict)"
    if args.fake:
        sys.path.insert(0, str(REPO / "tests"))
        from optimize_fakes import fake_predict

        predictor, label = fake_predict, "fake (tests/optimize_fakes.py)"

    def opt(s: Any, **kw: Any) -> Any:
        return api.optimize(s, predictor=predictor, **kw)

    seed = load_scenario(SEED)
    broad = {"name": "broad", "budget_usd": 2e6, "power_limit_kw": 60,
             "workloads": [{"benchmark": b} for b in ("bert", "resnet", "unet3d")]}  # fmt: skip
    mix = {"name": "mix10", "budget_usd": 3e6, "power_limit_kw": 150, "mix": True, "objective": "max_throughput",
           "workloads": [{"benchmark": b} for b in TEN]}  # fmt: skip
    budgets = np.linspace(1.0e6, 3.0e6, args.repeat + 1)

    rows: list[tuple[str, str, float, float, float, str]] = []

    def row(name: str, size: str, fn: Callable[[int], Any], goal: str = "", repeat: int | None = None) -> Any:
        cold, med, worst, out = timeit(fn, repeat or args.repeat)
        rows.append((name, size, cold, med, worst, goal))
        return out

    r = row("seed (file)", "", lambda i: opt(SEED), "<= 10 ms")
    rows[-1] = (rows[-1][0], f"{r.candidates_considered} cand.", *rows[-1][2:])
    row("seed (Scenario)", f"{r.candidates_considered} cand.", lambda i: opt(seed), "<= 10 ms")
    row("seed, new budget each call", rows[-1][1], lambda i: opt(seed, budget_usd=float(budgets[i]) / 10))
    r = row("broad", "", lambda i: opt(broad))
    rows[-1] = (rows[-1][0], f"{r.candidates_considered} cand.", *rows[-1][2:])
    row("broad, explain=False", rows[-1][1], lambda i: opt(broad, explain=False))
    row("broad, new budget each call", rows[-1][1], lambda i: opt(broad, budget_usd=float(budgets[i])))
    r = row("mix (full explanation)", "", lambda i: opt(mix), repeat=max(3, args.repeat // 5))
    rows[-1] = (rows[-1][0], f"{r.candidates_after_pruning} cfg x 10 wl ({r.candidates_considered} cand.)",
                *rows[-1][2:])  # fmt: skip
    row("mix, explain=False", rows[-1][1], lambda i: opt(mix, explain=False), repeat=max(3, args.repeat // 5))

    # the MILP alone (pruned by plain dominance only), warm-started from the best fleet of one configuration
    from recommender.planning.feasibility import risk_arrays
    from recommender.planning.mix import solve_mix as api_solve_mix

    p = api._prepare(mix, None, predictor, {})
    t = p.table
    mixes = risk_arrays(p)[1]
    ok = feasibility.base_mask(p) & S.within_limits(t.res, p.limits)
    idx = np.flatnonzero(ok)
    keep = idx[~feasibility.dominated_mask(p, idx, per_workload=True)]
    # 165 configurations: a fixed random subset of those the optimizer hands to the MILP
    handed = api_solve_mix(p, p.limits, time_limit_s=60)[1]
    c165 = np.sort(np.random.default_rng(0).choice(handed, size=min(165, handed.size), replace=False))
    sub = np.sort(np.random.default_rng(0).choice(keep, size=min(60, keep.size), replace=False))
    solvers = ["cbc"] + (["highs"] if S.highs_available() else [])
    res_mix = None
    for cfg, what, goal in ((keep, "non-dominated", ""), (sub, "60-cfg subset", ""), (c165, "165 cfg", "<= 200 ms")):
        minutes, res = t.minutes[cfg].T.copy(), t.res.take(cfg)
        inc = S.best_incumbent(mixes[cfg], t.tco[cfg], res, p.limits)
        for name in solvers:
            res_mix = row(f"mix MILP, {what} ({name})", f"{cfg.size} cfg x {minutes.shape[0]} wl",
                          lambda i, m=minutes, r=res, n=name, c=inc: S.solve_mix(m, p.shares, r, p.limits, incumbent=c,
                                                                                 solver=n, time_limit_s=60),
                          goal, repeat=max(3, args.repeat // 5))  # fmt: skip

    print(f"performance model: {label}")
    print(f"{'case':<36} {'size':<32} {'cold ms':>9} {'median ms':>10} {'max ms':>9}  goal")
    for name, size, cold, med, worst, goal in rows:
        print(f"{name:<36} {size:<32} {cold * 1000:9.1f} {med * 1000:10.1f} {worst * 1000:9.1f}  {goal}")
    if res_mix is not None:
        print(f"last mix MILP: status {res_mix.status.value}, {res_mix.throughput:.2f} mixes/day")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
