"""Liquid-cooled parts (a reviewer: under `cooling: air` the optimizer bought 544 x MI355X, a 1,400 W part AMD
sells for liquid-cooled servers only; its air-cooled variant is the MI350X).

The rule is ``costs.liquid_cooled_part``: a sentence of the catalog's notes that begins "Liquid-cooled". Such a
part is skipped under ``cooling: air``; with no cooling named it gets the liquid PUE and direct-liquid racks in
the optimizer's table, the bill, the plan report and the listed assumptions alike.
"""

from __future__ import annotations

import pytest
from optimize_fakes import fake_predict

import catalog
from recommender import api
from recommender.models import Scenario
from recommender.planning import bill as B
from recommender.planning.costs import liquid_cooled_part
from recommender.planning.report import plan_report

MI355X, MI350X = "amd-mi355x-288gb", "amd-mi350x-288gb"
WORKLOADS = [{"benchmark": "bert"}, {"benchmark": "resnet"}]


@pytest.fixture(scope="module")
def cat() -> catalog.Catalog:
    return catalog.load()


def _pue(cat: catalog.Catalog, applies_to: str) -> float:
    d = cat.defaults
    return float(d[(d["parameter"] == "pue") & (d["applies_to"] == applies_to)]["value"].iloc[0])


def _scenario(cat: catalog.Catalog, **kw) -> dict:
    """MI355X and MI350X, MI355X quoted at a tenth of MI350X's reference price, so that it wins where allowed."""
    price = float(cat.accelerators.set_index("accelerator_id").at[MI350X, "reference_price_usd"])
    return {"name": "liquid", "budget_usd": 40 * price, "workloads": WORKLOADS, "accelerators": [MI355X, MI350X],
            "prices": {MI355X: price / 10}, **kw}


def test_the_rule_reads_a_sentence_of_the_catalog_notes_that_begins_liquid_cooled(cat) -> None:
    notes = cat.accelerators.set_index("accelerator_id")["notes"]
    assert liquid_cooled_part(notes[MI355X]) and not liquid_cooled_part(notes[MI350X])
    assert liquid_cooled_part("Liquid-cooled, 1400 W.") and liquid_cooled_part("DOUBT: x. Liquid-cooled, 1400 W.; y")
    for text in ("air-cooled variant.", "a liquid-cooled variant exists", "Liquid-cooledness", "", None, float("nan")):
        assert not liquid_cooled_part(text), text


def test_air_cooling_skips_a_liquid_cooled_part_and_says_why(cat) -> None:
    r = api.optimize(_scenario(cat, cooling="air"), predictor=fake_predict)
    assert r.choice is not None and r.choice.accelerator_id == MI350X
    assert all(c.accelerator_id != MI355X for c in [*r.configurations, *r.alternatives])
    why = [s.reason for s in r.skipped if s.accelerator_id == MI355X]
    assert len(why) == 1 and why[0].startswith("a liquid-cooled part") and "the scenario's cooling is air" in why[0]
    assert not any(c.accelerator_id == MI355X for c in api.candidates(_scenario(cat, cooling="air"),
                                                                       predictor=fake_predict).itertuples())
    # (the control: the same scenario with liquid cooling buys the cheap MI355X)
    liquid = api.optimize(_scenario(cat, cooling="liquid"), predictor=fake_predict)
    assert liquid.choice is not None and liquid.choice.accelerator_id == MI355X


def _plan_agrees(cat: catalog.Catalog, s: dict, accelerator_id: str, pue_class: str, racks: tuple[str, ...]):
    """The optimizer's choice of ``s`` is ``accelerator_id`` at the ``pue_class`` PUE, and its plan report, bill
    and listed assumptions say the same (rack class among ``racks``); returns the recommendation."""
    r = api.optimize(s, predictor=fake_predict)
    c = r.choice
    assert c is not None and c.accelerator_id == accelerator_id
    assert c.pue == pytest.approx(_pue(cat, pue_class))
    assert c.facility_power_kw == pytest.approx(c.it_power_kw * c.pue)
    plan = plan_report(cat, Scenario(**s), accelerator_id, c.accelerators, c.nodes, c.weighted_minutes,
                       with_rent=False)  # fmt: skip
    assert plan.bill.rack_class in racks and plan.pue == pytest.approx(c.pue)
    assert plan.bill.racks == c.racks and plan.bill.capex_usd == pytest.approx(c.capex_usd)
    assert B.bill_for(cat, accelerator_id, c.accelerators, c.nodes).rack_class in racks
    assert {a.applies_to for a in r.assumptions if a.parameter == "pue"} == {pue_class}  # the PUE the figures use
    return r


def test_unnamed_cooling_gives_a_liquid_cooled_part_the_liquid_pue_and_racks_everywhere(cat) -> None:
    r = _plan_agrees(cat, _scenario(cat), MI355X, "liquid_cooled", (B.RACK_LIQUID,))
    assert not r.skipped
    note = [e for e in r.explanation if "needs a liquid-cooled facility" in e]
    assert len(note) == 1 and "is a liquid-cooled part" in note[0] and "NVL72" not in note[0]
    # its air-cooled variant stays air: air PUE, air racks, no liquid note
    air = _plan_agrees(cat, _scenario(cat, accelerators=[MI350X]), MI350X, "air_cooled", (B.RACK_AIR, B.RACK_AIR_DENSE))
    assert not any("liquid-cooled facility" in e for e in air.explanation)
