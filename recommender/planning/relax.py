"""Why nothing fits: the limits an infeasible scenario's candidates break and what relaxing them buys.

Computed from the scenario's candidates on the grid *without* its limits (:func:`candidates`), so it costs a
table build: the TUI runs it in a worker for an infeasible answer, ``recommender optimize`` for an infeasible
scenario it prints (never a batch or a sweep row, where infeasible rows can be many).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from recommender import format as fmt

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from catalog import Catalog
    from recommender.models import Scenario

#: limit name -> (scenario field, candidates column, "max" if the use must stay at or below the limit, unit)
LIMIT_COLUMNS: dict[str, tuple[str, str, str, str]] = {
    "budget": ("budget_usd", "capex_usd", "max", "usd"),
    "power": ("power_limit_kw", "it_power_kw", "max", "kw"),
    "rack_units": ("rack_units", "rack_units", "max", "U"),
    "max_nodes": ("max_nodes", "nodes", "max", "nodes"),
    "max_accelerators": ("max_accelerators", "accelerators", "max", "accelerators"),
    "memory": ("min_accelerator_memory_gb", "memory_gb", "min", "GB"),
    "required_mixes": ("required_mixes_per_day", "mixes_per_day", "min", "mixes/day"),
}
LIMIT_NAMES = {"budget": "budget", "power": "power limit", "rack_units": "rack space", "max_nodes": "node limit",
               "max_accelerators": "accelerator limit", "memory": "minimum memory",
               "required_mixes": "required mixes/day"}


#: every limit a scenario may set, lifted for :func:`candidates` (a budget no purchase reaches keeps one limit)
NO_LIMITS: dict[str, Any] = {"budget_usd": 1e15, "power_limit_kw": None, "rack_units": None, "max_nodes": None,
                             "max_accelerators": None}


def candidates(scenario: Scenario, cat: Catalog) -> pd.DataFrame:
    """The scenario's candidates on the grid without its limits: the scenario's own grid stops just past them, so
    what relaxing a limit buys (a model that needs 32 accelerators' memory under a budget for 8) may lie beyond."""
    import recommender

    return recommender.candidates(scenario, catalog=cat, **NO_LIMITS)


@dataclass(frozen=True)
class Miss:
    """One limit a candidate breaks: the limit as set and what the candidate needs."""

    limit: str
    value: float
    needed: float
    unit: str

    def amount(self, value: float) -> str:
        if self.unit == "usd":
            return fmt.money(value)
        if self.unit == "kw":
            return fmt.kw(value)
        shown = f"{round(float(value), 2):,.2f}".rstrip("0").rstrip(".")  # 1,000,000,000 (it read 1e+09)
        return f"{shown} {self.unit}"

    def text(self) -> str:
        if self.limit == "required_mixes":  # a shortfall, said as one (it read "by 126.35 mixes/day at p80 (200 → 73.65)")
            return fmt.shortfall(self.needed, self.value, self.unit)
        gap = abs(self.needed - self.value)
        return f"{LIMIT_NAMES[self.limit]} by {self.amount(gap)} ({self.amount(self.value)} → {self.amount(self.needed)})"


@dataclass(frozen=True)
class Infeasibility:
    """Why nothing fits, from the candidates: the limits the closest candidate breaks and what relaxing them buys.

    ``closest``: the candidate needing the smallest total relaxation (sum of relative gaps); ``cheapest``: the
    lowest-capex candidate. Each is ``{accelerator_id, accelerators, capex_usd, weighted_minutes, misses}``.
    """

    violated: list[str]
    closest: dict[str, Any] | None
    cheapest: dict[str, Any] | None
    #: candidates that cannot train a workload whatever the limits (its memory need, or no prediction)
    unusable: int = 0

    def lines(self, name: Callable[[str], str]) -> list[tuple[str, str]]:
        out = []
        for title, c in (("What relaxing them buys: ", self.closest), ("Cheapest candidate: ", self.cheapest)):
            if c is None or (title.startswith("Cheapest") and self.closest is not None
                             and c["key"] == self.closest["key"]):
                continue
            what = f"{fmt.count(c['accelerators'])} × {name(c['accelerator_id'])} ({fmt.money(c['capex_usd'])}, " \
                   f"{fmt.minutes(c['weighted_minutes'])} weighted min)"
            rate = next((m.text() for m in c["misses"] if m.limit == "required_mixes"), None)
            misses = "; ".join(m.text() for m in c["misses"] if m.limit != "required_mixes")
            if title.startswith("What") and not misses:
                out.append((title, f"lowering the required rate makes {what} feasible: it {rate}."))
            elif title.startswith("What"):
                lowered = f", with the required rate lowered too: it {rate}" if rate else ""
                out.append((title, f"relaxing the {misses} makes {what} feasible{lowered}."))
            else:
                said = [f"misses the {misses}"] if misses else []
                out.append((title, f"{what} {' and '.join(said + ([rate] if rate else []))}."))
        if not out and self.unusable:
            out.append(("What relaxing buys: ", ("nothing: no candidate holds every workload in memory (or has a "
                                                  "prediction for it), whatever the limits.")))
        elif not out:
            out.append(("What relaxing buys: ", ("no candidate to compare with the limits (check the allow-list "
                                                  "and the workloads).")))
        return out


def infeasibility(scenario: Scenario, frame: pd.DataFrame) -> Infeasibility:
    """Which limits an infeasible scenario's candidates break (``frame`` = :func:`candidates`)."""
    from recommender.models import Objective
    from recommender.planning.risk import P80, resolve

    p80 = resolve(getattr(scenario, "risk", None)) == P80
    limits = {}
    for limit, (field, column, sense, unit) in LIMIT_COLUMNS.items():
        value = getattr(scenario, field, None)
        if limit == "required_mixes" and scenario.objective != Objective.MIN_TCO:
            continue  # only min_tco requires the rate (a value left from min_tco is not a limit of min_time)
        if limit == "required_mixes" and p80 and "mixes_per_day_p80" in frame:
            column = "mixes_per_day_p80"  # the optimizer judges the requirement on p80 minutes: say so (a
            unit = "mixes/day at p80"  # reviewer: "646 weighted min" beside 1.87 mixes/day = 1440 / 769 at p80)
        if value is not None and column in frame:
            limits[limit] = (float(value), column, sense, unit)
    rows = []
    unusable = 0
    for i, rec in enumerate(frame.to_dict("records")):
        if fmt.is_missing(rec.get("weighted_minutes")):  # does not fit in memory / no prediction: no limit helps
            unusable += 1
            continue
        misses, score = [], 0.0
        for limit, (value, column, sense, unit) in limits.items():
            use = rec.get(column)
            if fmt.is_missing(use):
                continue
            use = float(use)
            if (sense == "max" and use > value * (1 + 1e-9)) or (sense == "min" and use < value * (1 - 1e-9)):
                misses.append(Miss(limit, value, use, unit))
                score += abs(use - value) / max(abs(value), 1e-9)
        rows.append({"key": i, "accelerator_id": str(rec["accelerator_id"]), "accelerators": int(rec["accelerators"]),
                     "capex_usd": float(rec["capex_usd"]), "weighted_minutes": float(rec["weighted_minutes"]),
                     "misses": misses, "score": score})
    rows = [r for r in rows if r["misses"]]  # a candidate breaking nothing here breaks a rule we cannot relax
    if not rows:
        return Infeasibility([], None, None, unusable)
    closest = min(rows, key=lambda r: (r["score"], r["weighted_minutes"]))
    cheapest = min(rows, key=lambda r: (r["capex_usd"], r["weighted_minutes"]))
    violated = [m.limit for m in closest["misses"]]
    return Infeasibility(violated, closest, cheapest, unusable)


def relaxation_sentences(scenario: Scenario, cat: Catalog) -> list[str]:
    """The explanation's sentences for an infeasible scenario: what relaxing its limits buys, as the app says it
    (a reviewer: the CLI said ``binding: []`` where the app named the budget and the $27,000 that makes 16 MI355X
    feasible)."""
    why = infeasibility(scenario, candidates(scenario, cat))  # (the cheapest candidate is said already)
    return [text[0].upper() + text[1:] for title, text in why.lines(cat.accelerator_name) if "relaxing" in title]
