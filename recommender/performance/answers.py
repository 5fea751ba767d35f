"""``predict()``: minutes to train for any (benchmark or custom workload, accelerator, count, nodes, round).

Input: a DataFrame with ``accelerator_id, accelerators, benchmark`` and optionally ``nodes`` (default: the
fewest nodes of the accelerator's usual size) and ``round``. Output: a copy (same rows, order and index) with
these columns added — the one place they are documented:

* ``minutes`` — minutes to train, as of the row's ``round`` (default: the newest round in the catalog,
  i.e. today's software); NaN when the configuration does not fit.
* ``minutes_low``, ``minutes_high`` — the interval that holds the true result with probability ``coverage``
  (calibrated per basis on held-out results); NaN when it does not fit.
* ``basis`` — where the answer comes from:
  ``measured`` (this configuration was scored in the target round; the median system's score),
  ``carried`` (scored in an earlier round: that score carried to the target round by the model's software
  trend, combined with the model's own prediction for the configuration by precision — each weighted by
  1/variance of its forward-measured error, the carry's growing with the round gap; see :mod:`.anchors`),
  ``predicted`` (the model; the accelerator has MLPerf results), ``specs_only`` (the accelerator has no
  MLPerf result at all: its datasheet and its relatives), ``does_not_fit`` (total accelerator memory below the
  workload's need, see :mod:`.memory`; no minutes).
* ``source`` — the result it rests on (``v3.1 closed, available · submitter · system``: round, division and
  status, as MLCommons' guidelines ask; carried: ``carried from <round> … · …``),
  ``model …`` for predictions, or the memory reason for ``does_not_fit``.

Answers are monotone in count for one accelerator, benchmark and round, across all bases (:mod:`.anchors`).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from catalog.registry import BENCHMARKS, TASKS, canonical_round, closest_ids, round_years
from recommender.cache import per_catalog
from recommender.errors import ModelError, ScenarioError, UnknownIdError
from recommender.performance.anchors import (
    AnchorIndex,
    anchor_table,
    anchor_values,
    bound_to_anchors,
    clip_to_anchors,
    follow_anchors,
    follow_sources,
    isotonic,
    result_notes,
    scaling_slack,
)
from recommender.performance.basis import lookup, node_spread
from recommender.performance.custom import predict_custom
from recommender.performance.memory import accelerator_memory_gb, fits
from recommender.performance.store import Bundle, load_bundle
from recommender.performance.training import FALLBACK_PER_NODE, most_per_node, round_rank

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog
    from recommender.models import CustomWorkload

#: Columns :func:`predict` adds to its input frame (documented in this module's docstring).
PREDICT_COLUMNS: list[str] = ["minutes", "minutes_low", "minutes_high", "basis", "source"]
#: Every value of the ``basis`` column.
BASES: tuple[str, ...] = ("measured", "carried", "predicted", "specs_only", "does_not_fit")


class PredictInputError(ScenarioError, TypeError):
    """``predict()`` was given something other than a DataFrame with the needed columns."""


@dataclass
class _Rows:
    acc: np.ndarray
    counts: np.ndarray
    bench: np.ndarray
    nodes: np.ndarray
    default_nodes: np.ndarray
    round: np.ndarray  # the target round of each row


def _closest(name: str, known: list[str]) -> str:
    near = closest_ids(name, known)
    return f"; closest known: {', '.join(near)}" if near else ""


#: The largest accelerator count :func:`predict` answers: 4x the count grid's 16,384 (the largest MLPerf Training
#: result used 11,616; far beyond, the count curve has nothing to go on)
MAX_PREDICT_ACCELERATORS = 65_536


def _as_counts(values: pd.Series, field: str) -> np.ndarray:
    x = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    bad = ~np.isfinite(x) | (x < 1) | (np.abs(x - np.round(x)) > 1e-9)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        v = values.iloc[i]
        shown = repr(v.item() if hasattr(v, "item") else v)  # 0, not np.float64(0.0)
        raise ScenarioError(f"must be a whole number >= 1, got {shown} (row {i})", field=field)
    big = x > MAX_PREDICT_ACCELERATORS
    if big.any():
        i = int(np.flatnonzero(big)[0])
        raise ScenarioError(f"at most {MAX_PREDICT_ACCELERATORS:,} (the largest MLPerf Training result used 11,616; "
                            f"far beyond that the count curve is pure extrapolation), got {x[i]:,.0f} (row {i})",
                            field=field)  # fmt: skip
    return np.round(x).astype(np.int64)


def _catalog(catalog: Catalog | None) -> Catalog:
    if catalog is None:
        import catalog as catalog_pkg

        return catalog_pkg.load()
    return catalog


def _check_ids(bundle: Bundle, acc: np.ndarray, bench: np.ndarray, custom: dict[str, CustomWorkload]) -> None:
    model_benches = set(bundle.estimator.model_.benchmarks_)
    known_accs = set(bundle.accelerators)
    for a in pd.unique(acc):
        if a not in known_accs:
            raise UnknownIdError(f"unknown accelerator {a!r}{_closest(a, sorted(known_accs))}", field="accelerator_id")
    for w in custom.values():
        if w.like is not None and w.like not in model_benches:
            raise UnknownIdError(f"workload {w.name!r}: unknown benchmark {w.like!r} in 'like'"
                                 f"{_closest(w.like, sorted(model_benches))}", field="like")
        if w.task is not None and w.task not in TASKS:
            raise UnknownIdError(f"workload {w.name!r}: unknown task {w.task!r}{_closest(w.task, list(TASKS))}",
                                 field="task")
        for m in w.measurements:
            if m.accelerator_id not in known_accs:
                raise UnknownIdError(f"workload {w.name!r}: unknown accelerator {m.accelerator_id!r}"
                                     f"{_closest(m.accelerator_id, sorted(known_accs))}",
                                     field="measurements.accelerator_id")
    for b in pd.unique(bench):
        if b in custom or b in model_benches:
            continue
        if b in BENCHMARKS:
            raise ModelError(f"benchmark {b!r} has no scored results in the catalog; describe it as a custom "
                             "workload with at least one measurement")
        raise UnknownIdError(f"unknown benchmark {b!r}{_closest(b, sorted(model_benches | set(custom)))}",
                             field="benchmark")


def _rows(frame: pd.DataFrame, bundle: Bundle) -> _Rows:
    acc = frame["accelerator_id"].astype("string").fillna("").to_numpy(dtype=object)
    bench = frame["benchmark"].astype("string").fillna("").to_numpy(dtype=object)
    counts = _as_counts(frame["accelerators"], "accelerators")
    ppn = lookup(acc, defaultdict(lambda: FALLBACK_PER_NODE, bundle.per_node), float)
    default_nodes = np.ceil(counts / ppn)
    nodes = default_nodes
    if "nodes" in frame.columns:
        given = pd.to_numeric(frame["nodes"], errors="coerce").astype("float64").to_numpy(na_value=np.nan)
        nodes = np.where(np.isnan(given), default_nodes, given)
        if (nodes < 1).any() or not np.isfinite(nodes).all():
            raise ScenarioError("must be a finite number >= 1", field="nodes")
        whole = np.round(nodes)
        bad = (np.abs(nodes - whole) > 1e-9) | (whole > counts) | (np.mod(counts, np.maximum(whole, 1)) != 0)
        if bad.any():  # 8 accelerators on 3 nodes (or on 16) is no configuration anyone can buy
            i = int(np.flatnonzero(bad)[0])
            raise ScenarioError(f"must be a whole number of nodes that divides the row's accelerators (equal "
                                f"accelerators per node), got {nodes[i]:g} for {counts[i]} accelerators (row {i})",
                                field="nodes")  # fmt: skip
        nodes = whole
    rnd = np.full(len(frame), "", dtype=object)
    if "round" in frame.columns:
        rnd = frame["round"].astype("string").fillna("").to_numpy(dtype=object)
    for r in pd.unique(rnd):
        if r:
            try:
                round_years(str(r))
                canon = canonical_round(str(r))
            except ValueError:
                raise ScenarioError(f"not a round name: {r!r} (expected e.g. v5.0)", field="round") from None
            rnd[rnd == r] = canon  # "2.0" is round v2.0 (its anchors are the catalog's "v2.0" results)
    target = np.where(rnd != "", rnd, bundle.latest_round)
    return _Rows(acc, counts, bench, nodes, default_nodes, target)


def _check_rounds(bundle: Bundle, rounds: np.ndarray) -> None:
    """Target rounds must lie within the catalog's rounds: before its first there is nothing to anchor the
    software trend, after its newest the trend would be extrapolated into software nobody has run."""
    given = []
    for r in pd.unique(pd.Series(rounds, dtype="string").dropna()):
        try:
            given.append(canonical_round(str(r)))
        except ValueError:
            continue  # not a round name: _rows says so
    if not given:
        return
    first = str(bundle.measured.loc[bundle.measured["_rk"].idxmin(), "round"])
    lo, hi = round_rank(first), round_rank(bundle.latest_round)
    for r in given:
        if not lo <= round_rank(r) <= hi:
            raise ScenarioError(f"{r} is outside the catalog's rounds ({first} to {bundle.latest_round}): the model "
                                "answers as of a round it has results around; leave it empty for the newest",
                                field="round")  # fmt: skip


def check_node_size(cat: Catalog, frame: pd.DataFrame) -> None:
    """A node layout no server has is refused: more accelerators per node than :func:`.training.most_per_node`
    (64 H100 SXM on 4 nodes, 16 per 8-GPU HGX node, was answered from an extrapolated node term)."""
    if "nodes" not in frame.columns:
        return  # the usual layout
    most = _most_per_node(cat)
    nodes = pd.to_numeric(frame["nodes"], errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    counts = pd.to_numeric(frame["accelerators"], errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    acc = frame["accelerator_id"].astype("string").fillna("").to_numpy(dtype=object)
    cap = lookup(acc, defaultdict(lambda: np.inf, most), float)
    with np.errstate(divide="ignore", invalid="ignore"):  # (other count and node errors: _rows says them)
        over = (nodes >= 1) & (counts <= MAX_PREDICT_ACCELERATORS) & (counts / nodes > cap + 1e-9)
    if over.any():
        i = int(np.flatnonzero(over)[0])
        where = f" (row {i})" if len(frame) > 1 else ""
        raise ScenarioError(f"{counts[i]:g} x {acc[i]} on {nodes[i]:g} node{'s' if nodes[i] != 1 else ''} puts "
                            f"{counts[i] / nodes[i]:g} on a node; the catalog's servers hold at most {cap[i]:g} of it "
                            f"per node{where}", field="nodes")


_most_per_node = per_catalog(maxsize=4)(most_per_node)


def predict(
    frame: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    workloads: list[CustomWorkload] | None = None,
    coverage: float = 0.8,
) -> pd.DataFrame:
    """Minutes to train for each row of ``frame``, with an interval and where the answer comes from (see the
    module docstring for the columns). ``benchmark`` may name one of ``workloads`` (custom workloads)."""
    if not isinstance(frame, pd.DataFrame):
        raise PredictInputError(f"predict() takes a pandas DataFrame, got {type(frame).__name__}", field="frame")
    if not isinstance(coverage, int | float) or not 0.0 < coverage < 1.0:
        raise ScenarioError(f"must be between 0 and 1, got {coverage!r}", field="coverage")
    missing = [c for c in ("accelerator_id", "accelerators", "benchmark") if c not in frame.columns]
    if missing:
        raise PredictInputError(f"predict() needs columns {missing}", field="frame")
    cat = _catalog(catalog)
    check_node_size(cat, frame)  # (before a first fit: a wrong layout is said at once)
    bundle = load_bundle(cat)
    if "round" in frame.columns:  # (``model evaluate`` asks a model fitted before a round about it: answer())
        _check_rounds(bundle, frame["round"].to_numpy(dtype=object))
    return answer(frame, bundle, cat, workloads=workloads, coverage=coverage)


def _custom_by_name(workloads: Any, benchmarks: set[str]) -> dict[str, CustomWorkload]:
    """The custom workloads by name: each a CustomWorkload, none named like another or like an MLPerf benchmark
    (a custom "bert" silently replaced the benchmark; of two with one name the last silently won)."""
    from recommender.models import CustomWorkload

    if workloads is None:
        return {}
    if isinstance(workloads, (str, bytes, CustomWorkload)) or not isinstance(workloads, Iterable):
        raise PredictInputError(f"workloads must be a list of CustomWorkload, not {type(workloads).__name__}")
    out: dict[str, CustomWorkload] = {}
    for i, w in enumerate(workloads):
        if not isinstance(w, CustomWorkload):
            raise PredictInputError(f"workloads[{i}] must be a CustomWorkload (recommender.models), "
                                    f"not {type(w).__name__}")  # fmt: skip
        if w.name in out:
            raise ScenarioError(f"a second custom workload named {w.name!r}", field=f"workloads[{i}]")
        if w.name in benchmarks:
            raise ScenarioError(f"{w.name!r} is an MLPerf benchmark; give the custom workload another name",
                                field=f"workloads[{i}]")
        out[w.name] = w
    return out


def answer(frame: pd.DataFrame, bundle: Bundle, cat: Catalog, *, workloads: list[CustomWorkload] | None = None,
           coverage: float = 0.8) -> pd.DataFrame:
    """:func:`predict` with a given fitted bundle (``recommender model evaluate`` scores exactly this)."""
    out = frame.copy()
    if len(frame) == 0:
        for c in PREDICT_COLUMNS:
            out[c] = pd.Series(dtype="float64" if c.startswith("minutes") else "string")
        return out
    custom = _custom_by_name(workloads, set(bundle.estimator.model_.benchmarks_))
    r = _rows(frame, bundle)
    _check_ids(bundle, r.acc, r.bench, custom)
    raw = _raw_answers(bundle, r, custom, coverage)
    model = bundle.estimator.model_
    mu, q_low, q_high, basis, source = _envelope(float(model.coef_[model.layout_.kappa]), bundle, coverage, r, raw)
    mem = bundle.memo.get("memory_gb")
    if mem is None:
        mem = bundle.memo["memory_gb"] = accelerator_memory_gb(cat)
    ok, why = fits(pd.DataFrame({"benchmark": r.bench, "accelerator_id": r.acc, "accelerators": r.counts}),
                   cat, workloads, memory_gb=mem)
    mu = np.where(ok, mu, np.nan)
    basis = np.where(ok, basis, "does_not_fit")
    source = np.where(ok, source, why)
    out["minutes"] = np.exp(mu)
    out["minutes_low"] = np.exp(mu - q_low)
    out["minutes_high"] = np.exp(mu + q_high)
    out["basis"] = pd.array(basis, dtype="string")
    out["source"] = pd.array(source, dtype="string")
    return out


def _raw_answers(bundle: Bundle, r: _Rows, custom: dict[str, CustomWorkload],
                 coverage: float) -> tuple[np.ndarray, ...]:
    """Model answers (log-minutes, half-width, basis, source) for every row, and the custom anchors."""
    n = len(r.acc)
    est = bundle.estimator
    mu, q = np.full(n, np.nan), np.full(n, np.nan)
    basis = np.full(n, "predicted", dtype=object)
    source = np.full(n, "model", dtype=object)
    is_custom = _isin(r.bench, list(custom)) if custom else np.zeros(n, dtype=bool)
    std = ~is_custom
    if std.any():
        X = pd.DataFrame({"benchmark": r.bench[std], "accelerator_id": r.acc[std], "accelerators": r.counts[std],
                          "nodes": r.nodes[std], "default_nodes": r.default_nodes[std], "round": r.round[std]})
        m, catg = est.model_.predict_log(X)
        mu[std], q[std] = m, est.interval_halfwidth(catg, coverage, r.bench[std])
        basis[std] = np.where(catg == 2, "specs_only", "predicted")
        labels = np.array(["model", "model (this accelerator has no result on this benchmark)", "model (specs only)",
                           "model"], dtype=object)  # (a reviewer read "no results on this benchmark" as none at all)
        source[std] = labels[catg]
    parts: list[pd.DataFrame] = []
    from recommender.models import custom_source  # not at import (as CustomWorkload above)

    for name, w in custom.items():
        rows = np.flatnonzero(is_custom & (r.bench == name))
        if len(rows) == 0:
            continue
        sub = {"acc": r.acc[rows], "counts": r.counts[rows], "nodes": r.nodes[rows],
               "default_nodes": r.default_nodes[rows], "round": r.round[rows]}
        mu[rows], q[rows], a, shape = predict_custom(est, w, bundle.per_node, bundle.latest_round, coverage, sub)
        source[rows] = custom_source(name, shape)
        parts.append(a)
    cols = ["accelerator_id", "benchmark", "target", "accelerators", "_raw", "_q", "_basis", "source"]
    anchors = pd.concat([p[cols] for p in parts], ignore_index=True) if parts else pd.DataFrame(columns=cols)
    names = {name: i for i, name in enumerate(custom)}
    if len(anchors):
        anchors["_code"] = (lookup(anchors["accelerator_id"].to_numpy(dtype=object), est.model_.acc_index_)
                            * len(names) + lookup(anchors["benchmark"].to_numpy(dtype=object), names))
    return mu, q, basis, source, is_custom, AnchorIndex(isotonic(anchors)), names


def _isin(values: np.ndarray, allowed: list[str]) -> np.ndarray:
    return pd.Series(values, dtype=object).isin(allowed).to_numpy()


_MEMO_LOCK = threading.Lock()


def catalog_anchors(bundle: Bundle, coverage: float, target: str) -> AnchorIndex:
    """Fitted anchors of every measured (accelerator, benchmark) at ``target``; computed once per bundle,
    coverage and target round (they do not depend on the rows asked)."""
    memo = bundle.memo
    key = ("anchors", float(coverage), str(target))
    with _MEMO_LOCK:
        hit = memo.get(key)
    if hit is not None:
        return hit
    est = bundle.estimator
    groups = bundle.measured[["accelerator_id", "benchmark"]].drop_duplicates().assign(target=str(target))
    a = anchor_table(bundle.measured, groups)
    a["_code"] = _codes(est.model_, a["accelerator_id"].to_numpy(dtype=object), a["benchmark"].to_numpy(dtype=object))
    if not a.empty:
        a = anchor_values(a, est.model_, est, coverage, bundle.measured)
        a["_model"] = est.model_.predict_log(a[["accelerator_id", "accelerators", "benchmark"]].assign(
            round=str(target)))[0]  # (the model's own figure there: :func:`.anchors.follow_anchors`)
        note = a["_note"].astype(str) if "_note" in a.columns else ""
        a["source"] = np.where(a["measured"], a["source"], "carried from " + a["source"].astype(str) + " · " + note)
    index = AnchorIndex(isotonic(a))
    with _MEMO_LOCK:
        memo[key] = index
    return index


def _scaling_slack(bundle: Bundle) -> float:
    """:func:`.anchors.scaling_slack` of the bundle's measured results, computed once per bundle."""
    with _MEMO_LOCK:
        hit = bundle.memo.get("scaling_slack")
    if hit is None:
        hit = scaling_slack(bundle.measured)
        with _MEMO_LOCK:
            bundle.memo["scaling_slack"] = hit
    return hit


