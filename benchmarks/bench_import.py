"""Time the import of all MLPerf Training rounds in ../shared, power logs included (goal: < 30 s on 2 cores).

    python benchmarks/bench_import.py [--shared ../shared] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from catalog.mlperf import import_rounds, write_results_csv
from catalog.registry import is_round_name, round_key


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    training = args.shared / "mlperf" / "training"
    if not training.is_dir():
        print(f"{training}: not found", file=sys.stderr)
        return 2
    rounds = sorted((d for d in training.iterdir() if d.is_dir() and is_round_name(d.name)),
                    key=lambda d: round_key(d.name))
    times, cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        rows, report = import_rounds(rounds)
        with tempfile.TemporaryDirectory() as tmp:
            write_results_csv(rows, Path(tmp) / "results.csv")
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(f"{'what':<40} {'value':>12}")
    print(f"{'rounds imported':<40} {len(rounds):>12}")
    for rnd in report.rounds:
        mine = [r for r in rows if r["round"] == rnd]
        scored = sum(1 for r in mine if r["minutes"] is not None)
        print(f"{'  ' + rnd + ' results (scored)':<40} {f'{len(mine)} ({scored})':>12}")
    print(f"{'results (scored)':<40} {f'{report.rows} ({report.rows_scored})':>12}")
    energy = sum(1 for r in rows if r.get("energy_kwh") is not None)
    print(f"{'results with energy (MLPerf Power)':<40} {energy:>12}")
    print(f"{'import + write, median of ' + str(args.repeat) + ' (s)':<40} {statistics.median(times):>12.2f}")
    print(f"{'  of which CPU time (s)':<40} {statistics.median(cpu):>12.2f}")
    print(f"{'goal (s)':<40} {30:>12}")
    return 0 if statistics.median(times) < 30 else 1


if __name__ == "__main__":
    raise SystemExit(main())
