"""A deterministic stand-in for ``recommender.optimize``/``frontier`` used by the TUI tests.

It follows the library's contract (returns a real :class:`recommender.models.Recommendation`) but does
simple arithmetic instead of fitting a model, so the tests are fast and the snapshots stable.
"""

from __future__ import annotations

from typing import Any

from recommender.models import (
    Alternative,
    Configuration,
    Recommendation,
    Scenario,
    Sensitivity,
    WorkloadEstimate,
)

#: accelerator id -> (price USD, TDP kW, minutes of one "unit" of work on one accelerator)
FAKE_SPECS = {
    "nvidia-a30-pcie-24gb": (5000.0, 0.165, 900.0),
    "nvidia-a100-pcie-80gb": (15000.0, 0.300, 420.0),
    "nvidia-h100-sxm5-80gb": (25600.0, 0.700, 150.0),
}
HOST = 20000.0
BENCH_WEIGHT = {"bert": 1.0, "resnet": 1.4, "unet3d": 0.8, "ssd": 1.1, "retinanet": 1.2, "rnnt": 1.3}


def _config(aid: str, n: int, scenario: Scenario) -> Configuration:
    price, tdp, unit = scenario.prices.get(aid, FAKE_SPECS[aid][0]), FAKE_SPECS[aid][1], FAKE_SPECS[aid][2]
    nodes = (n + 7) // 8
    capex = n * price + nodes * HOST
    it_kw = 1.15 * (n * tdp + 1.4 * nodes)
    pue = 1.2 if scenario.cooling == "liquid" else 1.55
    energy = it_kw * pue * 24 * 365 * scenario.years * (scenario.energy_usd_per_kwh or 0.086)
    shares = scenario.shares
    ests = []
    for i, (name, share) in enumerate(shares.items()):
        minutes = unit * BENCH_WEIGHT.get(name, 1.0) / n**0.9
        measured = n == 8 and i == 0
        ests.append(WorkloadEstimate(
            workload=name, share=share, minutes=round(minutes, 3),
            minutes_low=round(minutes * (0.97 if measured else 0.85), 3),
            minutes_high=round(minutes * (1.03 if measured else 1.18), 3),
            basis="measured" if measured else "predicted",
            source="v5.0 · NVIDIA · fake-system" if measured else "model",
        ))
    weighted = sum(e.minutes * e.share for e in ests)
    return Configuration(
        accelerator_id=aid, accelerators=n, nodes=nodes, accelerators_per_node=min(n, 8),
        price_usd_per_accelerator=price, price_source="reference", capex_usd=capex, it_power_kw=round(it_kw, 3),
        facility_power_kw=round(it_kw * pue, 3), pue=pue, energy_usd=round(energy, 2),
        tco_usd=round(capex + energy, 2), weighted_minutes=round(weighted, 4),
        mixes_per_day=round(1440 / weighted, 4), workloads=ests,
        serves={e.workload: 1.0 for e in ests},
    )


def candidates(scenario: Scenario) -> list[Configuration]:
    allowed = scenario.accelerators or list(FAKE_SPECS)
    out = []
    for aid in allowed:
        if aid not in FAKE_SPECS:
            continue
        for n in (1, 2, 4, 8, 16, 24, 32):
            out.append(_config(aid, n, scenario))
    return out


def _feasible(c: Configuration, s: Scenario) -> bool:
    return (s.budget_usd is None or c.capex_usd <= s.budget_usd) and (
        s.power_limit_kw is None or c.it_power_kw <= s.power_limit_kw) and (
        s.max_accelerators is None or c.accelerators <= s.max_accelerators) and (
        s.max_nodes is None or c.nodes <= s.max_nodes)


def _key(c: Configuration, s: Scenario) -> float:
    if s.objective == "min_tco":
        return c.tco_usd
    return c.weighted_minutes


def _value(c: Configuration, s: Scenario) -> float:
    return {"min_time": c.weighted_minutes, "max_throughput": c.mixes_per_day, "min_tco": c.tco_usd}[s.objective]


