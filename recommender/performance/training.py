"""The rows the performance model learns from, accelerators per node, and the measured-result table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from catalog.registry import round_key
from recommender.performance.basis import node_spread

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog

def round_rank(round_name: str) -> int:
    """Sortable integer of a round name (v5.1 -> 501), for tables stored as plain arrays."""
    major, minor = round_key(round_name)
    return major * 100 + minor


#: accelerators per node when neither defaults.csv nor the results say
FALLBACK_PER_NODE = 4


def training_frame(catalog: Catalog) -> pd.DataFrame:
    """The results the model learns from: closed division, scored, with an accelerator, no re-submissions.

    Adds ``default_nodes`` (nodes the accelerator's usual node size would need for that count).
    """
    s = catalog.scored(division="closed", unique=True)
    s = s[s["accelerators"].notna() & (s["accelerators"] > 0)]
    s = s[s["accelerator_id"].isin(catalog.accelerators["accelerator_id"])]
    per_node = per_node_counts(catalog)
    out = s.reset_index(drop=True).copy()
    ppn = out["accelerator_id"].map(per_node).astype("float64").fillna(FALLBACK_PER_NODE)
    out["default_nodes"] = np.ceil(out["accelerators"].astype("float64") / ppn)
    out["nodes"] = out["nodes"].astype("Float64").fillna(out["default_nodes"])
    return out


def per_node_counts(catalog: Catalog) -> dict[str, int]:
    """Accelerators per node by accelerator: defaults.csv by form factor; tpu/other from the results."""
    d = catalog.defaults
    rows = d[d["parameter"] == "accelerators_per_node"]
    by_form = {str(k): int(v) for k, v in zip(rows["applies_to"], rows["value"]) if pd.notna(v)}
    res = catalog.results
    common: dict[str, int] = {}
    ok = res["accelerators_per_node"].notna() & res["accelerator_id"].notna()
    if ok.any():
        vc = res[ok].groupby("accelerator_id")["accelerators_per_node"].agg(lambda v: v.mode().iloc[0])
        common = {str(k): int(v) for k, v in vc.items()}
    out: dict[str, int] = {}
    for acc, form in zip(catalog.accelerators["accelerator_id"], catalog.accelerators["form_factor"]):
        f = str(form).lower() if pd.notna(form) else "other"
        if f in by_form and f not in ("tpu", "other"):
            out[str(acc)] = by_form[f]
        else:
            out[str(acc)] = common.get(str(acc), FALLBACK_PER_NODE)
    return out


def pcie_chassis(catalog: Catalog) -> tuple[tuple[int, float], ...]:
    """(accelerators per node, TDP W of the card) of every PCIe system in the catalog's results (e.g. 20
    A100-PCIe in a Nettrix X640 G40): a chassis that held n cards of W watts is taken to hold n cards of at most
    W watts. The optimizer's server sizes and :func:`most_per_node` both follow this rule."""
    accs = catalog.accelerators
    form = accs["form_factor"].astype("string").str.lower()
    tdp = pd.to_numeric(accs["tdp_watts"], errors="coerce")
    pcie = (form == "pcie") & tdp.notna()
    watts = dict(zip(accs["accelerator_id"].astype(str)[pcie], tdp[pcie]))
    res = catalog.results
    sub = res.loc[res["accelerator_id"].isin(list(watts)), ["accelerator_id", "accelerators_per_node"]].dropna()
    return tuple(sorted({(int(n), float(watts[str(a)])) for a, n in sub.drop_duplicates().itertuples(index=False)}))


def chassis_sizes(chassis: tuple[tuple[int, float], ...], tdp_watts: float) -> tuple[int, ...]:
    """Per-node counts of the :func:`pcie_chassis` that hold cards drawing ``tdp_watts``."""
    return tuple(sorted({n for n, w in chassis if w >= tdp_watts - 1e-9}))


