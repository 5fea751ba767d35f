"""Cost and power in one place: capex, IT power, facility power, energy and TCO.

Every number comes from the catalog's defaults table (``catalog.load().defaults``, the shipped copy of
``../shared/hardware/defaults.csv``) or from the scenario; each one used is returned as an
:class:`~recommender.models.Assumption` carrying its source, confidence and as-of date.

Formulas (defaults_proposal.md sections 2-3):

* capex = accelerators x price + nodes x host cost (host cost on every node, even one with a single card;
  none for NVL72-class racks, whose per-GPU price includes the system); the host cost is the platform's
  defaults row unless the scenario gives one (:meth:`CostModel.host_override`: one number for every platform, or
  per platform or accelerator id);
* IT power: SXM/OAM nodes ``it_power_factor x sum TDP`` (the air row; a liquid-cooled node the liquid row where
  one exists, else the air row as a stated proxy: :func:`sxm_oam_power_factor`); PCIe servers
  ``pcie_power_factor x (sum TDP + nodes x pcie_host_power_kw)``; NVL72 racks ``it_power_factor x sum TDP``;
* facility power = IT power x PUE; energy = facility power x hours x years x USD/kWh (full draw: an upper
  bound); TCO = capex + energy.

Rack space per node (``rack_units_per_node``) is a project planning assumption: a row of
``catalog/planning_assumptions.csv``, merged into ``defaults.csv`` by ``python -m catalog.build``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from recommender.models import Assumption, Cooling, Scenario

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

HOURS_PER_YEAR = 24 * 365.25

#: What one ``host_cost_usd_per_node`` number applies to (the Assumptions say so): one quote for every platform.
EVERY_PLATFORM = "every platform: HGX, OAM and PCIe servers alike (not NVL72 racks)"

#: Node kinds the optimizer can buy.
SXM_OAM = "sxm_oam"
PCIE = "pcie"
NVL72 = "nvl72"

#: The rule for liquid-cooled-only parts: a sentence of the accelerator's catalog ``notes`` (``accelerators.csv``)
#: that begins with this word, case as written: at the start of the notes or after ``. `` or ``; `` (a sentence's
#: end and a space). MI355X's notes say "Liquid-cooled, 1400 W." (AMD's air-cooled variant is the MI350X,
#: whose notes say "air-cooled variant."); a sentence merely mentioning liquid cooling does not count.
LIQUID_COOLED_NOTE = "Liquid-cooled"
_LIQUID_COOLED = re.compile(r"(?:^|[.;]\s+)" + re.escape(LIQUID_COOLED_NOTE) + r"\b")


def liquid_cooled_part(notes: Any) -> bool:
    """Whether the catalog ``notes`` of an accelerator mark it a liquid-cooled-only part (:data:`LIQUID_COOLED_NOTE`).

    The one definition of such parts: :func:`node_spec` makes them ``liquid_only`` (as NVL72 racks are), so
    ``cooling: air`` skips them, and with no cooling named they get the liquid PUE and direct-liquid racks.
    """
    text = _text(notes)
    return text is not None and _LIQUID_COOLED.search(text.strip()) is not None


#: The rule for accelerators that carry their own scale-out NICs (NICs integrated on the package): the accelerator's
#: catalog ``notes`` (``accelerators.csv``) state its interconnect as Ethernet ports, "interconnect = N x M GbE"
#: — Gaudi 1's 10 x 100 GbE RoCE, Gaudi2's 24 x 100 GbE, Gaudi3's 24 x 200 GbE — or say it is "shared by scale-up
#: ... and scale-out" (Gaudi2, Gaudi3). Ethernet ports on the accelerator are its own NICs: its node's way out to the
#: scale-out switches (a buyer's review found Gaudi 1, whose notes give only its ports, billed eight ConnectX-7).
#: Their nodes buy no NICs and their Ethernet switch ports are priced by proxy: the planning-assumption rows
#: (``nic_cost_usd_per_node``, ``scale_out_proxy``) whose ``applies_to`` is :data:`SCALE_OUT_ON_ACCELERATOR`.
_SCALE_OUT_NOTE = re.compile(r"\bshared by scale-up\b[^.;]*\band scale-out\b|\binterconnect = \d+ x \d+ GbE\b")
SCALE_OUT_ON_ACCELERATOR = "scale_out_on_accelerator"


def scale_out_on_accelerator(notes: Any) -> bool:
    """Whether the catalog ``notes`` of an accelerator say its own ports serve scale-out (the rule above): a node of
    such accelerators needs no NICs (:func:`nic_row`)."""
    text = _text(notes)
    return text is not None and _SCALE_OUT_NOTE.search(text) is not None


def needs_liquid(kind: str, liquid_part: bool) -> bool:
    """Whether a node of ``kind`` can only be bought liquid-cooled: NVL72-class racks always, other nodes when the
    catalog marks the part liquid-cooled (:func:`liquid_cooled_part`). :func:`node_spec`'s ``liquid_only``."""
    return kind == NVL72 or liquid_part


