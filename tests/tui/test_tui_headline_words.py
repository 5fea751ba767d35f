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
        assert "No configuration fits the limits" in headline
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
