"""Financing and rent-or-buy arithmetic on hand-computed figures (a two-row price list)."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from recommender.errors import CatalogError
from recommender.planning import cloud
from recommender.planning.finance import Financing, annuity_factor, tco_pv_usd, yearly_cost_usd

TERMS = Financing(years=2, cost_of_capital=0.10, salvage_fraction=0.1)
A2 = 1 / 1.1 + 1 / 1.21  # annuity of 2 years at 10 %: 1.735537


def test_annuity_and_tco() -> None:
    assert annuity_factor(0.10, 2) == pytest.approx(A2)
    assert annuity_factor(0.0, 5) == 5
    assert annuity_factor(0.10, 2.5) == pytest.approx(A2 + 0.5 / 1.1**3)
    # 400,000 capex, 10,000 energy a year, 10 % salvage after 2 years, all at 10 %
    tco = tco_pv_usd(400_000, 10_000, years=2, cost_of_capital=0.10, salvage_fraction=0.1)
    assert tco == pytest.approx(400_000 + 10_000 * A2 - 40_000 / 1.21)  # 384,297.52
    assert yearly_cost_usd(tco, years=2, cost_of_capital=0.10) == pytest.approx(tco / A2)
    # no discounting, no salvage: capex + years x energy
    assert tco_pv_usd(100.0, 10.0, years=3, cost_of_capital=0.0, salvage_fraction=0.0) == pytest.approx(130.0)


@pytest.fixture
def two_rows(tmp_path: Path):
    p = tmp_path / "prices.csv"
    p.write_text("provider,accelerator_id,gpus_per_instance,pricing,usd_per_accelerator_hour,source,as_of\n"
                 "Cloud A,x,8,on_demand,4.0,test,2026-05\n"
                 "Cloud B,x,8,commit_1y,2.5,test,2026-05\n")
    return cloud.read_price_list(p)


def test_rent_or_buy_two_rows(two_rows) -> None:
    # 8 accelerators, capex 400,000, energy 20,000 a year at full use, 60 minutes a mix, utilisation 0.5
    r = cloud.rent_or_buy(two_rows, accelerator_id="x", accelerators=8, minutes_per_mix=60.0, capex_usd=400_000,
                          energy_usd_per_year_full=20_000, financing=TERMS, utilization=0.5)
    assert r.mixes_per_year == pytest.approx(0.5 * 8766)  # 4,383 one-hour mixes
    assert r.buy_tco_pv_usd == pytest.approx(400_000 + 10_000 * A2 - 40_000 / 1.21)
    on_demand, commit = r.quotes  # cheapest first
    assert on_demand.pricing == "on_demand"
    assert on_demand.accelerator_hours_per_year == pytest.approx(8 * 4383)  # 35,064
    assert on_demand.rent_pv_usd == pytest.approx(35_064 * 4.0 * A2)  # 243,417
    # break-even: (400,000 - 40,000/1.21) / (A2 x (8 x 8,766 x 4 - 20,000)) = 0.8116
    assert on_demand.break_even_utilization == pytest.approx((400_000 - 40_000 / 1.21) / (A2 * (280_512 - 20_000)))
    # the 1-year commitment reserves one whole 8-GPU instance around the clock (4 accelerators' work)
    assert commit.accelerator_hours_per_year == pytest.approx(8 * 8766)
    assert commit.rent_pv_usd == pytest.approx(8 * 8766 * 2.5 * A2)
    assert commit.break_even_utilization is None
    assert r.cheapest is on_demand and set(r.cheapest_per_pricing("x")) == {"on_demand", "commit_1y"}


def test_a_commitment_longer_than_the_scenario_is_paid_for_its_whole_term(tmp_path: Path) -> None:
    # a reviewer: with `years: 1` a 3-year commitment was charged for one year
    p = tmp_path / "prices.csv"
    p.write_text("provider,accelerator_id,gpus_per_instance,pricing,usd_per_accelerator_hour,source,as_of\n"
                 "C,x,8,commit_3y,2.0,test,2026-05\nC,x,8,commit_1y,2.5,test,2026-05\n")  # fmt: skip
    one_year = Financing(years=1, cost_of_capital=0.10, salvage_fraction=0.1)
    r = cloud.rent_or_buy(cloud.read_price_list(p), accelerator_id="x", accelerators=8, minutes_per_mix=60.0,
                          capex_usd=400_000, energy_usd_per_year_full=20_000, financing=one_year, utilization=0.5)
    q = {x.pricing: x for x in r.quotes}
    year = 8 * 8766 * 2.0
    assert q["commit_3y"].rent_pv_usd == pytest.approx(year * annuity_factor(0.10, 3))  # three years, discounted
    assert q["commit_1y"].rent_pv_usd == pytest.approx(8 * 8766 * 2.5 * annuity_factor(0.10, 1))
    assert r.cheapest.pricing == "commit_1y"  # at 1 year of work the cheaper rate does not pay
    # a reviewer: 4 years of work paid 4 years of a 3-year commitment (its second term is paid whole: 6 years)
    for years, billed_years in [(3, 3), (4, 6), (6, 6), (1.5, 3)]:
        f = Financing(years=years, cost_of_capital=0.10, salvage_fraction=0.1)
        r = cloud.rent_or_buy(cloud.read_price_list(p), accelerator_id="x", accelerators=8, minutes_per_mix=60.0,
                              capex_usd=400_000, energy_usd_per_year_full=20_000, financing=f, utilization=0.5)
        q = {x.pricing: x for x in r.quotes}
        assert q["commit_3y"].rent_pv_usd == pytest.approx(year * annuity_factor(0.10, billed_years)), years
        assert q["commit_1y"].rent_pv_usd == pytest.approx(8 * 8766 * 2.5 * annuity_factor(0.10, math.ceil(years)))


def test_required_mixes_set_the_work(two_rows) -> None:
    r = cloud.rent_or_buy(two_rows, accelerator_id="x", accelerators=8, minutes_per_mix=60.0, capex_usd=400_000,
                          energy_usd_per_year_full=20_000, financing=TERMS, utilization=0.9,
                          required_mixes_per_day=12)
    assert r.utilization == pytest.approx(12 * 365.25 / 8766)  # 0.5: half of every day busy
    assert r.quotes[0].accelerator_hours_per_year == pytest.approx(8 * 12 * 365.25)


@pytest.mark.parametrize(("utilization", "share"), [(0.3, 0.5), (0.9, 0.9)])
def test_energy_is_charged_for_the_required_work(utilization: float, share: float) -> None:
    # a reviewer: min_tco ranked purchases by energy at the scenario's 50 % utilisation for work that keeps them
    # busy 58 % of the year, while the rent-or-buy block charged 58 %: two TCOs for one purchase
    from recommender.models import Scenario
    from recommender.planning.power import busy_share

    s = Scenario.parse({"budget_usd": 1e6, "workloads": [{"benchmark": "bert"}], "objective": "min_tco",
                        "required_mixes_per_day": 12, "utilization": utilization})
    assert busy_share(s, utilization, np.array([60.0, np.inf])).tolist() == [pytest.approx(share), utilization]
    assert busy_share(s.model_copy(update={"mix": True}), 0.3, np.array([60.0])).tolist() == [0.3]  # a fleet


def test_a_purchase_has_one_tco_when_the_work_exceeds_the_utilisation() -> None:
    import recommender

    rec = recommender.optimize({"budget_usd": 2e5, "workloads": [{"benchmark": "bert"}], "objective": "min_tco",
                                "required_mixes_per_day": 60, "utilization": 0.2, "years": 2})
    c = rec.choice
    assert c is not None and rec.rent_or_buy is not None
    assert rec.rent_or_buy.utilization == pytest.approx(c.utilization) and c.utilization > 0.2
    assert rec.rent_or_buy.buy_tco_usd == pytest.approx(c.tco_usd) == pytest.approx(rec.objective_value)
    assert c.tco_usd == pytest.approx(c.capex_usd + c.energy_usd - c.salvage_usd)


def test_a_required_rate_above_what_the_purchase_does_rents_only_what_it_does(two_rows) -> None:
    # a reviewer: under min_time the seed bought 53 mixes/day but the table rented 100/day, "the same work"
    r = cloud.rent_or_buy(two_rows, accelerator_id="x", accelerators=8, minutes_per_mix=60.0, capex_usd=400_000,
                          energy_usd_per_year_full=20_000, financing=TERMS, utilization=0.8,
                          required_mixes_per_day=100)  # one-hour mixes: 24 a day at most
    assert r.utilization == 1.0 and r.mixes_per_year == pytest.approx(8766)
    on_demand = next(q for q in r.quotes if q.pricing == "on_demand")
    assert on_demand.accelerator_hours_per_year == pytest.approx(8 * 8766)


def test_years_inside_a_later_term_are_also_quoted_as_whole_terms_then_a_cheaper_way(tmp_path: Path) -> None:
    # the closing notes: 5 years of a 3-year commitment paid two whole terms (6 years) and nothing else was
    # considered; a buyer would take one term, then rent the last 2 years on demand or on 1-year terms
    p = tmp_path / "prices.csv"
    p.write_text("provider,accelerator_id,gpus_per_instance,pricing,usd_per_accelerator_hour,source,as_of\n"
                 "A,x,8,on_demand,4.0,od,2026\nA,x,8,commit_1y,3.0,c1,2026\nA,x,8,commit_3y,2.0,c3,2026\n"
                 "B,x,8,on_demand,1.0,other provider,2026\n")  # fmt: skip
    prices = cloud.read_price_list(p)
    terms = Financing(years=5, cost_of_capital=0.10, salvage_fraction=0.1)

    def quotes(f: Financing, utilization: float) -> dict[str, cloud.RentQuote]:
        r = cloud.rent_or_buy(prices, accelerator_id="x", accelerators=8, minutes_per_mix=60.0, capex_usd=400_000,
                              energy_usd_per_year_full=20_000, financing=f, utilization=utilization)  # fmt: skip
        return {q.pricing: q for q in r.quotes if q.provider == "A"}

    reserved = 8 * 8766  # one 8-GPU instance reserved around the clock
    a = [1.1**-y for y in range(1, 6)]
    busy = quotes(terms, 0.9)  # years 4-5: two 1-year terms (3.0 x 8 h) beat on demand (4.0 x 0.9 x 8 h)
    assert busy["commit_3y"].rent_pv_usd == pytest.approx(reserved * 2.0 * (sum(a) + 1.1**-6))  # two whole terms
    both = busy["commit_3y+commit_1y"]
    assert both.rent_pv_usd == pytest.approx(reserved * 2.0 * sum(a[:3]) + reserved * 3.0 * (a[3] + a[4]))
    assert "commit_3y+on_demand" not in busy  # (here the second whole term is cheaper still: both are listed)
    assert both.usd_per_accelerator_hour == 2.0 and both.break_even_utilization is None
    assert both.source == "c3; then commit_1y: c1"  # the same provider's rows only (B's is cheaper)
    idle = quotes(terms, 0.5)["commit_3y+on_demand"]  # half the year: on demand for the rest
    assert idle.rent_pv_usd == pytest.approx(reserved * 2.0 * sum(a[:3]) + reserved * 0.5 * 4.0 * (a[3] + a[4]))
    assert not any("+" in k for k in quotes(replace(terms, years=6), 0.9))  # whole terms: nothing to add
    assert not any("+" in k for k in quotes(replace(terms, years=2), 0.9))  # inside the first term: on demand listed


def test_cheapest_alternative_uses_other_accelerators_hours(two_rows) -> None:
    rows = two_rows.assign(accelerator_id=["x", "y"])
    table = cloud.cheapest_rent_per_accelerator(rows, {"x": 8.0, "y": 1.0}, 1000.0, TERMS)
    assert list(table["accelerator_id"]) == ["x", "y"]
    assert table["rent_pv_usd"].iloc[0] == pytest.approx(8 * 1000 * 4.0 * A2)


def test_the_bought_accelerator_is_rented_on_its_most_efficient_configuration_like_the_others(two_rows) -> None:
    # a reviewer: 40 B300 bought, its rows priced at 40 cards' hours while every other accelerator's were at its
    # fewest accelerator-hours, so "cheapest rent" named a dearer accelerator than 8 B300 would have been
    rows = two_rows.assign(accelerator_id=["x", "y"])
    r = cloud.rent_or_buy(rows, accelerator_id="x", accelerators=8, minutes_per_mix=60.0, capex_usd=400_000,
                          energy_usd_per_year_full=20_000, financing=TERMS, utilization=0.5,
                          accelerator_hours_per_mix={"x": 4.0, "y": 6.0},  # x: 8 accelerator-hours as bought
                          rented_counts={"x": 2, "y": 3})
    x = next(q for q in r.quotes if q.accelerator_id == "x")
    assert x.accelerator_hours_per_year == pytest.approx(4.0 * r.mixes_per_year)
    assert x.accelerators == 2  # each quote says which configuration it rents
    assert next(q for q in r.quotes if q.accelerator_id == "y").accelerators == 3
    assert x.minutes == pytest.approx(4.0 * 60 / 2)  # and how long a mix takes on it (2 cards, 4 card-hours)
    # a reviewer: its break-even was the bought configuration's hour for hour (8 cards rented), so a row renting
    # 2 cards read cheaper than buying beside a break-even below the utilisation; it is this rental's now
    assert x.break_even_utilization == pytest.approx((400_000 - 40_000 / 1.21) / (A2 * (4 * 8766 * 4.0 - 20_000)))
    # a less efficient count elsewhere never makes the bought one's rent dearer than renting it as bought
    r = cloud.rent_or_buy(rows, accelerator_id="x", accelerators=8, minutes_per_mix=60.0, capex_usd=400_000,
                          energy_usd_per_year_full=20_000, financing=TERMS, utilization=0.5,
                          accelerator_hours_per_mix={"x": 9.0}, rented_counts={"x": 16})
    as_bought = next(q for q in r.quotes if q.accelerator_id == "x")
    assert as_bought.accelerator_hours_per_year == pytest.approx(8.0 * r.mixes_per_year)
    assert as_bought.accelerators == 8 and as_bought.minutes == pytest.approx(60.0)
    assert as_bought.break_even_utilization == pytest.approx((400_000 - 40_000 / 1.21) / (A2 * (280_512 - 20_000)))


@pytest.mark.parametrize("efficient", [{}, {"x": 4.0}, {"x": 6.0}])
def test_a_rows_break_even_is_where_its_own_rent_costs_what_buying_does(two_rows, efficient) -> None:
    # a reviewer: 120 MI300X bought at 80 %, the row renting 8 read 0.84x of buying beside a 46 % break-even (the
    # 120 cards' hours): above the break-even buying must be cheaper than the row's rent, below it dearer
    def on_demand(u: float) -> tuple[cloud.RentQuote, float]:
        r = cloud.rent_or_buy(two_rows, accelerator_id="x", accelerators=8, minutes_per_mix=60.0, capex_usd=400_000,
                              energy_usd_per_year_full=20_000, financing=TERMS, utilization=u,
                              accelerator_hours_per_mix=efficient, rented_counts={"x": 2})  # fmt: skip
        return next(q for q in r.quotes if q.pricing == "on_demand"), r.buy_tco_pv_usd

    q, _ = on_demand(0.3)
    be = q.break_even_utilization
    assert be is not None
    at_be, buy = on_demand(be)
    assert at_be.rent_pv_usd == pytest.approx(buy)
    for u in (0.9 * be, min(1.0, 1.1 * be)):
        quote, buy = on_demand(u)
        assert (quote.rent_pv_usd < buy) == (u < be), (u, be)


def test_bad_price_list(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("provider,accelerator_id,pricing,usd_per_accelerator_hour,source,as_of\nA,x,weekly,1,s,2026\n")
    with pytest.raises(CatalogError, match=r"bad.csv:2: pricing \(row 1\): must be one of .* \(got 'weekly'\)"):
        cloud.read_price_list(p)


def test_catalog_price_list_reads() -> None:
    from recommender.planning.sources import cloud_prices

    frame = cloud_prices()
    assert set(frame["pricing"]) <= set(cloud.PRICING_MODELS) and len(frame) >= 2


def _one_row(tmp_path: Path) -> Path:
    f = tmp_path / "one.csv"
    f.write_text("provider,accelerator_id,pricing,usd_per_accelerator_hour,source,as_of\n"
                 "A,nvidia-h100-sxm5-80gb,on_demand,2.0,test,2026\n")  # fmt: skip
    return f


def test_optimize_reports_rent_or_buy_and_consider_cloud(tmp_path: Path) -> None:
    """Issue 12: the recommendation carries buy TCO, rent per pricing model and break-even; with
    consider_cloud under min_tco it compares the cheapest rent with the best purchase (a two-row list)."""
    from optimize_fakes import fake_predict

    from recommender import optimize
    from recommender.format import money

    prices = tmp_path / "cloud.csv"
    prices.write_text("provider,accelerator_id,pricing,usd_per_accelerator_hour,source,as_of\n"
                      "A,nvidia-h100-sxm5-80gb,on_demand,2.0,test,2026\n"
                      "B,nvidia-h100-sxm5-80gb,spot,0.01,test,2026\n")  # fmt: skip
    base = {"name": "t", "accelerators": ["nvidia-h100-sxm5-80gb"], "workloads": [{"benchmark": "bert"}],
            "cloud_prices": str(prices)}  # fmt: skip
    r = optimize({**base, "budget_usd": 500_000}, predictor=fake_predict)
    rb = r.rent_or_buy
    assert rb is not None and rb.buy_tco_usd == pytest.approx(r.choice.tco_usd)
    assert {q.pricing for q in rb.quotes} == {"on_demand", "spot"}
    od = next(q for q in rb.quotes if q.pricing == "on_demand")
    hours = r.choice.accelerators * r.choice.weighted_minutes / 60 * rb.mixes_per_year
    assert od.rent_usd_per_year == pytest.approx(hours * 2.0)
    assert od.break_even_utilization is not None and 0 < od.break_even_utilization
    assert "## Rent or buy" in r.to_markdown() and "## Bill" in r.to_markdown()
    tco = optimize({**base, "objective": "min_tco", "required_mixes_per_day": 10, "consider_cloud": True},
                   predictor=fake_predict)  # fmt: skip
    assert tco.cloud_decision == "rent" and tco.cheapest_rent.provider == "B"  # 0.01 USD/h beats any purchase
    # a reviewer: the decision's quote had no break-even where the rent block's row of the same quote had one
    on_demand = optimize({**base, "objective": "min_tco", "required_mixes_per_day": 10, "consider_cloud": True,
                          "cloud_prices": str(_one_row(tmp_path))}, predictor=fake_predict)  # fmt: skip
    assert on_demand.cheapest_rent.break_even_utilization is not None
    assert on_demand.cheapest_rent.break_even_utilization == on_demand.rent_or_buy.cheapest.break_even_utilization
    assert tco.explanation[0].startswith("consider_cloud:")
    # the decision compares the rent with the purchase doing the same work, the rent table's buy figure (it used
    # the configuration's TCO at the scenario's utilisation, so the line and the table's "vs buy" disagreed)
    assert tco.rent_or_buy is not None
    assert f"({money(tco.rent_or_buy.buy_tco_usd)} TCO, energy at the work's" in tco.explanation[0], tco.explanation[0]
    # a rent decision heads the Markdown (and the CLI table output): the purchase table below is for comparison
    # named as the explanation names it (a reviewer: the decision line read the id "nvidia-h100-sxm5-80gb")
    assert "**Decision: rent** H100 SXM5 80GB (B, spot)" in tco.to_markdown()
    assert tco.cheapest_rent.accelerator_name == "H100 SXM5 80GB" and "renting H100 SXM5 80GB (B, spot" in tco.explanation[0]
    # a reviewer: a spot price won without a word about pre-emption
    assert tco.explanation[0].endswith("Caveat: spot capacity can be reclaimed at any time, so runs are "
                                       "interrupted and restart from their checkpoints; the price counts no lost "
                                       "work and no guarantee of capacity.")  # fmt: skip
    assert "than buying (a spot price: see the caveat under Why)" in r.to_markdown()
    assert r.to_markdown().count("spot capacity can be reclaimed") == 1  # said once, under Why
    assert "; break-even = the bought configuration's utilisation at which owning it" in r.to_markdown()  # "—" was
    # unexplained
    assert "Rent = the same work on each accelerator's configuration with the fewest accelerator-hours" in \
        r.to_markdown()


HEADER = "provider,accelerator_id,pricing,usd_per_accelerator_hour,source,as_of\n"


@pytest.mark.parametrize(("content", "message"), [
    (b"", "sub/cloud.csv: empty file (a cloud price list is a CSV with the columns provider, accelerator_id, "),
    (b"\x7fELF\x02\x01\x01\x00\xd0\xff binary", "sub/cloud.csv:1: not UTF-8 text"),
    ((HEADER + "A,nvidia-a30-pcie-24gb,spot,1,t,2026\nB,nvidia-a3O,spot,1,t,2026\n").encode(),
     "sub/cloud.csv:3: accelerator_id (row 2): unknown accelerator id 'nvidia-a3O'; closest: "),
    ((HEADER + "A,nvidia-a30-pcie-24gb,spot,1,t,2026,x\n").encode(), "sub/cloud.csv:2: 7 fields, the header has 6"),
    ((HEADER.rstrip() + ",gpus_per_instance\nA,nvidia-a30-pcie-24gb,spot,1,t,2026,0.5\n").encode(),
     "sub/cloud.csv:2: gpus_per_instance (row 1): must be a whole number"),
    # a reviewer: a duplicated row was taken (the first shown), a header-only file gave an empty rent table
    # silently, as_of was never checked, and a bad line 3 was reported before a bad line 2 (column by column)
    ((HEADER + "A,nvidia-a30-pcie-24gb,spot,1,t,2026\nA,nvidia-a30-pcie-24gb,spot,2,t,2026\n").encode(),
     "sub/cloud.csv:3: row 2: duplicated row (provider='A', accelerator_id='nvidia-a30-pcie-24gb', "),
    (HEADER.encode(), "sub/cloud.csv: no price rows (only a header)"),
    ((HEADER + "A,nvidia-a30-pcie-24gb,spot,1,t,2026-02-30\n").encode(),  # a reviewer: a day that does not exist
     "sub/cloud.csv:2: as_of (row 1): must be a date YYYY, YYYY-MM or YYYY-MM-DD (got '2026-02-30')"),
    ((HEADER + "A,nvidia-a30-pcie-24gb,spot,1,t,last year\n").encode(),
     "sub/cloud.csv:2: as_of (row 1): must be a date YYYY, YYYY-MM or YYYY-MM-DD (got 'last year')"),
    ((HEADER + "A,nvidia-a30-pcie-24gb,spot,-1,t,2026\nA,nvidia-a30-pcie-24gb,weekly,1,t,2026\n").encode(),
     ("sub/cloud.csv:2: usd_per_accelerator_hour (row 1): must be a finite number > 0 (got '-1') (the cloud_prices "
     "of sub/s.yaml:5)$")),  # the first; the CLI says each on its line (test_each_bad_row_of_a_cloud_price_list_…)
    # a second review: an empty source showed as "nan", a misspelt column was dropped, an unclosed quote leaked
    # pandas' tokenizer message, a price "abc" was reported twice
    ((HEADER + "A,nvidia-a30-pcie-24gb,spot,1,,2026\n").encode(), "sub/cloud.csv:2: source (row 1): must not be empty"),
    ((HEADER.rstrip() + ",gpus_per_instanse\nA,nvidia-a30-pcie-24gb,spot,1,t,2026,8\n").encode(),
     "sub/cloud.csv:1: unknown column 'gpus_per_instanse'; did you mean gpus_per_instance? (the columns read: "),
    # a third review: an as_of in the future was taken; a column like nothing known named three unrelated ones
    ((HEADER + "A,nvidia-a30-pcie-24gb,spot,1,t,2999-01\n").encode(),
     "sub/cloud.csv:2: as_of (row 1): is after today ("),
    ((HEADER.rstrip() + ",colour\nA,nvidia-a30-pcie-24gb,spot,1,t,2026,red\n").encode(),
     "sub/cloud.csv:1: unknown column 'colour' (the columns read: provider, "),
    ((HEADER + 'A,nvidia-a30-pcie-24gb,spot,1,"t,2026\n').encode(),
     "sub/cloud.csv:2: unreadable CSV: unexpected end of data (an unclosed quote?)"),
    ((HEADER + "A,nvidia-a30-pcie-24gb,spot,abc,t,2026\n").encode(),
     ("sub/cloud.csv:2: usd_per_accelerator_hour (row 1): must be a finite number > 0 (got 'abc') (the cloud_prices "
     "of sub/s.yaml:5)$")),
])  # fmt: skip
def test_a_bad_cloud_price_list_is_a_located_scenario_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           content: bytes, message: str) -> None:
    # a reviewer: an empty or binary `cloud_prices:` file was an internal error and an unknown id was accepted
    from recommender.errors import ScenarioError
    from recommender.scenario import load_scenario

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "cloud.csv").write_bytes(content)
    (tmp_path / "sub" / "s.yaml").write_text("version: 1\nname: s\nbudget_usd: 1e6\nworkloads: [{benchmark: bert}]\n"
                                             "cloud_prices: cloud.csv\n")  # fmt: skip
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as err:
        load_scenario("sub/s.yaml")
    assert str(err.value).startswith(message.rstrip("$")) and (not message.endswith("$") or str(err.value) == message[:-1])


def test_each_bad_row_of_a_cloud_price_list_is_said_on_its_line(tmp_path: Path) -> None:
    # a reviewer: four bad rows were one line "… ; … ; … (and 1 more)": the fourth hidden, the scenario line that
    # names the file not given, and an "error:" prefix unlike every other message
    from click.testing import CliRunner

    from recommender.cli import cli

    (tmp_path / "cloud.csv").write_text(HEADER + "A,nvidia-a30-pcie-24gb,hourly,1,t,2026\nA,nvidia-a3O,spot,1,t,2026\n"
                                        "A,nvidia-a30-pcie-24gb,spot,-1,t,2026\nA,nvidia-a30-pcie-24gb,on_demand,1,t,"
                                        "June 2026\n")  # fmt: skip
    f = tmp_path / "s.yaml"
    f.write_text("version: 1\nname: s\nbudget_usd: 1e6\nworkloads: [{benchmark: bert}]\ncloud_prices: cloud.csv\n")
    out = CliRunner().invoke(cli, ["optimize", str(f)])
    lines = out.stderr.splitlines()
    assert out.exit_code == 2 and len(lines) == 4, out.stderr
    csv_file = tmp_path / "cloud.csv"
    for line, (row, column) in zip(lines, [(2, "pricing"), (3, "accelerator_id"), (4, "usd_per_accelerator_hour"),
                                           (5, "as_of")]):  # fmt: skip
        assert line.startswith(f"{csv_file}:{row}: {column} (row {row - 1}): ") and line.endswith(
            f" (the cloud_prices of {f}:5)"), line


def test_a_cloud_price_list_is_relative_to_the_scenario_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # as `prices:` and `custom:` are; it was read from the working directory, so `cd` broke the scenario
    from recommender.scenario import load_scenario

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "cloud.csv").write_text(HEADER + "A,nvidia-a30-pcie-24gb,spot,1.25,t,2026\n")
    (tmp_path / "sub" / "s.yaml").write_text("version: 1\nname: s\nbudget_usd: 1e6\nworkloads: [{benchmark: bert}]\n"
                                             "cloud_prices: cloud.csv\n")  # fmt: skip
    monkeypatch.chdir(tmp_path)
    s = load_scenario("sub/s.yaml")
    assert Path(s.cloud_prices) == (tmp_path / "sub" / "cloud.csv").resolve()
    assert cloud.read_price_list(s.cloud_prices)["usd_per_accelerator_hour"].tolist() == [1.25]


def test_a_cloud_price_list_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    # Excel's "CSV UTF-8" starts with a byte-order mark: read as part of `provider`, it left the provider out of
    # the duplicate check, so two providers' rows for the same accelerator and pricing were "duplicated rows"
    from recommender.scenario import load_scenario

    rows = "AWS,nvidia-a30-pcie-24gb,spot,1.25,t,2026\nAzure,nvidia-a30-pcie-24gb,spot,1.5,t,2026\n"
    (tmp_path / "cloud.csv").write_bytes(b"\xef\xbb\xbf" + (HEADER + rows).encode())
    (tmp_path / "s.yaml").write_text("version: 1\nname: s\nbudget_usd: 1e6\nworkloads: [{benchmark: bert}]\n"
                                     "cloud_prices: cloud.csv\n")  # fmt: skip
    s = load_scenario(tmp_path / "s.yaml")
    assert cloud.read_price_list(s.cloud_prices)["provider"].tolist() == ["AWS", "Azure"]


def test_a_fleet_has_one_tco_when_the_work_exceeds_the_utilisation() -> None:
    # the closing notes: mix mode kept the scenario's utilisation for energy under a required rate, so a fleet
    # busy 79 % of the year was charged 50 % (TCO $80,177 beside a rent block buying at $83,406)
    import recommender

    rec = recommender.optimize({"workloads": [{"benchmark": "bert"}, {"benchmark": "resnet"}], "mix": True,
                                "objective": "min_tco", "required_mixes_per_day": 30, "utilization": 0.5,
                                "accelerators": ["nvidia-a30-pcie-24gb", "nvidia-a100-pcie-80gb",
                                                 "nvidia-h100-pcie-80gb"]})  # fmt: skip
    assert rec.status == "optimal" and rec.rent_or_buy is not None
    work = 30 * sum(c.weighted_minutes * c.count for c in rec.configurations) / 1440 / len(rec.configurations)
    assert len(rec.configurations) == 1 and rec.choice is not None and rec.choice.count == 1
    c = rec.choice
    assert c.utilization == pytest.approx(work) and c.utilization > 0.5
    assert rec.total_tco_usd == pytest.approx(rec.objective_value) == pytest.approx(rec.rent_or_buy.buy_tco_usd)
    assert c.tco_usd == pytest.approx(c.capex_usd + c.energy_usd - c.salvage_usd)


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_the_fleet_milp_pays_the_energy_of_its_work(solver: str) -> None:
    # two configurations as fast as each other: A's TCO at the 50 % floor is lower, but its energy at full use is
    # ten times B's; the work keeps one copy busy all day, so A costs 100 + 100 x 0.5 and B 110 + 10 x 0.5
    from recommender.planning import solve as S
    from recommender.planning.mix_check import BusyEnergy

    minutes = np.array([[60.0, 60.0]])
    ones = np.ones(2)
    res = S.Resources(ones, ones, ones, ones, ones)
    busy = BusyEnergy(usd_full=np.array([100.0, 10.0]), floor=np.array([0.5, 0.5]), expected=minutes,
                      weighted=np.array([60.0, 60.0]), mixes_per_day=24.0)  # fmt: skip
    common = {"objective": "tco", "tco_usd": np.array([100.0, 110.0]), "required_throughput": 24.0, "solver": solver}
    assert S.solve_mix(minutes, np.array([1.0]), res, S.Limits(), **common).counts.tolist() == [1, 0]
    r = S.solve_mix(minutes, np.array([1.0]), res, S.Limits(), busy_energy=busy, **common)
    assert r.status == "optimal" and r.counts.tolist() == [0, 1]
    assert r.objective == pytest.approx(110.0 + 10.0 * 0.5)
    assert S.best_incumbent(np.array([24.0, 24.0]), np.array([100.0, 110.0]), res, S.Limits(), objective="tco",
                            required_throughput=24.0, busy_energy=busy) == (1, 1)  # fmt: skip


@pytest.mark.parametrize("objective", ["min_time", "max_throughput"])
def test_consider_cloud_outside_min_tco_says_it_decides_nothing(objective: str) -> None:
    # a reviewer: consider_cloud under min_time was ignored without a word (exit 0, no decision, no note)
    from recommender import optimize

    rec = optimize({"budget_usd": 200_000, "objective": objective, "consider_cloud": True,
                    "workloads": [{"benchmark": "bert"}]})
    assert rec.cloud_decision is None
    said = [e for e in rec.explanation if e.startswith("consider_cloud: ")]
    assert said == [(f"consider_cloud: renting is weighed only under min_tco, whose required_mixes_per_day says the "
                    f"work to rent; under {objective} there is no buy-or-rent decision (the rent table compares the "
                    "same work for information).")], rec.explanation


def test_the_recommendations_rent_quotes_say_which_configuration_they_rent() -> None:
    # a reviewer: the JSON quotes omitted the count a rent was priced at ("as 40 x B300" was only in the text)
    from recommender import optimize

    seed = str(Path(__file__).resolve().parents[1] / "examples" / "seed.yaml")
    rec = optimize(seed)
    assert rec.rent_or_buy is not None and {q.accelerators for q in rec.rent_or_buy.quotes if
                                            q.accelerator_id == "nvidia-a100-pcie-80gb"} == {4}
    assert "| as |" in rec.to_markdown()
    tco = optimize(seed, objective="min_tco", required_mixes_per_day=40, consider_cloud=True)
    assert tco.cheapest_rent is not None and tco.cheapest_rent.accelerators is not None
    assert f"as {tco.cheapest_rent.accelerators} x " in tco.explanation[0] or tco.cheapest_rent.accelerators == (
        tco.choice.accelerators if tco.choice is not None else None)


def test_a_spot_quote_named_beside_a_buy_decision_carries_the_caveat_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                       ) -> None:
    """A reviewer: the spot caveat was said only when the decision was rent; a buy decision whose comparison named
    "the cheapest rent, … (B, spot)" had none in the table output. Wherever a spot quote is named it is said once:
    table, Markdown and JSON alike; batch Markdown and its summary on stderr too."""
    import json

    from click.testing import CliRunner
    from optimize_fakes import fake_predict

    from recommender import api, optimize
    from recommender.cli import cli
    from recommender.plan_models import SPOT_CAVEAT

    monkeypatch.setattr(api, "_default_predictor", lambda: fake_predict)
    prices = tmp_path / "cloud.csv"
    prices.write_text("provider,accelerator_id,pricing,usd_per_accelerator_hour,source,as_of\n"
                      "B,nvidia-h100-sxm5-80gb,spot,90.0,test,2026\n")  # fmt: skip
    base = {"name": "t", "accelerators": ["nvidia-h100-sxm5-80gb"], "workloads": [{"benchmark": "bert"}],
            "cloud_prices": str(prices), "objective": "min_tco", "required_mixes_per_day": 10}  # fmt: skip
    buy = optimize({**base, "consider_cloud": True})
    assert buy.cloud_decision == "buy" and buy.cheapest_rent.pricing == "spot"
    assert buy.explanation[0].endswith(f"Caveat: {SPOT_CAVEAT}."), buy.explanation[0]
    informative = optimize(base)  # no decision, but the rent table names the spot quote
    assert informative.cloud_decision is None and informative.rent_or_buy.quotes[0].pricing == "spot"
    assert informative.explanation[-1] == f"Spot prices in the rent figures (B nvidia-h100-sxm5-80gb): {SPOT_CAVEAT}."
    for rec in (buy, informative):
        assert rec.to_markdown().count(SPOT_CAVEAT) == 1
        assert json.dumps(rec.to_dict()).count(SPOT_CAVEAT) == 1
    f = tmp_path / "buy.yaml"
    f.write_text(f"version: 1\nname: buy\nobjective: min_tco\nrequired_mixes_per_day: 10\nconsider_cloud: true\n"
                 f"accelerators: [nvidia-h100-sxm5-80gb]\ncloud_prices: {prices}\nworkloads: [{{benchmark: bert}}]\n")
    table = CliRunner().invoke(cli, ["optimize", str(f)])
    assert table.exit_code == 0 and " ".join(table.stdout.split()).count(SPOT_CAVEAT) == 1, table.stdout
    out = tmp_path / "rows.md"
    batch = CliRunner().invoke(cli, ["batch", str(f), "--out", str(out)])
    assert batch.exit_code == 0 and out.read_text().count(SPOT_CAVEAT) == 1 and SPOT_CAVEAT in batch.stderr
    none = tmp_path / "none.csv"
    none.write_text(prices.read_text().replace("spot,90.0", "on_demand,90.0"))
    plain = optimize({**base, "consider_cloud": True, "cloud_prices": str(none)})
    assert not any(SPOT_CAVEAT in e for e in plain.explanation)  # no spot quote named: nothing said
    import catalog
    from recommender.models import Scenario
    from recommender.planning.report import plan_report

    report = plan_report(catalog.load(), Scenario(**base), "nvidia-h100-sxm5-80gb", 8, 1, 10.0)  # the examples' call
    assert report.to_markdown().count(SPOT_CAVEAT) == 1


def test_a_tco_below_capex_shows_the_salvage_as_a_negative_line_with_its_source(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A reviewer: the TCO came out below capex with nothing saying why. By the defaults it is right (the salvage, a
    planning assumption, outweighs a low utilisation's energy; defaults.csv has no maintenance or support row), so
    the bill runs on to the TCO with the salvage as a negative line and its source (table and Markdown), the
    explanation says why, and the rent table's buy figure gives its three terms."""
    from click.testing import CliRunner
    from optimize_fakes import fake_predict

    import catalog
    from recommender import api, optimize
    from recommender.cli import cli
    from recommender.format import money

    d = catalog.load().defaults
    fraction = float(d[(d["parameter"] == "salvage_fraction") & (d["applies_to"] == "default")]["value"].iloc[0])
    rate = float(d[(d["parameter"] == "cost_of_capital") & (d["applies_to"] == "default")]["value"].iloc[0])
    assert not d["parameter"].str.contains("mainten|support", case=False).any()  # nothing to add to the TCO
    base = {"name": "t", "accelerators": ["nvidia-h100-sxm5-80gb"], "workloads": [{"benchmark": "bert"}],
            "budget_usd": 300_000}
    low = optimize({**base, "utilization": 0.1}, predictor=fake_predict)
    c = low.choice
    assert c.salvage_usd == pytest.approx(fraction * c.capex_usd * (1 + rate) ** -5)
    assert c.tco_usd == pytest.approx(c.capex_usd + c.energy_usd - c.salvage_usd) and c.tco_usd < c.capex_usd
    assert f", below capex: the resale after 5 years ({fraction * 100:.1f} % of capex, salvage_fraction; " \
           f"{money(c.salvage_usd)} in present value) outweighs the energy ({money(c.energy_usd)})" in low.explanation[0]
    md = low.to_markdown()
    salvage = next(ln for ln in md.splitlines() if ln.startswith("| salvage, "))
    assert f"| -{money(c.salvage_usd)} | salvage_fraction[default] defaults.csv: mlperf-recommender planning " \
           "assumption" in salvage, salvage
    assert f"| **TCO (present value at {rate * 100:.1f} % a year)** | | | **{money(c.tco_usd)}** |" in md
    assert "The TCO is below capex: the resale outweighs the energy." in md
    assert f"(present value: capex {money(c.capex_usd)} + energy " in md.split("## Rent or buy")[1]
    monkeypatch.setattr(api, "_default_predictor", lambda: fake_predict)
    f = tmp_path / "low.yaml"
    f.write_text("version: 1\nname: low\nbudget_usd: 300000\nutilization: 0.1\naccelerators: [nvidia-h100-sxm5-80gb]\n"
                 "workloads: [{benchmark: bert}]\n")
    text = CliRunner().invoke(cli, ["optimize", str(f)]).stdout
    row = next(ln for ln in text.splitlines() if ln.lstrip().startswith("salvage, "))
    assert row.rstrip().endswith(f"-{money(c.salvage_usd)}"), row
    assert "salvage = salvage_fraction[default] defaults.csv: mlperf-recommender planning assumption" in text
    assert "The TCO is below capex: the resale outweighs the energy." in text
    busy = optimize(base, predictor=fake_predict)  # at the default utilisation the energy outweighs the resale
    assert busy.choice.tco_usd > busy.choice.capex_usd and "below capex" not in " ".join(busy.explanation)
    assert "| salvage, " in busy.to_markdown() and "below capex" not in busy.to_markdown()