def liquid_only_parts(accelerators: pd.DataFrame, defaults: pd.DataFrame) -> list[str]:
    """Ids of the catalog's accelerators sold liquid-cooled only (:func:`needs_liquid`), in catalog order: what a
    scenario naming no cooling cools with liquid, and ``cooling: air`` skips (the TUI's cooling field names them)."""
    out = []
    for r in accelerators.to_dict("records"):
        kind = node_kind(str(r["accelerator_id"]), _text(r.get("form_factor")), defaults)
        if kind is not None and needs_liquid(kind, liquid_cooled_part(r.get("notes"))):
            out.append(str(r["accelerator_id"]))
    return out


def liquid_cooled(cooling: str | None, liquid_only: bool) -> bool:
    """Whether a configuration is liquid-cooled: the scenario says ``liquid``, or names no cooling and the
    configuration needs it (``liquid_only``). Decides both the PUE (:meth:`CostModel.pue_for`) and the rack class
    (``bill.rack_class``), so the two always agree."""
    return cooling == Cooling.LIQUID or (cooling is None and liquid_only)


@dataclass(frozen=True)
class NodeSpec:
    """How one accelerator is packaged into nodes, and what a node costs and draws."""

    kind: str  # sxm_oam | pcie | nvl72
    per_node: int  # accelerators in a full node (8; 4 per NVL72 compute tray)
    single_node_counts: tuple[int, ...]  # accelerator counts a single node can hold
    multi_node_sizes: tuple[int, ...]  # accelerators per node when buying several nodes
    rack_size: int | None  # NVL72: accelerators per rack (72)
    host_cost_usd: float  # per node
    power_factor: float
    host_power_kw: float  # PCIe: per-node host power inside the factor; 0 otherwise
    rack_units: float  # per node
    liquid_only: bool  # needs liquid cooling: NVL72 racks and liquid-cooled parts (:func:`liquid_cooled_part`)


@dataclass(frozen=True)
class CostModel:
    """Cost and power parameters for one scenario, resolved from the defaults and the scenario's overrides."""

    defaults: Any  # the defaults DataFrame
    energy_usd_per_kwh: float
    years: float
    pue_air: float
    pue_liquid: float
    cooling: Cooling | None
    host_cost_override: float | Mapping[str, float] | None  # the scenario's host_cost_usd_per_node
    assumptions: dict[tuple[str, str], Assumption] = field(default_factory=dict)

    def pue_for(self, liquid_only: bool) -> float:
        """The PUE of a configuration: liquid when :func:`liquid_cooled` says so, else air."""
        if liquid_cooled(self.cooling, liquid_only):
            return self.pue_liquid
        return self.pue_air

    def host_override(self, accelerator_id: str, kind: str | None) -> Assumption | None:
        """The scenario's host cost for this accelerator's nodes, or None (the defaults' row applies): a single
        number for every platform; in a mapping the accelerator id's entry, else its platform's
        (:func:`host_platform`). Never for NVL72 racks, whose per-GPU price includes the host."""
        given = self.host_cost_override
        if given is None or kind is None or kind == NVL72:
            return None
        if not isinstance(given, Mapping):
            return Assumption(parameter="host_cost_usd_per_node", applies_to=EVERY_PLATFORM, value=float(given),
                              unit="usd", source="scenario")  # fmt: skip
        key = accelerator_id if accelerator_id in given else host_platform(accelerator_id, kind)
        if key not in given:
            return None
        return Assumption(parameter="host_cost_usd_per_node", applies_to=str(key), value=float(given[key]),
                          unit="usd", source="scenario")  # fmt: skip


