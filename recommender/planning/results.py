"""Result building blocks: a candidate as a Configuration, totals, slack and the cost assumptions used."""

from __future__ import annotations

from typing import Any

import numpy as np

from recommender.models import Assumption, BillLine, Configuration, WorkloadEstimate
from recommender.plan_models import source_text  # one source text for bill lines (their TCO lines too)
from recommender.planning.table import Prepared


def configuration(p: Prepared, i: int, *, count: int = 1, serves: dict[str, float] | None = None,
            trainings: np.ndarray | None = None, utilization: float | None = None) -> Configuration:  # fmt: skip
    """Candidate ``i`` as a (frozen) Configuration; one copy serving every workload is built once per table.
    ``utilization``: its copies' share of the year drawing training power when not the table's (a fleet's
    copies under a required rate, :class:`~recommender.planning.mix_check.BusyEnergy`)."""
    if utilization is not None:
        return _at_utilization(_configuration(p, i, count=count, serves=serves, trainings=trainings), p, utilization)
    if count == 1 and serves is None and trainings is None:
        key = ("configuration", int(i))
        hit = p.extra.get(key)
        if hit is None:
            hit = p.extra[key] = _configuration(p, i, count=1, serves=None, trainings=None)
        return hit.model_copy(update={"serves": dict(hit.serves)})  # its one mutable field: a caller's own copy
    return _configuration(p, i, count=count, serves=serves, trainings=trainings)


def _configuration(p: Prepared, i: int, *, count: int, serves: dict[str, float] | None,
                   trainings: np.ndarray | None) -> Configuration:
    t = p.table
    acc = str(t.acc[i])
    meta = p.meta.accelerators[acc]
    estimates = []
    for w, name in enumerate(p.names):
        m = float(t.minutes[i, w])
        tpd = float(trainings[w]) if trainings is not None else float(t.mixes[i] * p.shares[w])
        estimates.append(WorkloadEstimate(
            workload=name, share=float(p.shares[w]), minutes=m,
            minutes_low=finite_or_none(t.low[i, w]), minutes_high=finite_or_none(t.high[i, w]),
            basis=str(t.basis[i][w]), source=None if t.source[i][w] is None else str(t.source[i][w]),
            trainings_per_day=tpd,
        ))  # fmt: skip
    b = bill_object(p, i)
    return Configuration(
        accelerator_id=acc, accelerator_name=meta.name, form_factor=str(t.kind[i]),
        accelerators=int(t.accelerators[i]), nodes=int(t.nodes[i]), accelerators_per_node=int(t.per_node[i]),
        price_usd_per_accelerator=float(t.price[i]), price_source=p.prices[acc][1], capex_usd=float(t.capex[i]),
        it_power_kw=float(t.power[i]), facility_power_kw=float(t.facility[i]), rack_units=float(t.ru[i]),
        pue=float(t.pue[i]), energy_usd=float(t.energy[i]), tco_usd=float(t.tco[i]),
        weighted_minutes=float(t.weighted[i]), mixes_per_day=float(t.mixes[i]), workloads=estimates,
        serves=serves if serves is not None else {n: 1.0 for n in p.names}, count=count,
        bill=bill_lines(p, i, b), racks=_opt_int(t.racks, i), average_draw_kw=_opt(t.draw, i),
        rack_power_limit=rack_limit(b),
        energy_usd_per_year=_opt(t.energy_year, i), yearly_cost_usd=_opt(t.yearly, i),
        utilization=_opt(t.utilization, i),
        salvage_usd=max(0.0, float(t.capex[i] + t.energy[i] - t.tco[i])),  # the TCO's third term (financing.tco)
    )  # fmt: skip


def _at_utilization(c: Configuration, p: Prepared, utilization: float) -> Configuration:
    """``c`` with its energy, TCO and yearly cost at ``utilization`` (capex and salvage unchanged)."""
    if p.plan is None or c.average_draw_kw is None or c.utilization == utilization:
        return c
    from recommender.planning.power import energy_usd_per_year

    year = float(energy_usd_per_year(c.average_draw_kw, c.pue, utilization, p.model.energy_usd_per_kwh))
    f = p.plan.financing
    tco = float(f.tco(c.capex_usd, year))
    return c.model_copy(update={"energy_usd_per_year": year, "energy_usd": float(f.pv_of_yearly(year)),
                                "tco_usd": tco, "yearly_cost_usd": float(f.yearly(tco)), "utilization": utilization})


def _opt(a: np.ndarray | None, i: int) -> float | None:
    return None if a is None else float(a[i])


def _opt_int(a: np.ndarray | None, i: int) -> int | None:
    return None if a is None else int(a[i])


