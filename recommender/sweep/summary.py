"""Where the answer changes along each axis of a finished sweep (``recommender sweep --summary OUT``).

For every axis, rows that agree on all the other axes are lined up along that axis; each step between two
neighbouring values where the chosen accelerator changes is a *change*. Changes are counted over the other
axes' combinations and the most frequent ones are shown (``budget_usd 1.2M -> 1.5M: a30 -> a100 (in 8 of 30)``).
"""

from __future__ import annotations

import math
from typing import Any

from recommender.plan_models import spot_rents_note
from recommender.sweep.engine import RESULT_COLUMNS

_RESULT = {name for name, _ in RESULT_COLUMNS} | {"index"}


def axes_of(frame: Any) -> list[str]:
    """The axis columns (from the Parquet metadata or the CSV's layout; else every column that is not a
    result)."""
    axes = frame.attrs.get("axes")
    return list(axes) if axes else [c for c in frame.columns if c not in _RESULT]


def changes(frame: Any, axis: str) -> Any:
    """One row per (from value, to value, from choice, to choice) along ``axis``, with how often it happens."""
    import pandas as pd

    others = [a for a in axes_of(frame) if a != axis]
    what = frame["accelerator_id"].astype("object").where(frame["accelerator_id"].notna(),
                                                           frame["status"].astype("object"))
    frame = frame.reset_index(drop=True)
    sub = pd.DataFrame({"ctx": frame.groupby(others, dropna=False, sort=False).ngroup() if others else 0,
                        "value": frame[axis], "what": what})
    order = _order(frame[axis])
    sub["rank"] = sub["value"].map(order)
    sub = sub.sort_values(["ctx", "rank"], kind="stable")
    prev = sub.shift(1)
    step = (prev["ctx"] == sub["ctx"]) & (prev["what"] != sub["what"])
    found = pd.DataFrame({"from_value": prev["value"][step], "to_value": sub["value"][step],
                          "from_choice": prev["what"][step], "to_choice": sub["what"][step]})
    contexts = int(sub["ctx"].nunique())
    if found.empty:
        return found.assign(count=[], contexts=[])
    out = found.groupby(list(found.columns), dropna=False, sort=False).size().reset_index(name="count")
    out["rank"] = out["from_value"].map(order)
    out = out.sort_values(["count", "rank"], ascending=[False, True], kind="stable").drop(columns="rank")
    out["contexts"] = contexts
    return out.reset_index(drop=True)


def _order(values: Any) -> dict[Any, int]:
    """Axis values in their sweep order (numbers ascending; labels in order of first appearance)."""
    import pandas as pd

    uniq = list(dict.fromkeys(values.tolist()))
    if pd.api.types.is_numeric_dtype(values):
        uniq = sorted(uniq, key=lambda v: (math.isnan(v), v))  # NaN (no limit) last
    return {v: i for i, v in enumerate(uniq)}


def summary_text(frame: Any, *, top: int = 8) -> str:
    """The human summary: per axis, how many steps change the accelerator and the most frequent changes."""
    lines = []
    statuses = frame["status"].value_counts().to_dict()
    lines.append(f"{len(frame):,} scenarios: " + ", ".join(f"{n:,} {s}" for s, n in statuses.items()))
    if "rent_caveat" in frame and (spot := int(frame["rent_caveat"].notna().sum())):
        lines.append(spot_rents_note(f"{spot:,} of {len(frame):,} scenarios"))
    total = frame.attrs.get("total")
    if total and len(frame) < total:
        lines.append(f"incomplete: {len(frame):,} of {total:,} scenarios (an interrupted sweep; `--resume` "
                     "finishes it); changes are counted over the rows present")
    for axis in axes_of(frame):
        ch = changes(frame, axis)
        values = frame[axis].nunique(dropna=False)
        if ch.empty:
            lines.append(f"\n{axis} ({values} values): the choice never changes along this axis")
            continue
        contexts, n = int(ch["contexts"].iloc[0]), int(ch["count"].sum())
        lines.append(f"\n{axis} ({values} values, {contexts:,} combination{'s' * (contexts != 1)} of the other "
                     f"axes): {n:,} change{'s' * (n != 1)} of the chosen accelerator")
        for r in ch.head(top).itertuples(index=False):
            lines.append(f"  {_v(r.from_value)} -> {_v(r.to_value)}: "
                         f"{r.from_choice} -> {r.to_choice}  (in {r.count:,} of {contexts:,})")
        if len(ch) > top:
            lines.append(f"  ... and {len(ch) - top:,} more kinds of change")
    return "\n".join(lines) + "\n"


def _v(value: Any) -> str:
    """An axis value as the summary shows it: numbers of any type with thousands separators (a reviewer saw
    ``50,000 -> 200000``: the first a float, the second an integer)."""
    import numbers

    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        value = float(value)
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.6g}"
    return str(value)
