"""How figures read to a buyer: counts with thousands separators, mixes/day to about three significant figures, a
shortfall said as one, a break-even no utilisation reaches said in words, a fleet's binding sentence (a reviewer's
list of wording defects in the CLI and TUI output)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from recommender import format as fmt
from recommender.models import Objective
from recommender.plan_models import RentOrBuy, RentQuote, rent_markdown
from recommender.planning.explain import describe, value_text
from recommender.planning.relax import Infeasibility, Miss

SEED = Path(__file__).resolve().parents[1] / "examples" / "seed.yaml"


def test_counts_shown_to_people_have_thousands_separators() -> None:
    """A reviewer: "Buy 1180 × …"."""
    assert [fmt.count(n) for n in (8, 1180, 1_000_000)] == ["8", "1,180", "1,000,000"]
    assert fmt.count(None) == "—"
    c = SimpleNamespace(form_factor="sxm_oam", nodes=1475, count=2, accelerators=11_800, accelerator_id="x",
                        accelerator_name="Instinct MI355X 288GB")
    assert describe(c) == "2 x (11,800 x Instinct MI355X 288GB in 1,475 8-way servers)"  # type: ignore[arg-type]
    miss = Miss("budget", 1e6, 1.5e6, "usd")
    closest = {"key": 0, "accelerator_id": "x", "accelerators": 1180, "capex_usd": 1.5e6, "weighted_minutes": 3.0,
               "misses": [miss]}
    lines = Infeasibility(["budget"], closest, None).lines(lambda _: "MI355X")
    assert "makes 1,180 × MI355X ($1,500,000, 3.00 weighted min) feasible" in lines[0][1], lines


@pytest.mark.parametrize(("value", "shown"), [(2480.53, "2,481"), (73.65, "73.7"), (1.87, "1.87"), (0.835, "0.835"),
                                              (126.35, "126"), (99.96, "100"), (0.0, "0"), (None, "—")])
def test_mixes_per_day_read_to_about_three_significant_figures(value: float | None, shown: str) -> None:
    assert fmt.per_day(value) == shown


def test_mixes_per_day_keep_the_digits_that_tell_a_rate_from_the_required_one() -> None:
    assert fmt.per_day(199.7) == "200" and fmt.per_day(199.7, against=200) == "199.7"  # not "200 short of 200"
    assert fmt.per_day(73.65, against=200) == "73.7"


def test_a_mixes_per_day_objective_reads_to_three_significant_figures() -> None:
    """A reviewer: "2,480.53 mixes/day"."""
    from tui.widgets.recommendation import objective_text

    assert value_text(Objective.MAX_THROUGHPUT, "p80", 2480.53) == "2,481 mixes/day at p80 minutes"
    assert objective_text("max_throughput", 2480.53) == "2,481 mixes/day"


def test_a_rate_below_the_required_one_reads_as_a_shortfall() -> None:
    """A reviewer: "misses … by 126.35 mixes/day at p80 (200 → 73.65)" read backwards."""
    miss = Miss("required_mixes", 200, 73.65, "mixes/day at p80")
    assert miss.text() == "trains 73.7 mixes/day at p80, 126 short of the required 200"
    c = {"key": 0, "accelerator_id": "x", "accelerators": 8, "capex_usd": 2e5, "weighted_minutes": 10.0,
         "misses": [miss]}
    budget = Miss("budget", 1e5, 2e5, "usd")
    cheap = {**c, "key": 1, "misses": [budget, miss]}
    lines = dict(Infeasibility(["required_mixes"], c, cheap).lines(lambda _: "H100"))
    assert lines["What relaxing them buys: "] == ("lowering the required rate makes 8 × H100 ($200,000, 10.0 weighted "
                                                  "min) feasible: it trains 73.7 mixes/day at p80, 126 short of the "
                                                  "required 200.")
    assert lines["Cheapest candidate: "] == ("8 × H100 ($200,000, 10.0 weighted min) misses the budget by $100,000 "
                                             "($100,000 → $200,000) and trains 73.7 mixes/day at p80, 126 short of "
                                             "the required 200.")


def _quote(break_even: float | None) -> RentQuote:
    return RentQuote(provider="P", accelerator_id="nvidia-h100-sxm5-80gb", pricing="on_demand",
                     usd_per_accelerator_hour=2.0, rent_usd_per_year=1e5, rent_pv_usd=4e5,
                     break_even_utilization=break_even, source="s", as_of="2026", accelerators=1180)


def test_a_break_even_above_full_use_is_said_in_words() -> None:
    """A reviewer: "break-even 137 %", a utilisation no system reaches."""
    assert fmt.break_even(1.37) == "never (needs 137 %)" and fmt.break_even(0.103) == "10.3 %"
    r = RentOrBuy(utilization=0.8, mixes_per_year=1e4, buy_tco_usd=8e5, buy_usd_per_year=2e5,
                  quotes=[_quote(1.37)])
    table = "\n".join(rent_markdown(r))
    assert "| never (needs 137 %) |" in table and "137.0 %" not in table
    assert "| 1,180 |" in table  # the rented count, grouped
    from tui.widgets.bill import rent_text

    text = str(rent_text(SimpleNamespace(rent_or_buy=r, choice=None), lambda _: "H100"))
    assert "buying never beats renting H100 × 1,180 from P on demand at any utilisation (it would need 137 %)" in text
    assert "above 137" not in text


def test_a_min_tco_fleet_says_which_limit_binds_or_that_none_does() -> None:
    """A reviewer: a min_tco fleet's explanation had no binding sentence, unlike a single configuration's."""
    import recommender

    rec = recommender.optimize(SEED, mix=True, objective="min_tco", required_mixes_per_day=60, budget_usd=1_000_000)
    assert rec.binding == []
    said = [e for e in rec.explanation if e.startswith("No limit binds")]
    expected = ("No limit binds: a looser limit would not buy a better fleet (the fleet leaves "
                f"{fmt.money(1_000_000 - rec.total_capex_usd)} of the budget unused); the required rate, 60 "
                "mixes/day at p80 minutes, sizes the purchase.")
    assert said == [expected], rec.explanation
