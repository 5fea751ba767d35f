"""What the recommendation's headline and bill say in words: the rent decision first, as the CLI says it."""

from __future__ import annotations

from typing import Any

import pytest
from tui_fakes import settle
from tui_fakes import text_of as _text

from tui.widgets.recommendation import RecommendationPanel

SIZE = (160, 45)


def _quote(accelerator_id: str) -> Any:
    from recommender.plan_models import RentQuote

    return RentQuote(provider="DigitalOcean", accelerator_id=accelerator_id, pricing="on_demand",
                     usd_per_accelerator_hour=2.0, rent_usd_per_year=30000.0, rent_pv_usd=104134.0,
                     break_even_utilization=0.2, source="Epoch AI prices", as_of="2025-03")


def _renting(scenario: Any, catalog: Any = None) -> Any:
    """consider_cloud decided to rent: the purchase is the best one to buy, for comparison."""
    from tui_fakes import fake_optimize

    rec = fake_optimize(scenario, catalog)
    return rec.model_copy(update={"cloud_decision": "rent", "cheapest_rent": _quote(rec.choice.accelerator_id)})


async def test_the_headline_says_the_rent_decision_first_as_the_cli_does(make_app: Any) -> None:
    """A reviewer: the CLI said "decision: rent … (DigitalOcean, on_demand) for $104,134 present value; the purchase
    below is the best one to buy" while the app's headline read "Buy 8 × …" and "Decision: rent." came pages below;
    with no purchase fitting, the headline read only "No configuration fits the limits"."""
    from recommender.report import rent_terms

    app = make_app(optimize=_renting)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        rec = app.recommendation
        name = app.query_one(RecommendationPanel).acc_name(rec.choice.accelerator_id)
        headline = _text(app, "#rec-headline")
        first, _, second = headline.partition("\n")
        assert first.startswith(f"Rent {name} (DigitalOcean, on_demand) for $104,134 present value; ")
        assert "the purchase below is the best one to buy, shown for comparison" in first
        assert first == f"Rent {rent_terms(rec, lambda _: name)}"  # the CLI's words (its id replaced by the name)
        assert second.startswith(f"Best purchase: {rec.choice.accelerators} × {name}") and "Buy " not in headline
        none = rec.model_copy(update={"choice": None, "configurations": [], "status": "infeasible"})
        app.query_one(RecommendationPanel).show(none)
        await pilot.pause()
        headline = _text(app, "#rec-headline")
        assert headline.startswith(f"Rent {name} (DigitalOcean, on_demand) for $104,134 present value; "
                                   "no purchase fits the limits (see why below)"), headline
        assert "No configuration fits" not in headline  # said once (a reviewer read "no purchase fits" twice)
        assert not app.query_one("#rec-headline").has_class("infeasible")  # renting answers it: not an error
        buy = rec.model_copy(update={"cloud_decision": "buy"})
        app.query_one(RecommendationPanel).show(buy)
        await pilot.pause()
        assert _text(app, "#rec-headline").startswith(f"Buy {rec.choice.accelerators} × {name}")


@pytest.mark.parametrize("size", [(120, 35), (80, 24)])
async def test_the_cooling_fields_default_does_not_read_as_air(make_app: Any, size: tuple[int, int]) -> None:
    """A reviewer: with no cooling named the field read "air; 3 parts liquid" above an answer of liquid-cooled MI355X
    at PUE 1.20, and a buyer read "air". The default says its rule (each part as sold), unlike "Air only", which
    rules the liquid-only parts out — on the screen whole, at 80 columns too."""
    from textual.widgets import Select
    from textual.widgets._select import SelectCurrent

    from recommender.planning.costs import liquid_cooled

    assert liquid_cooled(None, liquid_only=True) and not liquid_cooled(None, liquid_only=False)  # the rule it names
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        cooling = app.query_one("#cooling", Select)
        assert cooling.value is Select.NULL
        shown = str(cooling.query_one(SelectCurrent).query_one("#label").render())
        assert shown == "as sold: air/liquid", shown
        assert not shown.startswith("air") and "air" in shown and "liquid" in shown
        labels = [str(label) for label, _ in cooling._options if _ is not Select.NULL]
        assert labels == ["Air only", "Liquid (all parts)"]
        assert "Air only: those parts are skipped" in str(cooling.tooltip)


NETWORK = "scale-out network (ib_ndr400_1tier_le_64_nodes; proxy for Ethernet)"


def _networked(scenario: Any, catalog: Any = None) -> Any:
    """The fake answer with a bill whose scale-out line names its defaults.csv row, as the library's does."""
    from tui_fakes import fake_optimize

    from recommender.plan_models import BillLine

    rec = fake_optimize(scenario, catalog)
    c = rec.choice
    bill = [BillLine(item="accelerators", quantity=c.accelerators, unit_usd=c.price_usd_per_accelerator,
                     total_usd=c.accelerators * c.price_usd_per_accelerator, sources=["scenario prices"]),
            BillLine(item="NICs per node (on the accelerator)", quantity=16, unit_usd=0, total_usd=0,
                     sources=["nic_cost_usd_per_node[scale_out_on_accelerator] defaults.csv"]),
            BillLine(item=NETWORK, quantity=16, unit_usd=15000, total_usd=240000,
                     sources=["network_cost_usd_per_node[ib_ndr400_1tier_le_64_nodes] defaults.csv"])]
    c = c.model_copy(update={"bill": bill})
    return rec.model_copy(update={"choice": c, "configurations": [c]})


def _bill_table_text(app: Any) -> str:
    """The bill table as the screen shows it (at the panel's width), down to the line before "Power:"."""
    from rich.console import Console

    static = app.query_one("#rec-bill")
    console = Console(width=static.content_size.width, record=True, color_system=None)
    console.print(static.content)
    return console.export_text().split("Power:")[0]


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_a_narrow_bill_breaks_no_word(make_app: Any, size: tuple[int, int]) -> None:
    """A reviewer at 80x24: "scale-out network (ib_ndr400_1tier_le_64_nodes; …)" was folded mid-token into
    "(ib_ndr400_1tier" / "_le_64_nodes;". Without the source column the row id is left out (the wide bill's
    sources name it); every word on screen is a whole word of the bill."""
    from recommender.plan_models import tco_lines

    app = make_app(optimize=_networked)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        panel = app.query_one(RecommendationPanel)
        assert panel.width_mode != "wide"
        shown = _bill_table_text(app)
        c = app.recommendation.choice
        words = {w for line in c.bill for w in line.item.split()} | {"Qty", "Unit", "Total", "Capex", "×"}
        words |= {w for text in [panel.acc_name(c.accelerator_id)] for w in text.split()}
        words |= {w for item, _, _ in tco_lines(c, app.recommendation.assumptions) for w in item.split()}
        words = {w.strip("();,") for w in words} | {w[:1].upper() + w[1:].strip("();,") for w in words}
        broken = [t for t in shown.split() if any(ch.isalpha() for ch in t) and t.strip("();,") not in words]
        assert not broken, shown
        assert "scale-out" in shown and "(proxy" in shown and "ib_ndr400" not in shown
    app = make_app(optimize=_networked)
    async with app.run_test(size=(160, 45)) as pilot:  # wide: the item in full beside its source
        await settle(app, pilot)
        assert app.query_one(RecommendationPanel).width_mode == "wide"
        assert "(ib_ndr400_1tier_le_64_nodes;" in _bill_table_text(app).split()
