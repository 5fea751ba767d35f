"""How accurate is the performance model? Grouped held-out splits, two baselines, ranking regret.

Splits (all on the catalog's scored closed-division results without re-submissions):

* ``leave-systems-out`` — grouped k-fold over systems (submitter + system id): a configuration nobody submitted
  on hardware that others did.
* ``leave-accelerators-out`` — grouped k-fold over accelerators: hardware with no MLPerf results at all
  (predicted from its datasheet).
* ``rounds<R / R`` — train on rounds before R, test on R, for the last three rounds: what a buyer asking about
  "today" gets, including accelerators that first appear in R.

Every method answers each held-out result; rows whose benchmark is absent from the training part cannot be
predicted by anyone and are reported as excluded. Methods:

* ``model`` — :class:`recommender.estimate.CalibratedPerformanceModel` fitted on the training part (its
  intervals calibrated on that part only).
* ``nearest-linear`` (baseline a) — the nearest measured count of the same accelerator and benchmark, scaled
  linearly by count (answers only rows whose accelerator was measured on that benchmark).
* ``flops-ratio`` (baseline b) — the nearest measured configuration of the accelerator with the most similar
  peak dense BF16 FLOPS (another accelerator), scaled linearly by count and by the peak-FLOPS ratio.

Metrics: MdAPE and MAPE of minutes (percent), interval coverage (model only), per benchmark and overall,
plus ``seen``/``unseen`` rows (accelerator measured in the training part or not), every method on exactly the
rows each baseline can answer (apples to apples), and the ranking regret:
among results of one benchmark at one accelerator count in one round with at least two accelerators, how much
slower the accelerator the method ranks fastest truly is than the truly fastest (mean over such groups).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

from catalog.registry import round_key
from recommender._perf_model import CATEGORIES
from recommender.estimate import CalibratedPerformanceModel, training_frame

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog

__all__ = [
    "METHODS",
    "SPLITS",
    "Evaluation",
    "baseline_flops_ratio",
    "baseline_nearest_linear",
    "evaluate",
    "ranking_regret",
    "split_indices",
]

SPLITS = ("leave-systems-out", "leave-accelerators-out", "forward")
METHODS = ("model", "nearest-linear", "flops-ratio")


@dataclass
class Evaluation:
    """The result of :func:`evaluate`: a tidy metrics table plus per-split notes."""

    coverage: float
    metrics: pd.DataFrame  # split, method, group, n, answered, mdape, mape, coverage
    regret: pd.DataFrame  # split, method, groups, mean_regret_pct, within_5pct
    notes: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    #: every held-out result with each method's prediction: split, benchmark, round, accelerator_id,
    #: accelerators, minutes (measured), model, model_low, model_high, nearest-linear, flops-ratio, seen
    predictions: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_dict(self) -> dict[str, Any]:
        def records(df: pd.DataFrame) -> list[dict[str, Any]]:
            out = []
            for rec in df.to_dict(orient="records"):
                out.append({k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in rec.items()})
            return out

        return {
            "coverage_target": self.coverage,
            "metrics": records(self.metrics),
            "regret": records(self.regret),
            "notes": self.notes,
            "seconds": round(self.seconds, 1),
        }


# ------------------------------------------------------------------------------------------ splits
def split_indices(train: pd.DataFrame, split: str, *, folds: int = 5,
                  rounds: int = 3) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, train_idx, test_idx) for one split family."""
    out: list[tuple[str, np.ndarray, np.ndarray]] = []
    if split == "leave-systems-out":
        g = (train["submitter"].astype("string") + "/" + train["system_id"].astype("string")).to_numpy(dtype=object)
        for tr, te in GroupKFold(n_splits=folds).split(train, groups=g):
            out.append(("leave-systems-out", tr, te))
    elif split == "leave-accelerators-out":
        g = train["accelerator_id"].astype("string").to_numpy(dtype=object)
        for tr, te in GroupKFold(n_splits=folds).split(train, groups=g):
            out.append(("leave-accelerators-out", tr, te))
    elif split == "forward":
        r = train["round"].astype("string").to_numpy(dtype=object)
        order = sorted(set(r), key=round_key)
        keys = [round_key(x) for x in r]
        for R in order[-rounds:]:
            tr = np.flatnonzero([k < round_key(R) for k in keys])
            te = np.flatnonzero(r == R)
            out.append((f"rounds<{R} / {R}", tr, te))
    else:
        raise ValueError(f"unknown split {split!r}; choose from {SPLITS}")
    return out


