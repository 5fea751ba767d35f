"""Issue 12 in mix mode: a fleet resting on carried / specs-only figures names the best fleet of configurations
whose figures are all measured (the same MILP over those only) and what choosing it costs or loses."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from test_risk import A30, A100, SEED, predictor

from recommender import format as fmt
from recommender import optimize
from recommender.planning.mix_measured import NONE_FITS, NONE_MEASURED

MIX = {**SEED, "mix": True, "objective": "max_throughput", "risk": "expected"}
NOTE = "The best fleet among measured configurations is "


def test_a_fleet_on_specs_only_figures_names_the_best_measured_fleet_and_what_it_loses() -> None:
    rec = optimize(MIX, predictor=predictor(0.5))  # A30 (specs_only) twice as fast: the mix buys A30s only
    assert rec.status == "optimal" and {c.accelerator_id for c in rec.configurations} == {A30}
    # by brute force through the library: the only all-measured accelerator, alone, in the same mix MILP
    measured = optimize({**MIX, "accelerators": [A100]}, predictor=predictor(0.5), explain=False)
    assert {c.accelerator_id for c in measured.configurations} == {A100}
    gap = rec.objective_value - measured.objective_value
    assert gap > 0
    capex_gap = measured.total_capex_usd - rec.total_capex_usd
    line = next(s for s in rec.explanation if s.startswith(NOTE))
    assert "8 x A100 PCIe 80GB in 1 PCIe server" in line
    assert f"{fmt.amount(measured.objective_value)} mixes/day" in line
    assert f"loses {fmt.amount(gap)} mixes/day" in line
    # the gap in words against the chosen fleet's figure, not a bare "(8.1 %)"
    fewer = 1 - measured.objective_value / rec.objective_value
    assert f"({fmt.signed_percent(-fewer).lstrip('-')} fewer mixes per day than the chosen fleet's " \
           f"{fmt.amount(rec.objective_value)});" in line, line
    assert f"capex {fmt.money(abs(capex_gap))} {'more' if capex_gap > 0 else 'less'}" in line
    # the note follows the warning, and every output carries it
    at = rec.explanation.index(line)
    assert rec.explanation[at - 1].startswith("The choice rests on specs-only figures")
    assert line in rec.to_markdown()
    assert line in json.loads(json.dumps(rec.to_dict()))["explanation"]
    # only with explanations
    assert not any(s.startswith(NOTE) for s in optimize(MIX, predictor=predictor(0.5), explain=False).explanation)


def test_a_fleet_on_measured_figures_gets_no_note() -> None:
    rec = optimize(MIX, predictor=predictor(0.9))  # the A100 (measured) wins
    assert {c.accelerator_id for c in rec.configurations} == {A100}
    assert not any(s.startswith(NOTE) or s == NONE_FITS for s in rec.explanation)


def test_no_measured_fleet_fits_the_limits() -> None:
    # the cheapest A100 (measured) server costs $31,000, the cheapest A30 (specs_only) one $25,000
    rec = optimize({**MIX, "budget_usd": 28_000}, predictor=predictor(0.5))
    assert rec.status == "optimal" and {c.accelerator_id for c in rec.configurations} == {A30}
    at = rec.explanation.index(NONE_FITS)
    assert rec.explanation[at - 1].startswith("The choice rests on specs-only figures")
    assert not any(s.startswith(NOTE) for s in rec.explanation)


def test_no_configuration_has_measured_figures() -> None:
    base = predictor(0.5)

    def carried(frame: pd.DataFrame, **kw) -> pd.DataFrame:  # A100 figures from an earlier round: none measured
        out = base(frame, **kw)
        out.loc[out["basis"] == "measured", "basis"] = "carried"
        return out

    rec = optimize(MIX, predictor=carried)
    assert rec.status == "optimal"
    assert NONE_MEASURED in rec.explanation and NONE_FITS not in rec.explanation
    assert not any(s.startswith(NOTE) for s in rec.explanation)


@pytest.mark.parametrize(("objective", "extra"), [("min_time", {}), ("min_tco", {"required_mixes_per_day": 40})])
def test_min_time_and_min_tco_mixes_name_the_measured_fleet(objective: str, extra: dict) -> None:
    scenario = {**MIX, "objective": objective, **extra}
    rec = optimize(scenario, predictor=predictor(0.5))
    assert {c.accelerator_id for c in rec.configurations} == {A30}
    measured = optimize({**scenario, "accelerators": [A100]}, predictor=predictor(0.5), explain=False)
    line = next(s for s in rec.explanation if s.startswith(NOTE))
    gap = measured.objective_value - rec.objective_value
    if objective == "min_tco":
        assert f"costs {fmt.money(gap)} of TCO" in line
    else:
        assert f"loses {fmt.amount(gap)} share-weighted minutes" in line