class _Defaults:
    """Lookup of defaults.csv rows by (parameter, applies_to)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._rows: dict[tuple[str, str], dict[str, Any]] = {}
        for rec in frame.to_dict("records"):
            self._rows[(str(rec["parameter"]), str(rec["applies_to"]))] = rec

    def get(self, parameter: str, applies_to: str) -> dict[str, Any] | None:
        return self._rows.get((parameter, applies_to))

    def find(self, parameter: str) -> list[dict[str, Any]]:
        return [r for (p, _), r in self._rows.items() if p == parameter]

    def require(self, parameter: str, applies_to: str) -> dict[str, Any]:
        row = self.get(parameter, applies_to)
        if row is None:
            from recommender.errors import CatalogError

            raise CatalogError(f"defaults.csv: no row for parameter={parameter}, applies_to={applies_to}")
        return row


def _text(value: Any) -> str | None:
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def assumption_from_row(row: dict[str, Any], *, value: float | None = None) -> Assumption:
    """An Assumption from a defaults.csv row (optionally with a different value, e.g. a derived one)."""
    return Assumption(
        parameter=str(row["parameter"]),
        applies_to=str(row["applies_to"]),
        value=float(row["value"] if value is None else value),
        unit=str(row["unit"]),
        source="defaults.csv: " + (_text(row.get("source")) or ""),
        confidence=_text(row.get("confidence")),
        as_of=_text(row.get("as_of")),
    )


_DEFAULTS_CACHE: dict[int, _Defaults] = {}


def _lookup(defaults: pd.DataFrame) -> _Defaults:
    key = id(defaults)
    d = _DEFAULTS_CACHE.get(key)
    if d is None or getattr(d, "_frame", None) is not defaults:
        d = _Defaults(defaults)
        d._frame = defaults  # type: ignore[attr-defined]  # keep the frame alive so id() stays unique
        if len(_DEFAULTS_CACHE) > 16:
            _DEFAULTS_CACHE.clear()
        _DEFAULTS_CACHE[key] = d
    return d


def cost_model(defaults: pd.DataFrame, scenario: Scenario) -> CostModel:
    """Resolve energy price, PUE, years and host-cost override for a scenario; record their sources."""
    d = _lookup(defaults)
    assumptions: dict[tuple[str, str], Assumption] = {}

    if scenario.energy_usd_per_kwh is not None:
        energy = float(scenario.energy_usd_per_kwh)
        assumptions[("energy_usd_per_kwh", "scenario")] = Assumption(
            parameter="energy_usd_per_kwh", applies_to="scenario", value=energy, unit="usd_per_kwh", source="scenario"
        )
    else:
        rows = d.find("energy_usd_per_kwh")
        row = d.get("energy_usd_per_kwh", "default_us_industrial") or (rows[0] if rows else None)
        if row is None:
            d.require("energy_usd_per_kwh", "default_us_industrial")
        energy = float(row["value"])  # type: ignore[index]
        assumptions[("energy_usd_per_kwh", str(row["applies_to"]))] = assumption_from_row(row)  # type: ignore[arg-type]

    air = d.require("pue", "air_cooled")
    liquid = d.require("pue", "liquid_cooled")
    if scenario.pue is not None:
        pue_air = pue_liquid = float(scenario.pue)
        assumptions[("pue", "scenario")] = Assumption(
            parameter="pue", applies_to="scenario", value=pue_air, unit="ratio", source="scenario"
        )
    else:
        pue_air, pue_liquid = float(air["value"]), float(liquid["value"])
        assumptions[("pue", "air_cooled")] = assumption_from_row(air)
        assumptions[("pue", "liquid_cooled")] = assumption_from_row(liquid)
    given = "years" in scenario.model_fields_set  # (a reviewer: the default read as the scenario's own figure)
    assumptions[("years", "scenario" if given else "default")] = Assumption(
        parameter="years", applies_to="scenario" if given else "default", value=float(scenario.years), unit="years",
        source="scenario" if given else "Scenario.years default (the years counted when a scenario names none)",
    )
    given = scenario.host_cost_usd_per_node
    if given is not None and not isinstance(given, Mapping):  # a mapping's entries are listed where they apply
        assumptions[("host_cost_usd_per_node", EVERY_PLATFORM)] = Assumption(
            parameter="host_cost_usd_per_node", applies_to=EVERY_PLATFORM, value=float(given), unit="usd",
            source="scenario")  # fmt: skip
    return CostModel(
        defaults=defaults,
        energy_usd_per_kwh=energy,
        years=float(scenario.years),
        pue_air=pue_air,
        pue_liquid=pue_liquid,
        cooling=scenario.cooling,
        host_cost_override=scenario.host_cost_usd_per_node,
        assumptions=assumptions,
    )


def node_kind(accelerator_id: str, form_factor: str | None, defaults: pd.DataFrame) -> str | None:
    """sxm_oam, pcie or nvl72 for an accelerator; None if no node model applies (TPU, IPU, ...).

    NVL72-class parts are recognised from the defaults' ``accelerators_per_node`` rows whose ``applies_to``
    names them (``gb200_gb300_nvl72_...``).
    """
    ff = (form_factor or "").lower()
    if ff in ("sxm", "oam"):
        return SXM_OAM
    if ff == "pcie":
        return PCIE
    short = accelerator_id.split("-", 1)[-1].lower()
    for row in _lookup(defaults).find("accelerators_per_node"):
        tokens = str(row["applies_to"]).split("_")
        if "nvl72" in tokens and short in tokens:
            return NVL72
    return None


#: Host rows whose figure already holds the node's scale-out NICs, so no ``nic_cost_usd_per_node`` is added on
#: top: HGX B300 (eight ConnectX-8 on the baseboard, inside the accelerator price) and HGX B200 (its defaults.csv
#: derivation sums "8x ConnectX-7 400G 12000" into the host figure; the NIC row says to add NICs only "if host cost
#: excludes NICs" — a reviewer found them charged twice).
HOSTS_WITH_NICS = ("hgx_b200_8gpu_node", "hgx_b300_8gpu_node")


#: defaults.csv ``applies_to`` of the NIC row: eight ConnectX-7 400G, one per GPU of an 8-GPU node.
NIC_8X400G = "sxm_oam_8gpu_node_400g"


def nic_row(accelerator_id: str, kind: str, *, own_scale_out: bool = False) -> str | None:
    """defaults.csv ``applies_to`` of the ``nic_cost_usd_per_node`` row a multi-node purchase of this accelerator is
    billed per node: :data:`SCALE_OUT_ON_ACCELERATOR` (no NICs: :func:`scale_out_on_accelerator`), else
    :data:`NIC_8X400G`; None for no NIC line at all (:data:`HOSTS_WITH_NICS`, NVL72 racks)."""
    if kind == NVL72 or host_platform(accelerator_id, kind) in HOSTS_WITH_NICS:
        return None
    return SCALE_OUT_ON_ACCELERATOR if own_scale_out else NIC_8X400G


#: The accelerator whose 8-GPU nodes defaults.csv's scale-out rows price (the NDR400 network rows come from an
#: "H100 cluster cost" sheet; the NIC row is 8 x ConnectX-7 400G): an SXM/OAM part released before it
#: (accelerators.csv ``release_date``) is older than the 400G era, its nodes had 200G HDR or 100G EDR NICs and
#: ports (MLPerf's DGX A100 and DGX-2H systems), and the rows stand in for them (:data:`BEFORE_400G`).
FIRST_400G_ACCELERATOR = "nvidia-h100-sxm5-80gb"
BEFORE_400G = "sxm_oam_node_before_400g"

#: The accelerators whose scale-out fabric is 800G, as defaults.csv's notes name them (network_cost_usd_per_node
#: ib_ndr400_3tier_gt_1024_nodes: "No sourced per-port prices for 800G XDR/Spectrum-X fabrics (B300/GB300) were
#: found; expect higher"; a test keeps the two in step): a token of the accelerator id. The NDR400 rows stand in for
#: their network (:data:`FABRIC_800G`).
FABRIC_800G_PARTS = ("b300", "gb300")
FABRIC_800G = "b300_gb300_800g_fabric"


def scale_out_era(accelerator_id: str, accelerators: pd.DataFrame) -> str | None:
    """Where defaults.csv's 400G scale-out rows are not of this accelerator's generation: :data:`FABRIC_800G` for the
    800G parts (:data:`FABRIC_800G_PARTS`), :data:`BEFORE_400G` for a part released before
    :data:`FIRST_400G_ACCELERATOR` (``accelerators``: the catalog's table with ``release_date``); None otherwise,
    and for a part without a release date (nothing says it is older)."""
    if set(accelerator_id.lower().split("-")) & set(FABRIC_800G_PARTS):
        return FABRIC_800G
    import pandas as pd

    dates = accelerators.set_index("accelerator_id")["release_date"]

    def released(acc: str) -> Any:
        d = dates.get(acc)
        return pd.NaT if _text(d) is None else pd.to_datetime(str(d), format="%Y-%m", errors="coerce")

    mine, first = released(accelerator_id), released(FIRST_400G_ACCELERATOR)
    return BEFORE_400G if not (pd.isna(mine) or pd.isna(first)) and mine < first else None


def scale_out_proxy(kind: str, *, own_scale_out: bool = False, era: str | None = None) -> str | None:
    """defaults.csv ``applies_to`` of the ``scale_out_proxy`` row by which the 8-GPU SXM/OAM node's NIC row
    (:data:`NIC_8X400G`) and InfiniBand NDR400 network rows stand in for this node's: Ethernet switch ports where the
    accelerators carry their own scale-out ports (:func:`scale_out_on_accelerator`), a PCIe server's NICs and ports,
    else the ``era`` (:func:`scale_out_era`): the 200G/100G NICs and ports of an older SXM/OAM node, an 800G fabric
    (B300 nodes, GB300 racks); None where the rows are this node's own (8-GPU SXM/OAM nodes with a 400G NIC per GPU,
    GB200 racks)."""
    if own_scale_out and kind != NVL72:
        return SCALE_OUT_ON_ACCELERATOR
    if kind == PCIE:
        return "pcie_node"
    return era if era == FABRIC_800G or (era == BEFORE_400G and kind == SXM_OAM) else None


#: defaults.csv ``it_power_factor`` rows of an SXM/OAM node: the air-cooled one, and the liquid-cooled one a
#: liquid-cooled configuration (:func:`liquid_cooled`) takes when defaults.csv has it. It has none today, so such a
#: configuration (a liquid-cooled MI355X; any node under ``cooling: liquid``) is billed with the air row, which the
#: Assumptions then name as the proxy (:func:`sxm_oam_power_factor`).
POWER_FACTOR_AIR = "sxm_oam_8gpu_air_node"
POWER_FACTOR_LIQUID = "sxm_oam_8gpu_liquid_node"
LIQUID_PROXY = "liquid-cooled SXM/OAM node"


def sxm_oam_power_factor(defaults: pd.DataFrame, liquid: bool) -> Assumption:
    """The ``it_power_factor`` of an SXM/OAM node, air- or liquid-cooled (``liquid``: :func:`liquid_cooled`): the
    liquid row (:data:`POWER_FACTOR_LIQUID`) where defaults.csv has one, else the air row — for a liquid-cooled node
    stated as the proxy it is (applies to :data:`LIQUID_PROXY`; a buyer's review found a liquid-cooled MI355X billed
    with the air row without a word)."""
    d = _lookup(defaults)
    own = d.get("it_power_factor", POWER_FACTOR_LIQUID) if liquid else None
    if own is not None:
        return assumption_from_row(own)
    a = assumption_from_row(d.require("it_power_factor", POWER_FACTOR_AIR))
    if not liquid:
        return a
    label = (f"no {POWER_FACTOR_LIQUID} row, so the air row it_power_factor[{POWER_FACTOR_AIR}] is used as a proxy "
             "(a liquid-cooled node's own factor is not sourced)")
    return a.model_copy(update={"applies_to": LIQUID_PROXY,
                                "source": f"defaults.csv: {label}: {a.source.removeprefix('defaults.csv: ')}"})


#: The host row of every SXM/OAM node without a row of its own (:func:`host_platform`): AMD Instinct, Intel Gaudi,
#: A100 and Hopper nodes alike (its defaults.csv source derives it from H100 servers).
GENERIC_HOST = "sxm_oam_8gpu_node"


def host_assumption(accelerator_id: str, kind: str, defaults: pd.DataFrame) -> Assumption:
    """The defaults.csv host row of an accelerator's node (:func:`host_platform`), as the bill line and the Assumptions
    state it: the generic row (:data:`GENERIC_HOST`) says it is generic, naming the platforms with rows of their own
    (defaults.csv has none for AMD Instinct or Intel Gaudi servers; a reader of an MI355X bill saw only the H100
    derivation). NVL72 racks have no host row (their per-GPU price includes it)."""
    d = _lookup(defaults)
    platform = str(host_platform(accelerator_id, kind))
    a = assumption_from_row(d.require("host_cost_usd_per_node", platform))
    if platform != GENERIC_HOST:
        return a
    own = [str(r["applies_to"]) for r in d.find("host_cost_usd_per_node")
           if str(r["applies_to"]) not in (GENERIC_HOST, host_platform(accelerator_id, PCIE))]  # fmt: skip
    label = f"generic SXM/OAM host row, no row of this node's own (only {' and '.join(own) or 'no node'} have one)"
    return a.model_copy(update={"source": f"defaults.csv: {label}: {a.source.removeprefix('defaults.csv: ')}"})


def host_platform(accelerator_id: str, kind: str) -> str | None:
    """defaults.csv ``applies_to`` of the host row for an accelerator's node (None for NVL72)."""
    if kind == NVL72:
        return None
    if kind == PCIE:
        return "pcie_node"
    short = accelerator_id.lower()
    if "-b300-" in short:
        return "hgx_b300_8gpu_node"
    if "-b200-" in short:
        return "hgx_b200_8gpu_node"
    return "sxm_oam_8gpu_node"