# --------------------------------------------------------------------------------------- baselines
def baseline_nearest_linear(train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    """(a) same accelerator and benchmark, nearest measured count (latest round on ties), linear in count."""
    pred = np.full(len(test), np.nan)
    tr = train.assign(_ln=np.log(train["accelerators"].astype("float64")), _rk=[round_key(str(x)) for x in train["round"]])
    groups = {k: g for k, g in tr.groupby(["accelerator_id", "benchmark"])}
    for i, (a, b, n) in enumerate(zip(test["accelerator_id"], test["benchmark"], test["accelerators"].astype("float64"))):
        g = groups.get((a, b))
        if g is None:
            continue
        d = np.abs(g["_ln"].to_numpy() - np.log(n))
        near = g[d <= d.min() + 1e-12]
        near = near[near["_rk"] == max(near["_rk"])]
        m = float(np.median(near["minutes"].astype("float64")))
        pred[i] = m * float(near["accelerators"].iloc[0]) / n
    return pred


def baseline_flops_ratio(train: pd.DataFrame, test: pd.DataFrame, accelerators: pd.DataFrame) -> np.ndarray:
    """(b) the other accelerator with the closest peak BF16 FLOPS measured on the benchmark, scaled by the
    FLOPS ratio and linearly by count (nearest count, latest round)."""
    flops = dict(zip(accelerators["accelerator_id"].astype("string"),
                     pd.to_numeric(accelerators["peak_fp16_bf16_dense_tflops"], errors="coerce").astype("float64")))
    pred = np.full(len(test), np.nan)
    tr = train.assign(_ln=np.log(train["accelerators"].astype("float64")), _rk=[round_key(str(x)) for x in train["round"]])
    by_bench = {b: g for b, g in tr.groupby("benchmark")}
    for i, (a, b, n) in enumerate(zip(test["accelerator_id"], test["benchmark"], test["accelerators"].astype("float64"))):
        g = by_bench.get(b)
        fa = flops.get(a, np.nan)
        if g is None or not np.isfinite(fa) or fa <= 0:
            continue
        g = g[g["accelerator_id"] != a]
        f = g["accelerator_id"].map(flops).astype("float64").to_numpy()
        ok = np.isfinite(f) & (f > 0)
        if not ok.any():
            continue
        g, f = g[ok], f[ok]
        df = np.abs(np.log(f) - np.log(fa))
        g = g[df <= df.min() + 1e-12]
        d = np.abs(g["_ln"].to_numpy() - np.log(n))
        near = g[d <= d.min() + 1e-12]
        near = near[near["_rk"] == max(near["_rk"])]
        m = float(np.median(near["minutes"].astype("float64")))
        fb = flops[str(near["accelerator_id"].iloc[0])]
        pred[i] = m * float(near["accelerators"].iloc[0]) / n * fb / fa
    return pred


# ------------------------------------------------------------------------------------------ metrics
def _metrics(y: np.ndarray, pred: np.ndarray, low: np.ndarray | None, high: np.ndarray | None) -> dict[str, Any]:
    ok = np.isfinite(pred)
    n = len(y)
    if not ok.any():
        return {"n": n, "answered": 0, "mdape": np.nan, "mape": np.nan, "coverage": np.nan}
    ape = np.abs(pred[ok] / y[ok] - 1.0) * 100.0
    cov = np.nan
    if low is not None and high is not None:
        cov = float(np.mean((y[ok] >= low[ok]) & (y[ok] <= high[ok])) * 100.0)
    return {"n": n, "answered": int(ok.sum()), "mdape": float(np.median(ape)), "mape": float(np.mean(ape)),
            "coverage": cov}


def ranking_regret(test: pd.DataFrame, pred: np.ndarray) -> tuple[int, float, float]:
    """(groups, mean regret %, % of groups within 5 %) over (round, benchmark, count) groups with >= 2
    accelerators that the method answered for every accelerator."""
    df = pd.DataFrame({"round": test["round"].to_numpy(dtype=object), "benchmark": test["benchmark"].to_numpy(dtype=object),
                       "n": test["accelerators"].to_numpy(dtype=float), "acc": test["accelerator_id"].to_numpy(dtype=object),
                       "y": test["minutes"].to_numpy(dtype=float), "p": pred})
    regrets = []
    for _, g in df.groupby(["round", "benchmark", "n"]):
        per = g.groupby("acc").agg(y=("y", "min"), p=("p", "mean"))
        if len(per) < 2 or per["p"].isna().any():
            continue
        chosen = per["p"].idxmin()
        regrets.append(per.loc[chosen, "y"] / per["y"].min() - 1.0)
    if not regrets:
        return 0, float("nan"), float("nan")
    r = np.array(regrets) * 100.0
    return len(r), float(r.mean()), float(np.mean(r <= 5.0) * 100.0)


# -------------------------------------------------------------------------------------------- driver
def evaluate(
    catalog: Catalog | None = None,
    *,
    splits: tuple[str, ...] = SPLITS,
    coverage: float = 0.8,
    folds: int = 5,
    rounds: int = 3,
    model_params: dict[str, Any] | None = None,
    benchmarks: list[str] | None = None,
) -> Evaluation:
    """Evaluate the model and both baselines on grouped held-out splits (see the module docstring).

    ``model_params`` go to :class:`~recommender.estimate.CalibratedPerformanceModel` (e.g. fewer calibration
    folds for a quick run); ``benchmarks`` restricts the data (for small test runs).
    """
    if catalog is None:
        import catalog as catalog_pkg

        catalog = catalog_pkg.load()
    t_start = time.perf_counter()
    data = training_frame(catalog)
    if benchmarks is not None:
        data = data[data["benchmark"].isin(benchmarks)].reset_index(drop=True)
    y_all = data["minutes"].astype("float64").to_numpy()
    rows: list[dict[str, Any]] = []
    reg_rows: list[dict[str, Any]] = []
    held_out: list[pd.DataFrame] = []
    notes: dict[str, str] = {}
    params = {"system_folds": 4, "accelerator_folds": 4, **(model_params or {})}
    for family in splits:
        parts = split_indices(data, family, folds=folds, rounds=rounds)
        collected: dict[str, list[pd.DataFrame]] = {}
        for name, tr, te in parts:
            train, test = data.iloc[tr], data.iloc[te]
            known = test["benchmark"].isin(set(train["benchmark"]))
            if (~known).any():
                dropped = test.loc[~known, "benchmark"].value_counts()
                msg = ", ".join(f"{b} ({n})" for b, n in dropped.items())
                notes[name] = notes.get(name, "") + f"excluded, benchmark absent from training: {msg}. "
            test = test[known]
            te = te[known.to_numpy()]
            if test.empty or train.empty:
                continue
            est = CalibratedPerformanceModel(catalog.accelerators, **params).fit(train, y_all[tr])
            mu, cat = est.model_.predict_log(test)
            q = est.interval_halfwidth(cat, coverage, test["benchmark"].astype("string").to_numpy(dtype=object))
            frame = pd.DataFrame({
                "split": name,
                "benchmark": test["benchmark"].to_numpy(dtype=object),
                "round": test["round"].to_numpy(dtype=object),
                "accelerator_id": test["accelerator_id"].to_numpy(dtype=object),
                "accelerators": test["accelerators"].to_numpy(dtype=float),
                "minutes": y_all[te],
                "seen": cat != CATEGORIES.index("unseen_accelerator"),
                "category": np.array(CATEGORIES, dtype=object)[cat],
                "model": np.exp(mu), "model_low": np.exp(mu - q), "model_high": np.exp(mu + q),
                "nearest-linear": baseline_nearest_linear(train, test),
                "flops-ratio": baseline_flops_ratio(train, test, catalog.accelerators),
            })
            split_key = name if family == "forward" else family
            collected.setdefault(split_key, []).append(frame)
        for split_key, frames in collected.items():
            f = pd.concat(frames, ignore_index=True)
            held_out.append(f.assign(split=split_key))
            y = f["minutes"].to_numpy()
            groups: list[tuple[str, np.ndarray]] = [("all", np.ones(len(f), dtype=bool)),
                                                   ("seen accelerators", f["seen"].to_numpy()),
                                                   ("unseen accelerators", ~f["seen"].to_numpy())]
            # apples to apples: every method on exactly the rows a baseline could answer
            groups += [("rows nearest-linear answers", np.isfinite(f["nearest-linear"].to_numpy(dtype=float))),
                       ("rows flops-ratio answers", np.isfinite(f["flops-ratio"].to_numpy(dtype=float)))]
            groups += [(f"benchmark {b}", (f["benchmark"] == b).to_numpy()) for b in sorted(f["benchmark"].unique())]
            for method in METHODS:
                p = f[method].to_numpy(dtype=float)
                lo = f["model_low"].to_numpy() if method == "model" else None
                hi = f["model_high"].to_numpy() if method == "model" else None
                for gname, mask in groups:
                    if not mask.any():
                        continue
                    m = _metrics(y[mask], p[mask], None if lo is None else lo[mask], None if hi is None else hi[mask])
                    rows.append({"split": split_key, "method": method, "group": gname, **m})
                ng, mean_r, within = ranking_regret(f.rename(columns={}), p)
                reg_rows.append({"split": split_key, "method": method, "groups": ng,
                                 "mean_regret_pct": mean_r, "within_5pct": within})
    metrics = pd.DataFrame(rows, columns=["split", "method", "group", "n", "answered", "mdape", "mape", "coverage"])
    regret = pd.DataFrame(reg_rows, columns=["split", "method", "groups", "mean_regret_pct", "within_5pct"])
    predictions = pd.concat(held_out, ignore_index=True) if held_out else pd.DataFrame()
    return Evaluation(coverage=coverage, metrics=metrics, regret=regret, notes=notes,
                      seconds=time.perf_counter() - t_start, predictions=predictions)
