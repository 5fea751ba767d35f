"""The public front door: :func:`optimize`, :func:`candidates`, :func:`frontier`.

All three take the same inputs — a :class:`~recommender.models.Scenario`, a dict, or a path to a scenario
YAML file, plus keyword overrides of scenario fields — and never print.

Pipeline: resolve the scenario and check its ids against the catalog -> build the candidate table (every
priced accelerator x counts in node-sized steps, with capex, power and TCO from :mod:`recommender.costs`
and minutes from ONE vectorised call of the performance model, cached in-process) -> mark infeasible
candidates and prune dominated ones -> solve (:mod:`recommender.solve`) -> explain (alternatives, binding
limits by re-solving with each limit removed, +10 % budget / power sensitivity).

Solver choice: the answer is the binary-choice MILP over the pruned candidates, solved by CBC (status
checked, time limit; ~5 ms here). The explanation's what-if re-solves (each limit removed, +10 % budget or
power, each other accelerator's best) use exact enumeration over the same candidates, which answers the
same problem without one CBC process per question (the tests check both agree on hundreds of random
scenarios). ``solver="enumeration"`` skips CBC for the answer too. Mix mode (``mix: true``) always solves the
integer MILP with CBC.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from catalog.registry import closest_ids
from recommender import costs as C
from recommender import solve as S
from recommender.errors import ModelError, ScenarioError, UnknownIdError
from recommender.models import (
    Alternative,
    Assumption,
    Configuration,
    Objective,
    Recommendation,
    Scenario,
    Sensitivity,
    Skipped,
    Status,
    WorkloadEstimate,
    parse_scenario,
)
from recommender.planning import risk as R

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from catalog import Catalog

__all__ = ["CANDIDATE_COLUMNS", "Predictor", "candidates", "frontier", "optimize"]

#: ``predict(frame, *, catalog=None, workloads=None, coverage=0.8) -> frame`` (see recommender.estimate).
Predictor = Callable[..., "pd.DataFrame"]

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
    "basis": "string",  # measured | predicted | mixed (per-workload bases differ)
    "feasible": "boolean",
    "why": "string",  # why infeasible ("" if feasible)
    "dominated": "boolean",  # feasible but dominated by another feasible candidate
}

SENSITIVITY_FACTOR = 1.1
#: Time limit (s) of each what-if MILP re-solve in mix mode (sensitivity, binding checks).
EXPLAIN_TIME_LIMIT_S = 0.25
#: Candidate counts are generated up to this factor over each limit (room for sensitivity and binding checks).
_HEADROOM = 1.25
#: Without any limit on a series (min_tco): largest accelerator count generated per accelerator.
MAX_GENERATED_ACCELERATORS = 4096
#: Node counts up to this are enumerated one by one; beyond it in steps of about 4 %.
_DENSE_NODES = 64
_GRID_STEP = 1.04
_MIX_MAX_COPIES = 64  # copies of a configuration no limit bounds (only with min_tco's own bound as well)
#: CBC re-solves (sensitivity) run side by side in threads (each CBC is its own process).
_PARALLEL_SOLVES = 2


# --------------------------------------------------------------------------------------------- scenario


def _resolve(scenario: Any, overrides: Mapping[str, Any]) -> Scenario:
    if isinstance(scenario, (str, Path)):
        p = Path(scenario)
        if p.suffix.lower() not in (".yaml", ".yml"):
            raise ScenarioError(f"{p}: a scenario file must end in .yaml or .yml")
        from recommender.scenarios import load_scenario  # lazy: the YAML machinery

        loaded = load_scenario(p)
        if isinstance(loaded, (list, tuple)):
            if len(loaded) != 1:
                raise ScenarioError(f"{p}: holds {len(loaded)} scenarios; optimize one at a time (or use batch)")
            loaded = loaded[0]
        scenario = loaded
    if isinstance(scenario, Scenario):
        if not overrides:
            return scenario
        data = scenario.model_dump(exclude_unset=True)
        data.update(overrides)
        return parse_scenario(data)
    if isinstance(scenario, Mapping):
        data = dict(scenario)
        data.update(overrides)
        return parse_scenario(data)
    raise ScenarioError(f"a scenario must be a Scenario, a dict or a .yaml path, not {type(scenario).__name__}")


def _unknown(kind: str, value: str, known: list[str], path: str) -> UnknownIdError:
    close = closest_ids(value, known)
    hint = f"; closest: {', '.join(close)}" if close else ""
    return UnknownIdError(f"unknown {kind} {value!r}{hint}", field=path)


def _check_ids(s: Scenario, meta: _CatalogMeta) -> None:
    from catalog.registry import BENCHMARKS

    benches = sorted(set(BENCHMARKS) | meta.benchmarks)
    accs = sorted(meta.accelerators)
    for i, w in enumerate(s.workloads):
        if w.benchmark is not None and w.benchmark not in benches:
            raise _unknown("benchmark", w.benchmark, benches, f"workloads[{i}].benchmark")
        if w.custom is not None:
            if w.custom.like is not None and w.custom.like not in benches:
                raise _unknown("benchmark", w.custom.like, benches, f"workloads[{i}].custom.like")
            for j, m in enumerate(w.custom.measurements):
                if m.accelerator_id not in meta.accelerators:
                    raise _unknown("accelerator", m.accelerator_id, accs,
                                   f"workloads[{i}].custom.measurements[{j}].accelerator_id")  # fmt: skip
    for name, ids in (("accelerators", s.accelerators or []), ("exclude", s.exclude)):
        for i, a in enumerate(ids):
            if a not in meta.accelerators:
                raise _unknown("accelerator", a, accs, f"{name}[{i}]")
    for name, mapping in (("prices", s.prices), ("price_notes", s.price_notes)):
        for a in mapping:
            if a not in meta.accelerators:
                raise _unknown("accelerator", a, accs, f"{name}.{a}")


# --------------------------------------------------------------------------------------------- catalog


@dataclass
class _Acc:
    id: str
    name: str
    form_factor: str | None
    memory_gb: float | None
    tdp_watts: float | None
    price: float | None
    price_source: str | None
    price_confidence: str | None
    price_as_of: str | None


@dataclass
class _CatalogMeta:
    accelerators: dict[str, _Acc]
    benchmarks: set[str]
    pcie_chassis: tuple[tuple[int, float], ...]  # (accelerators per node, TDP W of the card) seen in results

    def chassis_sizes(self, tdp_watts: float) -> tuple[int, ...]:
        """PCIe per-node counts seen in the catalog's systems with cards drawing at least ``tdp_watts``."""
        return tuple(sorted({n for n, w in self.pcie_chassis if w >= tdp_watts - 1e-9}))


_META_CACHE: dict[str, _CatalogMeta] = {}


def _na(v: Any) -> Any:
    try:
        import pandas as pd

        return None if pd.isna(v) else v
    except (TypeError, ValueError):
        return v


def _meta(cat: Catalog) -> _CatalogMeta:
    m = _META_CACHE.get(cat.fingerprint)
    if m is not None:
        return m
    accs: dict[str, _Acc] = {}
    for r in cat.accelerators.to_dict("records"):
        accs[str(r["accelerator_id"])] = _Acc(
            id=str(r["accelerator_id"]),
            name=str(_na(r.get("name")) or r["accelerator_id"]),
            form_factor=_na(r.get("form_factor")),
            memory_gb=None if _na(r.get("memory_gb")) is None else float(r["memory_gb"]),
            tdp_watts=None if _na(r.get("tdp_watts")) is None else float(r["tdp_watts"]),
            price=None if _na(r.get("reference_price_usd")) is None else float(r["reference_price_usd"]),
            price_source=_na(r.get("reference_price_source")),
            price_confidence=_na(r.get("reference_price_confidence")),
            price_as_of=_na(r.get("reference_price_as_of")),
        )
    res = cat.results
    benches = set(res["benchmark"].dropna().astype(str).unique())
    # PCIe chassis as the catalog's systems show them (e.g. 20 A100-PCIe in a Nettrix X640 G40): a chassis
    # that held n cards of W watts is assumed to hold n cards of at most W watts
    pcie_ids = [a.id for a in accs.values() if (a.form_factor or "") == "pcie" and a.tdp_watts is not None]
    sub = res.loc[res["accelerator_id"].isin(pcie_ids), ["accelerator_id", "accelerators_per_node"]].dropna()
    pairs = {(int(n), float(accs[str(a)].tdp_watts or 0.0)) for a, n in sub.drop_duplicates().itertuples(index=False)}
    m = _CatalogMeta(accs, benches, tuple(sorted(pairs)))
    if len(_META_CACHE) > 8:
        _META_CACHE.clear()
    _META_CACHE[cat.fingerprint] = m
    return m


# --------------------------------------------------------------------------------------------- predictions


_PRED_CACHE: dict[tuple[Any, ...], dict[tuple[str, int, int], tuple[Any, ...]]] = {}
_PRED_CACHE_ROWS = 200_000