def _codes(model, acc: np.ndarray, bench: np.ndarray) -> np.ndarray:
    """Integer group code of (accelerator, MLPerf benchmark): acc index x benchmarks + benchmark index."""
    nb = len(model.bench_index_)
    bi = lookup(bench, {**{b: -1 for b in pd.unique(bench)}, **model.bench_index_})
    return np.where(bi >= 0, lookup(acc, model.acc_index_) * nb + bi, -1)


def _envelope(kappa: float, bundle: Bundle, coverage: float, r: _Rows, raw: tuple[np.ndarray, ...]
              ) -> tuple[np.ndarray, ...]:
    """Rows at an anchor's count take the anchor (its basis, source and half-width); every row is clipped
    between its group's anchors, so answers are monotone in count. Anchors are on the usual node layout; a row
    on another layout than its anchor's system is moved by the model's node term and becomes ``predicted``.
    Returns log-minutes, the lower and upper half-widths (:func:`.anchors.bound_to_anchors`), basis, source."""
    mu, q, basis, source, is_custom, custom_index, names = raw
    row_spread = node_spread(r.nodes, r.default_nodes)
    extra = kappa * row_spread
    model = bundle.estimator.model_
    key = _codes(model, r.acc, r.bench)
    if is_custom.any():  # custom rows: accelerator index x workloads + workload index (their own anchor index)
        key[is_custom] = lookup(r.acc[is_custom], model.acc_index_) * len(names) + lookup(r.bench[is_custom], names)
    plain = mu - extra
    q_model = q.copy()
    q_low, q_high = q.copy(), q.copy()  # an interval's two half-widths (bounded by the anchors' ends)
    moved = np.zeros(len(mu), dtype=int)
    nearest = np.full(len(mu), "", dtype=object)  # the result bounding a model figure, or its nearest
    measured_on = np.full(len(mu), np.nan)  # nodes of the anchor's system where a row's layout differs from it
    same: list[tuple[np.ndarray, ...]] = []  # rows answered by a measurement of their own layout
    jobs = [(custom_index, is_custom)]
    slack = _scaling_slack(bundle)
    for t in pd.unique(r.round[~is_custom]):
        jobs.append((catalog_anchors(bundle, coverage, str(t)), (~is_custom) & (r.round == t)))
    for index, sel in jobs:
        rows = np.flatnonzero(sel)
        if len(rows) == 0 or len(index.mu) == 0:
            continue
        exact, prev, nxt = index.lookup(key[rows], r.counts[rows])
        hit = exact >= 0
        e, hr = exact[hit], rows[hit]
        plain[hr], q[hr], basis[hr], source[hr] = index.mu[e], index.q[e], index.basis[e], index.source[e]
        other = np.abs(index.spread[e] - row_spread[hr]) > 1e-9
        measured_on[hr[other]] = np.where(np.isnan(index.nodes[e[other]]), r.default_nodes[hr[other]],
                                          index.nodes[e[other]])
        wide = other & (row_spread[hr] > 1e-9)  # (the usual layout stays in the monotone envelope)
        if index is not custom_index and wide.any():  # that very layout measured in an earlier round?
            found, *exact_layout = _same_layout(bundle, coverage, r, hr[wide], row_spread)
            if len(found):
                same.append((found, *exact_layout))
                measured_on[found] = np.nan
        # fewer nodes than the system had, both at or under the usual node size: the node term sees no
        # difference, so the figure stands, but the source says how it was measured
        fewer = ~other & ~np.isnan(index.nodes[e]) & (index.nodes[e] != r.nodes[hr])
        if fewer.any():
            source[hr[fewer]] = [f"{s} (measured on {int(n)} node{'s' if n != 1 else ''})"
                                 for s, n in zip(source[hr[fewer]].astype(str), index.nodes[e[fewer]])]
        free = rows[~hit]  # (model figures: drawn through their group's results, then clipped)
        plain[free], shift, floor = follow_anchors(index, prev[~hit], nxt[~hit], plain[free], r.counts[free])
        q[free] = np.maximum(q[free], floor)
        source[free] = follow_sources(index, prev[~hit], nxt[~hit], shift, source[free])
        plain[rows], moved[rows] = clip_to_anchors(index, prev, nxt, plain[rows], r.counts[rows], slack)
        if index is not custom_index:
            nearest[rows] = result_notes(index, prev, nxt, r.counts[rows], moved[rows])
        keep = row_spread[rows] <= 1e-9  # (anchors are on the usual layout)
        usual = rows[keep]
        q_low[usual], q_high[usual] = bound_to_anchors(index, prev[keep], nxt[keep], plain[usual], q[usual])
    wide = row_spread > 1e-9  # not bounded by the usual layout's anchors: symmetric about their point
    q_low[wide], q_high[wide] = q[wide], q[wide]
    for found, raw_mu, raw_q, raw_basis, raw_source in same:  # (not clipped to the usual layout's anchors)
        plain[found], q[found], basis[found], source[found] = raw_mu, raw_q, raw_basis, raw_source
        q_low[found], q_high[found] = raw_q, raw_q
        moved[found] = 0
    _say_how_clipped(source, basis, moved, slack, nearest)
    relaid = ~np.isnan(measured_on) & _isin(basis, ["measured", "carried"])
    if relaid.any():  # the anchor's system had another layout: on this one it is the model's figure
        basis[relaid] = "predicted"
        q[relaid] = np.maximum(q[relaid], q_model[relaid])
        q_low[relaid], q_high[relaid] = q[relaid], q[relaid]
        source[relaid] = [f"{_layout_move(n, d)} ({s})" for s, n, d in  # (a derived figure: the move comes first)
                          zip(source[relaid].astype(str), r.nodes[relaid], measured_on[relaid])]
    return plain + extra, q_low, q_high, basis, source


