"""Time the performance model (goals on 2 cores: fit <= 15 s; a 10,000-row predict <= 0.2 s warm).

    python benchmarks/bench_model.py [--rows 10000] [--repeat 5]

Prints a table: the full calibrated fit (the point model plus its 8 held-out refits for the intervals: 4 forward, 4 grouped by
accelerator; and the custom-workload shape model with its 4 forward refits), one
point-model fit, loading the cached model in a fresh process, and a warm ``recommender.predict`` on a
random frame of MLPerf benchmarks x accelerators x counts (with and without explicit nodes and rounds, and
with a custom workload). Uses a temporary cache directory; never touches the user's cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    os.environ["MLPERF_RECOMMENDER_CACHE"] = tempfile.mkdtemp(prefix="bench-model-")

    import numpy as np
    import pandas as pd

    import catalog
    from recommender import performance as estimate
    from recommender.models import CustomWorkload, Measurement
    from recommender.performance.estimators import PerformanceModel

    cat = catalog.load()
    train = estimate.training_frame(cat)
    results: list[tuple[str, float, str]] = []

    t = time.perf_counter()
    PerformanceModel(cat.accelerators).fit(train, train["minutes"].astype(float))
    results.append(("point-model fit (1 fit)", time.perf_counter() - t, "-"))

    t = time.perf_counter()
    estimate.default_model(cat)
    results.append(("calibrated fit + cache write", time.perf_counter() - t, "<= 15 s"))

    code = "import time,catalog;t=time.perf_counter();from recommender import performance as e;e.default_model(catalog.load());print(time.perf_counter()-t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ)
    results.append(("load cached model, fresh process (incl. imports)", float(out.stdout.strip()), "-"))

    rng = np.random.default_rng(0)
    accs = list(cat.accelerators["accelerator_id"])
    benches = list(estimate.default_model(cat).model_.benchmarks_)
    n = args.rows
    frame = pd.DataFrame({"accelerator_id": rng.choice(accs, n), "accelerators": rng.integers(1, 2049, n).astype(float),
                          "benchmark": rng.choice(benches, n)})
    # explicit layouts a buyer could ask for: whole nodes of equal size, at most the servers' size
    per_node = estimate.per_node_counts(cat)
    size = np.minimum(frame["accelerator_id"].map(per_node).fillna(8).to_numpy(), rng.choice([1, 2, 4, 8], n))
    nodes = rng.integers(1, 257, n)
    full = frame.assign(accelerators=(nodes * size).astype(float), nodes=nodes.astype(float),
                        round=rng.choice(["v4.1", "v5.0", "v5.1"], n))
    w = CustomWorkload(name="mine", like="llama2_70b_lora",
                       measurements=[Measurement(accelerator_id="nvidia-h100-sxm5-80gb", accelerators=8, minutes=40.0)])
    custom = frame.assign(benchmark=np.where(rng.random(n) < 0.5, "mine", frame["benchmark"]))

    for label, f, kw in ((f"predict {n:,} rows (benchmarks)", frame, {}),
                         (f"predict {n:,} rows (+nodes, round)", full, {}),
                         (f"predict {n:,} rows (half custom workload)", custom, {"workloads": [w]})):
        estimate.predict(f, catalog=cat, **kw)  # warm
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            estimate.predict(f, catalog=cat, **kw)
            times.append(time.perf_counter() - t)
        results.append((label + f", median of {args.repeat}", statistics.median(times), "<= 0.2 s"))

    width = max(len(r[0]) for r in results)
    print(f"{'step'.ljust(width)}  {'seconds':>8}  goal")
    for name, sec, goal in results:
        print(f"{name.ljust(width)}  {sec:8.3f}  {goal}")
    print(f"(cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
