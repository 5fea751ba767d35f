"""Pydantic models that face users and files. Time to train is always ``minutes`` (minutes to train).

Input side: :class:`Measurement`, :class:`CustomWorkload`, :class:`WorkloadSpec`, :class:`Scenario`.
Output side: :class:`Recommendation` with its :class:`Configuration`, :class:`Alternative`,
:class:`Sensitivity`, :class:`Skipped` and :class:`Assumption` parts. A figure's :data:`Basis` and the helpers
that read its source live in :mod:`recommender.basis` (re-exported here).

This module never loads the catalog: ids are checked against it in :func:`recommender.api.optimize`.
Use :meth:`Scenario.parse` (or :func:`parse_scenario`) to turn a dict into a scenario with a typed
:class:`~recommender.errors.ScenarioError` instead of a pydantic ``ValidationError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from recommender.basis import (  # noqa: F401  (re-exported: a figure's basis and its source helpers)
    CUSTOM_SOURCE_PREFIX,
    Basis,
    custom_source,
    is_custom_estimate,
    is_custom_measurement,
    summary_basis,
)
from recommender.errors import ScenarioError
from recommender.plan_models import BillLine, RentOrBuy, RentQuote
from recommender.scenario.consistency import contradiction
from recommender.scenario.numbers import (  # finite, bounded numbers (no .inf, no 1e309)
    MAX_MEASUREMENTS,
    MAX_WORKLOADS,
    Count,
    Gb,
    Kw,
    Minutes,
    PerDay,
    Pue,
    Share,
    Usd,
    UsdOrZeroByKey,
    UsdPerKwh,
    Years,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


class FrozenModel(BaseModel):
    """Base of every user- and file-facing model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------------------------- inputs


class Measurement(FrozenModel):
    """One measured training time of a custom workload."""

    accelerator_id: str = Field(description="Accelerator id, e.g. nvidia-h100-sxm5-80gb.")
    accelerators: Count = Field(description="Total accelerator count of the measured configuration.")
    minutes: Minutes = Field(description="Measured minutes to train.")
    nodes: Count | None = Field(default=None, description="Node count (default: derived from the form factor).")

    @model_validator(mode="after")
    def _layout(self) -> Measurement:
        if self.nodes is not None and (self.nodes > self.accelerators or self.accelerators % self.nodes):
            raise ValueError(f"nodes: {self.nodes} nodes cannot hold {self.accelerators} accelerators in equal "
                             "numbers; give a node count that divides the accelerators")
        return self