def test_a_rent_decision_on_a_low_confidence_price_says_so(tmp_path: Path) -> None:
    """A buyer's review: the rent decision rested on an aggregator's listing (confidence L) without a word. The
    decision names the price's confidence and the row's notes (text and Markdown alike, and the explanation); the
    quote carries them (JSON) and so does a batch row; a high-confidence price adds nothing."""
    from optimize_fakes import fake_predict

    from recommender import optimize
    from recommender.batch import row_from_recommendation
    from recommender.report import rent_terms

    prices = tmp_path / "cloud.csv"
    prices.write_text("provider,accelerator_id,pricing,usd_per_accelerator_hour,source,as_of,confidence,notes\n"
                      "Agg,nvidia-h100-sxm5-80gb,on_demand,0.01,test,2026,L,aggregator only; wide spread\n"
                      "Own,nvidia-h100-sxm5-80gb,commit_3y,0.02,test,2026,H,provider's page\n")  # fmt: skip
    base = {"name": "t", "accelerators": ["nvidia-h100-sxm5-80gb"], "workloads": [{"benchmark": "bert"}],
            "objective": "min_tco", "required_mixes_per_day": 10, "consider_cloud": True,
            "cloud_prices": str(prices)}  # fmt: skip
    rec = optimize(base, predictor=fake_predict)
    assert rec.cloud_decision == "rent" and rec.cheapest_rent.provider == "Agg"
    said = "(price confidence L: aggregator only; wide spread)"
    assert said in rent_terms(rec)
    assert f"present value {said}; the purchase below" in rec.to_markdown()
    assert "price confidence L: aggregator only; wide spread" in rec.explanation[0]
    assert rec.cheapest_rent.confidence == "L" and rec.cheapest_rent.notes == "aggregator only; wide spread"
    assert row_from_recommendation(rec, file="t.yaml").cheapest_rent_confidence == "L: aggregator only; wide spread"
    sure = tmp_path / "sure.csv"  # (a price list is read once per path)
    sure.write_text(prices.read_text().replace(",L,aggregator", ",H,aggregator"))
    high = optimize({**base, "cloud_prices": str(sure)}, predictor=fake_predict)
    assert "confidence" not in rent_terms(high) and "confidence" not in high.explanation[0]
    assert row_from_recommendation(high, file="t.yaml").cheapest_rent_confidence == "H"


