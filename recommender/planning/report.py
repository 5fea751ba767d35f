"""One configuration's whole picture: the bill, both power figures, the financed TCO and rent or buy.

:func:`plan_report` is the single call the optimizer, ``to_markdown()`` and the TUI can make for a chosen
configuration (see the wiring list in the CHANGELOG / report of issue 12); it reads every figure through
``sources.py`` and returns each one with its basis.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from recommender.format import at_utilization, break_even, count, kw, money, percent
from recommender.models import Assumption, Scenario
from recommender.plan_models import (
    BREAK_EVEN_NOTE,
    RENT_BASIS_NOTE,
    SPOT_CAVEAT,
    is_spot,
    rack_limit_text,
    rent_minutes,
    tco_lines,
)
from recommender.planning import cloud, power, sources
from recommender.planning import costs as C
from recommender.planning.bill import Bill, bill_for
from recommender.planning.finance import Financing


@dataclass(frozen=True)
class PlanReport:
    """Bill, power, energy, financing and rent-or-buy of one configuration."""

    bill: Bill
    average_draw_kw: float
    pue: float
    energy_usd_per_year: float  # at ``utilization`` (the table's busy_share)
    tco_pv_usd: float
    yearly_cost_usd: float
    financing: Financing
    rent: cloud.RentOrBuy | None
    assumptions: tuple[Assumption, ...]
    utilization: float | None = None

    def to_markdown(self) -> str:
        b = self.bill
        limit = next((a for a in b.assumptions if a.parameter == "rack_power_limit_kw"), None)
        power_line = (f"Provisioned IT power {kw(b.provisioned_it_power_kw)} ({b.racks} rack(s) "
                      f"{rack_limit_text(limit, full=True) or f'at the {b.rack_class} power limit'}); "
                      f"expected average draw in training {kw(self.average_draw_kw)}; "
                      f"PUE {self.pue:g}.")  # fmt: skip
        money_line = (f"Energy {money(self.energy_usd_per_year)} a year{at_utilization(self.utilization)}; TCO (present value over "
                      f"{self.financing.years:g} years at {percent(self.financing.cost_of_capital)}, "
                      f"{percent(self.financing.salvage_fraction)} salvage) {money(self.tco_pv_usd)}, i.e. "
                      f"{money(self.yearly_cost_usd)} a year.")  # fmt: skip
        energy = float(self.financing.pv_of_yearly(self.energy_usd_per_year))
        terms = SimpleNamespace(capex_usd=b.capex_usd, energy_usd=energy, tco_usd=self.tco_pv_usd,
                                salvage_usd=b.capex_usd + energy - self.tco_pv_usd, utilization=self.utilization)
        rows = [f"| {item} | | | {total:,.0f} | {source} |" for item, total, source in tco_lines(terms, self.assumptions)]
        out = ["\n".join([self.bill.to_markdown(), *rows]), "", power_line, money_line]
        if self.rent is not None:
            out += ["", _rent_markdown(self.rent, b.accelerator_id)]
        return "\n".join(out)


def _rent_markdown(r: cloud.RentOrBuy, accelerator_id: str) -> str:
    rows = [(f"Rent or buy at utilisation {percent(r.utilization)} ({r.mixes_per_year:,.0f} mixes a year): "
             f"buy {money(r.buy_tco_pv_usd)} (present value)."), "",
            ("| provider | accelerator | as | min | pricing | USD/acc-h | rent (PV) | vs buy | break-even "
             "utilisation | source |"), "|---|---|--:|--:|---|---:|---:|---:|---:|---|"]  # fmt: skip
    for q in r.shown(accelerator_id):
        be = break_even(q.break_even_utilization)
        rows.append(f"| {q.provider} | {q.accelerator_id} | {count(q.accelerators or None)} | {rent_minutes(q)} | {q.pricing} | "
                    f"{q.usd_per_accelerator_hour:.2f} | "
                    f"{money(q.rent_pv_usd)} | {q.rent_pv_usd / r.buy_tco_pv_usd:.2f}x | {be} | "
                    f"{q.source} ({q.as_of}) |")  # fmt: skip  # in full, as the bill's sources (cut at 60, it lost its date)
    rows += ["", RENT_BASIS_NOTE[0].upper() + RENT_BASIS_NOTE[1:] + "; " + BREAK_EVEN_NOTE + "."]
    if any(is_spot(q.pricing) for q in r.shown(accelerator_id)):  # once, as in a recommendation's explanation
        rows += ["", f"Spot prices: {SPOT_CAVEAT}."]
    return "\n".join(rows)


def financing_for(scenario: Scenario, defaults: Any) -> tuple[Financing, list[Assumption]]:
    """The scenario's financing terms (scenario value, else its defaults.csv row)."""
    coc = sources.scenario_value("cost_of_capital", scenario.cost_of_capital, defaults)
    salvage = sources.scenario_value("salvage_fraction", scenario.salvage_fraction, defaults)
    return Financing(years=float(scenario.years), cost_of_capital=coc.value, salvage_fraction=salvage.value), [coc,
                                                                                                          salvage]