def fake_optimize(scenario: Scenario, catalog: Any = None, *, _sensitivity: bool = True) -> Recommendation:
    cands = [c for c in candidates(scenario) if _feasible(c, scenario)]
    if scenario.objective == "min_tco":
        need = scenario.required_mixes_per_day or 1
        cands = [c for c in cands if c.mixes_per_day >= need]
    unit = {"min_time": "minutes", "max_throughput": "mixes_per_day", "min_tco": "usd"}[scenario.objective]
    if not cands:
        return Recommendation(scenario=scenario.name, objective=scenario.objective, status="infeasible",
                              objective_unit=unit, explanation=["No candidate fits the budget and power limits."])
    best = min(cands, key=lambda c: (_key(c, scenario), c.capex_usd))
    alts = []
    for aid in sorted({c.accelerator_id for c in cands} - {best.accelerator_id}):
        mine = min((c for c in cands if c.accelerator_id == aid), key=lambda c: _key(c, scenario))
        alts.append(Alternative(accelerator_id=aid, configuration=mine, objective_value=_value(mine, scenario),
                                reason=f"slower: {mine.weighted_minutes:.1f} vs {best.weighted_minutes:.1f} min"))
    binding = []
    if scenario.budget_usd is not None and best.capex_usd > 0.85 * scenario.budget_usd:
        binding.append("budget")
    if scenario.power_limit_kw is not None and best.it_power_kw > 0.85 * scenario.power_limit_kw:
        binding.append("power")
    sens = []
    if _sensitivity:
        for param in ("budget_usd", "power_limit_kw"):
            limit = getattr(scenario, param)
            if limit is None:
                continue
            relaxed = fake_optimize(scenario.model_copy(update={param: limit * 1.1}), _sensitivity=False)
            ch = relaxed.choice
            summary = (f"{ch.accelerators} × {ch.accelerator_id} ({relaxed.objective_value:.1f})" if ch
                       else "still infeasible")
            sens.append(Sensitivity(parameter=param, factor=1.1, value=limit * 1.1, status=relaxed.status,
                                    objective_value=relaxed.objective_value, choice=ch,
                                    summary=("same choice" if ch == best else summary)))
    return Recommendation(
        scenario=scenario.name, objective=scenario.objective, status="optimal",
        objective_value=_value(best, scenario), objective_unit=unit, configurations=[best], choice=best,
        alternatives=alts, binding=binding, sensitivity=sens,
        explanation=[f"{best.accelerators} × {best.accelerator_id} is the best of {len(cands)} feasible candidates."],
        workload_shares=scenario.shares, candidates_considered=len(cands),
    )


def _bases(c: Configuration) -> str:
    bases = {w.basis for w in c.workloads}
    return bases.pop() if len(bases) == 1 else "mixed"


def four_bases(rec: Recommendation) -> Recommendation:
    """``rec`` with its choice's and alternatives' workloads on the four bases (measured, carried from v4.0,
    predicted, specs only) in turn, as the real performance model answers them."""
    kinds = [("measured", "v5.0 · NVIDIA · fake-system"), ("carried", "carried from v4.0 · Dell · fake-r750"),
             ("predicted", "model: gathered onto 1 node by its node term from the 2-node result"),
             ("specs_only", "model (specs only)")]

    def redo(c: Configuration | None, start: int) -> Configuration | None:
        if c is None:
            return None
        ws = [w.model_copy(update={"basis": kinds[(start + i) % 4][0], "source": kinds[(start + i) % 4][1]})
              for i, w in enumerate(c.workloads)]
        return c.model_copy(update={"workloads": ws})

    choice = redo(rec.choice, 0)
    alts = [a.model_copy(update={"configuration": redo(a.configuration, 3)}) for a in rec.alternatives]
    return rec.model_copy(update={"choice": choice, "configurations": [choice] if choice else [],
                                  "alternatives": alts})


