"""What the recommendation's headline and bill say in words: the rent decision first, as the CLI says it."""

from __future__ import annotations

from typing import Any

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
