"""The TDP-based IT power estimate (recommender.planning.costs) against every measured MLPerf Power result.

    python benchmarks/power_check.py [--markdown]

One row per power-measuring system: the measured average power per node during training (``avg_node_power_kw``
of the catalog: energy to train ÷ time to train ÷ nodes, MLCommons' energy rule, averaged over the system's
benchmarks; AC at the wall or DC after the power supplies, as the submission measured it) next to the estimate
``it_power_kw`` of one node (``node_spec``: power factor × accelerators per node × TDP + host power), and the
ratio measured ÷ estimate. A ratio below 1 means the estimate (a full-draw upper bound) is above what the node
drew while training. The costs issue calibrates the power model from this table.
"""

from __future__ import annotations

import argparse
import sys

import catalog
from recommender.planning.costs import CostModel, it_power_kw, node_spec


def _cost_model(cat: catalog.Catalog) -> CostModel:
    """The defaults alone: no scenario overrides (PUE, price and years do not enter IT power)."""
    return CostModel(defaults=cat.defaults, energy_usd_per_kwh=0.0, years=1.0, pue_air=1.0, pue_liquid=1.0,
                     cooling=None, host_cost_override=None)


def power_table(cat: catalog.Catalog | None = None) -> list[dict[str, object]]:
    """Rows of the check: system, accelerator, measured and estimated kW per node, ratio."""
    cat = cat or catalog.load()
    r = cat.results
    measured = r[r["avg_node_power_kw"].notna()]
    acc = cat.accelerators.set_index("accelerator_id")
    model = _cost_model(cat)
    rows: list[dict[str, object]] = []
    for (rnd, sub, sys_id), g in measured.groupby(["round", "submitter", "system_id"], sort=True):
        acc_id = str(g["accelerator_id"].iloc[0])
        per_node = int(g["accelerators_per_node"].iloc[0])
        spec, _reason, _ = node_spec(acc_id, str(acc.loc[acc_id, "form_factor"]), model)
        tdp = float(acc.loc[acc_id, "tdp_watts"])
        estimate = (float(it_power_kw(per_node, 1, tdp, spec.power_factor, spec.host_power_kw))
                    if spec is not None else float("nan"))
        kw = g["avg_node_power_kw"].astype(float)
        rows.append({
            "round": rnd, "submitter": sub, "system_id": sys_id, "accelerator": cat.accelerator_name(acc_id),
            "per_node": per_node, "nodes": int(g["nodes"].iloc[0]), "type": str(g["power_measurement_type"].iloc[0]),
            "benchmarks": len(g), "measured_kw": kw.mean(), "min_kw": kw.min(), "max_kw": kw.max(),
            "estimate_kw": estimate, "ratio": kw.mean() / estimate if estimate else float("nan"),
        })
    return rows


def _lines(rows: list[dict[str, object]], markdown: bool) -> list[str]:
    head = ["round", "submitter", "system", "accelerator", "nodes", "AC/DC", "benchmarks",
            "measured kW/node (min–max)", "TDP estimate kW/node", "measured ÷ estimate"]
    body = [[str(x["round"]), str(x["submitter"]), str(x["system_id"]), f"{x['per_node']} × {x['accelerator']}",
             str(x["nodes"]), str(x["type"]), str(x["benchmarks"]),
             f"{x['measured_kw']:.2f} ({x['min_kw']:.2f}–{x['max_kw']:.2f})", f"{x['estimate_kw']:.2f}",
             f"{x['ratio']:.2f}"] for x in rows]
    if markdown:
        return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + ["| " + " | ".join(b) + " |"
                                                                           for b in body]
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(head)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*head)] + [fmt.format(*b) for b in body]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table (as in the README)")
    args = ap.parse_args(argv)
    rows = power_table()
    if not rows:
        print("no MLPerf Power results in the catalog", file=sys.stderr)
        return 1
    print("\n".join(_lines(rows, args.markdown)))
    ratios = [float(x["ratio"]) for x in rows]  # type: ignore[arg-type]
    print(f"\n{len(rows)} systems; measured ÷ estimate: min {min(ratios):.2f}, "
          f"median {sorted(ratios)[len(ratios) // 2]:.2f}, max {max(ratios):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
