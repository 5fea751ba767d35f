"""The two baselines ``recommender model evaluate`` compares the model with, its metrics and ranking regret."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from catalog.registry import round_key


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
def metrics(y: np.ndarray, pred: np.ndarray, low: np.ndarray | None, high: np.ndarray | None) -> dict[str, Any]:
    ok = np.isfinite(pred)
    n = len(y)
    if not ok.any():
        return {"n": n, "answered": 0, "mdape": np.nan, "mape": np.nan, "bias": np.nan, "coverage": np.nan}
    pe = (pred[ok] / y[ok] - 1.0) * 100.0  # signed: + = predicted slower than measured
    ape = np.abs(pe)
    cov = np.nan
    if low is not None and high is not None:
        cov = float(np.mean((y[ok] >= low[ok]) & (y[ok] <= high[ok])) * 100.0)
    return {"n": n, "answered": int(ok.sum()), "mdape": float(np.median(ape)), "mape": float(np.mean(ape)),
            "bias": float(np.median(pe)), "coverage": cov}


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