def bill_object(p: Prepared, i: int) -> Any:
    """The :class:`~recommender.planning.bill.Bill` of candidate ``i`` (its lines and their sources)."""
    from recommender.planning.bill import bill

    t = p.table
    acc = str(t.acc[i])
    info = p.meta.accelerators[acc]
    usd, source, conf, as_of = p.prices[acc]
    price = Assumption(parameter="price_usd_per_accelerator", applies_to=acc, value=usd, unit="usd", source=source,
                       confidence=conf, as_of=as_of)  # fmt: skip
    kind = str(t.kind[i])
    return bill(acc, info.form_factor, float(info.tdp_watts or 0.0), price, int(t.accelerators[i]), int(t.nodes[i]),
                p.model.defaults, cooling=None if p.scenario.cooling is None else p.scenario.cooling.value,
                partial_rack=p.scenario.partial_rack, liquid_only=p.specs[acc].liquid_only,
                own_scale_out=info.own_scale_out, era=info.scale_out_era,
                host_cost_usd=p.model.host_override(acc, kind))  # fmt: skip


def rack_limit(b: Any) -> Assumption | None:
    """The ``rack_power_limit_kw`` row a bill counts its racks at (a node above a standard air rack's limit: the
    dense rack's), as the Assumptions list it."""
    return next((a for a in b.assumptions if a.parameter == "rack_power_limit_kw"), None)


def bill_lines(p: Prepared, i: int, b: Any = None) -> list[BillLine]:
    b = bill_object(p, i) if b is None else b
    return [BillLine(item=ln.item, quantity=float(ln.quantity), unit_usd=float(ln.unit_usd),
                     total_usd=float(ln.total_usd), sources=[source_text(a) for a in ln.basis])
            for ln in b.lines]  # fmt: skip


def slack_of(p: Prepared, bought: list[tuple[int, int]]) -> dict[str, float]:
    """limit - use for every set limit, given (candidate, copies) bought (computed exactly, not from the solver)."""
    res = p.table.res
    return {name: limit - sum(float(res.usage(name)[i]) * k for i, k in bought) for name, limit in p.limits.items()}


def totals(configs: list[Configuration]) -> dict[str, float]:
    return {
        "total_capex_usd": sum(c.capex_usd * c.count for c in configs),
        "total_it_power_kw": sum(c.it_power_kw * c.count for c in configs),
        "total_facility_power_kw": sum(c.facility_power_kw * c.count for c in configs),
        "total_tco_usd": sum(c.tco_usd * c.count for c in configs),
    }


def finite_or_none(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def assumptions_for(p: Prepared, idx: list[int]) -> list[Assumption]:
    """The cost assumptions of candidates ``idx``: the cost model's, the power plan's, each accelerator's price and
    node spec, and every row their bills' lines charge (so the Assumptions name each figure the bill uses)."""
    out: dict[tuple[str, str], Assumption] = {}
    liquid = any(p.specs[str(p.table.acc[i])].liquid_only for i in idx)
    for key, a in p.model.assumptions.items():
        if key == ("pue", "liquid_cooled") and not (liquid or (p.scenario.cooling and p.scenario.cooling.value == "liquid")):
            continue
        if key == ("pue", "air_cooled") and p.scenario.cooling is not None and p.scenario.cooling.value == "liquid":
            continue
        if key == ("pue", "air_cooled") and idx and all(p.specs[str(p.table.acc[i])].liquid_only for i in idx) \
                and p.scenario.cooling is None:
            continue
        out[key] = a
    if p.plan is not None and idx:
        for a in p.plan.assumptions:
            out[(a.parameter, a.applies_to)] = a
        for acc in dict.fromkeys(str(p.table.acc[i]) for i in idx):
            a = p.plan.draw.ratio(acc)[1]
            out[(a.parameter, a.applies_to)] = a
    for acc in dict.fromkeys(str(p.table.acc[i]) for i in idx):
        usd, source, conf, as_of = p.prices[acc]
        out[("price_usd_per_accelerator", acc)] = Assumption(
            parameter="price_usd_per_accelerator", applies_to=acc, value=usd, unit="usd", source=source,
            confidence=conf, as_of=as_of)  # fmt: skip
        for a in p.spec_assumptions.get(acc, []):
            if a.parameter == "rack_units_per_node" and p.scenario.rack_units is None:
                continue
            out[(a.parameter, a.applies_to)] = a
    for i in dict.fromkeys(idx):  # every row the bought bills' lines charge: NICs, network tier, chassis rule
        b = bill_object(p, i)
        for a in [a for ln in b.lines for a in ln.basis] + [x for x in [rack_limit(b)] if x is not None]:
            out.setdefault((a.parameter, a.applies_to), a)  # (and the rack power limit behind "N racks")
    return list(out.values())