def _default_predictor() -> Predictor:
    try:
        from recommender.estimate import predict
    except ImportError as exc:  # pragma: no cover - depends on the performance model being installed
        raise ModelError(f"the performance model (recommender.estimate.predict) is not available: {exc}") from exc
    return predict


def _workload_key(w: Any) -> tuple[Any, ...]:
    return (w.name, None if w.custom is None else w.custom.model_dump_json())


def _predict_rows(
    rows: list[tuple[str, int, int]],
    s: Scenario,
    cat: Catalog,
    predictor: Predictor,
    prefetch: Callable[[set[str]], list[tuple[str, int, int]]] | None = None,
) -> tuple[dict[tuple[str, int, int], tuple[Any, ...]], dict[str, str]]:
    """Minutes for every (accelerator, accelerators, nodes) row and workload, from the cache or predict calls.

    Predictions are cached per single workload (a benchmark, or a custom workload by content), so a new mix of
    known workloads — a batch sweep, a workload added in the TUI — is answered from the cache. When rows are
    missing, ``prefetch(accelerator ids)`` adds the rows a change of limits would ask for next (the
    accelerators' whole count grid), so that e.g. a budget slider stays on cached predictions.

    Returns the per-row tuples (minutes, low, high, basis, source; arrays over workloads) and the
    accelerators the model could not answer for (id -> reason).
    """
    uniq = list(dict.fromkeys(rows))
    per_workload: list[dict[tuple[str, int, int], tuple[Any, ...]]] = []
    failed_all: dict[str, str] = {}
    for w in s.workloads:
        key = (cat.fingerprint, predictor, _workload_key(w))
        cache = _PRED_CACHE.get(key)
        if cache is not None and len(cache) > _PRED_CACHE_ROWS:
            cache = None  # bound the memory of a long interactive session
        if cache is None:
            if len(_PRED_CACHE) > 64:
                _PRED_CACHE.clear()
            cache = _PRED_CACHE[key] = {}
        failed: dict[str, str] = cache.setdefault(("__failed__", 0, 0), {})  # type: ignore[assignment,arg-type]
        missing = [r for r in uniq if r not in cache and r[0] not in failed]
        if missing and prefetch is not None:
            extra = prefetch({r[0] for r in missing})
            missing = list(dict.fromkeys(missing + [r for r in extra if r not in cache and r[0] not in failed]))
        if missing:
            _fill_predictions(cache, failed, missing, w, cat, predictor)
        per_workload.append(cache)
        failed_all.update(failed)
    out: dict[tuple[str, int, int], tuple[Any, ...]] = {}
    for r in uniq:
        if r[0] in failed_all:
            continue
        vals = [c[r] for c in per_workload]
        out[r] = (np.array([v[0] for v in vals], dtype=float), np.array([v[1] for v in vals], dtype=float),
                  np.array([v[2] for v in vals], dtype=float), tuple(v[3] for v in vals),
                  tuple(v[4] for v in vals))  # fmt: skip
    return out, failed_all


def _fill_predictions(cache: dict[Any, Any], failed: dict[str, str], missing: list[tuple[str, int, int]],
                      w: Any, cat: Catalog, predictor: Predictor) -> None:
    """One predict call for ``missing`` rows of one workload; per-accelerator retries when the model refuses."""
    customs = [w.custom] if w.custom is not None else None

    def run(batch: list[tuple[str, int, int]]) -> None:
        import pandas as pd

        frame = pd.DataFrame(
            {
                "accelerator_id": pd.array([r[0] for r in batch], dtype="string"),
                "accelerators": pd.array([r[1] for r in batch], dtype="Int64"),
                "benchmark": pd.array([w.name] * len(batch), dtype="string"),
                "nodes": pd.array([r[2] for r in batch], dtype="Int64"),
            }
        )
        out = predictor(frame, catalog=cat, workloads=customs)
        if len(out) != len(frame):
            raise ModelError(f"the performance model returned {len(out)} rows for {len(frame)}")
        mins = pd.to_numeric(out["minutes"], errors="coerce").astype("float64").to_numpy(na_value=np.nan)
        low = _col(out, "minutes_low", mins)
        high = _col(out, "minutes_high", mins)
        # NA -> "predicted" / None once, vectorised (a per-cell pd.isna dominated batch runs)
        if "basis" in out:
            b = out["basis"].astype("object")
            basis = b.where(b.notna() & (b != ""), "predicted").to_numpy()
        else:
            basis = np.full(len(out), "predicted", dtype=object)
        if "source" in out:
            src = out["source"].astype("object")
            source = src.where(src.notna(), None).to_numpy()
        else:
            source = np.full(len(out), None, dtype=object)
        for i, r in enumerate(batch):
            cache[r] = (float(mins[i]), float(low[i]), float(high[i]), basis[i], source[i])

    try:
        run(missing)
    except (ModelError, UnknownIdError) as first:
        # one accelerator the model cannot answer for must not sink the others: retry per accelerator
        by_acc: dict[str, list[tuple[str, int, int]]] = {}
        for r in missing:
            by_acc.setdefault(r[0], []).append(r)
        errors: dict[str, Exception] = {}
        for acc, batch in by_acc.items():
            try:
                run(batch)
            except (ModelError, UnknownIdError) as exc:
                errors[acc] = exc
        if len(errors) == len(by_acc) and len({str(e) for e in errors.values()}) == 1:
            # the same answer for every accelerator: a problem of the scenario (e.g. a benchmark
            # without results), not of one accelerator
            raise first from None
        failed.update({acc: str(e) for acc, e in errors.items()})


