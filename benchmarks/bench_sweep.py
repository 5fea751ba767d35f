"""Benchmark of `recommender sweep`: ~100,000 scenarios (budgets x power x 3 mixes x 2 price lists).

    python benchmarks/bench_sweep.py [--jobs 2] [--budgets 200] [--powers 84] [--mixes 3] [--no-dask]
    python benchmarks/bench_sweep.py --mixes 24 --budgets 20 --powers 10     # many groups: the first rows

Prints scenarios/s, the time to the first rows written (after the first chunk) and peak memory (this process,
and the largest worker process) for local processes, then the same sweep on a dask.distributed LocalCluster of
the same number of workers. Targets (issue 14): >= 100,000 scenarios in <= 120 s on 2 cores, peak memory <= 1 GB.
With many groups (``--mixes``: workload mixes x 2 price lists, each group's candidate table ~0.5 s to build) the
first rows come after the first group's table, not after every group's.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QUOTES = REPO / "examples" / "prices" / "vendor-quotes.yaml"


#: The headline sweep's three workload mixes; ``--mixes`` above 3 adds pairs of these benchmarks.
MIXES = {"language": "[{benchmark: bert, share: 2}, {benchmark: gpt3}]",
         "vision": "[{benchmark: resnet}, {benchmark: unet3d}]",
         "mixed": "[{benchmark: bert}, {benchmark: resnet}, {benchmark: unet3d}]"}
PAIRED = ("bert", "resnet", "unet3d", "gpt3", "retinanet", "stable_diffusion", "llama2_70b_lora", "rgat",
          "dlrm_dcnv2", "ssd")


def mixes(n: int) -> dict[str, str]:
    from itertools import combinations

    out = dict(list(MIXES.items())[:n])
    for a, b in combinations(PAIRED, 2):
        if len(out) >= n:
            break
        out[f"{a}+{b}"] = f"[{{benchmark: {a}}}, {{benchmark: {b}}}]"
    return out


def sweep_file(tmp: Path, budgets: int, powers: int, n_mixes: int = 3) -> Path:
    power_values = ", ".join(f"{10 * 1.08 ** k:.6g}" for k in range(powers))
    variants = "".join(f"    {label}: {value}\n" for label, value in mixes(n_mixes).items())
    text = f"""version: 1
name: bench
base: {{objective: min_time, workloads: [{{benchmark: bert}}]}}
axes:
  workloads:
{variants}  prices:
    reference: {{}}
    quotes: {QUOTES}
  power_limit_kw: [{power_values}]
  budget_usd: {{from: 100000, to: 50000000, steps: {budgets}, scale: log}}
"""
    path = tmp / "bench.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _mb(kb: int) -> float:
    return kb / 1024


def run(label: str, plan, out: Path, **kw) -> None:
    from recommender.sweep import open_output, run_sweep

    first: list[float] = []

    def on_progress(done: int, total: int) -> None:
        if done and not first:
            first.append(time.perf_counter() - t)

    t = time.perf_counter()
    stats = run_sweep(plan, open_output(out, plan, resume=False), on_progress=on_progress, **kw)
    dt = time.perf_counter() - t
    me = _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    kids = _mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(f"{label}: {stats.done:,} scenarios in {dt:.1f} s = {stats.done / dt:,.0f} scenarios/s; first rows "
          f"written after {first[0] if first else float('nan'):.1f} s; "
          f"peak RSS: this process {me:,.0f} MB, largest worker {kids:,.0f} MB; statuses {stats.statuses}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--budgets", type=int, default=200)
    ap.add_argument("--powers", type=int, default=84)
    ap.add_argument("--mixes", type=int, default=3, help="workload mixes (groups = mixes x 2 price lists)")
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    import catalog
    from recommender.sweep import load_sweep

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        cat = catalog.load()
        plan = load_sweep(sweep_file(Path(tmp), args.budgets, args.powers, args.mixes), catalog=cat)
        print(f"{plan.total:,} scenarios in {plan.layout.groups} groups; loaded in {time.perf_counter() - t:.1f} s")
        run(f"local, {args.jobs} processes", plan, Path(tmp) / "local.parquet", catalog=cat, jobs=args.jobs)
        if not args.no_dask:
            run(f"dask LocalCluster, {args.jobs} workers", plan, Path(tmp) / "dask.parquet", catalog=cat,
                dask=f"local:{args.jobs}")


if __name__ == "__main__":
    main()
