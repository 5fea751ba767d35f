"""The buyer's whole bill for one configuration: accelerators, hosts, NICs, scale-out network, racks.

Every unit price and limit is a ``defaults.csv`` row (read through :func:`recommender.planning.sources.
defaults_frame`), carried on its bill line as an :class:`~recommender.models.Assumption`. The rules:

* **Accelerators**: count x price (NVL72 parts are bought as whole racks of 72 unless ``partial_rack``).
* **Host per node** by platform: HGX B200 and HGX B300 nodes use their own rows (``hgx_b200_8gpu_node``,
  ``hgx_b300_8gpu_node``), other SXM/OAM nodes the Hopper-era ``sxm_oam_8gpu_node``, PCIe servers
  ``pcie_node``; NVL72 racks none (the per-GPU price includes the system). A PCIe chassis above 8 cards costs
  host x cards / 8 and draws host power x cards / 8, and its NICs and network ports count x cards / 8 too (a
  planning assumption row of defaults.csv, stated on the lines).
* **NICs** (``nic_cost_usd_per_node``, ``costs.nic_row``): one set per node of a multi-node SXM/OAM or PCIe
  purchase; none for a single node (no scale-out fabric), for HGX B300 (NICs on the baseboard), HGX B200 (its host
  row includes them: ``costs.HOSTS_WITH_NICS``) and NVL72 (in the rack price); a line at 0 (a planning assumption
  row) for accelerators whose own Ethernet ports serve scale-out (Gaudi 1, 2, 3: ``costs.scale_out_on_accelerator``).
  The NIC row is the 8-GPU SXM/OAM node's (8 x 400G); a PCIe server's line, and an SXM/OAM node's of a part older
  than the 400G era (A100, V100: ``costs.scale_out_era``), cites the ``scale_out_proxy`` row that makes it the proxy
  for its NICs (``costs.scale_out_proxy``), x that row's ratio.
* **Scale-out network** per node by tier: 1 node none, 2 nodes direct cables, <= 64 nodes one switch tier,
  <= 1,024 two tiers, more three. NVL72 systems count one network port group per 8 GPUs, and only across racks.
  The tiers are InfiniBand NDR400 rows priced for 8-GPU nodes; for PCIe servers, for Ethernet switch ports (nodes
  whose accelerators carry their own), for the 200G/100G ports of parts older than the 400G era and for the 800G
  fabric of B300 and GB300 systems (defaults.csv's notes: "expect higher") they stand in, x the ``scale_out_proxy``
  row cited on the line.
* **Provisioned IT power** (nameplate; what ``power_limit_kw`` and racks constrain) as in ``costs.py`` (a
  liquid-cooled SXM/OAM node: the liquid power-factor row where defaults.csv has one, else the air row as a stated
  proxy: ``costs.sxm_oam_power_factor``).
* **Racks** from each rack's power limit by cooling (air 20 kW, high-density air 40 kW, direct liquid 100 kW,
  NVL72 racks; each a defaults.csv row; a liquid-cooled part — ``costs.liquid_cooled_part`` — goes in
  direct-liquid racks when the scenario names no cooling, as its PUE is the liquid one: ``costs.liquid_cooled``)
  and its rack units: nodes per rack = min(floor(rack kW / node kW), floor(rack U / node U)), at least one.
  Racks are counted, not priced (no sourced rack price).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import pandas as pd

from recommender.models import Assumption
from recommender.planning.costs import (
    BEFORE_400G,
    FABRIC_800G,
    NIC_8X400G,
    NVL72,
    PCIE,
    SCALE_OUT_ON_ACCELERATOR,
    SXM_OAM,
    assumption_from_row,
    host_assumption,
    liquid_cooled,
    liquid_cooled_part,
    nic_row,
    node_kind,
    scale_out_era,
    scale_out_on_accelerator,
    scale_out_proxy,
    sxm_oam_power_factor,
)
from recommender.planning.sources import planning_assumption

#: Scale-out tiers: (largest node count, defaults.csv applies_to); above the last, the three-tier row.
NETWORK_TIERS: tuple[tuple[int, str], ...] = (
    (2, "ib_ndr400_direct_2_nodes"),
    (64, "ib_ndr400_1tier_le_64_nodes"),
    (1024, "ib_ndr400_2tier_le_1024_nodes"),
)
NETWORK_TOP_TIER = "ib_ndr400_3tier_gt_1024_nodes"

#: Rack classes (defaults.csv ``rack_power_limit_kw`` applies_to).
RACK_AIR = "air_cooled_standard"
RACK_AIR_DENSE = "air_cooled_high_density"
RACK_LIQUID = "liquid_cooled_dlc"
RACK_NVL72 = "liquid_cooled_nvl72_rack"

#: What a scale-out network line says after its tier where its rows stand in for another fabric (by the
#: ``scale_out_proxy`` row it cites).
PROXY_NOTES = {SCALE_OUT_ON_ACCELERATOR: "proxy for Ethernet", BEFORE_400G: "proxy for 200G/100G",
               FABRIC_800G: "proxy for 800G: expect higher"}


_ROWS_CACHE: dict[int, _Rows] = {}


@dataclass(frozen=True)
class BillLine:
    """One line of the bill: what, how many, at what unit price, and where the price comes from."""

    item: str
    quantity: float
    unit_usd: float
    total_usd: float
    basis: tuple[Assumption, ...] = ()


@dataclass(frozen=True)
class Bill:
    """The whole bill of one configuration."""

    accelerator_id: str
    accelerators: int  # bought (NVL72: whole racks unless partial_rack)
    nodes: int
    accelerators_per_node: int
    lines: tuple[BillLine, ...]
    capex_usd: float
    provisioned_it_power_kw: float
    node_power_kw: float
    racks: int
    rack_units: float
    rack_class: str
    network_tier: str | None
    assumptions: tuple[Assumption, ...]
    liquid_only: bool = False  # needs liquid cooling: NVL72 racks, liquid-cooled parts (its PUE: CostModel.pue_for)

    def line(self, item: str) -> BillLine | None:
        """The line of ``item`` (with or without its note: ``host per node (20-card chassis: x 20/8)``)."""
        return next((ln for ln in self.lines if ln.item == item or ln.item.startswith(f"{item} (")), None)

    def to_markdown(self) -> str:
        """The bill as a Markdown table (item, quantity, unit price, total, source)."""
        rows = ["| item | quantity | unit USD | total USD | source |", "|---|---:|---:|---:|---|"]
        for ln in self.lines:
            src = "; ".join(_short(a) for a in ln.basis)
            rows.append(f"| {ln.item} | {ln.quantity:g} | {ln.unit_usd:,.0f} | {ln.total_usd:,.0f} | {src} |")
        rows.append(f"| **capex** | | | **{self.capex_usd:,.0f}** | |")
        return "\n".join(rows)


def _short(a: Assumption) -> str:
    """``parameter[applies_to] = value unit (source; confidence; as of)``: the source in full (a cut at 90 characters
    left a generic host row's label and lost its derivation), as the Recommendation's bill shows it."""
    src = a.source
    known = ", ".join(x for x in (a.confidence and f"confidence {a.confidence}", a.as_of and f"as of {a.as_of}") if x)
    return f"{a.parameter}[{a.applies_to}] = {a.value:g} {a.unit} ({src}{'; ' + known if known else ''})"


class _Rows:
    def __new__(cls, defaults: pd.DataFrame) -> Self:
        hit = _ROWS_CACHE.get(id(defaults))
        if hit is not None and hit.frame is defaults:
            return hit
        self = super().__new__(cls)
        self.frame = defaults
        self.rows = {(str(r["parameter"]), str(r["applies_to"])): r for r in defaults.to_dict("records")}
        self.memo: dict[tuple[str, str], Assumption | None] = {}
        if len(_ROWS_CACHE) > 16:
            _ROWS_CACHE.clear()
        _ROWS_CACHE[id(defaults)] = self
        return self

    def get(self, parameter: str, applies_to: str) -> Assumption | None:
        key = (parameter, applies_to)
        if key not in self.memo:
            row = self.rows.get(key)
            self.memo[key] = None if row is None else assumption_from_row(row)
        return self.memo[key]

    def need(self, parameter: str, applies_to: str) -> Assumption:
        a = self.get(parameter, applies_to)
        if a is None:
            from recommender.errors import CatalogError

            raise CatalogError(f"defaults.csv: no row for parameter={parameter}, applies_to={applies_to}")
        return a


def rack_power_limit(defaults: pd.DataFrame, rack_class_: str) -> Assumption:
    """The defaults.csv power limit of a rack class, kW (with its source)."""
    return _Rows(defaults).need("rack_power_limit_kw", rack_class_)


def network_tier(network_nodes: int) -> str | None:
    """defaults.csv ``applies_to`` of the scale-out network row for ``network_nodes`` nodes (None for one)."""
    if network_nodes <= 1:
        return None
    for top, applies_to in NETWORK_TIERS:
        if network_nodes <= top:
            return applies_to
    return NETWORK_TOP_TIER


def rack_class(kind: str, cooling: str | None, *, liquid_only: bool = False, high_density_air: bool = False) -> str:
    """Rack power class: NVL72 racks their own; liquid cooling (``costs.liquid_cooled``: the scenario's, or none
    named and a ``liquid_only`` part) direct-to-chip; air standard or high density."""
    if kind == NVL72:
        return RACK_NVL72
    if liquid_cooled(cooling, liquid_only):
        return RACK_LIQUID
    return RACK_AIR_DENSE if high_density_air else RACK_AIR


def bill(
    accelerator_id: str,
    form_factor: str | None,
    tdp_watts: float,
    price: Assumption,
    accelerators: int,
    nodes: int,
    defaults: pd.DataFrame,
    *,
    cooling: str | None = None,
    partial_rack: bool = False,
    high_density_air: bool = False,
    host_cost_usd: float | Assumption | None = None,
    liquid_only: bool = False,
    own_scale_out: bool = False,
    era: str | None = None,
) -> Bill:
    """The whole bill of ``accelerators`` x ``accelerator_id`` in ``nodes`` nodes (NVL72: compute trays).

    ``price`` is the per-accelerator price with its source (a defaults.csv row or the scenario's quote);
    ``host_cost_usd``: the scenario's host cost per node instead of the platform's row (``CostModel.host_override``
    gives it with what it applies to; NVL72 racks never take one); ``liquid_only``: a liquid-cooled part
    (``costs.liquid_cooled_part``; :func:`bill_for` reads it from the catalog); ``own_scale_out``: the accelerators'
    own ports serve scale-out (``costs.scale_out_on_accelerator``; :func:`bill_for` reads it too); ``era``: where the
    400G scale-out rows are not of the part's generation (``costs.scale_out_era``; :func:`bill_for` reads it too).
    """
    d = _Rows(defaults)
    kind = node_kind(accelerator_id, form_factor, defaults)
    if kind is None:
        raise ValueError(f"{accelerator_id}: form factor {form_factor or 'unknown'} has no server model")
    if kind == NVL72:
        proxy_key = scale_out_proxy(kind, era=era)
        proxy = None if proxy_key is None else d.need("scale_out_proxy", proxy_key)
        return _nvl72_bill(accelerator_id, tdp_watts, price, accelerators, d, partial_rack=partial_rack, proxy=proxy)
    per_node = math.ceil(accelerators / nodes)
    used: list[Assumption] = []
    lines = [BillLine("accelerators", accelerators, price.value, accelerators * price.value, (price,))]
    host_row = host_assumption(accelerator_id, kind, defaults)
    if isinstance(host_cost_usd, Assumption):
        host_row = host_cost_usd
    elif host_cost_usd is not None:
        host_row = Assumption(parameter="host_cost_usd_per_node", applies_to="scenario", value=float(host_cost_usd),
                              unit="usd", source="scenario")  # fmt: skip
    scale, scale_a = _pcie_scale(kind, per_node, d)
    host_basis = (host_row,) + ((scale_a,) if scale_a else ())
    # a chassis above 8 cards says its scaling in the item (a reviewer: a scenario's 30,000 host billed 75,000)
    item = "host per node" if scale == 1 else f"host per node ({per_node}-card chassis: x {per_node}/8)"
    lines.append(BillLine(item, nodes, host_row.value * scale, nodes * host_row.value * scale, host_basis))
    lines += _scale_out_lines(accelerator_id, kind, nodes, scale, host_basis[1:], d, own_scale_out, era)
    tier = network_tier(nodes)
    node_kw, power_basis = _node_power_kw(kind, per_node, tdp_watts, scale, d, liquid_cooled(cooling, liquid_only))
    used += power_basis
    ru_node = _node_rack_units(kind, d)
    used.append(ru_node)
    cls = rack_class(kind, cooling, liquid_only=liquid_only, high_density_air=high_density_air)
    if cls == RACK_AIR and node_kw > d.need("rack_power_limit_kw", RACK_AIR).value + 1e-9:
        cls = RACK_AIR_DENSE  # one node above a standard air rack's limit (8 x 1.4 kW: 20.2 kW) needs a dense one
    racks, rack_basis = _racks(nodes, node_kw, ru_node.value, cls, d, defaults)
    used += rack_basis
    return Bill(accelerator_id=accelerator_id, accelerators=accelerators, nodes=nodes, accelerators_per_node=per_node,
                lines=tuple(lines), capex_usd=sum(ln.total_usd for ln in lines),
                provisioned_it_power_kw=nodes * node_kw, node_power_kw=node_kw, racks=racks,
                rack_units=nodes * ru_node.value, rack_class=cls, network_tier=tier,
                assumptions=tuple(a for ln in lines for a in ln.basis) + tuple(used), liquid_only=liquid_only)  # fmt: skip


def _scale_out_lines(accelerator_id: str, kind: str, nodes: int, scale: float, scale_basis: tuple[Assumption, ...],
                     d: _Rows, own_scale_out: bool, era: str | None) -> list[BillLine]:  # fmt: skip
    """The NIC and scale-out network lines of ``nodes`` nodes (none for one); ``scale``: a PCIe chassis above 8
    cards buys a NIC and a port per card (``scale_basis`` says so)."""
    lines: list[BillLine] = []
    proxy_key = scale_out_proxy(kind, own_scale_out=own_scale_out, era=era)
    proxy = () if proxy_key is None else (d.need("scale_out_proxy", proxy_key),)
    ratio = proxy[0].value if proxy else 1.0
    nic_key = nic_row(accelerator_id, kind, own_scale_out=own_scale_out)
    if nodes >= 2 and nic_key is not None:
        nic = d.need("nic_cost_usd_per_node", nic_key)
        by = proxy if nic_key == NIC_8X400G else ()  # (a NIC row standing in; no NICs bought: nothing to scale)
        unit = nic.value * scale * (ratio if by else 1.0)
        item = "NICs per node" if nic_key == NIC_8X400G else "NICs per node (on the accelerator)"
        lines.append(BillLine(item, nodes, unit, nodes * unit, scale_basis + by + (nic,)))
    tier = network_tier(nodes)
    if tier is not None:
        net = d.need("network_cost_usd_per_node", tier)
        unit = net.value * scale * ratio
        note = PROXY_NOTES.get(proxy_key or "")
        item = f"scale-out network ({tier}{'; ' + note if note else ''})"
        lines.append(BillLine(item, nodes, unit, nodes * unit, scale_basis + proxy + (net,)))
    return lines


def _pcie_scale(kind: str, per_node: int, d: _Rows) -> tuple[float, Assumption | None]:
    """Host cost/power multiplier of a PCIe chassis above the default 8 cards (1 otherwise)."""
    base = d.need("accelerators_per_node", "pcie").value if kind == PCIE else 0
    if kind != PCIE or per_node <= base:
        return 1.0, None
    a = planning_assumption("pcie_host_scale_per_card", "pcie_node_above_8_cards", d.frame)
    return a.value * per_node, a


def _node_power_kw(kind: str, per_node: int, tdp_watts: float, scale: float, d: _Rows,
                   liquid: bool) -> tuple[float, list[Assumption]]:  # fmt: skip
    """Provisioned (nameplate) IT power of one node, the formulas of ``costs.it_power_kw``; ``liquid``: a
    liquid-cooled configuration (its SXM/OAM power-factor row: ``costs.sxm_oam_power_factor``)."""
    gpu_kw = per_node * tdp_watts / 1000.0
    if kind == SXM_OAM:
        f = sxm_oam_power_factor(d.frame, liquid)
        return f.value * gpu_kw, [f]
    f = d.need("pcie_power_factor", "pcie_node")
    host = d.need("pcie_host_power_kw", "pcie_node")
    return f.value * (gpu_kw + host.value * scale), [f, host]


def _node_rack_units(kind: str, d: _Rows) -> Assumption:
    applies = {SXM_OAM: "sxm_oam_8gpu_node", PCIE: "pcie_node"}.get(kind, "gb200_gb300_nvl72_compute_tray")
    return d.need("rack_units_per_node", applies)


def _racks(nodes: int, node_kw: float, node_ru: float, cls: str, d: _Rows,
           defaults: pd.DataFrame) -> tuple[int, list[Assumption]]:  # fmt: skip
    limit = d.need("rack_power_limit_kw", cls)
    space = planning_assumption("rack_units_per_rack", "standard_rack", defaults)
    per_rack = max(1, min(math.floor(limit.value / node_kw + 1e-9), math.floor(space.value / node_ru + 1e-9)))
    return math.ceil(nodes / per_rack), [limit, space]


def _nvl72_bill(accelerator_id: str, tdp_watts: float, price: Assumption, accelerators: int, d: _Rows, *,
                partial_rack: bool, proxy: Assumption | None = None) -> Bill:  # fmt: skip
    tray = d.need("accelerators_per_node", "gb200_gb300_nvl72_compute_tray")
    rack = d.need("accelerators_per_node", "gb200_gb300_nvl72_rack")
    per_tray, per_rack = int(tray.value), int(rack.value)
    racks = math.ceil(accelerators / per_rack)
    bought = accelerators if partial_rack else racks * per_rack
    bought = math.ceil(bought / per_tray) * per_tray
    trays = bought // per_tray
    lines = [BillLine("accelerators", bought, price.value, bought * price.value, (price,))]
    # scale-out only across racks, one 8-GPU-equivalent port group per 8 GPUs
    net_nodes = math.ceil(bought / 8) if racks >= 2 else 0
    tier = network_tier(net_nodes)
    if tier is not None:
        net = d.need("network_cost_usd_per_node", tier)
        by = () if proxy is None else (proxy,)  # (the NDR400 rows standing in for an 800G fabric: GB300)
        unit = net.value * (proxy.value if proxy else 1.0)
        note = "" if proxy is None else f"; {PROXY_NOTES.get(proxy.applies_to, 'proxy')}"
        lines.append(BillLine(f"scale-out network ({tier}, per 8 GPUs{note})", net_nodes, unit, net_nodes * unit,
                              by + (net,)))  # fmt: skip
    factor = d.need("it_power_factor", "nvl72_rack_liquid")
    limit = d.need("rack_power_limit_kw", RACK_NVL72)
    space = planning_assumption("rack_units_per_rack", "nvl72_rack", d.frame)
    tray_kw = factor.value * per_tray * tdp_watts / 1000.0
    return Bill(accelerator_id=accelerator_id, accelerators=bought, nodes=trays, accelerators_per_node=per_tray,
                lines=tuple(lines), capex_usd=sum(ln.total_usd for ln in lines),
                provisioned_it_power_kw=trays * tray_kw, node_power_kw=tray_kw, racks=racks,
                rack_units=racks * space.value, rack_class=RACK_NVL72, network_tier=tier,
                assumptions=tuple(a for ln in lines for a in ln.basis) + (tray, rack, factor, limit, space),
                liquid_only=True)  # fmt: skip


def price_assumption(accelerator_id: str, defaults: pd.DataFrame, quote_usd: float | None = None) -> Assumption:
    """The per-accelerator price: the scenario's quote, else the defaults.csv reference price."""
    if quote_usd is not None:
        return Assumption(parameter="reference_price_usd", applies_to=accelerator_id, value=float(quote_usd),
                          unit="usd", source="scenario prices")  # fmt: skip
    return _Rows(defaults).need("reference_price_usd", accelerator_id)


def bill_for(catalog: Any, accelerator_id: str, accelerators: int, nodes: int, **kw: Any) -> Bill:
    """Convenience: the bill from a catalog's accelerator table (its notes say whether a part is liquid-cooled) and
    the bill defaults."""
    from recommender.planning.sources import defaults_frame

    defaults = defaults_frame(catalog)
    acc = catalog.accelerators.set_index("accelerator_id").loc[accelerator_id]
    price = price_assumption(accelerator_id, defaults, kw.pop("quote_usd", None))
    return bill(accelerator_id, acc.get("form_factor"), float(acc["tdp_watts"]), price, accelerators, nodes,
                defaults, liquid_only=liquid_cooled_part(acc.get("notes")),
                own_scale_out=scale_out_on_accelerator(acc.get("notes")),
                era=scale_out_era(accelerator_id, catalog.accelerators), **kw)  # fmt: skip


# ------------------------------------------------------------------------------------ vectorised
def _tier_cost(network_nodes: np.ndarray, d: _Rows) -> np.ndarray:
    """Scale-out network cost per node for each node count (0 for one node)."""
    tops = [top for top, _ in NETWORK_TIERS]
    costs = [d.need("network_cost_usd_per_node", a).value for _, a in NETWORK_TIERS]
    top_cost = d.need("network_cost_usd_per_node", NETWORK_TOP_TIER).value
    conds = [network_nodes <= 1] + [network_nodes <= t for t in tops]
    return np.select(conds, [0.0, *costs], default=top_cost)


def bill_arrays(accelerator_id: str, form_factor: str | None, tdp_watts: float, price_usd: float,
                accelerators: np.ndarray, nodes: np.ndarray, defaults: pd.DataFrame, *,
                cooling: str | None = None, partial_rack: bool = False,
                host_cost_usd: float | None = None, liquid_only: bool = False,
                own_scale_out: bool = False, era: str | None = None) -> dict[str, np.ndarray]:  # fmt: skip
    """The bill's totals for many configurations of ONE accelerator at once (the candidate grid):
    ``capex_usd``, ``provisioned_it_power_kw``, ``racks``, ``rack_units``, ``network_usd``, and the bought
    ``accelerators`` (NVL72: whole racks unless ``partial_rack``). Equal to :func:`bill` row by row (a test);
    ``liquid_only``, ``own_scale_out`` and ``era`` as there."""
    acc = np.asarray(accelerators, dtype=np.int64)
    n = np.asarray(nodes, dtype=np.int64)
    price = Assumption(parameter="reference_price_usd", applies_to=accelerator_id, value=price_usd, unit="usd",
                       source="given")  # fmt: skip
    d = _Rows(defaults)
    kind = node_kind(accelerator_id, form_factor, defaults)
    if kind == NVL72:
        rows = [bill(accelerator_id, form_factor, tdp_watts, price, int(a), int(k), defaults, partial_rack=partial_rack,
                     era=era) for a, k in zip(acc, n, strict=True)]  # at most a few dozen NVL72 rows  # fmt: skip
        return {
            "accelerators": np.array([b.accelerators for b in rows]), "capex_usd": np.array([b.capex_usd for b in rows]),
            "provisioned_it_power_kw": np.array([b.provisioned_it_power_kw for b in rows]),
            "racks": np.array([b.racks for b in rows]), "rack_units": np.array([b.rack_units for b in rows]),
            "network_usd": np.array([sum(ln.total_usd for ln in b.lines if ln.item.startswith("scale-out"))
                                     for b in rows]),
        }  # fmt: skip
    per_node = np.ceil(acc / n).astype(np.int64)
    host = host_assumption(accelerator_id, kind, defaults).value  # type: ignore[arg-type]
    if host_cost_usd is not None:
        host = float(host_cost_usd)
    base = d.need("accelerators_per_node", "pcie").value if kind == PCIE else np.inf
    scale_rule = planning_assumption("pcie_host_scale_per_card", "pcie_node_above_8_cards", defaults).value
    scale = np.where(per_node > base, scale_rule * per_node, 1.0)
    proxy_key = scale_out_proxy(kind, own_scale_out=own_scale_out, era=era)  # type: ignore[arg-type]
    proxy = 1.0 if proxy_key is None else d.need("scale_out_proxy", proxy_key).value
    nic_key = nic_row(accelerator_id, kind, own_scale_out=own_scale_out)  # type: ignore[arg-type]
    nic = 0.0 if nic_key is None else d.need("nic_cost_usd_per_node", nic_key).value
    nic *= proxy if nic_key == NIC_8X400G else 1.0
    network = n * _tier_cost(n, d) * scale * proxy
    capex = acc * price_usd + n * host * scale + np.where(n >= 2, n * nic * scale, 0.0) + network
    gpu_kw = per_node * tdp_watts / 1000.0
    if kind == SXM_OAM:
        node_kw = sxm_oam_power_factor(defaults, liquid_cooled(cooling, liquid_only)).value * gpu_kw
    else:
        f, hp = d.need("pcie_power_factor", "pcie_node").value, d.need("pcie_host_power_kw", "pcie_node").value
        node_kw = f * (gpu_kw + hp * scale)
    ru = _node_rack_units(kind, d).value
    cls = rack_class(kind, cooling, liquid_only=liquid_only)
    limit = d.need("rack_power_limit_kw", cls).value
    if cls == RACK_AIR:  # (as bill(): a node above the standard limit, a dense rack)
        limit = np.where(node_kw > limit + 1e-9, d.need("rack_power_limit_kw", RACK_AIR_DENSE).value, limit)
    space = planning_assumption("rack_units_per_rack", "standard_rack", defaults).value
    per_rack = np.maximum(1, np.minimum(np.floor(limit / node_kw + 1e-9), math.floor(space / ru + 1e-9)))
    return {"accelerators": acc, "capex_usd": capex, "provisioned_it_power_kw": n * node_kw,
            "racks": np.ceil(n / per_rack).astype(np.int64), "rack_units": n * ru, "network_usd": network}  # fmt: skip