def most_per_node(catalog: Catalog) -> dict[str, int]:
    """The most accelerators one node of each accelerator holds: the larger of its usual node size and the most
    any catalog system of it had; for a PCIe card also the largest chassis seen with cards drawing at least as
    much (:func:`pcie_chassis`). 64 H100 SXM on 4 nodes would be 16 per HGX node: no such server exists."""
    usual = per_node_counts(catalog)
    res = catalog.results
    ok = res["accelerators_per_node"].notna() & res["accelerator_id"].notna()
    seen = res[ok].groupby("accelerator_id")["accelerators_per_node"].max()
    out = {a: max(n, int(seen.get(a, 0))) for a, n in usual.items()}
    chassis = pcie_chassis(catalog)
    accs = catalog.accelerators
    for a, form, tdp in zip(accs["accelerator_id"].astype(str), accs["form_factor"], accs["tdp_watts"]):
        if str(form).lower() == "pcie" and pd.notna(tdp):
            out[a] = max((out[a], *chassis_sizes(chassis, float(tdp))))
    return out


def _m(minutes: float) -> str:
    return f"{minutes:,.2f}" if minutes < 100 else f"{minutes:,.0f}"


def measured_table(train: pd.DataFrame) -> pd.DataFrame:
    """The representative (median) result of each measured configuration (accelerator, count, benchmark) and
    round: its ``source`` (``v3.1 closed, available · Fujitsu · system``, then ``· median of 3 results: 10.2–11.9
    min`` when the round measured it on several systems; ``lo_minutes``/``hi_minutes`` that range), the ``nodes``
    it ran on and their ``spread`` (:func:`.basis.node_spread`). The median is taken over the systems on the accelerator's usual
    node layout when the round has any: a 2 x 4-card system is not what the buyer of one 8-card server gets (it
    measured 31 min on BERT where one-server systems took 23-24)."""
    cols = ["accelerator_id", "accelerators", "benchmark", "round", "submitter", "system_id", "minutes"]
    t = train.reindex(columns=cols + ["division", "status"]).copy()
    t["minutes"] = t["minutes"].astype("float64")
    t["accelerators"] = t["accelerators"].astype("int64")
    dn = (train["default_nodes"] if "default_nodes" in train.columns else pd.Series(np.nan, index=train.index))
    t["default_nodes"] = pd.to_numeric(dn, errors="coerce").astype("float64").to_numpy()
    nodes = train["nodes"] if "nodes" in train.columns else dn
    t["nodes"] = pd.to_numeric(nodes, errors="coerce").astype("float64").fillna(t["default_nodes"]).to_numpy()
    t["spread"] = node_spread(t["nodes"].to_numpy(), t["default_nodes"].to_numpy())
    keys = ["accelerator_id", "accelerators", "benchmark", "round"]
    wide = t["spread"] > 1e-9
    t = t[~wide | wide.groupby([t[k] for k in keys]).transform("min")]  # usual layouts, when the round has any
    t = t.sort_values(keys + ["minutes"], kind="stable")
    t["_i"] = t.groupby(keys).cumcount()
    t["_n"] = t.groupby(keys)["minutes"].transform("size")
    t["_lo"] = t.groupby(keys)["minutes"].transform("min")
    t["_hi"] = t.groupby(keys)["minutes"].transform("max")
    rep = t[t["_i"] == (t["_n"] - 1) // 2].copy()
    # cited as MLCommons asks: round, division and status, submitter, system (the count is the row's)
    ds = (rep["division"].astype("string").fillna("") + ", " + rep["status"].astype("string").fillna("")).str.strip(", ")
    label = rep["round"].astype(str) + (" " + ds).where(ds != "", "").astype(str)
    rep["source"] = label + " · " + rep["submitter"].astype(str) + " · " + rep["system_id"].astype(str)
    # a median says so, with the round's spread (a reviewer read 9.81 as Supermicro's own, the fastest 8.89)
    several = rep["_n"] > 1
    spread = [f" · {'median' if n % 2 else 'lower middle'} of {n} results: {_m(lo)}–{_m(hi)} min"
              for n, lo, hi in zip(rep["_n"], rep["_lo"], rep["_hi"])]  # (a measured score: one system's)
    rep["source"] = rep["source"] + pd.Series(spread, index=rep.index).where(several, "")
    rep["_rk"] = np.array([round_rank(str(r)) for r in rep["round"]], dtype=np.int64)
    for c in ("accelerator_id", "benchmark", "round", "source"):
        rep[c] = rep[c].astype(object)
    rep["lo_minutes"], rep["hi_minutes"] = rep["_lo"].astype("float64"), rep["_hi"].astype("float64")
    return rep[keys + ["minutes", "source", "_rk", "nodes", "default_nodes", "spread", "lo_minutes",
                       "hi_minutes"]].reset_index(drop=True)
