"""Rent or buy for the recommendation (issue 12): the chosen configuration's buy TCO beside renting the same
work in a cloud (``Catalog.cloud_prices`` or the scenario's own ``cloud_prices`` file)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from recommender import format as fmt
from recommender.models import Objective, Recommendation, Status
from recommender.plan_models import SPOT_CAVEAT, RentOrBuy, RentQuote, is_spot, price_confidence
from recommender.planning import cloud, sources
from recommender.planning.table import Prepared


def most_efficient(p: Prepared, rows: np.ndarray | None = None) -> dict[str, tuple[float, int]]:
    """Each accelerator's fewest accelerator-hours per mix over its usable candidates, and that configuration's
    accelerator count (its most efficient one: what a rent runs the work on)."""
    t = p.table
    ok = t.predicted & np.isfinite(t.weighted)
    if rows is not None:
        ok &= rows
    out: dict[str, tuple[float, int]] = {}
    hours = t.accelerators * t.weighted / 60.0
    for i in np.flatnonzero(ok):
        a = str(t.acc[i])
        if hours[i] < out.get(a, (np.inf, 0))[0]:
            out[a] = (float(hours[i]), int(t.accelerators[i]))
    return out


def accelerator_hours_per_mix(p: Prepared, rows: np.ndarray | None = None) -> dict[str, float]:
    """:func:`most_efficient`'s accelerator-hours per mix."""
    return {a: h for a, (h, _) in most_efficient(p, rows).items()}


def _rented_as(p: Prepared, rec: Recommendation, accelerator_id: str) -> str:
    """How the rent quote runs the work when not as the purchase does: on the accelerator's most efficient
    configuration (fewest accelerator-hours per mix), e.g. "; as 4 x A100 PCIe 80GB, its fewest accelerator-hours per mix" — a
    reviewer found the decision's rent below every row of the rent table, which rents the bought configuration."""
    best = most_efficient(p, p.table.acc == accelerator_id).get(accelerator_id)
    if best is None:
        return ""
    c = rec.choice
    if c is not None and len(rec.configurations) == 1 and c.accelerator_id == accelerator_id \
            and c.accelerators == best[1]:  # fmt: skip
        return ""
    return f"; as {fmt.count(best[1])} x {p.meta.accelerators[accelerator_id].name}, its fewest accelerator-hours per mix"


def index_of(p: Prepared, accelerator_id: str, accelerators: int, nodes: int) -> int | None:
    t = p.table
    hit = np.flatnonzero((t.acc == accelerator_id) & (t.accelerators == accelerators) & (t.nodes == nodes))
    return int(hit[0]) if hit.size else None


def rent_or_buy_for(p: Prepared, i: int) -> cloud.RentOrBuy:
    """Buy candidate ``i`` versus renting the scenario's work (see :mod:`recommender.planning.cloud`)."""
    t, s = p.table, p.scenario
    assert p.plan is not None and t.draw is not None
    prices = sources.cloud_prices(p.catalog, s.cloud_prices)
    full_year = float(t.draw[i] * t.pue[i]) * cloud.HOURS_PER_YEAR * p.model.energy_usd_per_kwh
    return cloud.rent_or_buy(prices, accelerator_id=str(t.acc[i]), accelerators=int(t.accelerators[i]),
                             minutes_per_mix=float(t.weighted[i]), capex_usd=float(t.capex[i]),
                             energy_usd_per_year_full=full_year, financing=p.plan.financing,
                             utilization=p.plan.utilization, required_mixes_per_day=s.required_mixes_per_day,
                             accelerator_hours_per_mix=accelerator_hours_per_mix(p),
                             rented_counts={a: n for a, (_, n) in most_efficient(p).items()})  # fmt: skip


def _quote(q: cloud.RentQuote) -> RentQuote:
    return RentQuote(provider=q.provider, accelerator_id=q.accelerator_id, pricing=q.pricing,
                     usd_per_accelerator_hour=q.usd_per_accelerator_hour, rent_usd_per_year=q.rent_usd_per_year,
                     rent_pv_usd=q.rent_pv_usd, break_even_utilization=q.break_even_utilization, source=q.source,
                     as_of=q.as_of, accelerators=q.accelerators, minutes=q.minutes, confidence=q.confidence,
                     notes=q.notes)  # fmt: skip


def summary(r: cloud.RentOrBuy, accelerator_id: str) -> RentOrBuy:
    shown = r.shown(accelerator_id)
    return RentOrBuy(utilization=r.utilization, mixes_per_year=r.mixes_per_year, buy_tco_usd=r.buy_tco_pv_usd,
                     buy_usd_per_year=r.buy_usd_per_year, quotes=[_quote(q) for q in shown],
                     cheapest=None if r.cheapest is None else _quote(r.cheapest))  # fmt: skip


def attach(p: Prepared, rec: Recommendation) -> Recommendation:
    """The recommendation with its rent-or-buy block (one configuration bought once; mixes have none) and,
    with ``consider_cloud`` under ``min_tco``, the comparison of the cheapest rent with the best buy."""
    c = rec.choice
    if c is not None and p.plan is not None and len(rec.configurations) == 1 and c.count == 1:
        i = index_of(p, c.accelerator_id, c.accelerators, c.nodes)
        if i is not None and np.isfinite(p.table.weighted[i]):
            rec = rec.model_copy(update={"rent_or_buy": summary(rent_or_buy_for(p, i), c.accelerator_id)})
    if p.scenario.consider_cloud and p.scenario.objective == Objective.MIN_TCO and p.plan is not None:
        rec = consider_cloud(p, rec)
    elif p.scenario.consider_cloud:  # (a reviewer: ignored without a word, a buyer thought renting was weighed)
        line = (f"consider_cloud: renting is weighed only under min_tco, whose required_mixes_per_day says the work "
                f"to rent; under {p.scenario.objective.value} there is no buy-or-rent decision"
                + (" (the rent table compares the same work for information)." if rec.rent_or_buy is not None else "."))
        rec = rec.model_copy(update={"explanation": [*rec.explanation, line]})
    return say_spot_caveat(rec)


