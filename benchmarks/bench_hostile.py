"""Hostile input is rejected fast and small (goal: each case in < 1 s and < 200 MB of memory).

    python benchmarks/bench_hostile.py

Each case runs in a fresh process that loads one scenario file (``recommender.scenario.load_scenarios``, the
path `recommender optimize` and `batch` take) and reports its wall time and peak resident memory, measured
after the imports so only the rejection counts: the 677-byte nested-alias bomb, ``/dev/zero`` as the
scenario and as its price list, a FIFO, 400 levels of nesting and a 5,000-digit integer.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

TIME_GOAL_S = 1.0
MEMORY_GOAL_MB = 200

CHILD = r"""
import resource, sys, time
from recommender.scenario import load_scenarios
from recommender.errors import ScenarioError
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
try:
    entries = load_scenarios(sys.argv[1], check=False)
    errors = [e for entry in entries for e in getattr(entry, "errors", ())]
    outcome = str(errors[0]) if errors else "accepted"
except ScenarioError as exc:
    outcome = str(exc)
seconds = time.perf_counter() - t
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{seconds:.3f}\t{peak_mb:.0f}\t{outcome[:90]}")
"""

SCENARIO = "workloads: [{benchmark: bert}]\nbudget_usd: 100000\n"


def cases(d: Path) -> dict[str, str]:
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    (d / "bomb.yaml").write_text("\n".join(bomb) + "\n" + SCENARIO)
    (d / "zero-prices.yaml").write_text(SCENARIO + "prices: /dev/zero\n")
    (d / "deep.yaml").write_text("workloads: " + "[" * 400 + "]" * 400 + "\n")
    (d / "bigint.yaml").write_text(SCENARIO + "max_nodes: " + "9" * 5000 + "\n")
    os.mkfifo(d / "fifo.yaml")
    return {"alias bomb (677 bytes)": str(d / "bomb.yaml"), "/dev/zero": "/dev/zero",
            "prices: /dev/zero": str(d / "zero-prices.yaml"), "FIFO": str(d / "fifo.yaml"),
            "400 levels of nesting": str(d / "deep.yaml"), "5,000-digit integer": str(d / "bigint.yaml")}


def main() -> int:
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in cases(Path(tmp)).items():
            out = subprocess.run([sys.executable, "-c", CHILD, path], capture_output=True, text=True, timeout=120,
                                 check=False)
            seconds, peak, outcome = out.stdout.strip().split("\t", 2)
            ok = float(seconds) < TIME_GOAL_S and float(peak) < MEMORY_GOAL_MB and outcome != "accepted"
            failed += not ok
            print(f"{'ok ' if ok else 'BAD'} {name:24} {float(seconds):6.3f} s {float(peak):5.0f} MB peak  {outcome}")
    print(f"goal: each < {TIME_GOAL_S} s and < {MEMORY_GOAL_MB} MB peak; {failed} missed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