def _col(out: pd.DataFrame, name: str, fallback: np.ndarray) -> np.ndarray:
    import pandas as pd

    if name not in out:
        return fallback.copy()
    v = pd.to_numeric(out[name], errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    return np.where(np.isnan(v), fallback, v)


# --------------------------------------------------------------------------------------------- candidates


@dataclass
class _Table:
    """The candidate table as arrays (one entry per candidate; ``minutes`` etc. are [candidate, workload])."""

    acc: np.ndarray
    accelerators: np.ndarray
    nodes: np.ndarray
    per_node: np.ndarray
    kind: np.ndarray
    price: np.ndarray
    capex: np.ndarray
    power: np.ndarray
    facility: np.ndarray
    ru: np.ndarray
    energy: np.ndarray
    tco: np.ndarray
    pue: np.ndarray
    memory: np.ndarray
    mem_ok: np.ndarray
    minutes: np.ndarray
    low: np.ndarray
    high: np.ndarray
    basis: list[tuple[str, ...]]
    source: list[tuple[Any, ...]]
    predicted: np.ndarray  # every positive-share workload has finite minutes
    weighted: np.ndarray
    mixes: np.ndarray

    def __len__(self) -> int:
        return len(self.acc)

    @property
    def res(self) -> S.Resources:
        return S.Resources(self.capex, self.power, self.ru, self.nodes.astype(float), self.accelerators.astype(float))


@dataclass
class _Prepared:
    scenario: Scenario
    catalog: Catalog
    meta: _CatalogMeta
    model: C.CostModel
    table: _Table
    shares: np.ndarray
    names: list[str]
    limits: S.Limits
    specs: dict[str, C.NodeSpec]
    spec_assumptions: dict[str, list[Assumption]]
    prices: dict[str, tuple[float, str, str | None, str | None]]  # id -> (usd, source, confidence, as_of)
    skipped: list[Skipped]
    considered: list[str]  # accelerator ids that produced candidates
    allow_note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _limits(s: Scenario) -> S.Limits:
    return S.Limits(
        budget_usd=s.budget_usd,
        power_kw=s.power_limit_kw,
        rack_units=None if s.rack_units is None else float(s.rack_units),
        max_nodes=None if s.max_nodes is None else float(s.max_nodes),
        max_accelerators=None if s.max_accelerators is None else float(s.max_accelerators),
    )


@lru_cache(maxsize=64)
def _grid(dense: int, hard_max_nodes: int) -> tuple[int, ...]:
    """Node counts considered: every count up to ``dense``, then steps of about 4 % up to ``hard_max_nodes``."""
    counts = list(range(1, min(dense, hard_max_nodes) + 1))
    k = float(counts[-1])
    while k < hard_max_nodes:
        k = min(float(hard_max_nodes), max(k + 1, math.floor(k * _GRID_STEP)))
        counts.append(int(k))
    return tuple(counts)


def _node_counts(per_unit: dict[str, float], limits: S.Limits, dense: int, hard_max_nodes: int) -> list[int]:
    """Node counts of one series: the grid up to the headroom cap of every limit, plus the first grid count
    beyond it (what a relaxed limit would buy). The grid does not depend on the limits, so predictions made
    for one scenario serve the next (a budget slider stays on cached predictions)."""
    caps = [limit * _HEADROOM / per_unit[name] for name, limit in limits.items() if per_unit[name] > 0]
    top = min(caps) if caps else math.inf
    grid = _grid(dense, hard_max_nodes)
    inside = [k for k in grid if k <= top + 1e-9]
    beyond = [k for k in grid if k > top + 1e-9][:1]
    return inside + beyond


def _series(spec: C.NodeSpec, price: float, tdp_w: float, limits: S.Limits) -> list[tuple[int, int, int]]:
    """(accelerators, nodes, accelerators_per_node) rows of one accelerator."""
    rows: set[tuple[int, int, int]] = set()

    def usage(acc_per_node: float, nodes_per_unit: float) -> dict[str, float]:
        acc = acc_per_node * nodes_per_unit
        return {
            "budget": C.capex_usd(acc, nodes_per_unit, price, spec.host_cost_usd),
            "power": C.it_power_kw(acc, nodes_per_unit, tdp_w, spec.power_factor, spec.host_power_kw),
            "rack_units": nodes_per_unit * spec.rack_units,
            "max_nodes": nodes_per_unit,
            "max_accelerators": acc,
        }

    if spec.rack_size:  # NVL72: trays of 4 up to one rack, then whole racks
        trays_per_rack = spec.rack_size // spec.per_node
        one = usage(spec.per_node, 1)
        for t in range(1, trays_per_rack + 1):
            if all(one[n] * t <= lim * _HEADROOM for n, lim in limits.items()) or t == 1:
                rows.add((t * spec.per_node, t, spec.per_node))
        racks = _node_counts(usage(spec.per_node, trays_per_rack), limits, 8,
                             max(1, MAX_GENERATED_ACCELERATORS // spec.rack_size))  # fmt: skip
        for r in racks:
            if r >= 2:
                rows.add((r * spec.rack_size, r * trays_per_rack, spec.per_node))
        # the tray just beyond a limit (binding check)
        for name, lim in limits.items():
            u = one[name]
            t = math.floor(lim / u + 1e-9) + 1 if u > 0 else 0
            if 1 <= t <= trays_per_rack:
                rows.add((t * spec.per_node, t, spec.per_node))
        return sorted(rows)
    for k in spec.single_node_counts:
        rows.add((k, 1, k))
    for size in spec.multi_node_sizes:
        for n in _node_counts(usage(size, 1), limits, _DENSE_NODES, max(1, MAX_GENERATED_ACCELERATORS // size)):
            if n >= 2:
                rows.add((n * size, n, size))
    return sorted(rows)


def _prepare(scenario: Any, catalog: Catalog | None, predictor: Predictor | None,
             overrides: Mapping[str, Any]) -> _Prepared:  # fmt: skip
    s = _resolve(scenario, overrides)
    if catalog is None:
        import catalog as catalog_pkg

        catalog = catalog_pkg.load()
    meta = _meta(catalog)
    _check_ids(s, meta)
    if predictor is None:
        predictor = _default_predictor()
    model = C.cost_model(catalog.defaults, s)
    limits = _limits(s)
    names = s.workload_names
    shares_map = s.shares
    shares = np.array([shares_map[n] for n in names])

    skipped: list[Skipped] = []
    allow = set(s.accelerators) if s.accelerators is not None else None
    excluded = set(s.exclude)
    specs: dict[str, C.NodeSpec] = {}
    spec_assumptions: dict[str, list[Assumption]] = {}
    prices: dict[str, tuple[float, str, str | None, str | None]] = {}
    rows: list[tuple[str, int, int, int]] = []
    considered: list[str] = []
    for acc in meta.accelerators.values():
        if allow is not None and acc.id not in allow:
            continue
        if acc.id in excluded:
            skipped.append(Skipped(accelerator_id=acc.id, reason="excluded by the scenario"))
            continue
        if acc.id in s.prices:
            note = s.price_notes.get(acc.id, "vendor quote")
            prices[acc.id] = (float(s.prices[acc.id]), f"scenario prices: {note}", None, None)
        elif acc.price is not None:
            prices[acc.id] = (acc.price, "defaults.csv: " + (acc.price_source or "reference price"),
                              acc.price_confidence, acc.price_as_of)  # fmt: skip
        else:
            skipped.append(Skipped(accelerator_id=acc.id,
                                   reason="no reference price in the catalog; give one in the scenario's `prices`"))
            continue
        spec, reason, used = C.node_spec(acc.id, acc.form_factor, model,
                                         pcie_chassis_sizes=meta.chassis_sizes(acc.tdp_watts or 0.0))
        if spec is None:
            skipped.append(Skipped(accelerator_id=acc.id, reason=reason))
            continue
        if spec.liquid_only and s.cooling is not None and s.cooling.value == "air":
            skipped.append(Skipped(accelerator_id=acc.id, reason="rack-scale system needs liquid cooling; "
                                   "the scenario's cooling is air"))  # fmt: skip
            continue
        if acc.tdp_watts is None:
            skipped.append(Skipped(accelerator_id=acc.id, reason="no TDP in the catalog, so no power figure"))
            continue
        specs[acc.id] = spec
        spec_assumptions[acc.id] = used
        considered.append(acc.id)
        for a, n, per in _series(spec, prices[acc.id][0], acc.tdp_watts, limits):
            rows.append((acc.id, a, n, per))

    def grid(accs: set[str]) -> list[tuple[str, int, int]]:
        out: list[tuple[str, int, int]] = []
        for acc_id in sorted(accs):
            spec_ = specs[acc_id]
            tdp_ = meta.accelerators[acc_id].tdp_watts or 0.0
            out += [(acc_id, a, n) for a, n, _per in _series(spec_, prices[acc_id][0], tdp_, S.Limits())]
        return out

    pred, failed = _predict_rows([(r[0], r[1], r[2]) for r in rows], s, catalog, predictor, grid)
    for acc_id, why in failed.items():
        if acc_id in specs:
            skipped.append(Skipped(accelerator_id=acc_id, reason=f"the performance model cannot answer: {why}"))
            considered.remove(acc_id)
    rows = [r for r in rows if r[0] not in failed]

    n, W = len(rows), len(names)
    acc_arr = np.array([r[0] for r in rows], dtype=object)
    ints = np.array([(r[1], r[2], r[3]) for r in rows], dtype=np.int64).reshape(-1, 3)
    accelerators, nodes, per_node = ints[:, 0], ints[:, 1], ints[:, 2]
    # per-accelerator constants, spread over the rows (rows of one accelerator are contiguous)
    ids = list(dict.fromkeys(r[0] for r in rows))
    first = {a: i for i, a in enumerate(ids)}
    pos_of = np.array([first[r[0]] for r in rows], dtype=np.int64)

    def spread(values: list[Any], dtype: Any = float) -> np.ndarray:
        return np.asarray(values, dtype=dtype)[pos_of] if ids else np.zeros(0, dtype=dtype)

    price = spread([prices[a][0] for a in ids])
    host = spread([specs[a].host_cost_usd for a in ids])
    factor = spread([specs[a].power_factor for a in ids])
    host_kw = spread([specs[a].host_power_kw for a in ids])
    tdp = spread([meta.accelerators[a].tdp_watts for a in ids])
    ru_node = spread([specs[a].rack_units for a in ids])
    pue = spread([model.pue_for(specs[a].liquid_only) for a in ids])
    memory = spread([meta.accelerators[a].memory_gb or np.nan for a in ids])
    kind = spread([specs[a].kind for a in ids], dtype=object)
    capex = C.capex_usd(accelerators, nodes, price, host)
    power = C.it_power_kw(accelerators, nodes, tdp, factor, host_kw)
    facility = C.facility_power_kw(power, pue)
    energy = C.energy_usd(facility, model.years, model.energy_usd_per_kwh)
    tco = C.tco_usd(capex, energy)
    got = [pred[(r[0], r[1], r[2])] for r in rows]
    if got:
        minutes = np.concatenate([g[0] for g in got]).reshape(n, W)
        low = np.concatenate([g[1] for g in got]).reshape(n, W)
        high = np.concatenate([g[2] for g in got]).reshape(n, W)
    else:
        minutes = low = high = np.zeros((0, W))
    basis: list[tuple[str, ...]] = [g[3] for g in got]
    source: list[tuple[Any, ...]] = [g[4] for g in got]
    pos = shares > 0
    valid = np.isfinite(minutes) & (minutes > 0)
    predicted = np.all(valid[:, pos], axis=1) if n else np.zeros(0, dtype=bool)
    weighted = np.where(predicted, np.nansum(np.where(valid, minutes, 0.0) * shares[None, :], axis=1), np.inf)
    with np.errstate(divide="ignore"):
        mixes = np.where(predicted, S.MINUTES_PER_DAY / weighted, 0.0)
    mem_ok = np.ones(n, dtype=bool)
    if s.min_accelerator_memory_gb is not None:
        mem_ok = np.nan_to_num(memory, nan=0.0) >= s.min_accelerator_memory_gb - 1e-9
    table = _Table(acc_arr, accelerators, nodes, per_node, kind,
                   price, capex, power, facility, ru_node * nodes, energy, tco, pue, memory, mem_ok, minutes, low,
                   high, basis, source, predicted, weighted, mixes)  # fmt: skip
    allow_note = None
    if allow is not None:
        allow_note = "Only the scenario's allow-listed accelerators were considered: " + ", ".join(sorted(allow)) + "."
    return _Prepared(s, catalog, meta, model, table, shares, names, limits, specs, spec_assumptions, prices,
                     skipped, considered, allow_note)  # fmt: skip


# --------------------------------------------------------------------------------------------- objective


def _objective_arrays(p: _Prepared) -> tuple[np.ndarray, str, np.ndarray | None, float | None]:
    """(cost to optimise, sense, throughput, required throughput) of the single-choice problem."""
    t, s = p.table, p.scenario
    weighted, mixes = _risk_arrays(p)
    if s.objective == Objective.MIN_TCO:
        return t.tco, "min", mixes, s.required_mixes_per_day
    if s.objective == Objective.MAX_THROUGHPUT:
        return mixes, "max", None, None
    return weighted, "min", None, None


def _risk_arrays(p: _Prepared) -> tuple[np.ndarray, np.ndarray]:
    """Weighted minutes and mixes per day to rank by under the scenario's ``risk`` (issue 12)."""
    t = p.table
    if R.resolve(p.scenario.risk) == R.EXPECTED:
        return t.weighted, t.mixes
    hit = p.extra.get("risk")
    if hit is None:
        w = R.weighted_minutes(R.objective_minutes(t.minutes, t.high, p.scenario.risk), p.shares)
        with np.errstate(divide="ignore"):
            hit = p.extra["risk"] = (w, np.where(np.isfinite(w), S.MINUTES_PER_DAY / w, 0.0))
    return hit


def _risk_lines(p: _Prepared, i: int) -> list[str]:
    """Issue 12: mark a choice resting on specs_only/carried figures; name the best all-measured choice."""
    cost, sense, _thr, _req = _objective_arrays(p)
    note = R.risk_note(i, cost, _feasible(p), p.table.basis, p.shares, sense)
    m = note.measured_index
    return note.lines(_describe(_config(p, i)), None if m is None else _describe(_config(p, m)),
                      _value_unit(p.scenario.objective), sense)  # fmt: skip


def _value_unit(obj: Objective) -> str:
    return {Objective.MIN_TIME: "minutes", Objective.MAX_THROUGHPUT: "mixes_per_day", Objective.MIN_TCO: "usd"}[obj]


def _base_mask(p: _Prepared, *, memory: bool = True) -> np.ndarray:
    """Candidates usable at all (a prediction for every workload; memory if asked)."""
    m = p.table.predicted.copy()
    if memory:
        m &= p.table.mem_ok
    return m


def _feasible(p: _Prepared, limits: S.Limits | None = None, *, memory: bool = True) -> np.ndarray:
    limits = p.limits if limits is None else limits
    key = ("feasible", limits, memory)
    hit = p.extra.get(key)
    if hit is not None:
        return hit
    t = p.table
    _cost, _sense, thr, req = _objective_arrays(p)
    ok = _base_mask(p, memory=memory) & S.within_limits(t.res, limits)
    if thr is not None and req is not None:
        ok &= thr >= req * (1 - 1e-9)
    ok.flags.writeable = False
    p.extra[key] = ok
    return ok


def _why(p: _Prepared) -> list[str]:
    """Why each candidate is infeasible ('' if feasible)."""
    t, s = p.table, p.scenario
    out: list[str] = []
    res = t.res
    units = {"budget": ("capex", "USD"), "power": ("IT power", "kW"), "rack_units": ("rack space", "U"),
             "max_nodes": ("nodes", ""), "max_accelerators": ("accelerators", "")}  # fmt: skip
    for i in range(len(t)):
        parts = []
        if not t.predicted[i]:
            missing = [p.names[w] for w in range(len(p.names)) if p.shares[w] > 0 and not
                       (np.isfinite(t.minutes[i, w]) and t.minutes[i, w] > 0)]  # fmt: skip
            parts.append("no prediction for " + ", ".join(missing))
        if not t.mem_ok[i]:
            parts.append(f"memory {_num(t.memory[i])} GB < {_num(s.min_accelerator_memory_gb)} GB")
        for name, limit in p.limits.items():
            use = float(res.usage(name)[i])
            if use > limit * (1 + 1e-9) + 1e-9:
                what, unit = units[name]
                parts.append(f"{name}: {what} {_num(use)} > {_num(limit)}{(' ' + unit) if unit else ''}")
        if s.objective == Objective.MIN_TCO and t.predicted[i] and t.mixes[i] < s.required_mixes_per_day * (1 - 1e-9):
            parts.append(f"{_num(t.mixes[i])} mixes/day < required {_num(s.required_mixes_per_day)}")
        out.append("; ".join(parts))
    return out


def _dominated(p: _Prepared, idx: np.ndarray, *, per_workload: bool) -> np.ndarray:
    """Boolean mask over ``idx``: candidate dominated by another one in ``idx`` (no worse in every resource the
    limits use and in the objective, better in at least one)."""
    t = p.table
    if idx.size <= 1:
        return np.zeros(idx.size, dtype=bool)
    cost, sense, _thr, _req = _objective_arrays(p)
    cols = [t.capex[idx]]
    for name in p.limits.names():
        if name != "budget":
            cols.append(t.res.usage(name)[idx].astype(float))
    if per_workload:
        pos = p.shares > 0
        cols += [t.minutes[idx][:, w] for w in np.flatnonzero(pos)]
        if p.scenario.objective == Objective.MIN_TCO:
            cols.append(t.tco[idx])
    else:
        cols.append(cost[idx] if sense == "min" else -cost[idx])
        if p.scenario.objective == Objective.MIN_TCO:
            cols.append(-t.mixes[idx])
    M = np.column_stack(cols)  # smaller is better in every column
    return pareto_dominated(M)


def _copies_dominated(p: _Prepared, idx: np.ndarray) -> np.ndarray:
    """Mix mode: mask over ``idx`` of configurations that k >= 2 copies of another one replace — using at most
    the same resources (k x use <= use, for capex, TCO and every set limit) while training every workload
    at least as often (minutes' <= k x minutes). E.g. a 2-node configuration that scales sublinearly is
    replaced by two 1-node copies. Exact: any assignment on the dominated configuration fits on the copies."""
    t = p.table
    n = idx.size
    if n <= 1:
        return np.zeros(n, dtype=bool)
    res = [t.capex[idx], t.tco[idx]] + [t.res.usage(name)[idx].astype(float) for name, _ in p.limits.items()
                                        if name != "budget"]  # fmt: skip
    pos = np.flatnonzero(p.shares > 0)
    mins = t.minutes[idx][:, pos]
    # kmax[j, i]: how many copies of j fit in the resources of i
    kmax = np.full((n, n), np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        for r in res:
            ratio = np.where(r[:, None] > 0, r[None, :] / r[:, None], np.inf)
            kmax = np.minimum(kmax, ratio)
    kmax = np.floor(kmax + 1e-9)
    ok = kmax >= 2
    for w in range(mins.shape[1]):
        ok &= mins[:, w][:, None] <= kmax * mins[:, w][None, :] * (1 + 1e-12)
    np.fill_diagonal(ok, False)
    return ok.any(axis=0)


def _dominates(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """[j, i]: row j of A dominates row i of B (no worse in every column, strictly better in one)."""
    le = np.ones((A.shape[0], B.shape[0]), dtype=bool)
    lt = np.zeros((A.shape[0], B.shape[0]), dtype=bool)
    for k in range(A.shape[1]):
        a, b = A[:, k][:, None], B[:, k][None, :]
        le &= a <= b
        lt |= a < b
    return le & lt


def pareto_dominated(M: np.ndarray, *, block: int = 256) -> np.ndarray:
    """Rows of ``M`` (smaller is better in every column; NaN = worst) that another row dominates: no worse
    everywhere and strictly better somewhere.

    Rows are visited in lexicographic order, block by block, so every dominator comes first; a row is compared
    with the rows of its own block and with the non-dominated rows of the blocks before it (dominance is
    transitive, so a dominated dominator has a non-dominated one of its own). Cost ~ n x (front + block).
    """
    n = M.shape[0]
    out = np.zeros(n, dtype=bool)
    if n <= 1:
        return out
    M = np.where(np.isnan(M), np.inf, M)
    order = np.lexsort(M.T[::-1])
    S_ = M[order]
    front = np.empty((0, M.shape[1]))
    for start in range(0, n, block):
        B = S_[start : start + block]
        dom = _dominates(B, B).any(axis=0)
        if front.shape[0]:
            dom |= _dominates(front, B).any(axis=0)
        out[order[start : start + block]] = dom
        front = np.vstack([front, B[~dom]])
    return out


# --------------------------------------------------------------------------------------------- public API


def candidates(scenario: Any, *, catalog: Catalog | None = None, predictor: Predictor | None = None,
               **overrides: Any) -> pd.DataFrame:  # fmt: skip
    """Every candidate considered, one row each: :data:`CANDIDATE_COLUMNS` plus ``minutes[<workload>]``.

    ``feasible`` says whether it satisfies every limit (``why`` says which it breaks); ``dominated`` marks
    feasible candidates another feasible candidate beats on every count (pruned before the MILP).
    """
    p = _prepare(scenario, catalog, predictor, overrides)
    return _frame(p)


def _frame(p: _Prepared) -> pd.DataFrame:
    import pandas as pd

    t = p.table
    feasible = _feasible(p)
    idx = np.flatnonzero(feasible)
    dominated = np.zeros(len(t), dtype=bool)
    dominated[idx] = _dominated(p, idx, per_workload=p.scenario.mix)
    basis = ["measured" if all(b == "measured" for b in bs) else
             ("predicted" if all(b != "measured" for b in bs) else "mixed") for bs in t.basis]  # fmt: skip
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
        "basis": basis,
        "feasible": feasible,
        "why": _why(p),
        "dominated": dominated,
    }
    frame = pd.DataFrame(data)
    frame = frame.astype(CANDIDATE_COLUMNS)
    for w, name in enumerate(p.names):
        frame[f"minutes[{name}]"] = pd.array(t.minutes[:, w], dtype="Float64")
    return frame


def frontier(scenario: Any, *, catalog: Catalog | None = None, predictor: Predictor | None = None,
             **overrides: Any) -> pd.DataFrame:  # fmt: skip
    """The capex <-> share-weighted-minutes Pareto frontier of the candidates (limits ignored, memory and
    allow-list respected): rows sorted by capex, each strictly faster than every cheaper one.
    ``feasible`` still says whether the row fits the scenario's limits."""
    p = _prepare(scenario, catalog, predictor, overrides)
    frame = _frame(p)
    usable = _base_mask(p)
    sub = frame[usable].sort_values(["capex_usd", "weighted_minutes"], kind="stable")
    keep, best = [], math.inf
    for i, wm in zip(sub.index, sub["weighted_minutes"].to_numpy(dtype=float, na_value=np.inf)):
        if wm < best - 1e-12:
            keep.append(i)
            best = wm
    return sub.loc[keep].reset_index(drop=True)


def optimize(scenario: Any, *, catalog: Catalog | None = None, predictor: Predictor | None = None,
             solver: Literal["auto", "cbc", "enumeration"] = "auto", time_limit_s: float = S.DEFAULT_TIME_LIMIT_S,
             explain: bool = True, **overrides: Any) -> Recommendation:  # fmt: skip
    """Pick the accelerator model and count (or, with ``mix: true``, several configurations) for a scenario.

    ``scenario``: a :class:`Scenario`, a dict, or a path to a ``.yaml``/``.yml`` scenario file;
    ``overrides``: scenario fields to replace (e.g. ``budget_usd=2e6``). ``predictor``: the performance model
    (default :func:`recommender.estimate.predict`). ``solver``: ``auto`` or ``cbc`` (the answer solved by
    CBC; what-if re-solves by enumeration) or ``enumeration`` (single choice only, no CBC). ``explain=False`` skips
    alternatives, binding checks and sensitivity (faster).

    Infeasible scenarios return ``status="infeasible"`` with an explanation; invalid ones raise
    :class:`~recommender.errors.ScenarioError` (unknown ids: :class:`~recommender.errors.UnknownIdError`).
    """
    p = _prepare(scenario, catalog, predictor, overrides)
    if p.scenario.mix:
        if solver == "enumeration":
            raise ScenarioError("mix mode needs the MILP solver (cbc), not enumeration", field="mix")
        rec = _optimize_mix(p, time_limit_s=time_limit_s, explain=explain)
    else:
        rec = _optimize_single(p, solver=solver, time_limit_s=time_limit_s, explain=explain)
    return rec


# --------------------------------------------------------------------------------------------- single


def _solve_single(p: _Prepared, limits: S.Limits, *, memory: bool = True, solver: str = "enumeration",
                  time_limit_s: float = S.DEFAULT_TIME_LIMIT_S, restrict: np.ndarray | None = None,
                  prune: bool = False) -> tuple[S.ChoiceResult, np.ndarray]:  # fmt: skip
    """Best single candidate under ``limits``; returns the result and the candidate positions handed to the
    solver (dominated ones pruned when ``prune`` or with CBC; enumeration does not need it)."""
    t = p.table
    cost, sense, thr, req = _objective_arrays(p)
    ok = _feasible(p, limits, memory=memory)
    if restrict is not None:
        ok = ok & restrict
    idx = np.flatnonzero(ok)
    if (prune or solver == "cbc") and idx.size:
        keep = idx[~_dominated(p, idx, per_workload=False)]
    else:
        keep = idx
    if keep.size == 0:
        return S.ChoiceResult(Status.INFEASIBLE, None, None, solver=solver), keep
    sub_res = t.res.take(keep)
    if solver == "cbc":
        r = S.solve_choice(cost[keep], sub_res, limits, sense=sense,
                           throughput=None if thr is None else thr[keep], required_throughput=req,
                           time_limit_s=time_limit_s)  # fmt: skip
    else:
        r = S.enumerate_choice(cost[keep], sub_res, limits, sense=sense,
                               throughput=None if thr is None else thr[keep], required_throughput=req,
                               tiebreak=(t.capex[keep], t.power[keep]))  # fmt: skip
    if r.index is not None:
        r.index = int(keep[r.index])
    return r, keep


def _better(a: float | None, b: float | None, sense: str) -> bool:
    """Is objective a strictly better than b?"""
    if a is None:
        return False
    if b is None:
        return True
    tol = 1e-9 * max(1.0, abs(b))
    return a < b - tol if sense == "min" else a > b + tol


def _optimize_single(p: _Prepared, *, solver: str, time_limit_s: float, explain: bool) -> Recommendation:
    s, t = p.scenario, p.table
    sense = _objective_arrays(p)[1]
    use = "enumeration" if solver == "enumeration" else "cbc"
    r, keep = _solve_single(p, p.limits, solver=use, time_limit_s=time_limit_s, prune=True)
    n_feasible = int(_feasible(p).sum())
    common: dict[str, Any] = {
        "scenario": s.name, "objective": s.objective, "objective_unit": _value_unit(s.objective),
        "skipped": p.skipped, "workload_shares": dict(zip(p.names, p.shares.tolist())),
        "candidates_considered": len(t), "candidates_after_pruning": int(keep.size), "solver": r.solver,
        "catalog_fingerprint": p.catalog.fingerprint,
    }  # fmt: skip
    if r.index is None:
        return Recommendation(status=Status.INFEASIBLE, explanation=_infeasible_explanation(p),
                              assumptions=_assumptions(p, []), **common)  # fmt: skip
    i = r.index
    config = _config(p, i)
    binding: list[str] = []
    alternatives: list[Alternative] = []
    sensitivity: list[Sensitivity] = []
    relaxed: dict[str, int | None] = {}
    if explain:
        # binding: re-solve with each limit removed; a strictly better answer means the limit binds
        for name in p.limits.names():
            rr, _ = _solve_single(p, p.limits.without(name))
            if _better(rr.objective, r.objective, sense):
                binding.append(name)
                relaxed[name] = _nearest_better(p, p.limits.without(name), r.objective, sense, name)
        if s.min_accelerator_memory_gb is not None:
            rr, _ = _solve_single(p, p.limits, memory=False)
            if _better(rr.objective, r.objective, sense):
                binding.append("memory")
                relaxed["memory"] = rr.index
        if not binding and p.limits.items():
            none = S.Limits()
            rr, _ = _solve_single(p, none, memory=False)
            if _better(rr.objective, r.objective, sense) and rr.index is not None:
                binding += list(S.violations(t.res, p.limits, rr.index))
        alternatives = _alternatives_single(p, i, r.objective, sense)
        for name, attr in (("budget", "budget_usd"), ("power", "power_limit_kw")):
            limit = getattr(s, attr)
            if limit is None:
                continue
            rr, _ = _solve_single(p, p.limits.scaled(name, SENSITIVITY_FACTOR))
            sensitivity.append(_sensitivity(p, attr, limit, rr.status, rr.index, rr.objective, r.objective,
                                            sense, [config]))  # fmt: skip
    explanation = _explain_single(p, i, r, binding, relaxed, n_feasible, int(keep.size), alternatives,
                                  checked=explain)  # fmt: skip
    explanation += _risk_lines(p, i)
    value = float(r.objective) if r.objective is not None else None
    return Recommendation(
        status=r.status, objective_value=value, configurations=[config], choice=config, alternatives=alternatives,
        binding=binding, sensitivity=sensitivity, explanation=explanation, assumptions=_assumptions(p, [i]),
        slack=_slack_of(p, [(i, 1)]), **_totals([config]), **common,
    )  # fmt: skip


def _nearest_better(p: _Prepared, limits: S.Limits, best: float | None, sense: str, name: str) -> int | None:
    """The candidate that improves on ``best`` using the least of the relaxed limit ``name``."""
    cost, _sense, _thr, _req = _objective_arrays(p)
    ok = _feasible(p, limits)
    better = cost < best * (1 - 1e-9) if sense == "min" else cost > best * (1 + 1e-9)
    idx = np.flatnonzero(ok & better)
    if idx.size == 0:
        return None
    use = p.table.res.usage(name)[idx]
    order = np.lexsort((cost[idx] if sense == "min" else -cost[idx], use))
    return int(idx[order[0]])


def _alternatives_single(p: _Prepared, i: int, best: float | None, sense: str) -> list[Alternative]:
    t = p.table
    out: list[Alternative] = []
    chosen = t.acc[i]
    unit = _unit_text(p.scenario.objective)
    for acc in p.considered:
        if acc == chosen:
            continue
        mine = t.acc == acc
        rr, _ = _solve_single(p, p.limits, restrict=mine)
        name = p.meta.accelerators[acc].name
        if rr.index is None:
            reason = _why_none(p, mine)
            out.append(Alternative(accelerator_id=acc, reason=f"{name}: {reason}"))
            continue
        cfg = _config(p, rr.index)
        val = float(rr.objective)  # type: ignore[arg-type]
        if sense == "min":
            rel = (val / best - 1) * 100 if best else math.inf
            reason = (f"best fit {cfg.accelerators} x {name} ({_num(cfg.capex_usd)} USD): {_num(val)} {unit}, "
                      f"{rel:+.0f} % vs the choice")  # fmt: skip
        else:
            rel = (val / best - 1) * 100 if best else -math.inf
            reason = (f"best fit {cfg.accelerators} x {name} ({_num(cfg.capex_usd)} USD): {_num(val)} {unit}, "
                      f"{rel:+.0f} % vs the choice")  # fmt: skip
        if abs(val - (best or 0.0)) <= 1e-9 * max(1.0, abs(best or 0.0)):
            reason += " (tie: the choice is cheaper or draws less power)"
        out.append(Alternative(accelerator_id=acc, configuration=cfg, objective_value=val, reason=reason))
    key = (lambda a: (a.objective_value is None, a.objective_value if sense == "min" else -(a.objective_value or 0)))
    return sorted(out, key=key)


def _why_none(p: _Prepared, mask: np.ndarray) -> str:
    """Why no candidate in ``mask`` is feasible, from its cheapest usable candidate."""
    t = p.table
    usable = mask & t.predicted
    if not usable.any():
        return "no prediction from the performance model"
    if not (usable & t.mem_ok).any():
        return f"memory {_num(float(np.nanmax(t.memory[mask])))} GB is below the minimum"
    idx = np.flatnonzero(usable & t.mem_ok)
    j = int(idx[np.argmin(t.capex[idx])])
    v = S.violations(t.res, p.limits, j)
    if v:
        parts = [f"{k} by {x * 100:.0f} %" for k, x in v.items()]
        return f"even the smallest option ({t.accelerators[j]} accelerators) exceeds " + ", ".join(parts)
    if p.scenario.objective == Objective.MIN_TCO:
        fast = idx[S.within_limits(t.res.take(idx), p.limits)]
        if fast.size:
            best = float(t.mixes[fast].max())
            return (f"at most {_num(best)} mixes/day within the limits, below the required "
                    f"{_num(p.scenario.required_mixes_per_day)}")  # fmt: skip
    return "no candidate fits the limits"


def _sensitivity(p: _Prepared, attr: str, limit: float, status: Status, index: int | None, value: float | None,
                 base: float | None, sense: str, base_configs: list[Configuration],
                 configs: list[Configuration] | None = None) -> Sensitivity:  # fmt: skip
    new_limit = limit * SENSITIVITY_FACTOR
    label = {"budget_usd": f"+10 % budget ({_num(new_limit)} USD)",
             "power_limit_kw": f"+10 % power ({_num(new_limit)} kW)"}[attr]  # fmt: skip
    unit = _unit_text(p.scenario.objective)
    if configs is None:
        configs = [_config(p, index)] if index is not None else []
    choice = max(configs, key=lambda c: c.capex_usd * c.count) if configs else None
    cut = " within the what-if time limit" if status == Status.FEASIBLE else ""
    if (value is None or choice is None) and base is not None:
        status = Status.FEASIBLE  # a relaxation of a solved problem is feasible: the re-solve ran out of time
        summary = f"With {label}: no answer within the what-if time limit."
    elif value is None or choice is None:
        summary = f"With {label}: still no feasible configuration."
    elif not _better(value, base, sense):
        summary = f"With {label}: no better answer found{cut} ({_describe_many(base_configs)} stays)."
    else:
        rel = (value / base - 1) * 100 if base else 0.0
        summary = f"With {label}: {_describe_many(configs)}, {_num(value)} {unit} ({_pct(rel / 100)}){cut}."
    return Sensitivity(parameter=attr, factor=SENSITIVITY_FACTOR, value=new_limit, status=status,
                       objective_value=value, choice=choice, summary=summary)  # fmt: skip


# --------------------------------------------------------------------------------------------- mix


def _optimize_mix(p: _Prepared, *, time_limit_s: float, explain: bool) -> Recommendation:
    s, t = p.scenario, p.table
    sense = "min" if s.objective in (Objective.MIN_TCO, Objective.MIN_TIME) else "max"
    r, keep = _solve_mix(p, p.limits, time_limit_s=time_limit_s)
    common: dict[str, Any] = {
        "scenario": s.name, "objective": s.objective, "objective_unit": _value_unit(s.objective),
        "skipped": p.skipped, "workload_shares": dict(zip(p.names, p.shares.tolist())),
        "candidates_considered": len(t), "candidates_after_pruning": int(keep.size), "solver": "cbc",
        "catalog_fingerprint": p.catalog.fingerprint,
    }  # fmt: skip
    if r.counts is None:
        return Recommendation(status=Status.INFEASIBLE, explanation=_infeasible_explanation(p),
                              assumptions=_assumptions(p, []), **common)  # fmt: skip
    configs, used = _mix_configs(p, keep, r)
    value = _mix_value(s.objective, r)
    binding: list[str] = []
    sensitivity: list[Sensitivity] = []
    alternatives: list[Alternative] = []
    single_best: float | None = None
    # what-if re-solves get a short time limit: a better solution found in time proves a limit binds; one cut
    # short is reported with status "feasible"
    explain_limit = min(time_limit_s, EXPLAIN_TIME_LIMIT_S)
    if explain:
        # sensitivity doubles as the re-solve check for budget and power; the CBC runs are subprocesses,
        # so the two re-solves run side by side
        todo = [(name, attr, getattr(s, attr)) for name, attr in (("budget", "budget_usd"),
                                                                  ("power", "power_limit_kw"))
                if getattr(s, attr) is not None]  # fmt: skip
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=max(1, min(len(todo), _PARALLEL_SOLVES))) as pool:
            futures = [pool.submit(_solve_mix, p, p.limits.scaled(name, SENSITIVITY_FACTOR),
                                   time_limit_s=explain_limit) for name, _attr, _limit in todo]  # fmt: skip
            solved = [f.result() for f in futures]
        for (name, attr, limit), (rr, kk) in zip(todo, solved):
            v = _mix_value(s.objective, rr) if rr.counts is not None else None
            cfgs = _mix_configs(p, kk, rr)[0] if rr.counts is not None else []
            sensitivity.append(_sensitivity(p, attr, limit, rr.status, None, v, value, sense, configs, cfgs))
            if _better(v, value, sense):
                binding.append(name)
        # other limits: binding if the MILP's slack is below the smallest step, confirmed by a re-solve
        for name, limit in p.limits.items():
            if name in ("budget", "power"):
                continue
            step = float(np.min(t.res.usage(name)[keep])) if keep.size else 0.0
            if r.slack.get(name, math.inf) < step - 1e-9:
                rr, _ = _solve_mix(p, p.limits.without(name), time_limit_s=explain_limit)
                if rr.counts is not None and _better(_mix_value(s.objective, rr), value, sense):
                    binding.append(name)
        # the best single configuration (mix is never worse) and each accelerator's best
        rs, _ = _solve_single(p, p.limits)
        if rs.index is not None:
            single_best = float(_single_as_mix_value(p, rs.index))
        alternatives = _alternatives_mix(p, set(used), value, sense)
    explanation = _explain_mix(p, configs, value, binding, single_best, int(keep.size))
    if r.status == Status.FEASIBLE and r.solver.endswith("+incumbent"):
        explanation.insert(0, f"The solver stopped at its time limit ({_num(time_limit_s)} s) without a better mix; "
                              "this is the best fleet of one configuration (status: feasible; a better mix may exist).")
    elif r.status == Status.FEASIBLE:
        explanation.insert(0, f"CBC stopped at its time limit ({_num(time_limit_s)} s) with this solution; a better "
                              "one may exist (status: feasible).")
    choice = max(configs, key=lambda c: c.capex_usd * c.count)
    return Recommendation(status=r.status, objective_value=value, configurations=configs, choice=choice,
                          alternatives=alternatives, binding=binding, sensitivity=sensitivity,
                          explanation=explanation, assumptions=_assumptions(p, used), **_totals(configs),
                          slack=_slack_of(p, [(int(keep[c]), int(r.counts[c])) for c in np.flatnonzero(r.counts)]),
                          **common)  # fmt: skip


def _solve_mix(p: _Prepared, limits: S.Limits, *, time_limit_s: float) -> tuple[S.MixResult, np.ndarray]:
    s, t = p.scenario, p.table
    # issue 12: a configuration that can train only some of the workloads may join a mix
    pos = p.shares > 0
    runs_some = np.any(np.isfinite(t.minutes[:, pos]) & (t.minutes[:, pos] > 0), axis=1)
    ok = runs_some & (t.mem_ok if p.scenario.min_accelerator_memory_gb is not None else True)
    ok = ok & S.within_limits(t.res, limits)
    idx = np.flatnonzero(ok)
    keep = idx[~_dominated(p, idx, per_workload=True)] if idx.size else idx
    keep = keep[~_copies_dominated(p, keep)] if keep.size else keep
    if keep.size == 0:
        return S.MixResult(Status.INFEASIBLE, None, None, None, None), keep
    minutes = t.minutes[keep].T.copy()
    objective = "tco" if s.objective == Objective.MIN_TCO else "throughput"
    copies: int | np.ndarray = _MIX_MAX_COPIES
    if objective == "tco" and s.required_mixes_per_day is not None:
        # more copies of c than c alone needs to meet the requirement are never optimal
        with np.errstate(divide="ignore"):
            copies = np.ceil(s.required_mixes_per_day / np.maximum(t.mixes[keep], 1e-300)).clip(1, 1e6)
    # issue 12: start from (and never return worse than) the best fleet of one configuration
    incumbent = S.best_incumbent(t.mixes[keep], t.tco[keep], t.res.take(keep), limits, objective=objective,
                                 required_throughput=s.required_mixes_per_day, max_copies=copies)  # fmt: skip
    r = S.solve_mix(minutes, p.shares, t.res.take(keep), limits, objective=objective, tco_usd=t.tco[keep],
                    required_throughput=s.required_mixes_per_day, max_copies=copies,
                    time_limit_s=time_limit_s, incumbent=incumbent)  # fmt: skip
    return r, keep


def _mix_value(obj: Objective, r: S.MixResult) -> float:
    if obj == Objective.MIN_TCO:
        return float(r.objective)  # type: ignore[arg-type]
    if obj == Objective.MAX_THROUGHPUT:
        return float(r.throughput)  # type: ignore[arg-type]
    return S.MINUTES_PER_DAY / float(r.throughput)  # type: ignore[arg-type]  # effective minutes per mix


def _single_as_mix_value(p: _Prepared, i: int) -> float:
    obj = p.scenario.objective
    t = p.table
    if obj == Objective.MIN_TCO:
        return float(t.tco[i])
    if obj == Objective.MAX_THROUGHPUT:
        return float(t.mixes[i])
    return float(t.weighted[i])


def _mix_configs(p: _Prepared, keep: np.ndarray, r: S.MixResult) -> tuple[list[Configuration], list[int]]:
    configs: list[Configuration] = []
    used: list[int] = []
    total = r.trainings.sum(axis=1)  # type: ignore[union-attr]
    for c in np.flatnonzero(r.counts):  # type: ignore[arg-type]
        i = int(keep[c])
        x = r.trainings[:, c]  # type: ignore[index]
        serves = {n: float(x[w] / total[w]) if total[w] > 0 else 0.0 for w, n in enumerate(p.names)}
        configs.append(_config(p, i, count=int(r.counts[c]), serves=serves, trainings=x))  # type: ignore[index]
        used.append(i)
    configs.sort(key=lambda c: -c.capex_usd * c.count)
    return configs, used


def _alternatives_mix(p: _Prepared, used: set[int], value: float, sense: str) -> list[Alternative]:
    t = p.table
    used_acc = {t.acc[i] for i in used}
    out = []
    unit = _unit_text(p.scenario.objective)
    for acc in p.considered:
        if acc in used_acc:
            continue
        mine = t.acc == acc
        rr, _ = _solve_single(p, p.limits, restrict=mine)
        name = p.meta.accelerators[acc].name
        if rr.index is None:
            out.append(Alternative(accelerator_id=acc, reason=f"{name}: {_why_none(p, mine)}"))
            continue
        v = _single_as_mix_value(p, rr.index)
        cfg = _config(p, rr.index)
        out.append(Alternative(accelerator_id=acc, configuration=cfg, objective_value=v,
                               reason=f"best single fit {cfg.accelerators} x {name}: {_num(v)} {unit} "
                                      f"vs {_num(value)} for the mix; the MILP found no use for it"))  # fmt: skip
    return out


# --------------------------------------------------------------------------------------------- building blocks


def _config(p: _Prepared, i: int, *, count: int = 1, serves: dict[str, float] | None = None,
            trainings: np.ndarray | None = None) -> Configuration:  # fmt: skip
    t = p.table
    acc = str(t.acc[i])
    meta = p.meta.accelerators[acc]
    estimates = []
    for w, name in enumerate(p.names):
        m = float(t.minutes[i, w])
        tpd = float(trainings[w]) if trainings is not None else float(t.mixes[i] * p.shares[w])
        estimates.append(WorkloadEstimate(
            workload=name, share=float(p.shares[w]), minutes=m,
            minutes_low=_finite(t.low[i, w]), minutes_high=_finite(t.high[i, w]),
            basis=str(t.basis[i][w]), source=None if t.source[i][w] is None else str(t.source[i][w]),
            trainings_per_day=tpd,
        ))  # fmt: skip
    return Configuration(
        accelerator_id=acc, accelerator_name=meta.name, form_factor=str(t.kind[i]),
        accelerators=int(t.accelerators[i]), nodes=int(t.nodes[i]), accelerators_per_node=int(t.per_node[i]),
        price_usd_per_accelerator=float(t.price[i]), price_source=p.prices[acc][1], capex_usd=float(t.capex[i]),
        it_power_kw=float(t.power[i]), facility_power_kw=float(t.facility[i]), rack_units=float(t.ru[i]),
        pue=float(t.pue[i]), energy_usd=float(t.energy[i]), tco_usd=float(t.tco[i]),
        weighted_minutes=float(t.weighted[i]), mixes_per_day=float(t.mixes[i]), workloads=estimates,
        serves=serves if serves is not None else {n: 1.0 for n in p.names}, count=count,
    )  # fmt: skip


def _slack_of(p: _Prepared, bought: list[tuple[int, int]]) -> dict[str, float]:
    """limit - use for every set limit, given (candidate, copies) bought (computed exactly, not from the solver)."""
    res = p.table.res
    return {name: limit - sum(float(res.usage(name)[i]) * k for i, k in bought) for name, limit in p.limits.items()}


def _totals(configs: list[Configuration]) -> dict[str, float]:
    return {
        "total_capex_usd": sum(c.capex_usd * c.count for c in configs),
        "total_it_power_kw": sum(c.it_power_kw * c.count for c in configs),
        "total_facility_power_kw": sum(c.facility_power_kw * c.count for c in configs),
        "total_tco_usd": sum(c.tco_usd * c.count for c in configs),
    }


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _assumptions(p: _Prepared, idx: list[int]) -> list[Assumption]:
    out: dict[tuple[str, str], Assumption] = {}
    liquid = any(p.specs[str(p.table.acc[i])].liquid_only for i in idx)
    for key, a in p.model.assumptions.items():
        if key == ("pue", "liquid_cooled") and not (liquid or (p.scenario.cooling and p.scenario.cooling.value == "liquid")):
            continue
        if key == ("pue", "air_cooled") and p.scenario.cooling is not None and p.scenario.cooling.value == "liquid":
            continue
        if key == ("pue", "air_cooled") and idx and all(p.specs[str(p.table.acc[i])].liquid_only for i in idx) \
                and p.scenario.cooling is None:
            continue
        out[key] = a
    for acc in dict.fromkeys(str(p.table.acc[i]) for i in idx):
        usd, source, conf, as_of = p.prices[acc]
        out[("price_usd_per_accelerator", acc)] = Assumption(
            parameter="price_usd_per_accelerator", applies_to=acc, value=usd, unit="usd", source=source,
            confidence=conf, as_of=as_of)  # fmt: skip
        for a in p.spec_assumptions.get(acc, []):
            if a.parameter == "rack_units_per_node" and p.scenario.rack_units is None:
                continue
            out[(a.parameter, a.applies_to)] = a
    return list(out.values())


def _unit_text(obj: Objective) -> str:
    return {Objective.MIN_TIME: "share-weighted minutes", Objective.MAX_THROUGHPUT: "mixes/day",
            Objective.MIN_TCO: "USD TCO"}[obj]  # fmt: skip


def _num(x: float | None) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    ax = abs(x)
    if float(x).is_integer() and ax < 1e15:
        return f"{int(x):,}"
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 100:
        return f"{x:.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def _pct(rel: float) -> str:
    """A relative change as a signed percentage with enough digits to be non-zero."""
    v = rel * 100
    if v == 0 or abs(v) >= 10:
        return f"{v:+.0f} %"
    digits = 1 if abs(v) >= 0.1 else 2
    return f"{v:+.{digits}f} %"


def _describe(c: Configuration) -> str:
    kind = {"nvl72": "NVL72 compute tray", "pcie": "PCIe server", "sxm_oam": "8-way server"}.get(
        c.form_factor or "", "node")
    nodes = f"{c.nodes} {kind}{'s' if c.nodes != 1 else ''}"
    prefix = f"{c.count} x (" if c.count > 1 else ""
    suffix = ")" if c.count > 1 else ""
    return f"{prefix}{c.accelerators} x {c.accelerator_name or c.accelerator_id} in {nodes}{suffix}"


def _describe_many(cs: list[Configuration]) -> str:
    return " + ".join(_describe(c) for c in cs) if cs else "nothing"


def _explain_single(p: _Prepared, i: int, r: S.ChoiceResult, binding: list[str], relaxed: dict[str, int | None],
                    n_feasible: int, n_pruned: int, alternatives: list[Alternative], *,
                    checked: bool = True) -> list[str]:  # fmt: skip
    s, t = p.scenario, p.table
    c = _config(p, i)
    per = ", ".join(f"{w.workload} {_num(w.minutes)}" for w in c.workloads)
    out = [
        (f"Buy {_describe(c)}: capex {_num(c.capex_usd)} USD, IT power {_num(c.it_power_kw)} kW "
         f"({_num(c.facility_power_kw)} kW at PUE {c.pue:.2f}), TCO over {_num(s.years)} years "
         f"{_num(c.tco_usd)} USD."),
        (f"Share-weighted minutes to train {_num(c.weighted_minutes)} ({per}); the whole mix "
         f"{_num(c.mixes_per_day)} times per day."),
    ]
    what = {Objective.MIN_TIME: "the lowest share-weighted minutes to train",
            Objective.MAX_THROUGHPUT: "the most mixes per day",
            Objective.MIN_TCO: f"the lowest TCO that trains the mix {_num(s.required_mixes_per_day)} times per day"}
    out.append(f"Of {len(t)} candidates, {n_feasible} fit the limits and {n_pruned} are not dominated; this one has "
               f"{what[s.objective]} (ties go to the cheaper, then the less power-hungry).")
    usage = []
    for name, limit in p.limits.items():
        use = float(t.res.usage(name)[i])
        label = {"budget": "the budget", "power": "the power limit", "rack_units": "the rack space",
                 "max_nodes": "the node limit", "max_accelerators": "the accelerator limit"}[name]  # fmt: skip
        usage.append(f"{use / limit * 100:.0f} % of {label}")
    if usage:
        out.append("It uses " + ", ".join(usage) + ".")
    for name in binding:
        j = relaxed.get(name)
        label = {"budget": "budget", "power": "power limit", "rack_units": "rack space", "max_nodes": "node limit",
                 "max_accelerators": "accelerator limit", "memory": "minimum accelerator memory"}[name]  # fmt: skip
        if j is not None and name != "memory":
            cj = _config(p, j)
            need = float(t.res.usage(name)[j])
            limit = dict(p.limits.items())[name]
            unit = {"budget": " USD", "power": " kW", "rack_units": " U"}.get(name, "")
            out.append(f"Binding: the {label}. The smallest better option, {_describe(cj)}, needs {_num(need)}{unit} "
                       f"({_pct(need / limit - 1)}) and reaches {_num(_objective_arrays(p)[0][j])} "
                       f"{_unit_text(s.objective)}.")
        elif j is not None:
            out.append(f"Binding: the {label}. Without it, {_describe(_config(p, j))} would be chosen.")
        else:
            out.append(f"Binding: the {label}.")
    if not binding and checked and p.limits.items():
        out.append("No limit binds: relaxing any one limit would not buy a better answer among the candidates.")
    runner = next((a for a in alternatives if a.configuration is not None), None)
    if runner is not None:
        out.append(f"Runner-up: {runner.reason}.")
    measured = [w.workload for w in c.workloads if w.basis == "measured"]
    if len(measured) == len(c.workloads):
        out.append("All minutes were measured on this exact configuration (MLPerf results).")
    elif measured:
        out.append("Measured on this exact configuration: " + ", ".join(measured) + "; the rest is predicted.")
    else:
        out.append("All minutes are predictions of the performance model (intervals in the table).")
    acc = str(t.acc[i])
    if acc in s.prices:
        out.append(f"The price of {acc} is the scenario's ({p.prices[acc][1].removeprefix('scenario prices: ')}), "
                   "not a catalog reference price.")
    if p.allow_note:
        out.append(p.allow_note)
    return out


_LIMIT_LABEL = {"budget": "the budget", "power": "the power limit", "rack_units": "the rack space",
                "max_nodes": "the node limit", "max_accelerators": "the accelerator limit"}


def _explain_mix(p: _Prepared, configs: list[Configuration], value: float, binding: list[str],
                 single_best: float | None, n_pruned: int) -> list[str]:  # fmt: skip
    s = p.scenario
    capex = sum(c.capex_usd * c.count for c in configs)
    power = sum(c.it_power_kw * c.count for c in configs)
    unit = _unit_text(s.objective)
    out = [f"Buy {_describe_many(configs)}: capex {_num(capex)} USD, IT power {_num(power)} kW.",
           (f"Objective {s.objective.value}: {_num(value)} {unit} (mix mode: workloads split across "
            f"configurations, solved by CBC over {n_pruned} non-dominated candidates).")]
    for c in configs:
        parts = [f"{n} {v * 100:.0f} %" for n, v in c.serves.items() if v > 1e-6]
        out.append(f"{_describe(c)} serves " + (", ".join(parts) if parts else "nothing") + ".")
    usage = {"budget": capex, "power": power,
             "rack_units": sum((c.rack_units or 0.0) * c.count for c in configs),
             "max_nodes": sum(c.nodes * c.count for c in configs),
             "max_accelerators": sum(c.accelerators * c.count for c in configs)}  # fmt: skip
    used = [f"{usage[name] / limit * 100:.0f} % of {_LIMIT_LABEL[name]}" for name, limit in p.limits.items()
            if limit > 0]  # fmt: skip
    if used:
        out.append("It uses " + ", ".join(used) + ".")
    if single_best is not None:
        out.append(f"The best single configuration reaches {_num(single_best)} {unit}; the mix is never worse: the "
                   "solver starts from the best fleet of one configuration and keeps it unless it finds better.")
    if binding:
        out.append("Binding: " + ", ".join(binding) + ".")
    if p.allow_note:
        out.append(p.allow_note)
    return out


def _infeasible_explanation(p: _Prepared) -> list[str]:
    s, t = p.scenario, p.table
    out = ["No candidate satisfies the scenario's limits."]
    usable = _base_mask(p)
    if not len(t) or not usable.any():
        if not p.considered:
            out.append("No accelerator could be considered: see `skipped` (no price, excluded, or not sold as a node).")
        elif len(t) and not t.mem_ok.any():
            out.append(f"No considered accelerator has {_num(s.min_accelerator_memory_gb)} GB of memory.")
        else:
            out.append("The performance model has no prediction for the considered accelerators.")
        return out
    idx = np.flatnonzero(usable)
    cheapest = int(idx[np.lexsort((t.power[idx], t.capex[idx]))[0]])
    lowest = int(idx[np.lexsort((t.capex[idx], t.power[idx]))[0]])
    picks = [("cheapest", cheapest), ("lowest-power", lowest)] if cheapest != lowest else [
        ("cheapest (and lowest-power)", cheapest)]
    for label, j in picks:
        c = _config(p, j)
        v = S.violations(t.res, p.limits, j)
        misses = []
        for name, rel in v.items():
            use = float(t.res.usage(name)[j])
            limit = dict(p.limits.items())[name]
            unit = {"budget": " USD", "power": " kW", "rack_units": " U"}.get(name, "")
            misses.append(f"{name} by {_num(use - limit)}{unit} ({rel * 100:.0f} % over {_num(limit)}{unit})")
        if s.objective == Objective.MIN_TCO and t.mixes[j] < (s.required_mixes_per_day or 0):
            misses.append(f"throughput: {_num(t.mixes[j])} mixes/day < {_num(s.required_mixes_per_day)} required")
        what = ", ".join(misses) if misses else "nothing (another limit interacts)"
        out.append(f"The {label} candidate, {_describe(c)} (capex {_num(c.capex_usd)} USD, "
                   f"{_num(c.it_power_kw)} kW), misses {what}.")  # fmt: skip
    if s.objective == Objective.MIN_TCO:
        inlim = idx[S.within_limits(t.res.take(idx), p.limits)]
        if inlim.size:
            out.append(f"Within the limits at most {_num(float(t.mixes[inlim].max()))} mixes/day are reachable; "
                       f"{_num(s.required_mixes_per_day)} are required.")  # fmt: skip
    return out

