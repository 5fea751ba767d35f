"""Where the bill, power, finance and cloud modules read their data: ONE place to switch.

Everything comes from the catalog: the ``defaults.csv`` rows (host cost by platform, NICs, network tiers, rack
power limits), the cloud price list (``Catalog.cloud_prices``, or the user's own file) and the measured MLPerf
Training node power (``avg_node_power_kw`` in ``Catalog.results``).

The project's own planning assumptions (utilisation, salvage, cost of capital, rack units, the PCIe chassis
rule) are rows of ``catalog/planning_assumptions.csv`` that ``python -m catalog.build`` merges into
``defaults.csv``: they are read and reported like every other default (source "mlperf-recommender planning
assumption", confidence, as-of).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from recommender.models import Assumption
from recommender.planning.costs import assumption_from_row


def _catalog(catalog: Any | None) -> Any:
    if catalog is None:
        import catalog as catalog_pkg

        return catalog_pkg.load()
    return catalog


def defaults_frame(catalog: Any | None = None) -> pd.DataFrame:
    """The catalog's defaults table (``catalog/data/defaults.csv``; the default catalog when none is given)."""
    return _catalog(catalog).defaults


def cloud_prices(catalog: Any | None = None, path: Path | str | None = None) -> pd.DataFrame:
    """The cloud price list: a user's file, else the catalog's (``Catalog.cloud_prices``)."""
    if path is not None:
        return _read_cloud(str(path))
    frame = _catalog(catalog).cloud_prices
    hit = _CLOUD.get(id(frame))
    if hit is not None and hit[0] is frame:
        return hit[1]
    out = frame
    if "gpus_per_instance" in frame.columns:
        out = frame.assign(gpus_per_instance=frame["gpus_per_instance"].fillna(1).astype("int64"),
                           usd_per_accelerator_hour=frame["usd_per_accelerator_hour"].astype("float64"))  # fmt: skip
    if len(_CLOUD) > 8:
        _CLOUD.clear()
    _CLOUD[id(frame)] = (frame, out)
    return out


_CLOUD: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}


@lru_cache(maxsize=8)
def _read_cloud(path: str) -> pd.DataFrame:
    from recommender.planning.cloud import read_price_list

    return read_price_list(path)


def measured_power(catalog: Any | None = None) -> pd.DataFrame:
    """Measured MLPerf Training node power: the catalog's result rows with ``avg_node_power_kw``. Columns of
    ``Catalog.results`` plus ``source``."""
    results = _catalog(catalog).results
    rows = results[results["avg_node_power_kw"].notna()].copy()
    rows["avg_node_power_kw"] = rows["avg_node_power_kw"].astype("float64")
    rows["source"] = ("MLPerf Training " + rows["round"].astype(str) + " results (power), "
                      + rows["submitter"].astype(str))  # fmt: skip
    return rows.reset_index(drop=True)


def planning_assumption(parameter: str, applies_to: str, defaults: pd.DataFrame | None = None) -> Assumption:
    """A figure from the catalog's ``defaults.csv`` (the default catalog's when ``defaults`` is None);
    CatalogError when the row is missing."""
    from recommender.planning.costs import _lookup

    frame = defaults_frame() if defaults is None else defaults
    return assumption_from_row(_lookup(frame).require(parameter, applies_to))  # a dict lookup, cached per frame


def scenario_value(parameter: str, given: float | None, defaults: pd.DataFrame | None = None) -> Assumption:
    """The scenario's figure when given, else the default (its defaults.csv row)."""
    if given is not None:
        return Assumption(parameter=parameter, applies_to="scenario", value=float(given), unit="ratio",
                          source="scenario")  # fmt: skip
    return planning_assumption(parameter, "default", defaults)