def node_spec(
    accelerator_id: str,
    form_factor: str | None,
    model: CostModel,
    *,
    pcie_chassis_sizes: tuple[int, ...] = (),
    liquid_part: bool = False,
) -> tuple[NodeSpec | None, str, list[Assumption]]:
    """The node packaging of an accelerator, or ``(None, reason, [])`` if it cannot be bought as a node.

    ``pcie_chassis_sizes``: accelerators per node above the PCIe default seen in the catalog's systems
    (e.g. 10, 16, 20 cards in X640 G40-class chassis); they become extra single-node sizes and, like the
    default, node sizes of a multi-node purchase (2 x 16 cards needs half the NICs and ports of 4 x 8).
    ``liquid_part``: the catalog marks the accelerator a liquid-cooled part (:func:`liquid_cooled_part` of
    its notes); its spec is then ``liquid_only`` (NVL72 racks always are).
    """
    d = _lookup(model.defaults)
    kind = node_kind(accelerator_id, form_factor, model.defaults)
    if kind is None:
        return None, f"form factor {form_factor or 'unknown'} has no server model (not sold as a node)", []
    used: list[Assumption] = []

    def ru(applies_to: str) -> float:
        row = d.require("rack_units_per_node", applies_to)
        used.append(assumption_from_row(row))
        return float(row["value"])

    def host() -> float:  # the scenario's host cost, else the platform's row (host_assumption)
        a = model.host_override(accelerator_id, kind) or host_assumption(accelerator_id, kind, model.defaults)
        used.append(a)
        return a.value

    if kind == SXM_OAM:
        per = d.require("accelerators_per_node", (form_factor or "sxm").lower())
        factor = sxm_oam_power_factor(model.defaults, liquid_cooled(model.cooling, needs_liquid(kind, liquid_part)))
        used += [assumption_from_row(per), factor]
        n = int(per["value"])
        spec = NodeSpec(
            kind=kind, per_node=n, single_node_counts=(n,), multi_node_sizes=(n,), rack_size=None,
            host_cost_usd=host(), power_factor=factor.value, host_power_kw=0.0,
            rack_units=ru("sxm_oam_8gpu_node"), liquid_only=needs_liquid(kind, liquid_part),
        )  # fmt: skip
        return spec, "", used
    if kind == PCIE:
        per = d.require("accelerators_per_node", "pcie")
        factor = d.require("pcie_power_factor", "pcie_node")
        hostp = d.require("pcie_host_power_kw", "pcie_node")
        used += [assumption_from_row(per), assumption_from_row(factor), assumption_from_row(hostp)]
        n = int(per["value"])
        big = tuple(sorted({int(s) for s in pcie_chassis_sizes if int(s) > n}))
        spec = NodeSpec(
            kind=kind, per_node=n, single_node_counts=tuple(range(1, n + 1)) + big,
            multi_node_sizes=(n,) + big, rack_size=None,
            host_cost_usd=host(), power_factor=float(factor["value"]),
            host_power_kw=float(hostp["value"]), rack_units=ru("pcie_node"),
            liquid_only=needs_liquid(kind, liquid_part),
        )  # fmt: skip
        return spec, "", used
    # NVL72 rack-scale: trays of 4 in racks of 72; the per-GPU price includes the host
    rows = [r for r in d.find("accelerators_per_node") if "nvl72" in str(r["applies_to"]).split("_")]
    tray = next(r for r in rows if "tray" in str(r["applies_to"]))
    rack = next(r for r in rows if "rack" in str(r["applies_to"]))
    factor = d.require("it_power_factor", "nvl72_rack_liquid")
    used += [assumption_from_row(tray), assumption_from_row(rack), assumption_from_row(factor)]
    t, r = int(tray["value"]), int(rack["value"])
    used.append(
        Assumption(parameter="host_cost_usd_per_node", applies_to=str(tray["applies_to"]), value=0.0, unit="usd",
                   source="defaults.csv: " + (_text(tray.get("notes")) or "host included in the per-GPU price"),
                   confidence=_text(tray.get("confidence")), as_of=_text(tray.get("as_of")))
    )  # fmt: skip
    spec = NodeSpec(
        kind=kind, per_node=t, single_node_counts=(t,), multi_node_sizes=(t,), rack_size=r, host_cost_usd=0.0,
        power_factor=float(factor["value"]), host_power_kw=0.0, rack_units=ru(str(tray["applies_to"])),
        liquid_only=needs_liquid(kind, liquid_part),
    )  # fmt: skip
    return spec, "", used


# ----------------------------------------------------------------------------------------- formulas
# Scalar-or-array functions (work on floats, numpy arrays and pandas Series alike).


def capex_usd(accelerators: Any, nodes: Any, price_usd: Any, host_cost_usd: Any) -> Any:
    """accelerators x price + nodes x host cost."""
    return accelerators * price_usd + nodes * host_cost_usd


def it_power_kw(accelerators: Any, nodes: Any, tdp_watts: Any, power_factor: Any, host_power_kw: Any = 0.0) -> Any:
    """factor x (sum of accelerator TDP + nodes x host power), in kW (host power is 0 except for PCIe)."""
    return power_factor * (accelerators * tdp_watts / 1000.0 + nodes * host_power_kw)


def facility_power_kw(it_kw: Any, pue: Any) -> Any:
    return it_kw * pue


def energy_usd(facility_kw: Any, years: float, usd_per_kwh: float) -> Any:
    """Energy cost at full draw over ``years``."""
    return facility_kw * HOURS_PER_YEAR * years * usd_per_kwh


def tco_usd(capex: Any, energy: Any) -> Any:
    return capex + energy
