"""Solving sweep scenarios: shared candidate tables per group and a vectorised single-choice fast path.

Per group (one workload mix, price list, ... — every non-limit axis value) the candidate table with its
predictions is built ONCE (limits ignored: every count of the grid), and each scenario of the group only
filters it by its limits: the best feasible candidate in the optimizer's own order (objective, then capex,
then power, then position) — the answer :func:`recommender.optimize` gives with ``explain=False``. Binding
limits follow the optimizer's rule (a limit binds when lifting it alone gives a strictly better answer).

Scenarios in mix mode, scenarios that weigh renting (``consider_cloud`` under ``min_tco``: the decision and the
cheapest rent are columns, with the rent's caveat where it is a spot price) and every scenario with ``explain=True`` go
through :func:`recommender.optimize`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.errors import RecommenderError
from recommender.sweep import _internals as I
from recommender.workers import raise_if_stopped

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from catalog import Catalog
    from recommender.sweep.spec import Plan

RESULT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("status", "string"),
    ("objective", "string"),
    ("risk", "string"),
    ("objective_value", "float64"),
    ("choice", "string"),
    ("accelerator_id", "string"),
    ("accelerators", "int64"),
    ("nodes", "int64"),
    ("capex_usd", "float64"),
    ("it_power_kw", "float64"),
    ("minutes", "float64"),
    ("basis", "string"),
    ("binding", "string"),
    ("cloud_decision", "string"),  # consider_cloud under min_tco: buy | rent, and the cheapest rent (batch rows')
    ("cheapest_rent", "string"),
    ("rent_caveat", "string"),  # the cheapest rent's caveat where it is a spot price (batch rows')
    ("cheapest_rent_usd", "float64"),
    ("buy_compared_usd", "float64"),
    ("error", "string"),
    ("explanation", "string"),
)
_BATCH = 256  # scenarios filtered at once (a [batch, candidates] boolean matrix per limit)


@dataclass
class GroupTable:
    """A group's candidates sorted in the optimizer's order, with what the fast path needs."""

    objective: str
    acc: np.ndarray
    accelerators: np.ndarray
    nodes: np.ndarray
    capex: np.ndarray
    power: np.ndarray
    weighted: np.ndarray
    value: np.ndarray  # objective value (minutes, mixes/day or USD)
    primary: np.ndarray  # smaller is better
    usage: np.ndarray  # [limit, candidate] in LIMIT_NAMES order
    ok: np.ndarray  # usable: predicted, memory, required throughput
    ok_any_memory: np.ndarray  # usable without the memory minimum
    memory_limit: bool  # the scenario sets a memory minimum
    risk: str  # what the figures are ranked by: "p80" (the intervals' upper ends) or "expected" (issue 12)
    basis: np.ndarray | None = None  # measured / carried / predicted / specs_only, or mixed (per candidate)


def build_group_table(scenario: Any, catalog: Catalog) -> GroupTable:
    from recommender.planning.risk import resolve as resolve_risk

    t = I.build_table(scenario, catalog)
    obj = str(scenario.objective.value)
    value = {"min_time": t["ranked"], "max_throughput": t["ranked_mixes"], "min_tco": t["tco"]}[obj]
    primary = -value if obj == "max_throughput" else value
    n = len(value)
    order = np.lexsort((np.arange(n), t["power"], t["capex"], primary))
    base = t["predicted"].copy()
    if obj == "min_tco" and scenario.required_mixes_per_day is not None:
        base &= t["ranked_mixes"] >= scenario.required_mixes_per_day * (1 - 1e-9)
    usage = np.vstack(
        [t["capex"], t["power"], t["rack_units"], t["nodes"].astype(float), t["accelerators"].astype(float)]
    )
    ok, ok_any = (base & t["mem_ok"])[order], base[order]
    keep = order[_never_first(usage[:, order], ok, ok_any)]
    keep_ok = (base & t["mem_ok"])[keep]
    return GroupTable(obj, t["acc"][keep], t["accelerators"][keep], t["nodes"][keep], t["capex"][keep],
                      t["power"][keep], t["weighted"][keep], value[keep], primary[keep], usage[:, keep],
                      keep_ok, base[keep], scenario.min_accelerator_memory_gb is not None,
                      resolve_risk(scenario.risk), t["basis"][keep])  # fmt: skip


def _never_first(usage: np.ndarray, ok: np.ndarray, ok_any: np.ndarray, block: int = 512) -> np.ndarray:
    """Mask (over candidates in the optimizer's order) of those that can be the best feasible candidate under
    some limits: a candidate is dropped when an earlier one uses no more of every limited resource and is usable
    whenever it is. Exact for every limit combination (and for each limit lifted), so the answers do not change.
    """
    n = usage.shape[1]
    usable = ok_any.copy()
    keep = np.zeros(n, dtype=bool)
    idx = np.flatnonzero(usable)
    U, a, b = usage[:, idx], ok[idx], ok_any[idx]
    m = idx.size
    dominated = np.zeros(m, dtype=bool)
    for s in range(0, m, block):
        cols = slice(s, min(m, s + block))
        le = np.ones((m, cols.stop - cols.start), dtype=bool)
        for k in range(U.shape[0]):
            le &= U[k][:, None] <= U[k][cols][None, :]
        le &= (a[:, None] >= a[cols][None, :]) & (b[:, None] >= b[cols][None, :])
        earlier = np.arange(m)[:, None] < np.arange(cols.start, cols.stop)[None, :]
        dominated[cols] = (le & earlier).any(axis=0)
    keep[idx[~dominated]] = True
    return keep


def _first(gt: GroupTable, limits: np.ndarray, usable: np.ndarray, drop: int | None = None) -> np.ndarray:
    """Position of the best feasible candidate of each scenario (rows of ``limits``; NaN = no limit), -1 if none."""
    m = limits.shape[0]
    ok = np.repeat(usable[None, :], m, axis=0)
    eps = I.feasibility_eps()
    for k in range(limits.shape[1]):
        if k == drop:
            continue
        lim = limits[:, k]
        if np.isnan(lim).all():
            continue
        cap = np.where(np.isnan(lim), np.inf, lim * (1 + 1e-9) + eps)
        ok &= gt.usage[k][None, :] <= cap[:, None]
    pos = ok.argmax(axis=1) if ok.shape[1] else np.zeros(m, dtype=np.int64)
    found = ok[np.arange(m), pos] if ok.shape[1] else np.zeros(m, dtype=bool)
    return np.where(found, pos, -1)


def _better(gt: GroupTable, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Candidate positions ``a`` strictly better than ``b`` (the optimizer's tolerance); -1 = none."""
    pa_, pb = gt.primary[np.maximum(a, 0)], gt.primary[np.maximum(b, 0)]
    vb = gt.value[np.maximum(b, 0)]
    tol = 1e-9 * np.maximum(1.0, np.abs(vb))
    return (a >= 0) & ((b < 0) | (pa_ < pb - tol))


def solve_fast(gt: GroupTable, limits: np.ndarray) -> tuple[np.ndarray, list[list[str]]]:
    """Choice position (-1 = infeasible) and binding limits of every scenario (rows of ``limits``)."""
    choice = np.empty(limits.shape[0], dtype=np.int64)
    binding: list[list[str]] = []
    for s in range(0, limits.shape[0], _BATCH):
        lim = limits[s : s + _BATCH]
        pos = _first(gt, lim, gt.ok)
        choice[s : s + _BATCH] = pos
        bind = [[] for _ in range(lim.shape[0])]
        for k, name in enumerate(I.LIMIT_NAMES):
            has = ~np.isnan(lim[:, k])
            if has.any():
                better = _better(gt, _first(gt, lim, gt.ok, drop=k), pos) & has & (pos >= 0)
                for r in np.flatnonzero(better):
                    bind[r].append(name)
        if gt.memory_limit:
            better = _better(gt, _first(gt, lim, gt.ok_any_memory), pos) & (pos >= 0)
            for r in np.flatnonzero(better):
                bind[r].append("memory")
        free = _first(gt, np.full((1, lim.shape[1]), np.nan), gt.ok_any_memory)[0]
        if free >= 0:
            eps = I.feasibility_eps()
            for r in range(lim.shape[0]):
                if bind[r] or pos[r] < 0 or np.isnan(lim[r]).all():
                    continue
                if _better(gt, np.array([free]), pos[r : r + 1])[0]:
                    together = [
                        name
                        for k, name in enumerate(I.LIMIT_NAMES)
                        if not np.isnan(lim[r, k]) and gt.usage[k, free] > lim[r, k] * (1 + 1e-9) + eps
                    ]  # none binds alone: they bind together, one entry as batch rows write it (budget+power)
                    bind[r] = ["+".join(together)] if together else []
        binding += bind
    return choice, binding


def _round(v: Any, digits: int) -> float | None:
    return None if v is None else round(float(v), digits)


def fast_rows(gt: GroupTable, limits: np.ndarray) -> dict[str, list[Any]]:
    """Result columns of scenarios solved on the group's table (one row built per distinct choice)."""
    choice, binding = solve_fast(gt, limits)
    cells: dict[int, dict[str, Any]] = {}
    for i in np.unique(choice).tolist():
        if i < 0:
            cells[i] = {"status": "infeasible", "objective": gt.objective, "risk": gt.risk}
            continue
        nodes = int(gt.nodes[i])
        cells[i] = {
            "status": "optimal",
            "objective": gt.objective,
            "risk": gt.risk,
            "objective_value": _round(gt.value[i], 6),
            "choice": f"{gt.accelerators[i]} x {gt.acc[i]} ({nodes} node{'s' if nodes != 1 else ''})",
            "accelerator_id": str(gt.acc[i]),
            "accelerators": int(gt.accelerators[i]),
            "nodes": nodes,
            "capex_usd": _round(gt.capex[i], 2),
            "it_power_kw": _round(gt.power[i], 4),
            "minutes": _round(gt.weighted[i], 4),
            "basis": None if gt.basis is None else str(gt.basis[i]),
        }
    rows = [cells[i] for i in choice.tolist()]
    out = {name: [r.get(name) for r in rows] for name, _ in RESULT_COLUMNS}
    out["binding"] = [";".join(b) if b else None for b in binding]
    return out


def slow_row(data: dict[str, Any], catalog: Catalog, explain: bool) -> dict[str, Any]:
    """One scenario through :func:`recommender.optimize` (mix mode, or with the explanation)."""
    import recommender
    from recommender.models import Scenario

    row = dict.fromkeys(name for name, _ in RESULT_COLUMNS)
    try:
        scenario = Scenario.parse(data)
        rec = recommender.optimize(scenario, catalog=catalog, explain=explain)
    except RecommenderError as exc:
        return {**row, "status": "error", "error": f"{data.get('name')}: {' '.join(str(exc).split())}"}
    except Exception as exc:  # noqa: BLE001 - one scenario's failure never stops the sweep
        return {
            **row,
            "status": "error",
            "error": f"{data.get('name')}: internal error: {type(exc).__name__}: {exc}",
        }
    r = I.row_from_recommendation(rec)
    out = {name: r.get(name) for name, _ in RESULT_COLUMNS}
    out["status"] = str(r["status"].value if hasattr(r["status"], "value") else r["status"])
    out["objective"] = str(out["objective"]) if out["objective"] is not None else None
    out["risk"] = rec.risk
    out["binding"] = ";".join(r["binding"]) if r["binding"] else None
    out["explanation"] = " ".join(rec.explanation) if explain and rec.explanation else None
    return out


# --------------------------------------------------------------------------------------------- groups


@dataclass
class Group:
    """What a worker knows about one group: its table (fast path), or why every scenario goes the slow way."""

    table: GroupTable | None
    limits: tuple[float | None, ...]  # the group's own limits (base values; limit axes override them)
    error: str | None = None  # the group cannot be prepared (e.g. the model cannot answer): every row errs


def prepare_group(plan: Plan, group: int, catalog: Catalog, explain: bool) -> Group:
    """Validate the group's scenario and build its table (unless the group goes the slow way)."""
    from recommender.models import Scenario

    data = plan.group_data(group)
    limits = tuple(data.get(f) for f in I.LIMIT_FIELDS)
    try:
        scenario = Scenario.parse(data)
    except RecommenderError:
        return Group(None, limits)  # per-row validation reports it (a limit axis may make it valid)
    if explain or scenario.mix or (scenario.consider_cloud and scenario.objective.value == "min_tco"):
        return Group(None, limits)
    try:
        return Group(build_group_table(scenario, catalog), limits)
    except RecommenderError as exc:
        return Group(None, limits, f"{plan.name}: {' '.join(str(exc).split())}")
    except Exception as exc:  # noqa: BLE001 - one group's failure never stops the sweep
        return Group(None, limits, f"{plan.name}: internal error: {type(exc).__name__}: {exc}")


def limit_matrix(plan: Plan, group: Group, index: np.ndarray) -> np.ndarray:
    """[scenario, limit] values (NaN = none) of scenarios of one group."""
    out = np.tile(np.array([np.nan if v is None else float(v) for v in group.limits]), (index.size, 1))
    digits = plan.layout.digits(index)
    for a, axis in enumerate(plan.axes):
        if axis.is_limit:
            k = I.LIMIT_FIELDS.index(axis.field)
            vals = np.array([np.nan if u[axis.field] is None else float(u[axis.field]) for u in axis.updates])
            out[:, k] = vals[digits[:, a]]
    return out


def solve_rows(
    plan: Plan, group: Group, index: np.ndarray, catalog: Catalog | None, explain: bool
) -> dict[str, list[Any]]:
    """Result columns of scenarios ``index`` (all of one group)."""
    cols: dict[str, list[Any]] = {name: [] for name, _ in RESULT_COLUMNS}
    if group.error is not None:
        for _ in range(index.size):
            for name, _t in RESULT_COLUMNS:
                cols[name].append({"status": "error", "error": group.error}.get(name))
        return cols
    if group.table is not None:
        limits = limit_matrix(plan, group, index)
        if group.table.objective != "min_tco" and np.isnan(limits).all(axis=1).any():
            group = Group(None, group.limits)  # some have no limit at all: let validation say so, row by row
        else:
            return fast_rows(group.table, limits)
    if catalog is None:
        import catalog as catalog_pkg

        catalog = catalog_pkg.load()
    for i in index.tolist():
        raise_if_stopped()  # a slow row takes up to seconds (explained, mix): a requested stop waits for none after it
        row = slow_row(plan.scenario_data(int(i)), catalog, explain)
        for name, _t in RESULT_COLUMNS:
            cols[name].append(row[name])
    return cols


def axis_columns(plan: Plan, index: np.ndarray) -> dict[str, list[Any]]:
    """The axis values (labels) of scenarios, one column per axis."""
    digits = plan.layout.digits(index)
    return {a.column: [a.labels[k] for k in digits[:, n].tolist()] for n, a in enumerate(plan.axes)}


def axis_type(plan_axis: Any) -> str:
    numeric = all(
        v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in plan_axis.labels
    )
    return "float64" if numeric and not plan_axis.named else "string"


def arrow_schema(plan: Plan) -> pa.Schema:
    import pyarrow as pa

    types = {"string": pa.string(), "float64": pa.float64(), "int64": pa.int64()}
    fields = [pa.field("index", pa.int64())]
    fields += [pa.field(a.column, types[axis_type(a)]) for a in plan.axes]
    axes = {a.column for a in plan.axes}
    fields += [
        pa.field(name, types[t]) for name, t in RESULT_COLUMNS if name not in axes
    ]  # objective may be an axis
    return pa.schema(
        fields,
        metadata={
            "recommender.sweep": plan.fingerprint,
            "recommender.sweep.name": plan.name,
            "recommender.sweep.axes": json.dumps([a.column for a in plan.axes]),
            "recommender.sweep.total": str(plan.total),
            "recommender.sweep.parts": json.dumps(plan.parts),
        },
    )


def chunk_table(
    plan: Plan, group: Group, index: np.ndarray, catalog: Catalog | None, explain: bool
) -> pa.Table:
    """The Parquet rows of one chunk (scenarios ``index`` of one group)."""
    import pyarrow as pa

    schema = arrow_schema(plan)
    cols: dict[str, Any] = {"index": index.tolist()}
    kinds = {a.column: axis_type(a) for a in plan.axes}
    for a, values in axis_columns(plan, index).items():
        number = kinds[a] == "float64"
        cols[a] = [None if v is None else (float(v) if number else str(v)) for v in values]
    # an axis keeps its own column: a result of the same name (objective, risk: the same value) never overwrites
    # it; the `accelerators` axis (the allow-list) is the `allowed_accelerators` column (axes.AXIS_COLUMNS), so the
    # result's `accelerators` column keeps the chosen count
    cols.update({k: v for k, v in solve_rows(plan, group, index, catalog, explain).items() if k not in kinds})
    return pa.table({f.name: pa.array(cols[f.name], type=f.type) for f in schema}, schema=schema)