def fake_frontier(scenario: Scenario, catalog: Any = None):
    import pandas as pd

    rows = [
        {"accelerator_id": c.accelerator_id, "accelerators": c.accelerators, "nodes": c.nodes,
         "capex_usd": c.capex_usd, "it_power_kw": c.it_power_kw, "weighted_minutes": c.weighted_minutes,
         "basis": _bases(c)}
        for c in candidates(scenario) if _feasible(c, scenario)
    ]
    df = pd.DataFrame(rows).sort_values(["capex_usd", "weighted_minutes"])
    keep, best = [], float("inf")
    for r in df.to_dict("records"):
        if r["weighted_minutes"] < best:
            keep.append(r)
            best = r["weighted_minutes"]
    return pd.DataFrame(keep)


def fake_model_report(catalog: Any = None, *, cached_only: bool = False):
    """A Model view report, as if its summary were cached (a visit shows it; ``tui.backend.ModelReportFn``)."""
    import pandas as pd

    by = pd.DataFrame({
        "group": ["all", "bert", "resnet", "unet3d"], "results": [125, 40, 55, 30],
        "model_mdape_pct": [5.0, 4.2, 5.1, 7.9], "model_coverage_pct": [80.0, 81.0, 78.0, 83.0],
        "nearest_linear_mdape_pct": [8.0, 7.5, 8.3, 9.9], "flops_ratio_mdape_pct": [20.0, 18.0, 22.0, float("nan")],
    })
    return by, None, "fake report for tests"


async def settle(app: Any, pilot: Any, timeout: float = 10.0) -> None:
    """Wait until no debounce timer is pending, no worker runs and every posted message was handled."""
    import time

    await pilot.pause()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not app.is_busy:
            break
        await pilot.pause(0.02)
    await pilot.pause()


def fake_candidates(scenario: Scenario, catalog: Any = None):
    """Every fake candidate with the columns ``recommender.candidates`` gives (those the TUI reads)."""
    import pandas as pd

    rows = [
        {"accelerator_id": c.accelerator_id, "accelerators": c.accelerators, "nodes": c.nodes,
         "capex_usd": c.capex_usd, "it_power_kw": c.it_power_kw, "rack_units": 2.0 * c.nodes,
         "memory_gb": 80.0, "weighted_minutes": c.weighted_minutes, "mixes_per_day": c.mixes_per_day,
         "feasible": _feasible(c, scenario)}
        for c in candidates(scenario)
    ]
    return pd.DataFrame(rows)


def text_of(app: Any, selector: str) -> str:
    """Plain text of a Label/Static, whatever it holds (str, rich Text or a rich Table)."""
    from rich.console import Console

    content = app.query_one(selector).content
    if isinstance(content, str):
        return content
    console = Console(width=150, record=True, color_system=None)
    console.print(content)
    return console.export_text()


async def show_view(app: Any, pilot: Any, key: str) -> None:
    """Settle, leave any field, switch to view ``key`` ("f2"-"f5") and settle again."""
    await settle(app, pilot)
    await pilot.press("escape", key)
    await settle(app, pilot)


async def open_catalog_view(app: Any, pilot: Any) -> tuple[Any, Any]:
    """Settle, leave any field and switch to the catalog view; returns (CatalogView, its results DataTable)."""
    from textual.widgets import DataTable

    from tui.widgets.catalog_view import CatalogView

    await settle(app, pilot)
    await pilot.press("escape", "f4")
    await pilot.pause()
    return app.query_one(CatalogView), app.query_one("#catalog-table", DataTable)


async def scrolled_to_the_end(app: Any, pilot: Any) -> Any:
    """The recommendation panel, settled and scrolled to its end (a panel that scrolls at this size)."""
    from tui.widgets.recommendation import RecommendationPanel

    await settle(app, pilot)
    panel = app.query_one(RecommendationPanel)
    panel.scroll_end(animate=False)
    await pilot.pause()
    await pilot.pause()
    assert panel.scroll_y > 0
    return panel