def say_spot_caveat(rec: Recommendation) -> Recommendation:
    """The spot caveat, said once in the explanation (so in the table, Markdown and JSON outputs) wherever a spot
    quote is named: the consider_cloud line says it when its quote is spot (buy or rent alike), else a sentence
    names the rent table's spot rows (a reviewer: a buy decision beside "cheapest rent: … spot" had none)."""
    if any(SPOT_CAVEAT in e for e in rec.explanation):
        return rec
    r = rec.rent_or_buy
    quotes = [*(r.quotes if r is not None else []), *([r.cheapest] if r is not None and r.cheapest else []),
              *([rec.cheapest_rent] if rec.cheapest_rent is not None else [])]  # fmt: skip
    spot = list(dict.fromkeys(f"{q.provider} {q.accelerator_id}" for q in quotes if is_spot(q.pricing)))
    if not spot:
        return rec
    line = f"Spot prices in the rent figures ({', '.join(spot)}): {SPOT_CAVEAT}."
    return rec.model_copy(update={"explanation": [*rec.explanation, line]})


def consider_cloud(p: Prepared, rec: Recommendation) -> Recommendation:
    """``consider_cloud: true`` with ``min_tco``: the cheapest way to rent the required mixes per day (any
    considered accelerator, any pricing model) against the best purchase's TCO, both present values."""
    from recommender.planning.binding import wider

    s = p.scenario
    assert p.plan is not None and s.required_mixes_per_day is not None
    prices = sources.cloud_prices(p.catalog, s.cloud_prices)
    free = wider(p, *p.limits.names())  # renting is not bound by the purchase's limits (a reviewer: a 100 kW
    # power limit made the cheapest rent dearer, its candidates stopping just past 100 kW)
    efficient = most_efficient(free)
    frame = cloud.cheapest_rent_per_accelerator(prices, {a: h for a, (h, _) in efficient.items()},
                                                s.required_mixes_per_day * 365.25, p.plan.financing,
                                                {a: n for a, (_, n) in efficient.items()})  # fmt: skip
    if not len(frame):
        line = "consider_cloud: the cloud price list has no row for any accelerator considered; buying only."
        return rec.model_copy(update={"explanation": [*rec.explanation, line]})
    best = frame.iloc[0]
    rent = float(best["rent_pv_usd"])
    buy = rec.total_tco_usd if rec.status != Status.INFEASIBLE else None
    same_work = ""
    if buy is not None and rec.rent_or_buy is not None:  # the purchase doing the same work as the rent (its table)
        buy = rec.rent_or_buy.buy_tco_usd
        same_work = f", energy at the work's {fmt.percent(rec.rent_or_buy.utilization)} utilisation"
    name = p.meta.accelerators[str(best["accelerator_id"])].name
    grade = None if pd.isna(best["confidence"]) else str(best["confidence"])
    notes = None if pd.isna(best["notes"]) else str(best["notes"])
    sure = price_confidence(SimpleNamespace(confidence=grade, notes=notes))  # (a low one said where it is named)
    what = f"renting {name} ({best['provider']}, {best['pricing']}{_rented_as(free, rec, str(best['accelerator_id']))}) " \
           f"for {fmt.money(rent)} (present value{', ' + sure if sure else ''})"
    if buy is None:
        line = f"consider_cloud: no purchase fits; the cheapest way to do the work is {what}."
        decision = "rent"
    elif rent < buy:
        line = (f"consider_cloud: {what} is cheaper than buying ({fmt.money(buy)} TCO{same_work}) by {fmt.money(buy - rent)} "
                f"({(1 - rent / buy) * 100:.0f} %): rent.")  # fmt: skip
        decision = "rent"
    else:
        line = (f"consider_cloud: buying ({fmt.money(buy)} TCO{same_work}) is cheaper than the cheapest rent, {what}, by "
                f"{fmt.money(rent - buy)}: buy.")  # fmt: skip
        decision = "buy"
    if is_spot(str(best["pricing"])):  # named as the figure to act on, whichever way the decision goes
        line += f" Caveat: {SPOT_CAVEAT}."
    cheapest = RentQuote(provider=str(best["provider"]), accelerator_id=str(best["accelerator_id"]),
                         pricing=str(best["pricing"]), usd_per_accelerator_hour=float(best["usd_per_accelerator_hour"]),
                         rent_usd_per_year=float(best["rent_usd_per_year"]), rent_pv_usd=rent,
                         source=str(best["source"]), as_of=str(best["as_of"]),
                         accelerators=None if pd.isna(best["accelerators"]) else int(best["accelerators"]),
                         minutes=None if pd.isna(best["minutes"]) else float(best["minutes"]),
                         confidence=grade, notes=notes, accelerator_name=name)  # fmt: skip
    key = ("provider", "accelerator_id", "pricing", "usd_per_accelerator_hour", "source")
    shown = rec.rent_or_buy.quotes if rec.rent_or_buy is not None else []
    same = next((q for q in shown if all(getattr(q, k) == getattr(cheapest, k) for k in key)), None)
    if same is not None:  # a row of the rent block: the same price row, whose break-even is the bought system's
        cheapest = cheapest.model_copy(update={"break_even_utilization": same.break_even_utilization})
    return rec.model_copy(update={"explanation": [line, *rec.explanation], "cloud_decision": decision,
                                  "cheapest_rent": cheapest})