class CustomWorkload(FrozenModel):
    """A workload nobody measured in MLPerf, described by your own measurements."""

    name: str = Field(min_length=1, description="Name of the workload (unique within a scenario).")
    like: str | None = Field(
        default=None, description="MLPerf benchmark id it behaves like (its scaling shape is borrowed)."
    )
    task: str | None = Field(
        default=None,
        description="What it trains, one of the MLPerf benchmarks' tasks (e.g. 'LLM pre-training', "
        "'text-to-image'): without 'like', the scaling shape is borrowed from the benchmarks of that task "
        "(state it only when they are of a size like this workload's).",
    )
    measurements: list[Measurement] = Field(
        min_length=1, max_length=MAX_MEASUREMENTS, description="At least one measured configuration: accelerator, count, minutes."
    )
    min_total_memory_gb: float | None = Field(
        default=None, gt=0, allow_inf_nan=False,
        description="Accelerator memory the workload needs in total (GB); smaller configurations do not fit.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> CustomWorkload:
        if (why := contradiction(self.measurements)) is not None:
            raise ValueError(why)
        return self


class Objective(StrEnum):
    """What the optimizer minimises or maximises."""

    MIN_TIME = "min_time"  # share-weighted minutes to train
    MAX_THROUGHPUT = "max_throughput"  # mixes trained per day (a mix: one training shared by the shares)
    MIN_TCO = "min_tco"  # capex + energy over the years, subject to required_mixes_per_day


class Cooling(StrEnum):
    """Facility cooling; selects the PUE default and whether liquid-only racks (NVL72) and liquid-cooled parts
    (``costs.liquid_cooled_part``) are allowed."""

    AIR = "air"
    LIQUID = "liquid"


class Status(StrEnum):
    """Outcome of an optimization (lower-case strings, also usable as plain ``str``)."""

    OPTIMAL = "optimal"  # proven optimal among the candidates
    FEASIBLE = "feasible"  # the solver stopped at its time limit with a solution
    INFEASIBLE = "infeasible"  # no candidate satisfies the limits; see ``explanation``


#: Names a limit can carry in :attr:`Recommendation.binding`.
Limit = Literal["budget", "power", "rack_units", "max_nodes", "max_accelerators", "memory"]
LIMITS: tuple[str, ...] = ("budget", "power", "rack_units", "max_nodes", "max_accelerators", "memory")


class WorkloadSpec(FrozenModel):
    """One workload of the mix: an MLPerf benchmark id or a custom workload, with its share of the work."""

    benchmark: str | None = Field(
        default=None, description="MLPerf Training benchmark id (e.g. bert, resnet, unet3d). Give this or `custom`."
    )
    custom: CustomWorkload | None = Field(
        default=None, description="A custom workload described by your own measurements. Give this or `benchmark`."
    )
    share: Share = Field(
        default=1.0,
        description="Relative share of the work (how often this workload is trained); shares are normalised to sum 1.",
    )

    @field_validator("custom", mode="before")
    @classmethod
    def _custom_inline(cls, value: Any) -> Any:
        if isinstance(value, (str, Path)):  # a workload file path: only scenario files resolve those
            raise ValueError("in Python give a CustomWorkload (or its mapping); workload files are read from "  # noqa: TRY004
                             "scenario files (recommender.load_scenario, or optimize('file.yaml'))")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> WorkloadSpec:
        if (self.benchmark is None) == (self.custom is None):
            raise ValueError("give exactly one of `benchmark` or `custom`")
        if self.benchmark is not None and not self.benchmark.strip():
            raise ValueError("`benchmark` must not be empty")
        return self

    @property
    def name(self) -> str:
        """The workload's name: the benchmark id or the custom workload's name."""
        return self.benchmark if self.benchmark is not None else self.custom.name  # type: ignore[union-attr]


class Scenario(FrozenModel):
    """What you want to train and the limits of what you can buy. Input of :func:`recommender.optimize`."""

    version: Literal[1] = Field(default=1, description="Scenario format version (currently 1).")
    name: str = Field(default="scenario", min_length=1, description="Name of the scenario (shown in reports).")
    budget_usd: Usd | None = Field(
        default=None, description="Capital budget in USD for accelerators plus hosts (capex). Empty = no limit."
    )
    power_limit_kw: Kw | None = Field(
        default=None, description="Limit on the IT power (kW) of what is bought, before PUE. Empty = no limit."
    )
    workloads: list[WorkloadSpec] = Field(
        min_length=1, max_length=MAX_WORKLOADS, description="The workload mix: MLPerf benchmark ids or custom workloads, each with a share."
    )
    objective: Objective = Field(
        default=Objective.MIN_TIME,
        description=(
            "min_time: share-weighted minutes to train; max_throughput: mixes trained per day; "
            "min_tco: capex + energy over `years`, subject to `required_mixes_per_day`."
        ),
    )
    required_mixes_per_day: PerDay | None = Field(
        default=None,
        description="For min_tco: how many mixes per day must be trainable (required with min_tco); a mix is one "
                    "training shared among the workloads by their shares (which sum to 1), not a run of each.",
    )
    accelerators: list[str] | None = Field(
        default=None, description="Allow-list of accelerator ids to consider. Empty = every priced accelerator."
    )
    exclude: list[str] = Field(default_factory=list, description="Accelerator ids never to consider.")
    max_accelerators: Count | None = Field(
        default=None, description="Upper limit on the total accelerator count (summed over configurations in a mix)."
    )
    min_accelerator_memory_gb: Gb | None = Field(
        default=None, description="Only accelerators with at least this much memory (GB) per accelerator."
    )
    max_nodes: Count | None = Field(
        default=None, description="Upper limit on the number of nodes (servers, trays) bought."
    )
    rack_units: Count | None = Field(
        default=None, description="Rack space available, in rack units (U), for all nodes bought."
    )
    cooling: Cooling | None = Field(
        default=None,
        description=(
            "Facility cooling: air or liquid. Selects the PUE default; `air` rules out liquid-only racks (NVL72) "
            "and liquid-cooled parts (catalog notes starting \"Liquid-cooled\", e.g. MI355X). "
            "Empty = air, except liquid for those."
        ),
    )
    prices: dict[str, Usd] = Field(
        default_factory=dict,
        description="Price per accelerator in USD (e.g. vendor quotes), by accelerator id; overrides the reference price.",
    )
    price_notes: dict[str, str] = Field(
        default_factory=dict,
        description="Where each price in `prices` comes from (e.g. 'vendor quote 2026-03'), by accelerator id.",
    )
    host_cost_usd_per_node: UsdOrZeroByKey | None = Field(
        default=None,
        description="Host (server) cost per node in USD, overriding the defaults: one number for every platform, or "
        "a mapping from a platform (a defaults.csv host row's applies_to, e.g. hgx_b200_8gpu_node, pcie_node) or an "
        "accelerator id to USD (an id's entry wins over its platform's; others keep the defaults). Never NVL72 racks, "
        "whose per-GPU price includes the host.",
    )
    years: Years = Field(default=5.0, description="Years of operation counted in the TCO (energy cost).")
    energy_usd_per_kwh: UsdPerKwh | None = Field(
        default=None, description="Energy price in USD per kWh. Empty = the catalog default."
    )
    pue: Pue | None = Field(
        default=None, description="Power usage effectiveness override (>= 1). Empty = default for `cooling`."
    )
    mix: bool = Field(
        default=False,
        description="Allow buying several configurations and splitting the workloads among them (Gavel-style).",
    )
    # -- issue 12: the whole bill, financing, rent or buy, risk (read by recommender/planning/*) ----------
    utilization: float | None = Field(
        default=None, gt=0.0, le=1.0,
        description="Share of the year the system trains (energy bill, rent comparison). Empty = the default.",
    )
    salvage_fraction: float | None = Field(
        default=None, ge=0.0, lt=1.0, description="Resale value after `years`, as a share of capex. Empty = default."
    )
    cost_of_capital: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Annual discount rate of the TCO's present value. Empty = default."
    )
    risk: Literal["expected", "p80"] | None = Field(
        default=None,
        description=(
            "Which minutes to optimise: expected (the point estimate) or p80 (the upper end of the 80 % interval, "
            "so an uncertain prediction must be better by its own doubt). Empty = p80, the default for a purchase."
        ),
    )
    partial_rack: bool = Field(
        default=False, description="Allow buying NVL72-class systems by the tray instead of whole racks of 72."
    )
    consider_cloud: bool = Field(
        default=False, description="With min_tco: also consider renting the work in a cloud (price list)."
    )
    cloud_prices: str | None = Field(
        default=None, description="Path of your own cloud price list (CSV), relative to the scenario file. Empty = the catalog's list."
    )
    # -- end issue 12 -------------------------------------------------------------------------------------
    @field_validator("prices", mode="before")
    @classmethod
    def _prices_mapping(cls, value: Any) -> Any:
        # scenario files also take a quote list or a price-list file here; the file loader turns them into this
        # mapping (with file:line sources). In Python, say so instead of "must be a valid dictionary".
        if isinstance(value, (list, tuple, str, Path)) or (isinstance(value, Mapping) and "quotes" in value):
            raise ValueError("in Python give a mapping {accelerator_id: price_usd}; quote lists and price-list files "
                             "are read from scenario files (recommender.load_scenario, or optimize('file.yaml'))")
        return value

    @field_validator("accelerators")
    @classmethod
    def _allow_list_not_empty(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and len(v) == 0:
            raise ValueError("the allow-list is empty; omit `accelerators` to consider every accelerator")
        return v

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        total = sum(w.share for w in self.workloads)
        if not total > 0:  # shares are finite and bounded (numbers.Share), so the sum is finite
            raise ValueError("workloads[0].share: the shares sum to 0; give at least one workload a positive share")
        names = [w.name for w in self.workloads]
        if dupes := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"workloads: duplicate workload {', '.join(dupes)}")
        both = [a for a in (self.accelerators or []) if a in set(self.exclude or [])]
        if both:  # it answered "infeasible", as if no candidate could meet the limits
            raise ValueError(f"exclude: {both[0]!r} is also in the allow-list (accelerators); name it in one of them")
        if unpriced := [a for a in self.price_notes if a not in self.prices]:  # (a reviewer: shown nowhere)
            raise ValueError(f"price_notes.{unpriced[0]}: a note, but `prices` has no price for {unpriced[0]!r}; "
                             "give the price (or remove the note)")
        if self.objective == Objective.MIN_TCO and self.required_mixes_per_day is None:
            raise ValueError("required_mixes_per_day: required when objective is min_tco")
        if self.objective != Objective.MIN_TCO and not any(
            v is not None
            for v in (self.budget_usd, self.power_limit_kw, self.max_accelerators, self.max_nodes, self.rack_units)
        ):
            raise ValueError(
                "budget_usd: give at least one limit (budget_usd, power_limit_kw, max_accelerators, max_nodes "
                f"or rack_units); without one, {self.objective.value} has no answer"
            )
        return self

    # -- derived -------------------------------------------------------------------------------------
    @property
    def workload_names(self) -> list[str]:
        return [w.name for w in self.workloads]

    @property
    def shares(self) -> dict[str, float]:
        """Normalised shares by workload name (sum 1)."""
        total = sum(w.share for w in self.workloads)
        return {w.name: w.share / total for w in self.workloads}

    @property
    def custom_workloads(self) -> list[CustomWorkload]:
        return [w.custom for w in self.workloads if w.custom is not None]

    @classmethod
    def parse(cls, data: Any) -> Scenario:
        """Validate a dict (or a Scenario) into a Scenario; raise ScenarioError naming the field."""
        return parse_scenario(data)


