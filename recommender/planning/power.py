"""Power, two figures: provisioned IT power (nameplate) and the expected average draw during training.

* **Provisioned** (``Bill.provisioned_it_power_kw``): the power factor x TDP rules of ``costs.py``; what
  ``power_limit_kw`` and the racks constrain.
* **Average draw** = provisioned x a draw ratio. The ratio is calibrated on the MLPerf Training power results
  (``avg_node_power_kw``; AC wall-plug measurements where a system has them, DC otherwise): for an accelerator
  that was measured, the median measured/provisioned ratio of its systems; for any other, the median over
  all measured systems (a stated derating, labelled as such).
* **Energy bill** per year = average draw x PUE x 8,766 h x utilisation x USD/kWh (idle hours not charged).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from recommender.models import Assumption, Scenario
from recommender.planning.costs import HOURS_PER_YEAR, node_kind
from recommender.planning.mix_check import MINUTES_PER_DAY  # (not .solve: that imports PuLP)

FALLBACK = "all measured systems"


@dataclass(frozen=True)
class DrawModel:
    """Measured-over-provisioned draw ratios: one per measured accelerator, and a fallback."""

    ratios: dict[str, float]
    fallback_ratio: float
    sources: dict[str, str] = field(default_factory=dict)

    def ratio(self, accelerator_id: str) -> tuple[float, Assumption]:
        if accelerator_id in self.ratios:
            return self.ratios[accelerator_id], Assumption(
                parameter="average_draw_ratio", applies_to=accelerator_id, value=self.ratios[accelerator_id],
                unit="ratio", confidence="M",
                source="calibrated: median measured / provisioned node power of " + self.sources[accelerator_id],
            )  # fmt: skip
        return self.fallback_ratio, Assumption(
            parameter="average_draw_ratio", applies_to="unmeasured platform", value=self.fallback_ratio,
            unit="ratio", confidence="L",
            source="stated derating: median measured / provisioned node power over " + self.sources[FALLBACK],
        )  # fmt: skip

    def average_draw_kw(self, accelerator_id: str, provisioned_kw: float) -> tuple[float, Assumption]:
        r, a = self.ratio(accelerator_id)
        return provisioned_kw * r, a


def provisioned_node_kw(accelerator_id: str, form_factor: str | None, tdp_watts: float, per_node: int,
                        defaults: pd.DataFrame) -> float:  # fmt: skip
    """Nameplate power of one node of ``per_node`` accelerators (the bill's rule)."""
    from recommender.planning.bill import bill, price_assumption

    if node_kind(accelerator_id, form_factor, defaults) is None:
        return float("nan")
    price = price_assumption(accelerator_id, defaults, 0.0)
    return bill(accelerator_id, form_factor, tdp_watts, price, per_node, 1, defaults, partial_rack=True).node_power_kw


def measured_vs_provisioned(measured: pd.DataFrame, accelerators: pd.DataFrame,
                            defaults: pd.DataFrame) -> pd.DataFrame:  # fmt: skip
    """The measured rows with ``provisioned_node_kw`` and ``ratio`` (measured / provisioned) added; AC rows
    only for systems measured both ways."""
    acc = accelerators.set_index("accelerator_id")
    m = measured.copy()
    kind = m["power_measurement_type"].astype(str)
    ac_systems = set(m.loc[kind == "AC", "system_id"])
    m = m[(kind == "AC") | ~m["system_id"].isin(ac_systems)].reset_index(drop=True)
    per_node = (m["accelerators"] / m["nodes"]).round().astype(int)
    m["provisioned_node_kw"] = [
        provisioned_node_kw(a, acc.at[a, "form_factor"], float(acc.at[a, "tdp_watts"]), int(k), defaults)
        for a, k in zip(m["accelerator_id"], per_node, strict=True)
    ]
    m["ratio"] = m["avg_node_power_kw"] / m["provisioned_node_kw"]
    return m


def calibrate(measured: pd.DataFrame, accelerators: pd.DataFrame, defaults: pd.DataFrame) -> DrawModel:
    """Draw ratios from the measured MLPerf power results (see the module doc)."""
    m = measured_vs_provisioned(measured, accelerators, defaults)
    m = m[np.isfinite(m["ratio"])]
    ratios = {str(a): float(g["ratio"].median()) for a, g in m.groupby("accelerator_id")}
    sources = {str(a): f"{len(g)} MLPerf Training power results ({', '.join(sorted(set(g['round'])))}; "
                       f"{', '.join(sorted(set(g['submitter'].astype(str))))})"
               for a, g in m.groupby("accelerator_id")}  # fmt: skip
    sources[FALLBACK] = f"{len(m)} MLPerf Training power results of {len(ratios)} accelerators"
    fallback = float(m["ratio"].median()) if len(m) else 1.0
    return DrawModel(ratios=ratios, fallback_ratio=fallback, sources=sources)


def calibration_table(measured: pd.DataFrame, accelerators: pd.DataFrame, defaults: pd.DataFrame) -> pd.DataFrame:
    """Every measured result beside the model's average draw: in-sample (its accelerator's ratio) and
    leave-accelerator-out (the ratio of the other accelerators, as for an unmeasured platform)."""
    m = measured_vs_provisioned(measured, accelerators, defaults)
    model = calibrate(measured, accelerators, defaults)
    m["model_node_kw"] = [model.average_draw_kw(a, p)[0] for a, p in
                          zip(m["accelerator_id"], m["provisioned_node_kw"], strict=True)]  # fmt: skip
    m["error"] = m["model_node_kw"] / m["avg_node_power_kw"] - 1.0
    out = []
    for a in m["accelerator_id"].unique():
        others = m[m["accelerator_id"] != a]
        out.append(float(others["ratio"].median()) if len(others) else float("nan"))
    held = dict(zip(m["accelerator_id"].unique(), out, strict=True))
    m["held_out_node_kw"] = m["provisioned_node_kw"] * m["accelerator_id"].map(held)
    m["held_out_error"] = m["held_out_node_kw"] / m["avg_node_power_kw"] - 1.0
    cols = ["round", "submitter", "system_id", "benchmark", "accelerator_id", "nodes", "power_measurement_type",
            "avg_node_power_kw", "provisioned_node_kw", "model_node_kw", "error", "held_out_node_kw",
            "held_out_error"]  # fmt: skip
    return m[cols]


def energy_usd_per_year(average_draw_kw: Any, pue: Any, utilization: float, usd_per_kwh: float) -> Any:
    """Energy bill of one year: average draw x PUE x hours x utilisation x price."""
    return average_draw_kw * pue * HOURS_PER_YEAR * utilization * usd_per_kwh


def _draw_model(catalog: Any) -> DrawModel:
    from recommender.planning import sources

    return calibrate(sources.measured_power(catalog), catalog.accelerators, sources.defaults_frame(catalog))


def _cached_draw_model() -> Any:
    from recommender.cache import per_catalog

    return per_catalog(maxsize=4)(_draw_model)


draw_model = _cached_draw_model()
draw_model.__doc__ = "The draw model calibrated on ``catalog``'s measured MLPerf power (cached per catalog content)."


def busy_share(s: Scenario, utilization: float, weighted_minutes: np.ndarray) -> np.ndarray:
    """The share of the year each candidate draws training power (its energy bill): ``utilization`` (the
    scenario's or the default), never below the share ``required_mixes_per_day`` takes at the candidate's
    expected minutes (at most the whole year). Energy at 50 % for work that keeps a server busy 58 % of the year
    undercounted min_tco's objective. Not for a fleet (mix mode): its copies share the work, so each copy's
    share is known only from the solve; the mix MILP charges the work's energy above ``utilization`` itself
    (:class:`~recommender.planning.mix_check.BusyEnergy`)."""
    util = np.full(len(weighted_minutes), float(utilization))
    if s.required_mixes_per_day is None or s.mix:
        return util
    with np.errstate(invalid="ignore", over="ignore"):
        work = np.minimum(1.0, s.required_mixes_per_day * np.asarray(weighted_minutes) / MINUTES_PER_DAY)
    return np.where(np.isfinite(weighted_minutes), np.maximum(util, work), util)
