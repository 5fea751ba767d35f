"""Bill, power, financed TCO and rent-or-buy for the seed scenario and an 8 x H100 purchase (issue 12).

    python examples/rent_or_buy.py

Optimises each scenario, then calls ``recommender.planning.report.plan_report`` on the choice. The cheapest
cloud alternative is searched over every accelerator of the catalog (their candidates at the same budget).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import catalog
from recommender import candidates, optimize
from recommender.models import Scenario
from recommender.planning.report import most_efficient, plan_report
from recommender.scenario import load_scenario

H100 = {"name": "8 x H100", "budget_usd": 260_000, "objective": "min_time",
        "workloads": [{"benchmark": "llama2_70b_lora"}], "accelerators": ["nvidia-h100-sxm5-80gb"]}  # fmt: skip


def show(cat: catalog.Catalog, scenario: Scenario) -> None:
    rec = optimize(scenario, catalog=cat, explain=False)
    c = rec.choice
    every = scenario.model_copy(update={"accelerators": None})
    efficient = most_efficient(candidates(every, catalog=cat))
    r = plan_report(cat, scenario, c.accelerator_id, c.accelerators, c.nodes, c.weighted_minutes,
                    efficient=efficient)  # fmt: skip
    print(f"## {scenario.name}: {c.accelerators} x {c.accelerator_id} in {c.nodes} node(s), "
          f"{c.weighted_minutes:.1f} share-weighted minutes\n")
    print(r.to_markdown() + "\n")


def main() -> int:
    cat = catalog.load()
    show(cat, load_scenario(ROOT / "examples" / "seed.yaml"))
    show(cat, Scenario.model_validate(H100))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