def test_the_rent_tables_show_each_cloud_price_source_in_full() -> None:
    """A buyer's review: the plan report cut cloud-price sources at 60 characters (the Markdown rent table at 80)
    though every other source is shown in full; the archived aggregator's source lost its dates."""
    import catalog
    from recommender import optimize
    from recommender.models import Scenario
    from recommender.planning.report import plan_report

    cat = catalog.load()
    prices = cat.cloud_prices
    long = prices[prices["accelerator_id"] == "amd-mi325x-256gb"]["source"].map(str)
    assert long.str.len().max() > 80  # (a source the cuts shortened)
    s = Scenario.parse({"budget_usd": 1e6, "workloads": [{"benchmark": "bert"}]})
    plan = plan_report(cat, s, "amd-mi325x-256gb", 16, 2, 30.0)
    rec = optimize(Scenario.parse({"budget_usd": 500_000, "accelerators": ["amd-mi325x-256gb"],
                                   "workloads": [{"benchmark": "llama2_70b_lora"}]}))  # fmt: skip
    for shown, text in (({q.source for q in plan.rent.shown("amd-mi325x-256gb")}, plan.to_markdown()),
                        ({q.source for q in rec.rent_or_buy.quotes}, rec.to_markdown())):
        assert shown & set(long)
        for source in shown & set(long):
            assert f"| {source} (" in text