def plan_report(catalog: Any, scenario: Scenario, accelerator_id: str, accelerators: int, nodes: int,
                minutes_per_mix: float, *, efficient: dict[str, tuple[float, int]] | None = None,
                with_rent: bool = True) -> PlanReport:  # fmt: skip
    """The whole picture for ``accelerators`` x ``accelerator_id`` in ``nodes`` nodes; ``minutes_per_mix``:
    its share-weighted minutes to train the scenario's mix (``Configuration.weighted_minutes``); ``efficient``:
    each accelerator's most efficient configuration for the rent (:func:`most_efficient`)."""
    defaults = sources.defaults_frame(catalog)
    quote = scenario.prices.get(accelerator_id)
    model = C.cost_model(catalog.defaults, scenario)
    form = catalog.accelerators.set_index("accelerator_id").loc[accelerator_id].get("form_factor")
    b = bill_for(catalog, accelerator_id, accelerators, nodes, quote_usd=quote,
                 cooling=None if scenario.cooling is None else scenario.cooling.value,
                 partial_rack=scenario.partial_rack,  # the scenario's host cost, as the optimizer's bill (it had none)
                 host_cost_usd=model.host_override(accelerator_id, C.node_kind(accelerator_id, form, defaults)))
    draw_model = power.draw_model(catalog)
    draw, draw_basis = draw_model.average_draw_kw(accelerator_id, b.provisioned_it_power_kw)
    pue = model.pue_for(b.liquid_only)  # as the table: the rule of costs.liquid_cooled, like the bill's rack class
    util = sources.scenario_value("utilization", scenario.utilization, defaults)
    fin, fin_basis = financing_for(scenario, defaults)
    full_year = power.energy_usd_per_year(draw, pue, 1.0, model.energy_usd_per_kwh)
    share = float(power.busy_share(scenario, util.value, np.array([minutes_per_mix]))[0])  # as the table charges it
    energy = full_year * share
    tco = fin.tco(b.capex_usd, energy)
    rent = None
    if with_rent:
        prices = sources.cloud_prices(catalog, scenario.cloud_prices)
        rent = cloud.rent_or_buy(prices, accelerator_id=accelerator_id, accelerators=b.accelerators,
                                 minutes_per_mix=minutes_per_mix, capex_usd=b.capex_usd,
                                 energy_usd_per_year_full=full_year, financing=fin, utilization=util.value,
                                 required_mixes_per_day=scenario.required_mixes_per_day,
                                 accelerator_hours_per_mix={a: h for a, (h, _) in (efficient or {}).items()},
                                 rented_counts={a: n for a, (_, n) in (efficient or {}).items()})  # fmt: skip
    used = (*b.assumptions, draw_basis, util, *fin_basis, *model.assumptions.values())
    return PlanReport(bill=b, average_draw_kw=draw, pue=pue, energy_usd_per_year=energy, tco_pv_usd=float(tco),
                      yearly_cost_usd=float(fin.yearly(tco)), financing=fin, rent=rent, assumptions=used,
                      utilization=share)  # fmt: skip


def most_efficient(candidates: Any) -> dict[str, tuple[float, int]]:
    """From a candidate table (``recommender.candidates()``: accelerator_id, accelerators, weighted_minutes):
    each accelerator's fewest accelerator-hours per mix and that configuration's count (its most efficient)."""
    frame = candidates[["accelerator_id", "accelerators", "weighted_minutes"]].dropna()
    frame = frame[frame["weighted_minutes"] < float("inf")]
    frame = frame.assign(hours=frame["accelerators"].astype(float) * frame["weighted_minutes"].astype(float) / 60.0)
    best = frame.sort_values("hours", kind="stable").drop_duplicates("accelerator_id")
    return {str(a): (float(h), int(n)) for a, h, n in zip(best["accelerator_id"], best["hours"], best["accelerators"])}