def _say_how_clipped(source: np.ndarray, basis: np.ndarray, moved: np.ndarray, slack: float,
                     nearest: np.ndarray) -> None:
    """Model figures' sources (in place): which anchor bound moved them (:func:`.anchors.clip_to_anchors`) and
    that result, or, untouched, their group's nearest result (:func:`.anchors.result_notes`). The scaling limits
    are said in a buyer's words (a reviewer: "held to a larger count's result slowed in proportion to the count (at
    most x1.60 per halving beyond)" read as jargon): linear scaling, twice the accelerators for half the minutes,
    and the margin the catalog's best-scaling results beat it by."""
    model_rows = _isin(basis, ["predicted", "specs_only"])
    margin = f" allows, plus a margin of {np.exp(slack):.2f}x per {{}} (only 1 % of MLPerf results scale better)"
    faster = ", no faster than linear scaling (twice the accelerators, half the minutes) from "
    slower = ", no slower than linear scaling (half the accelerators, twice the minutes) from "
    # code -> (said without the bounding result, said before it, said after it)
    how = {1: (", capped by a smaller count's result", ", capped by a smaller count's result: ", ""),
           -1: (", floored by a larger count's result", ", floored by a larger count's result: ", ""),
           -2: (faster + "a smaller count's result", faster + "the result at ", margin.format("doubling")),
           2: (slower + "a larger count's result", slower + "the result at ", margin.format("halving")),
           0: ("", "; nearest result: ", "")}  # fmt: skip
    for code, (alone, before, after) in how.items():
        rows = model_rows & (moved == code) & ((nearest != "") | (code != 0))
        if rows.any():
            said = np.where(nearest[rows] != "", before + nearest[rows].astype(str), alone)
            source[rows] = source[rows].astype(str) + said + after


