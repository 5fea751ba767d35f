"""The candidate table as the public DataFrame of :func:`recommender.candidates`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from recommender.models import summary_basis
from recommender.planning import risk as R
from recommender.planning.feasibility import dominated_mask, feasible_mask, rate_mask, why_infeasible
from recommender.planning.table import Prepared

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd



#: Columns of :func:`candidates` (then one ``minutes[<workload>]`` column per workload). Dtypes:
#: strings for ids/text, Int64 for counts, Float64 for money/power/minutes, boolean for flags.
CANDIDATE_COLUMNS: dict[str, str] = {
    "accelerator_id": "string",
    "accelerator_name": "string",
    "node_kind": "string",  # sxm_oam | pcie | nvl72
    "accelerators": "Int64",
    "nodes": "Int64",
    "accelerators_per_node": "Int64",
    "price_usd": "Float64",  # per accelerator
    "capex_usd": "Float64",
    "it_power_kw": "Float64",
    "facility_power_kw": "Float64",
    "rack_units": "Float64",
    "tco_usd": "Float64",
    "memory_gb": "Float64",
    "weighted_minutes": "Float64",  # share-weighted minutes to train
    "mixes_per_day": "Float64",
    "weighted_minutes_p80": "Float64",  # share-weighted upper ends of the 80 % intervals (what risk: p80 ranks)
    "mixes_per_day_p80": "Float64",  # mixes per day at those minutes
    "basis": "string",  # measured | carried | predicted | specs_only | does_not_fit, or mixed (the workloads' differ)
    "feasible": "boolean",  # every limit, memory, and (min_tco) the required rate
    "meets_rate": "boolean",  # min_tco: trains required_mixes_per_day at the risk's minutes (True where none is required)
    "why": "string",  # why infeasible ("" if feasible)
    "dominated": "boolean",  # feasible but dominated by another feasible candidate
}


def candidate_frame(p: Prepared) -> pd.DataFrame:
    import pandas as pd

    t = p.table
    feasible = feasible_mask(p)
    idx = np.flatnonzero(feasible)
    dominated = np.zeros(len(t), dtype=bool)
    dominated[idx] = dominated_mask(p, idx, per_workload=p.scenario.mix)
    pos = np.flatnonzero(p.shares > 0)
    basis = [summary_basis([bs[w] for w in pos] or list(bs)) for bs in t.basis]
    w80, m80 = R.ranked_arrays(t.minutes, t.high, p.shares, R.P80)
    data = {
        "accelerator_id": t.acc,
        "accelerator_name": [p.meta.accelerators[a].name for a in t.acc],
        "node_kind": t.kind,
        "accelerators": t.accelerators,
        "nodes": t.nodes,
        "accelerators_per_node": t.per_node,
        "price_usd": t.price,
        "capex_usd": t.capex,
        "it_power_kw": t.power,
        "facility_power_kw": t.facility,
        "rack_units": t.ru,
        "tco_usd": t.tco,
        "memory_gb": t.memory,
        "weighted_minutes": np.where(np.isfinite(t.weighted), t.weighted, np.nan),
        "mixes_per_day": t.mixes,
        "weighted_minutes_p80": np.where(np.isfinite(w80), w80, np.nan),
        "mixes_per_day_p80": m80,
        "basis": basis,
        "feasible": feasible,
        "meets_rate": rate_mask(p),
        "why": why_infeasible(p),
        "dominated": dominated,
    }
    frame = pd.DataFrame(data)
    frame = frame.astype(CANDIDATE_COLUMNS)
    for w, name in enumerate(p.names):
        frame[f"minutes[{name}]"] = pd.array(t.minutes[:, w], dtype="Float64")
    return frame
