"""Where the bill, power, finance and cloud modules read their data: ONE place to switch.

Until the catalog ships the new ``defaults.csv`` rows (host cost by platform, NICs, network tiers, rack power
limits), the cloud price list (``Catalog.cloud_prices``) and the measured MLPerf node power
(``avg_node_power_kw`` in ``results.csv``), these functions take the catalog's copy when it has one and fall
back to the shared hardware folder (``../shared/hardware``) or, for measured power, to the small table shipped
beside this module (``measured_node_power.csv``, derived from the MLPerf Training results, cited per row).

Also here: :data:`PLANNING_ASSUMPTIONS`, the few figures that are in no data file yet (utilisation, salvage,
cost of capital, rack units, the PCIe chassis rule). Each is reported as an Assumption labelled
"optimizer assumption"; a ``defaults.csv`` row with the same ``parameter`` and ``applies_to`` overrides it.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from recommender.costs import assumption_from_row
from recommender.models import Assumption

#: The shared hardware folder (the project's research data); ``MLPERF_RECOMMENDER_HARDWARE`` overrides it.
SHARED_HARDWARE = Path(os.environ.get("MLPERF_RECOMMENDER_HARDWARE", "/work/shared/hardware"))
MEASURED_POWER_FILE = Path(__file__).with_name("measured_node_power.csv")

#: Rows that mark a defaults table as carrying the bill parameters.
_BILL_MARKER = ("network_cost_usd_per_node", "ib_ndr400_1tier_le_64_nodes")

#: Figures in no data file yet: (parameter, applies_to) -> (value, unit, source, confidence).
PLANNING_ASSUMPTIONS: dict[tuple[str, str], tuple[float, str, str, str]] = {
    ("utilization", "default"): (0.8, "ratio", ("optimizer assumption: share of the year the system trains "
                                 "(a busy training cluster; idle hours are not charged)"), "L"),
    ("salvage_fraction", "default"): (0.1, "ratio", ("optimizer assumption: resale value at the end of `years` "
                                      "as a share of capex (5-year-old accelerators resell for little)"), "L"),
    ("cost_of_capital", "default"): (0.08, "ratio_per_year", ("optimizer assumption: annual discount rate "
                                     "(a typical corporate WACC)"), "L"),
    ("rack_units_per_rack", "standard_rack"): (42.0, "u", "optimizer assumption: 42U usable per rack", "M"),
    ("rack_units_per_rack", "nvl72_rack"): (48.0, "u", "optimizer assumption: one 48U rack per NVL72", "M"),
    ("pcie_host_scale_per_card", "pcie_node_above_8_cards"): (
        0.125, "ratio", ("optimizer assumption: above 8 cards a PCIe chassis's host cost and host power grow "
                         "with the card count, host x cards / 8 (PCIe switches, PSUs, larger chassis)"), "L"),
}


def defaults_frame(catalog: Any | None = None) -> pd.DataFrame:
    """The defaults table with the bill rows: the catalog's when it carries them, else the shared file."""
    frame = getattr(catalog, "defaults", None)
    if frame is not None and _has_bill_rows(frame):
        return frame
    return _shared_defaults()


def _has_bill_rows(frame: pd.DataFrame) -> bool:
    p, a = _BILL_MARKER
    return bool(((frame["parameter"] == p) & (frame["applies_to"] == a)).any())


@lru_cache(maxsize=1)
def _shared_defaults() -> pd.DataFrame:
    return pd.read_csv(SHARED_HARDWARE / "defaults.csv", dtype={"value": "float64"})


def cloud_prices(catalog: Any | None = None, path: Path | str | None = None) -> pd.DataFrame:
    """The cloud price list: a user's file, else ``catalog.cloud_prices``, else the shared file."""
    if path is not None:
        return _read_cloud(str(path))
    frame = getattr(catalog, "cloud_prices", None)
    if frame is not None:
        return frame
    return _read_cloud(str(SHARED_HARDWARE / "cloud_prices.csv"))


@lru_cache(maxsize=8)
def _read_cloud(path: str) -> pd.DataFrame:
    from recommender.planning.cloud import read_price_list

    return read_price_list(path)


def measured_power(catalog: Any | None = None) -> pd.DataFrame:
    """Measured MLPerf Training node power: the catalog's ``avg_node_power_kw`` rows when present, else the
    shipped table. Columns: round, submitter, system_id, benchmark, accelerator_id, accelerators, nodes,
    avg_node_power_kw, power_measurement_type, source."""
    results = getattr(catalog, "results", None)
    if results is not None and "avg_node_power_kw" in results.columns:
        rows = results[results["avg_node_power_kw"].notna()].copy()
        if len(rows):
            rows["source"] = "MLPerf Training " + rows["round"].astype(str) + " results (power), " + rows["submitter"]
            return rows.reset_index(drop=True)
    return pd.read_csv(MEASURED_POWER_FILE)


def planning_assumption(parameter: str, applies_to: str, defaults: pd.DataFrame | None = None) -> Assumption:
    """A figure from ``defaults.csv`` when it has the row, else from :data:`PLANNING_ASSUMPTIONS`."""
    if defaults is not None:
        hit = defaults[(defaults["parameter"] == parameter) & (defaults["applies_to"] == applies_to)]
        if len(hit):
            return assumption_from_row(hit.iloc[0].to_dict())
    value, unit, source, confidence = PLANNING_ASSUMPTIONS[(parameter, applies_to)]
    return Assumption(parameter=parameter, applies_to=applies_to, value=value, unit=unit, source=source,
                      confidence=confidence)  # fmt: skip


def scenario_value(parameter: str, given: float | None, defaults: pd.DataFrame | None = None) -> Assumption:
    """The scenario's figure when given, else the default (defaults.csv row or optimizer assumption)."""
    if given is not None:
        return Assumption(parameter=parameter, applies_to="scenario", value=float(given), unit="ratio",
                          source="scenario")  # fmt: skip
    return planning_assumption(parameter, "default", defaults)