def field_path(loc: tuple[Any, ...]) -> str:
    """Dotted path of a pydantic error location: ``("workloads", 0, "share")`` -> ``workloads[0].share``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part and not part.startswith(("function-", "union[", "literal[")):
            out += ("." if out else "") + part
    return out


def scenario_error(err: ValidationError, *, file: str | None = None, line: int | None = None) -> ScenarioError:
    """The first error of a pydantic ValidationError as a ScenarioError with a field path.

    Errors raised by model validators name their field at the start of the message (``"budget_usd: ..."``);
    that name is moved into ``field``.
    """
    first = err.errors(include_url=False)[0]
    path = field_path(tuple(first.get("loc", ())))
    msg = str(first.get("msg", "invalid value"))
    msg = msg.removeprefix("Value error, ")
    head, sep, rest = msg.partition(": ")
    if sep and head and " " not in head and not path:
        path, msg = head, rest
    if msg.startswith("Input should be "):
        msg = "must be " + msg[len("Input should be ") :]
    if first.get("type") == "extra_forbidden":
        msg = "unknown field"
    if first.get("type") == "missing":
        msg = "required field is missing"
    more = len(err.errors()) - 1
    if more > 0:
        msg += f" (and {more} more error{'s' if more > 1 else ''})"
    return ScenarioError(msg, field=path or None, file=file, line=line)


def parse_scenario(data: Any) -> Scenario:
    """Validate ``data`` (dict or Scenario) into a :class:`Scenario`; ScenarioError names the offending field."""
    if isinstance(data, Scenario):
        return data
    if not isinstance(data, dict):
        raise ScenarioError(f"a scenario must be a mapping, not {type(data).__name__}")
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise scenario_error(err) from None


# --------------------------------------------------------------------------------------------- outputs


class Assumption(FrozenModel):
    """A default (or a scenario override) that entered the costs, with where it comes from."""

    parameter: str = Field(description="Parameter name, e.g. host_cost_usd_per_node, pue, reference_price_usd.")
    applies_to: str = Field(description="What it applies to (accelerator id, node kind, cooling...).")
    value: float = Field(description="The value used.")
    unit: str = Field(description="Unit of the value (usd, kw, ratio, usd_per_kwh, count).")
    source: str = Field(description="Where the value comes from (defaults.csv source, or 'scenario').")
    confidence: str | None = Field(default=None, description="Confidence code (H, M, L-M, L, VL) where known.")
    as_of: str | None = Field(default=None, description="Date the value refers to, where known.")


class WorkloadEstimate(FrozenModel):
    """Predicted (or measured) minutes to train one workload on one configuration."""

    workload: str = Field(description="Workload name (benchmark id or custom workload name).")
    share: float = Field(description="Normalised share of this workload in the scenario's mix.")
    minutes: float = Field(description="Minutes to train (point estimate).")
    minutes_low: float | None = Field(default=None, description="Lower end of the prediction interval, minutes.")
    minutes_high: float | None = Field(default=None, description="Upper end of the prediction interval, minutes.")
    basis: Basis = Field(description="measured (this configuration, target round), carried (measured in an earlier "
                         "round, moved to the target round by the model's trend; source names the round), predicted, "
                         "specs_only (the accelerator has no MLPerf result).")
    source: str | None = Field(default=None, description="Which result or model the figure comes from.")
    trainings_per_day: float | None = Field(default=None, description="Trainings per day of this workload this configuration "
        "can do: mixes_per_day x share (single mode); in mix mode the assignment's (its capacity when it is the only one).")


class Configuration(FrozenModel):
    """What to buy: a number of accelerators of one model, in nodes, with its cost, power and speed."""

    accelerator_id: str = Field(description="Accelerator id.")
    accelerator_name: str | None = Field(default=None, description="Human-readable accelerator name.")
    form_factor: str | None = Field(default=None, description="sxm, oam, pcie, nvl72 (rack-scale) ...")
    accelerators: int = Field(description="Total accelerator count.")
    nodes: int = Field(description="Number of nodes (servers; compute trays for NVL72-class racks).")
    accelerators_per_node: int = Field(description="Accelerators per node.")
    price_usd_per_accelerator: float = Field(description="Price per accelerator used, USD.")
    price_source: str | None = Field(default=None, description="Where the price comes from (reference or scenario).")
    capex_usd: float = Field(description="Capital cost: the whole bill (hosts, NICs, network...), USD (one copy).")
    it_power_kw: float = Field(description="IT power of the configuration, kW (before PUE; one copy).")
    facility_power_kw: float = Field(description="Facility power = IT power x PUE, kW.")
    rack_units: float | None = Field(default=None, description="Rack space used, U.")
    pue: float = Field(description="PUE used for this configuration.")
    energy_usd: float = Field(description="Present value of the energy bills over the scenario's years, USD.")
    tco_usd: float = Field(description="Total cost of ownership: present value of capex + energy - salvage, USD.")
    weighted_minutes: float = Field(description="Share-weighted minutes to train: one mix (shares sum to 1).")
    mixes_per_day: float = Field(description="Mixes trained per day (1440 / weighted): share-weighted trainings.")
    # tuples, not lists: a Configuration is frozen and shared, so nothing done to one answer reaches the next
    workloads: tuple[WorkloadEstimate, ...] = Field(description="Minutes to train per workload, with basis and interval.")
    basis: Literal["measured", "carried", "predicted", "specs_only", "does_not_fit", "mixed"] = Field(
        default="predicted", description="The workloads' basis when they agree (of those with a share), else mixed.")
    serves: dict[str, float] = Field(
        default_factory=dict,
        description="Fraction of each workload's trainings this configuration serves (1.0 = all; mix mode splits).",
    )
    count: int = Field(default=1, description="How many copies of this configuration to buy (mix mode; 1 otherwise). "
                                              "Money, power and rack figures above are per copy.")
    bill: tuple[BillLine, ...] = Field(default_factory=tuple, description="The whole bill of one copy, with sources.")
    racks: int | None = Field(default=None, description="Racks, from each rack's power limit and rack units.")
    rack_power_limit: Assumption | None = Field(default=None, description="The defaults.csv rack_power_limit_kw row "
                                                "the racks are counted at (also in the Assumptions).")
    average_draw_kw: float | None = Field(default=None, description="Expected average IT draw in training, kW.")
    energy_usd_per_year: float | None = Field(default=None, description="Energy bill of one year at `utilization`.")
    utilization: float | None = Field(default=None, description="Share of the year drawing training power: the "
                                      "scenario's, never below the required work's under min_tco.")
    salvage_usd: float | None = Field(default=None, description="Present value of the resale, USD: tco = capex + "
                                      "energy - salvage.")
    yearly_cost_usd: float | None = Field(default=None, description="Equivalent yearly cost of the TCO, USD.")

    @model_validator(mode="before")
    @classmethod
    def _summary(cls, data: Any) -> Any:  # basis = the workloads' (with a share) when they agree, else mixed
        if isinstance(data, dict) and "basis" not in data and data.get("workloads"):
            ws = [w if isinstance(w, dict) else w.model_dump() for w in data["workloads"]]
            data = {**data, "basis": summary_basis([w["basis"] for w in ws if w.get("share", 1) > 0]
                                                   or [w["basis"] for w in ws])}
        return data


class Alternative(FrozenModel):
    """The best candidate of another accelerator and why it lost."""

    accelerator_id: str = Field(description="Accelerator id.")
    configuration: Configuration | None = Field(
        default=None, description="Its best feasible candidate (None if none is feasible)."
    )
    objective_value: float | None = Field(default=None, description="Its objective value (same unit as the result).")
    reason: str = Field(description="Why it lost, in a sentence.")


class Sensitivity(FrozenModel):
    """What a relaxed limit would buy (the scenario re-solved)."""

    parameter: str = Field(description="Scenario field changed, e.g. budget_usd or power_limit_kw.")
    factor: float = Field(description="Multiplier applied to the limit (1.1 = +10 %).")
    value: float = Field(description="The relaxed limit.")
    status: Status = Field(description="Status of the re-solve.")
    objective_value: float | None = Field(default=None, description="Objective value of the re-solve.")
    choice: Configuration | None = Field(default=None, description="The re-solve's choice.")
    summary: str = Field(description="One sentence: what changes.")


class Skipped(FrozenModel):
    """A candidate (or a whole accelerator) left out, and why."""

    accelerator_id: str = Field(description="Accelerator id.")
    accelerators: int | None = Field(default=None, description="Accelerator count (None = the whole accelerator).")
    reason: str = Field(description="Why it was left out.")


class Recommendation(FrozenModel):
    """The optimizer's answer: what to buy, why, and what would change it."""

    scenario: str = Field(description="Name of the scenario.")
    objective: Objective = Field(description="Objective that was optimised.")
    status: Status = Field(description="optimal | feasible (time limit hit) | infeasible.")
    objective_value: float | None = Field(
        default=None,
        description="minutes (min_time), mixes per day (max_throughput) or USD (min_tco); None if infeasible.",
    )
    objective_unit: str = Field(description="Unit of objective_value: minutes, mixes_per_day or usd.")
    configurations: list[Configuration] = Field(
        default_factory=list, description="What to buy: one configuration, or several in mix mode."
    )
    choice: Configuration | None = Field(
        default=None, description="The single configuration, or the largest (by capex) of a mix."
    )
    alternatives: list[Alternative] = Field(
        default_factory=list, description="The best candidate of each other accelerator and why it lost."
    )
    binding: list[str] = Field(default_factory=list, description="Limits that stop a better answer: budget, power, "
                               "rack_units, max_nodes, max_accelerators, memory.")
    binding_together: bool = Field(default=False, description="True when the binding limits stop a better answer only "
                                   "together: relaxing any one of them alone buys nothing better.")
    slack: dict[str, float] = Field(
        default_factory=dict,
        description="Unused part of each limit that is set (limit - use, in the limit's unit: USD, kW, U, count).",
    )
    sensitivity: list[Sensitivity] = Field(
        default_factory=list, description="What +10 % budget and +10 % power would buy."
    )
    skipped: list[Skipped] = Field(default_factory=list, description="Candidates dropped and why.")
    explanation: list[str] = Field(default_factory=list, description="Plain sentences explaining the answer.")
    assumptions: list[Assumption] = Field(
        default_factory=list, description="Cost and power defaults used, with source, confidence and as-of date."
    )
    total_capex_usd: float | None = Field(default=None, description="Capex of everything bought, USD.")
    total_it_power_kw: float | None = Field(default=None, description="IT power of everything bought, kW.")
    total_facility_power_kw: float | None = Field(default=None, description="Facility power (IT x PUE), kW.")
    total_tco_usd: float | None = Field(default=None, description="TCO of everything bought, USD.")
    workload_shares: dict[str, float] = Field(default_factory=dict, description="Normalised workload shares.")
    candidates_considered: int = Field(default=0, description="Number of candidates generated.")
    candidates_after_pruning: int = Field(default=0, description="Candidates left after removing dominated ones.")
    solver: str = Field(default="cbc", description="How the answer was found (cbc, or enumeration for one choice).")
    catalog_fingerprint: str | None = Field(default=None, description="Fingerprint of the catalog data used.")
    required_mixes_per_day: float | None = Field(default=None, description="The scenario's required rate: min_tco "
                                                 "enforces it; other objectives only say whether it is met.")
    minutes_as_of: str | None = Field(default=None, description="Round every minutes figure answers for: the "
                                      "catalog's newest (today's software); earlier results are carried to it.")
    rent_or_buy: RentOrBuy | None = Field(default=None, description="Buy versus rent in a cloud (issue 12).")
    cloud_decision: Literal["buy", "rent"] | None = Field(default=None, description="consider_cloud: buy or rent.")
    cheapest_rent: RentQuote | None = Field(default=None, description="consider_cloud: the cheapest rent of the work.")
    risk: Literal["expected", "p80"] | None = Field(
        default=None, description="Which minutes were ranked: expected, or p80 (the 80 % intervals' upper ends; the "
                                  "default for a purchase). objective_value is in the same terms.")

    # -- exports --------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (enums as strings)."""
        return self.model_dump(mode="json")

    def to_frame(self) -> pd.DataFrame:
        """One row per (configuration, workload): what to buy and its predicted minutes to train."""
        from recommender.report import recommendation_frame

        return recommendation_frame(self)

    def to_markdown(self) -> str:
        """A readable report: the answer, its numbers, the alternatives, the limits and the assumptions."""
        from recommender.report import recommendation_markdown

        return recommendation_markdown(self)
