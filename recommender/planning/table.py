"""The candidate table: every priced accelerator x grid count with capex, power, TCO and minutes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.models import Assumption, Scenario, Skipped
from recommender.planning import costs as C
from recommender.planning import solve as S
from recommender.planning.bill import bill_arrays
from recommender.planning.catalog_info import AcceleratorInfo, CatalogMeta
from recommender.planning.finance import Financing
from recommender.planning.grid import limits_of, series
from recommender.planning.power import DrawModel, busy_share, energy_usd_per_year
from recommender.planning.predictions import Predictor, predict_rows

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog


@dataclass
class Table:
    """The candidate table as arrays (one entry per candidate; ``minutes`` etc. are [candidate, workload])."""

    acc: np.ndarray
    accelerators: np.ndarray
    nodes: np.ndarray
    per_node: np.ndarray
    kind: np.ndarray
    price: np.ndarray
    capex: np.ndarray
    power: np.ndarray
    facility: np.ndarray
    ru: np.ndarray
    energy: np.ndarray
    tco: np.ndarray
    pue: np.ndarray
    memory: np.ndarray
    mem_ok: np.ndarray
    minutes: np.ndarray
    low: np.ndarray
    high: np.ndarray
    basis: list[tuple[str, ...]]
    source: list[tuple[Any, ...]]
    predicted: np.ndarray  # every positive-share workload has finite minutes
    weighted: np.ndarray
    mixes: np.ndarray
    racks: np.ndarray | None = None  # racks counted by the bill (power limit by cooling, rack units)
    draw: np.ndarray | None = None  # expected average IT draw in training, kW (calibrated on MLPerf Power)
    energy_year: np.ndarray | None = None  # energy bill of one year at the scenario's utilisation, USD
    yearly: np.ndarray | None = None  # equivalent annual cost of the TCO's present value, USD
    utilization: np.ndarray | None = None  # share of the year drawing training power (power.busy_share)

    def __len__(self) -> int:
        return len(self.acc)

    @property
    def res(self) -> S.Resources:
        return S.Resources(self.capex, self.power, self.ru, self.nodes.astype(float), self.accelerators.astype(float))


@dataclass
class Prepared:
    scenario: Scenario
    catalog: Catalog
    meta: CatalogMeta
    model: C.CostModel
    table: Table
    shares: np.ndarray
    names: list[str]
    limits: S.Limits
    specs: dict[str, C.NodeSpec]
    spec_assumptions: dict[str, list[Assumption]]
    prices: dict[str, tuple[float, str, str | None, str | None]]  # id -> (usd, source, confidence, as_of)
    skipped: list[Skipped]
    considered: list[str]  # accelerator ids that produced candidates
    allow_note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    plan: Plan | None = None  # issue 12: utilisation, financing and the draw model with their sources


@dataclass(frozen=True)
class Plan:
    """What turns a bill into a yearly and a present-value cost (issue 12), with the sources of each figure."""

    utilization: float
    financing: Financing
    draw: DrawModel
    assumptions: tuple[Assumption, ...]


def plan_of(s: Scenario, catalog: Catalog) -> Plan:
    from recommender.planning import power, sources
    from recommender.planning.report import financing_for

    util = sources.scenario_value("utilization", s.utilization, catalog.defaults)
    fin, fin_basis = financing_for(s, catalog.defaults)
    return Plan(util.value, fin, power.draw_model(catalog), (util, *fin_basis))


def prepare(s: Scenario, catalog: Catalog, meta: CatalogMeta, predictor: Predictor) -> Prepared:
    """The candidate table of a validated scenario whose ids were checked against ``catalog``."""
    model = C.cost_model(catalog.defaults, s)
    limits = limits_of(s)
    names = s.workload_names
    shares_map = s.shares
    shares = np.array([shares_map[n] for n in names])
    allow = set(s.accelerators) if s.accelerators is not None else None
    plan = plan_of(s, catalog)
    sel = _select(s, meta, model, limits, allow)

    def grid(accs: set[str]) -> list[tuple[str, int, int]]:
        out: list[tuple[str, int, int]] = []
        for acc_id in sorted(accs):
            spec_ = sel.specs[acc_id]
            tdp_ = meta.accelerators[acc_id].tdp_watts or 0.0
            out += [(acc_id, a, n) for a, n, _per in series(spec_, sel.prices[acc_id][0], tdp_, S.Limits(),
                                                            partial_rack=s.partial_rack)]
        return out

    pred, failed = predict_rows([(r[0], r[1], r[2]) for r in sel.rows], s, catalog, predictor, grid)
    for acc_id, why in failed.items():
        if acc_id in sel.specs:
            sel.skipped.append(Skipped(accelerator_id=acc_id, reason=f"the performance model cannot answer: {why}"))
            sel.considered.remove(acc_id)
    rows = [r for r in sel.rows if r[0] not in failed]
    table = _table(s, meta, model, sel, rows, pred, shares, plan)
    allow_note = None
    if allow is not None:
        used = sorted(a for a in allow if a in sel.considered)
        allow_note = ("Only the scenario's allow-listed accelerators were considered: " + (", ".join(used) or "none")
                      + ".")
        dropped = [f"{k.accelerator_id} ({k.reason})" for k in sel.skipped if k.accelerator_id in allow
                   and k.accelerator_id not in sel.considered]  # fmt: skip
        if dropped:
            allow_note += " Allow-listed but skipped: " + "; ".join(sorted(set(dropped))) + "."
    return Prepared(s, catalog, meta, model, table, shares, names, limits, sel.specs, sel.spec_assumptions,
                    sel.prices, sel.skipped, sel.considered, allow_note, plan=plan)  # fmt: skip


@dataclass
class _Selection:
    """The accelerators a scenario considers, with their node spec and price, and the grid rows of each."""

    specs: dict[str, C.NodeSpec] = field(default_factory=dict)
    spec_assumptions: dict[str, list[Assumption]] = field(default_factory=dict)
    prices: dict[str, tuple[float, str, str | None, str | None]] = field(default_factory=dict)
    rows: list[tuple[str, int, int, int]] = field(default_factory=list)
    considered: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _price(s: Scenario, acc: AcceleratorInfo) -> tuple[float, str, str | None, str | None] | None:
    """(usd, source, confidence, as_of): the scenario's price, else the catalog's reference price, else None."""
    if acc.id in s.prices:
        note = s.price_notes.get(acc.id, "vendor quote")
        return (float(s.prices[acc.id]), f"scenario prices: {note}", None, None)
    if acc.price is not None:
        return (acc.price, "defaults.csv: " + (acc.price_source or "reference price"), acc.price_confidence,
                acc.price_as_of)  # fmt: skip
    return None


def _select(s: Scenario, meta: CatalogMeta, model: C.CostModel, limits: S.Limits,
            allow: set[str] | None) -> _Selection:  # fmt: skip
    sel = _Selection()
    for acc in meta.accelerators.values():
        if allow is not None and acc.id not in allow:
            continue
        if acc.id in s.exclude:
            sel.skipped.append(Skipped(accelerator_id=acc.id, reason="excluded by the scenario"))
            continue
        price = _price(s, acc)
        if price is None:
            sel.skipped.append(Skipped(accelerator_id=acc.id,
                                       reason="no reference price in the catalog; give one in the scenario's `prices`"))
            continue
        spec, reason, used = C.node_spec(acc.id, acc.form_factor, model, liquid_part=acc.liquid_part,
                                         pcie_chassis_sizes=meta.chassis_sizes(acc.tdp_watts or 0.0))
        if spec is None:
            why = reason
        elif spec.liquid_only and s.cooling is not None and s.cooling.value == "air":
            why = _air_reason(spec)
        elif acc.tdp_watts is None:
            why = "no TDP in the catalog, so no power figure"
        else:
            why = None
        if why is not None or spec is None or acc.tdp_watts is None:
            sel.skipped.append(Skipped(accelerator_id=acc.id, reason=why or reason))
            continue
        sel.prices[acc.id] = price
        sel.specs[acc.id] = spec
        sel.spec_assumptions[acc.id] = used
        sel.considered.append(acc.id)
        sel.rows += [(acc.id, a, n, per) for a, n, per in series(spec, price[0], acc.tdp_watts, limits,
                                                                 partial_rack=s.partial_rack)]
    return sel


def _air_reason(spec: C.NodeSpec) -> str:
    """Why a liquid-only accelerator is skipped under ``cooling: air`` (no parentheses: the allow-list note quotes
    it in some)."""
    if spec.kind == C.NVL72:
        return "rack-scale system needs liquid cooling; the scenario's cooling is air"
    return "a liquid-cooled part, sold for liquid-cooled servers only, as its catalog notes say; the scenario's cooling is air"


def _table(s: Scenario, meta: CatalogMeta, model: C.CostModel, sel: _Selection, rows: list[tuple[str, int, int, int]],
           pred: dict[tuple[str, int, int], tuple[Any, ...]], shares: np.ndarray, plan: Plan) -> Table:  # fmt: skip
    """Costs, power and minutes of every row as arrays (per-accelerator constants spread over its rows)."""
    specs, prices = sel.specs, sel.prices
    n, W = len(rows), len(shares)
    acc_arr = np.array([r[0] for r in rows], dtype=object)
    ints = np.array([(r[1], r[2], r[3]) for r in rows], dtype=np.int64).reshape(-1, 3)
    accelerators, nodes, per_node = ints[:, 0], ints[:, 1], ints[:, 2]
    # per-accelerator constants, spread over the rows (rows of one accelerator are contiguous)
    ids = list(dict.fromkeys(r[0] for r in rows))
    first = {a: i for i, a in enumerate(ids)}
    pos_of = np.array([first[r[0]] for r in rows], dtype=np.int64)

    def spread(values: list[Any], dtype: Any = float) -> np.ndarray:
        return np.asarray(values, dtype=dtype)[pos_of] if ids else np.zeros(0, dtype=dtype)

    price = spread([prices[a][0] for a in ids])
    pue = spread([model.pue_for(specs[a].liquid_only) for a in ids])
    memory = spread([meta.accelerators[a].memory_gb or np.nan for a in ids])
    kind = spread([specs[a].kind for a in ids], dtype=object)
    # the whole bill (accelerators, hosts by platform, NICs, network tier, racks), one accelerator at a time
    capex, power, ru, racks = (np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n, dtype=np.int64))
    cooling = None if s.cooling is None else s.cooling.value
    for a in ids:
        rows_a = np.flatnonzero(acc_arr == a)
        info = meta.accelerators[a]
        b = bill_arrays(a, info.form_factor, float(info.tdp_watts or 0.0), prices[a][0], accelerators[rows_a],
                        nodes[rows_a], model.defaults, cooling=cooling, partial_rack=s.partial_rack,
                        liquid_only=specs[a].liquid_only, own_scale_out=info.own_scale_out,
                        era=info.scale_out_era,
                        host_cost_usd=_value(model.host_override(a, specs[a].kind)))  # fmt: skip
        capex[rows_a] = b["capex_usd"]
        power[rows_a] = b["provisioned_it_power_kw"]
        ru[rows_a] = b["rack_units"]
        racks[rows_a] = b["racks"]
    facility = C.facility_power_kw(power, pue)
    got = [pred[(r[0], r[1], r[2])] for r in rows]
    if got:
        minutes = np.concatenate([g[0] for g in got]).reshape(n, W)
        low = np.concatenate([g[1] for g in got]).reshape(n, W)
        high = np.concatenate([g[2] for g in got]).reshape(n, W)
    else:
        minutes = low = high = np.zeros((0, W))
    basis: list[tuple[str, ...]] = [g[3] for g in got]
    source: list[tuple[Any, ...]] = [g[4] for g in got]
    pos = shares > 0
    valid = np.isfinite(minutes) & (minutes > 0)
    predicted = np.all(valid[:, pos], axis=1) if n else np.zeros(0, dtype=bool)
    weighted = np.where(predicted, np.nansum(np.where(valid, minutes, 0.0) * shares[None, :], axis=1), np.inf)
    with np.errstate(divide="ignore"):
        mixes = np.where(predicted, S.MINUTES_PER_DAY / weighted, 0.0)
    # expected average draw (calibrated), energy at the busy share, present-value TCO
    ratio = spread([plan.draw.ratio(a)[0] for a in ids])
    draw = power * ratio
    util = busy_share(s, plan.utilization, weighted)
    energy_year = energy_usd_per_year(draw, pue, util, model.energy_usd_per_kwh)
    energy = plan.financing.pv_of_yearly(energy_year)
    tco = plan.financing.tco(capex, energy_year)
    yearly = plan.financing.yearly(tco)
    mem_ok = np.ones(n, dtype=bool)
    if s.min_accelerator_memory_gb is not None:
        mem_ok = np.nan_to_num(memory, nan=0.0) >= s.min_accelerator_memory_gb - 1e-9
    return Table(acc_arr, accelerators, nodes, per_node, kind,
                   price, capex, power, facility, ru, energy, tco, pue, memory, mem_ok, minutes, low,
                   high, basis, source, predicted, weighted, mixes, racks, draw, energy_year, yearly, util)  # fmt: skip


def _value(a: Assumption | None) -> float | None:
    return None if a is None else a.value
