"""Print the average-draw model against every measured MLPerf Training power result (goal: within 20 %).

    python benchmarks/bench_power_calibration.py [--markdown]

Columns: measured average node power (``avg_node_power_kw``), provisioned (nameplate) node power, the model's
average draw (its accelerator's calibrated ratio) and its error, and the held-out figure (the ratio of the
*other* measured accelerators, i.e. what an unmeasured platform gets) and its error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import catalog
from recommender.planning import power, sources


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table (for the README)")
    args = ap.parse_args()
    cat = catalog.load()
    table = power.calibration_table(sources.measured_power(cat), cat.accelerators, sources.defaults_frame(cat))
    shown = table.round({"avg_node_power_kw": 2, "provisioned_node_kw": 2, "model_node_kw": 2, "error": 3,
                         "held_out_node_kw": 2, "held_out_error": 3})  # fmt: skip
    if args.markdown:
        print("| " + " | ".join(shown.columns) + " |\n|" + "---|" * len(shown.columns))
        for row in shown.itertuples(index=False):
            print("| " + " | ".join(str(v) for v in row) + " |")
    else:
        print(shown.to_string(index=False))
    worst, worst_held = table["error"].abs().max(), table["held_out_error"].abs().max()
    print(f"\nworst error {worst:.1%} (goal <= 20 %), held out by accelerator {worst_held:.1%}; "
          f"{len(table)} results")
    return 0 if worst <= 0.20 else 1


if __name__ == "__main__":
    raise SystemExit(main())
