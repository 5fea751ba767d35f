"""Rent or buy for the recommendation (issue 12): the chosen configuration's buy TCO beside renting the same
work in a cloud (``Catalog.cloud_prices`` or the scenario's own ``cloud_prices`` file)."""

from __future__ import annotations

import numpy as np

from recommender.models import Recommendation
from recommender.plan_models import RentOrBuy, RentQuote
from recommender.planning import cloud, sources
from recommender.planning.table import Prepared


def accelerator_hours_per_mix(p: Prepared, rows: np.ndarray | None = None) -> dict[str, float]:
    """Each accelerator's fewest accelerator-hours per mix over its usable candidates (most efficient one)."""
    t = p.table
    ok = t.predicted & np.isfinite(t.weighted)
    if rows is not None:
        ok &= rows
    out: dict[str, float] = {}
    hours = t.accelerators * t.weighted / 60.0
    for i in np.flatnonzero(ok):
        a = str(t.acc[i])
        if hours[i] < out.get(a, np.inf):
            out[a] = float(hours[i])
    return out


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
                             accelerator_hours_per_mix=accelerator_hours_per_mix(p))  # fmt: skip


def _quote(q: cloud.RentQuote) -> RentQuote:
    return RentQuote(provider=q.provider, accelerator_id=q.accelerator_id, pricing=q.pricing,
                     usd_per_accelerator_hour=q.usd_per_accelerator_hour, rent_usd_per_year=q.rent_usd_per_year,
                     rent_pv_usd=q.rent_pv_usd, break_even_utilization=q.break_even_utilization, source=q.source,
                     as_of=q.as_of)  # fmt: skip


def summary(r: cloud.RentOrBuy, accelerator_id: str) -> RentOrBuy:
    shown = list(r.cheapest_per_pricing(accelerator_id).values())
    if r.cheapest is not None and r.cheapest not in shown:
        shown.append(r.cheapest)
    return RentOrBuy(utilization=r.utilization, mixes_per_year=r.mixes_per_year, buy_tco_usd=r.buy_tco_pv_usd,
                     buy_usd_per_year=r.buy_usd_per_year, quotes=[_quote(q) for q in shown],
                     cheapest=None if r.cheapest is None else _quote(r.cheapest))  # fmt: skip


def attach(p: Prepared, rec: Recommendation) -> Recommendation:
    """The recommendation with its rent-or-buy block (one configuration bought once; mixes have none)."""
    c = rec.choice
    if c is None or p.plan is None or len(rec.configurations) != 1 or c.count != 1:
        return rec
    i = index_of(p, c.accelerator_id, c.accelerators, c.nodes)
    if i is None or not np.isfinite(p.table.weighted[i]):
        return rec
    return rec.model_copy(update={"rent_or_buy": summary(rent_or_buy_for(p, i), c.accelerator_id)})
