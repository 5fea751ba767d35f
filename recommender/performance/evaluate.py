"""How accurate is :func:`recommender.predict`? Grouped held-out splits, two baselines, ranking regret.

Every figure scores the answers :func:`~recommender.performance.answers.predict` gives (bases, monotone envelope,
intervals, memory fit) with a model fitted on the training part only — never the raw model, never training rows.

Splits (the catalog's scored closed-division results without re-submissions):

* ``rounds<R / R`` — train on rounds before R, test on R, for the last ``rounds`` rounds; the last one
  (train < v5.1 / test v5.1 with the shipped catalog) is the **final test**, reported once: the model's
  hyperparameters were chosen on forward splits ending one round earlier (:mod:`.tuning`).
* ``leave-systems-out`` — grouped k-fold over systems (submitter + system id), one fit per fold. Rows whose
  configuration (accelerator, count, benchmark, round) another system measured in the training part are
  *replicates* (answered ``measured``: exactly these rows) and reported apart from *new configurations*.
* ``leave-accelerators-out`` — grouped k-fold over accelerators: hardware with no MLPerf results (specs only).
* ``first appearances v1.0–<latest>`` — for every round R, the results of accelerators whose first MLPerf result
  is in R, predicted from rounds before R (``specs_only``): how a brand-new generation is answered.
* ``custom workload`` — for each benchmark new in the final round (e.g. ``llama31_8b``, ``flux1``), with the model
  fitted on the rounds before (so without that benchmark): a custom workload made from one of its results
  predicts the other results of the round; every result serves once as the anchor. Twice: the workload states
  its task (the registry's, as a user knows what they train: :data:`CUSTOM_KEY`, the "Must show" figure) and
  it does not (:data:`CUSTOM_NO_TASK_KEY`).

``until=R`` (``recommender model evaluate --until v5.0``) first drops every catalog result of a round after R
(:func:`catalog_until`): every family above then ends at R — a **development evaluation** on which settings may
be chosen, labelled so (:func:`split_label`); without it the last forward split is the final test.

:func:`must_show` picks issue 11's "Must show" figures (with their goals) out of the metrics; the CLI prints
them first. Methods: ``model`` (predict), ``nearest-linear`` (baseline a) and ``flops-ratio`` (baseline b) — see
:mod:`.baselines`. Metrics: MdAPE and MAPE of minutes (percent), interval coverage (model only) per group:
all, seen accelerators, first appearances (accelerator absent from the training part), above 64 accelerators,
each basis, new configurations / replicates, the rows each baseline answers, each benchmark.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

from catalog.registry import BENCHMARKS, round_key
from recommender.performance.answers import answer
from recommender.performance.baselines import (
    baseline_flops_ratio,
    baseline_nearest_linear,
    metrics,
    ranking_regret,
)
from recommender.performance.basis import node_spread
from recommender.performance.estimators import CalibratedPerformanceModel
from recommender.performance.store import Bundle, predict_only
from recommender.performance.training import measured_table, per_node_counts, training_frame
from recommender.performance.tuned import tuned_params

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog

__all__ = ["METHODS", "SPLITS", "Evaluation", "catalog_until", "evaluate", "must_show", "split_indices"]

SPLITS = ("forward", "leave-systems-out", "leave-accelerators-out", "first-appearances", "custom")
METHODS = ("model", "nearest-linear", "flops-ratio")
BASES = ("measured", "carried", "predicted", "specs_only")
FINAL_TAG = " (final test)"
#: the custom-workload splits: the workload states its task (what a user knows; the "Must show" figure), or not
CUSTOM_KEY = "custom workload (one result of a new benchmark; its task given)"
CUSTOM_NO_TASK_KEY = "custom workload, task not given (one result of a new benchmark)"
DEV_TAG = " (development test)"


def split_label(until: str | None) -> str:
    """What an evaluation is: the final test (all rounds) or a development evaluation ending at ``until``."""
    if until is None:
        return "final test: train on the rounds before the catalog's latest, test on the latest"
    return f"development evaluation, rounds ≤ {until}; not the final test"


def catalog_until(catalog: Catalog, until: str) -> Catalog:
    """The catalog without any result of a round after ``until`` (its fingerprint marks the cut)."""
    from catalog.registry import round_years
    from recommender.errors import ScenarioError

    try:
        round_years(until)
    except ValueError:
        raise ScenarioError(f"not a round name: {until!r} (expected e.g. v5.0)", field="until") from None
    res = catalog.results
    keep = res["round"].astype("string").fillna("").map(lambda r: bool(r) and round_key(r) <= round_key(until))
    return dataclasses.replace(catalog, results=res[keep.to_numpy(dtype=bool)].reset_index(drop=True),
                               fingerprint=f"{catalog.fingerprint}-until-{until}")


@dataclass
class Evaluation:
    """The result of :func:`evaluate`: a tidy metrics table plus per-split notes."""

    coverage: float
    metrics: pd.DataFrame  # split, method, group, n, answered, mdape, mape, coverage
    regret: pd.DataFrame  # split, method, groups, mean_regret_pct, within_5pct
    notes: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    #: the last round kept (a development evaluation) or None (the final test)
    until: str | None = None
    #: every held-out result with each method's answer: split, benchmark, round, accelerator_id, accelerators,
    #: minutes (measured), model, model_low, model_high, basis, nearest-linear, flops-ratio, seen, ...
    predictions: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_dict(self) -> dict[str, Any]:
        def records(df: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in rec.items()}
                    for rec in df.to_dict(orient="records")]

        return {"evaluation": split_label(self.until), "until": self.until,
                "coverage_target": self.coverage, "must_show": records(must_show(self.metrics)),
                "metrics": records(self.metrics), "regret": records(self.regret),
                "notes": self.notes, "seconds": round(self.seconds, 1)}


#: issue 11's "Must show" figures: (label, split (prefix), group, metric the goal applies to, low, high)
_MUST = [
    ("MdAPE, accelerators seen in training", "final", "seen accelerators", "mdape", None, 5.0),
    ("MdAPE, first appearances", "final", "first appearances", "mdape", None, 12.0),
    ("MdAPE, above 64 accelerators", "final", "above 64 accelerators", "mdape", None, 12.0),
    ("coverage, basis measured (systems held out)", "leave-systems-out", "basis measured", "coverage", 75.0, 85.0),
    ("coverage, basis carried", "final", "basis carried", "coverage", 75.0, 85.0),
    ("coverage, basis predicted", "final", "basis predicted", "coverage", 75.0, 85.0),
    ("coverage, basis specs_only", "final", "basis specs_only", "coverage", 75.0, 85.0),
    ("coverage, specs_only over every first appearance", "first appearances", "basis specs_only", "coverage",
     75.0, 85.0),
    ("custom workload from one result: MdAPE", CUSTOM_KEY, "all", "mdape", None, 12.0),
    ("custom workload from one result: coverage", CUSTOM_KEY, "all", "coverage", 75.0, 85.0),
    ("systems held out: new configurations", "leave-systems-out", "new configurations", None, None, None),
    ("systems held out: replicates", "leave-systems-out", "replicates", None, None, None),
]


def must_show(metrics: pd.DataFrame) -> pd.DataFrame:
    """The issue's "Must show" figures from an evaluation's metrics (the model's rows): figure, split, n,
    mdape, bias (median signed % error: + = the answers are slower than measured), coverage, goal and met
    (None where a split was not run or the figure has no goal)."""
    m = metrics[metrics["method"] == "model"] if len(metrics) else metrics
    out = []
    for label, split, group, metric, lo, hi in _MUST:
        if split == "final":
            last = m["split"].str.endswith(FINAL_TAG) | m["split"].str.endswith(DEV_TAG)
            hit = m[last & (m["group"] == group)]
        else:
            hit = m[m["split"].str.startswith(split) & (m["group"] == group)]
        goal = "" if metric is None else (f"≤ {hi:g} %" if lo is None else f"{lo:g}–{hi:g} %")
        row = {"figure": label, "split": "", "n": 0, "mdape": np.nan, "bias": np.nan, "coverage": np.nan,
               "goal": goal, "met": None}
        if len(hit):
            r = hit.iloc[0]
            row.update(split=str(r["split"]), n=int(r["n"]), mdape=float(r["mdape"]),
                       bias=float(r.get("bias", np.nan)), coverage=float(r["coverage"]))
            if metric is not None and np.isfinite(row[metric]):
                v = row[metric]
                row["met"] = bool(v <= hi and (lo is None or v >= lo))
        out.append(row)
    return pd.DataFrame(out, columns=["figure", "split", "n", "mdape", "bias", "coverage", "goal", "met"])


# ------------------------------------------------------------------------------------------ splits
def split_indices(train: pd.DataFrame, split: str, *, folds: int = 5,
                  rounds: int = 3) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, train_idx, test_idx) for one split family."""
    out: list[tuple[str, np.ndarray, np.ndarray]] = []
    if split in ("leave-systems-out", "leave-accelerators-out"):
        g = (train["submitter"].astype("string") + "/" + train["system_id"].astype("string")
             if split == "leave-systems-out" else train["accelerator_id"].astype("string")).to_numpy(dtype=object)
        for tr, te in GroupKFold(n_splits=folds).split(train, groups=g):
            out.append((split, tr, te))
    elif split in ("forward", "first-appearances"):
        r = train["round"].astype("string").to_numpy(dtype=object)
        order = sorted(set(r), key=round_key)
        keys = [round_key(x) for x in r]
        chosen = order[-rounds:] if split == "forward" else order[1:]
        for R in chosen:
            tr = np.flatnonzero([k < round_key(R) for k in keys])
            te = np.flatnonzero(r == R)
            if split == "first-appearances":
                te = te[~train["accelerator_id"].iloc[te].isin(set(train["accelerator_id"].iloc[tr])).to_numpy()]
            out.append((f"rounds<{R} / {R}", tr, te))
    else:
        raise ValueError(f"unknown split {split!r}; choose from {SPLITS}")
    return out


def fit_bundle_on(train: pd.DataFrame, catalog: Catalog, params: dict[str, Any]) -> Bundle:
    """The bundle :func:`predict` would use had the catalog held only ``train``."""
    est = CalibratedPerformanceModel(catalog.accelerators, **params).fit(train, train["minutes"].astype("float64"))
    latest = max(train["round"].astype(str), key=round_key)
    return Bundle(version=0, fingerprint="evaluation", estimator=predict_only(est), measured=measured_table(train),
                  per_node=per_node_counts(catalog), latest_round=latest,
                  accelerators=[str(a) for a in catalog.accelerators["accelerator_id"]])


def _answer_rows(name: str, train: pd.DataFrame, test: pd.DataFrame, bundle: Bundle, catalog: Catalog,
                 coverage: float) -> pd.DataFrame:
    # each result asked at its own node layout (a 2 x 4-card system is not one 8-card server)
    q = test.reindex(columns=["accelerator_id", "accelerators", "benchmark", "round", "nodes"]).reset_index(drop=True)
    out = answer(q, bundle, catalog, coverage=coverage)
    q = q.drop(columns="nodes")
    seen = set(train["accelerator_id"])
    # a replicate: its configuration was scored in training in the same round, on the layout that represents it
    # there (the usual one when the round has any; see measured_table) — exactly what answers `measured`
    rep = measured_table(train)
    conf = set(zip(rep["accelerator_id"], rep["accelerators"].astype(int), rep["benchmark"], rep["round"],
                   rep["spread"].round(9)))
    spread = node_spread(test["nodes"].to_numpy(dtype=float), test["default_nodes"].to_numpy(dtype=float)) \
        if {"nodes", "default_nodes"} <= set(test.columns) else np.zeros(len(test))
    return pd.DataFrame({
        "split": name,
        "benchmark": q["benchmark"].to_numpy(dtype=object), "round": q["round"].to_numpy(dtype=object),
        "accelerator_id": q["accelerator_id"].to_numpy(dtype=object),
        "accelerators": q["accelerators"].to_numpy(dtype=float),
        "minutes": test["minutes"].astype(float).to_numpy(),
        "model": out["minutes"].to_numpy(dtype=float), "model_low": out["minutes_low"].to_numpy(dtype=float),
        "model_high": out["minutes_high"].to_numpy(dtype=float), "basis": out["basis"].to_numpy(dtype=object),
        "seen": q["accelerator_id"].isin(seen).to_numpy(),
        "replicate": np.array([(a, int(n), b, r, round(float(sp), 9)) in conf
                               for (a, n, b, r), sp in zip(q.itertuples(index=False), spread)], dtype=bool),
        "nearest-linear": baseline_nearest_linear(train, test),
        "flops-ratio": baseline_flops_ratio(train, test, catalog.accelerators),
    })


def _groups(f: pd.DataFrame, family: str) -> list[tuple[str, np.ndarray]]:
    seen = f["seen"].to_numpy(dtype=bool)
    g: list[tuple[str, np.ndarray]] = [("all", np.ones(len(f), dtype=bool)), ("seen accelerators", seen),
                                       ("first appearances", ~seen),
                                       ("above 64 accelerators", f["accelerators"].to_numpy() > 64)]
    g += [(f"basis {b}", (f["basis"] == b).to_numpy()) for b in BASES]
    if family == "leave-systems-out":
        g += [("new configurations", ~f["replicate"].to_numpy(dtype=bool)),
              ("replicates", f["replicate"].to_numpy(dtype=bool))]
    g += [("rows nearest-linear answers", np.isfinite(f["nearest-linear"].to_numpy(dtype=float))),
          ("rows flops-ratio answers", np.isfinite(f["flops-ratio"].to_numpy(dtype=float)))]
    g += [(f"benchmark {b}", (f["benchmark"] == b).to_numpy()) for b in sorted(f["benchmark"].unique())]
    return g


def _score(split_key: str, f: pd.DataFrame, family: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows, reg = [], []
    y = f["minutes"].to_numpy()
    methods = METHODS if family != "custom" else ("model",)
    for method in methods:
        p = f[method].to_numpy(dtype=float)
        lo = f["model_low"].to_numpy() if method == "model" else None
        hi = f["model_high"].to_numpy() if method == "model" else None
        for gname, mask in _groups(f, family):
            if mask.any():
                m = metrics(y[mask], p[mask], None if lo is None else lo[mask], None if hi is None else hi[mask])
                rows.append({"split": split_key, "method": method, "group": gname, **m})
        ng, mean_r, within = ranking_regret(f, p)
        reg.append({"split": split_key, "method": method, "groups": ng, "mean_regret_pct": mean_r,
                    "within_5pct": within})
    return rows, reg


def evaluate(
    catalog: Catalog | None = None,
    *,
    splits: tuple[str, ...] = SPLITS,
    coverage: float = 0.8,
    folds: int = 5,
    rounds: int = 3,
    model_params: dict[str, Any] | None = None,
    benchmarks: list[str] | None = None,
    until: str | None = None,
    progress: Any = None,
) -> Evaluation:
    """Evaluate :func:`predict` and both baselines on grouped held-out splits (see the module docstring).

    ``model_params`` go to :class:`~recommender.performance.estimators.CalibratedPerformanceModel` on top of the
    searched ones (e.g. fewer calibration folds for a quick run); ``benchmarks`` restricts the data (tests);
    ``until`` drops every result after that round (a development evaluation, see :func:`catalog_until`).
    ``progress(message)`` is called before each fit.
    """
    if catalog is None:
        import catalog as catalog_pkg

        catalog = catalog_pkg.load()
    if until is not None:
        catalog = catalog_until(catalog, until)
    t_start = time.perf_counter()
    data = training_frame(catalog)
    if benchmarks is not None:
        data = data[data["benchmark"].isin(benchmarks)].reset_index(drop=True)
    params = {**tuned_params(), **(model_params or {})}
    all_rows: list[dict[str, Any]] = []
    all_reg: list[dict[str, Any]] = []
    held_out: list[pd.DataFrame] = []
    notes: dict[str, str] = {}
    bundles: dict[str, Bundle] = {}  # forward fits, reused by first appearances and custom workloads
    for family in [s for s in SPLITS if s in splits]:
        if family == "custom":
            collected = {}
            for key, with_task in ((CUSTOM_KEY, True), (CUSTOM_NO_TASK_KEY, False)):
                frames = _custom_family(data, catalog, params, coverage, bundles, progress, with_task=with_task)
                if frames:
                    collected[key] = frames
            if not collected:
                last = max(data["round"].astype(str), key=round_key) if len(data) else "—"
                notes[CUSTOM_KEY] = f"not run: no benchmark has its first result in {last} (the last round kept)."
        else:
            collected = _family(family, data, catalog, params, coverage, folds, rounds, bundles, notes, progress,
                                FINAL_TAG if until is None else DEV_TAG)
        for split_key, fr in collected.items():
            f = pd.concat(fr, ignore_index=True)
            if f.empty:
                continue
            held_out.append(f.assign(split=split_key))
            r, g = _score(split_key, f, family)
            all_rows += r
            all_reg += g
    met = pd.DataFrame(all_rows, columns=["split", "method", "group", "n", "answered", "mdape", "mape", "bias",
                                          "coverage"])
    regret = pd.DataFrame(all_reg, columns=["split", "method", "groups", "mean_regret_pct", "within_5pct"])
    predictions = pd.concat(held_out, ignore_index=True) if held_out else pd.DataFrame()
    return Evaluation(coverage=coverage, metrics=met, regret=regret, notes=notes,
                      seconds=time.perf_counter() - t_start, predictions=predictions, until=until)


def _family(family: str, data: pd.DataFrame, catalog: Catalog, params: dict[str, Any], coverage: float,
            folds: int, rounds: int, bundles: dict[str, Bundle], notes: dict[str, str],
            progress: Any, last_tag: str = FINAL_TAG) -> dict[str, list[pd.DataFrame]]:
    collected: dict[str, list[pd.DataFrame]] = {}
    latest = max(data["round"].astype(str), key=round_key)
    for i, (name, tr, te) in enumerate(split_indices(data, family, folds=folds, rounds=rounds)):
        train, test = data.iloc[tr], data.iloc[te]
        known = test["benchmark"].isin(set(train["benchmark"]))
        if (~known).any() and family != "first-appearances":
            dropped = test.loc[~known, "benchmark"].value_counts()
            notes[name] = notes.get(name, "") + "excluded, benchmark absent from training: " + ", ".join(
                f"{b} ({n})" for b, n in dropped.items()) + ". "
        test = test[known]
        if test.empty or train.empty:
            continue
        # one fit per fold (forward and first-appearance splits of the same round share theirs)
        cache_key = name if family in ("forward", "first-appearances") else f"{family}:fold {i}"
        if cache_key not in bundles:
            if progress is not None:
                progress(f"evaluating: fitting for {family} {name}…")
            bundles[cache_key] = fit_bundle_on(train, catalog, params)
        f = _answer_rows(name, train, test, bundles[cache_key], catalog, coverage)
        if family == "forward":
            key = name + (last_tag if name.endswith(f"/ {latest}") else "")
        elif family == "first-appearances":
            key = f"first appearances v1.0–{latest}"
        else:
            key = family
        collected.setdefault(key, []).append(f)
    return collected


def _custom_family(data: pd.DataFrame, catalog: Catalog, params: dict[str, Any], coverage: float,
                   bundles: dict[str, Bundle], progress: Any, *, with_task: bool = True) -> list[pd.DataFrame]:
    """One result of each benchmark new in the latest round as a custom workload; the rest of that round's
    results of the benchmark are the held-out rows (each result is the anchor once). ``with_task``: the workload
    states its task (the registry's, e.g. "text-to-image"), as a user knows what they train; without it the
    shape is the mix of every benchmark."""
    from recommender.models import CustomWorkload, Measurement

    latest = max(data["round"].astype(str), key=round_key)
    before = data[data["round"].astype(str).map(round_key) < round_key(latest)]
    new = sorted(set(data.loc[data["round"] == latest, "benchmark"]) - set(before["benchmark"]))
    if not new or before.empty:
        return []
    name = f"rounds<{latest} / {latest}"
    if name not in bundles:
        if progress is not None:
            progress(f"evaluating: fitting for {name}…")
        bundles[name] = fit_bundle_on(before, catalog, params)
    frames = []
    for b in new:
        task = BENCHMARKS[b].task if (with_task and b in BENCHMARKS) else None
        rows = data[(data["benchmark"] == b) & (data["round"] == latest)].reset_index(drop=True)
        for i in range(len(rows)):
            w = CustomWorkload(name=f"custom-{b}", task=task, measurements=[Measurement(
                accelerator_id=str(rows.loc[i, "accelerator_id"]), accelerators=int(rows.loc[i, "accelerators"]),
                minutes=float(rows.loc[i, "minutes"]))])
            rest = rows.drop(index=i)
            q = rest[["accelerator_id", "accelerators"]].assign(benchmark=w.name, round=latest)
            out = answer(q, bundles[name], catalog, workloads=[w], coverage=coverage)
            keep = (out["basis"] != "measured").to_numpy()  # the anchor's own configuration is not held out
            frames.append(pd.DataFrame({
                "split": "custom", "benchmark": b, "round": latest,
                "accelerator_id": rest["accelerator_id"].to_numpy(dtype=object)[keep],
                "accelerators": rest["accelerators"].to_numpy(dtype=float)[keep],
                "minutes": rest["minutes"].astype(float).to_numpy()[keep],
                "model": out["minutes"].to_numpy(dtype=float)[keep],
                "model_low": out["minutes_low"].to_numpy(dtype=float)[keep],
                "model_high": out["minutes_high"].to_numpy(dtype=float)[keep],
                "basis": out["basis"].to_numpy(dtype=object)[keep],
                "seen": rest["accelerator_id"].isin(set(before["accelerator_id"])).to_numpy()[keep],
                "replicate": False, "nearest-linear": np.nan, "flops-ratio": np.nan}))
    return frames