def _same_layout(bundle: Bundle, coverage: float, r: _Rows, rows: np.ndarray,
                 row_spread: np.ndarray) -> tuple[np.ndarray, ...]:
    """Rows spread over more nodes than usual whose own layout (same spread) was measured at their count, in
    their target round or an earlier one, though the count's anchor is another layout's (16 x A100 PCIe on 4
    nodes: Dell measured 4 nodes in v3.0, the anchor is Clemson's 8 nodes of v3.1): the latest such
    measurement, carried like an anchor. Returns (rows found, log-minutes on the usual layout, half-width,
    basis, source)."""
    want = pd.DataFrame({"_i": rows, "accelerator_id": r.acc[rows], "accelerators": r.counts[rows],
                         "benchmark": r.bench[rows], "target": r.round[rows], "_spread": row_spread[rows]})
    m = bundle.measured.merge(want, on=["accelerator_id", "accelerators", "benchmark"], how="inner")
    tk = np.array([round_rank(str(t)) for t in m["target"]], dtype=np.int64)
    m = m[(m["_rk"].to_numpy() <= tk) & (np.abs(m["spread"].to_numpy(dtype=float) - m["_spread"].to_numpy()) < 1e-9)]
    if m.empty:
        return (np.zeros(0, dtype=np.int64),) + (np.zeros(0),) * 2 + (np.zeros(0, dtype=object),) * 2
    m = m.sort_values("_rk", kind="stable").drop_duplicates("_i", keep="last").reset_index(drop=True)
    m["measured"] = (m["round"].astype(str) == m["target"].astype(str)).to_numpy()
    a = anchor_values(m, bundle.estimator.model_, bundle.estimator, coverage, bundle.measured)
    source = np.where(a["measured"], a["source"], "carried from " + a["source"].astype(str))
    return (a["_i"].to_numpy(dtype=np.int64), a["_raw"].to_numpy(dtype=float), a["_q"].to_numpy(dtype=float),
            a["_basis"].to_numpy(dtype=object), source.astype(object))


def _layout_move(nodes: float, measured_nodes: float) -> str:
    """How a result measured on ``measured_nodes`` nodes was moved to ``nodes`` (the source follows in brackets:
    ``model: gathered onto 1 node by its node term from the 2-node result (carried from v3.0 …)``)."""
    verb = "spread over" if nodes > measured_nodes else "gathered onto"
    unit = "node" if int(nodes) == 1 else "nodes"
    return f"model: {verb} {int(nodes)} {unit} by its node term from the {int(measured_nodes)}-node result"
