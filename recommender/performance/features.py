"""Accelerator spec features for the performance model (internal).

Every accelerator in the catalog's accelerator table gets a row of standardised, log-scaled datasheet
features, so an accelerator with no MLPerf results at all can still be predicted from its specs. Missing
datasheet figures (blank cells in ``accelerators.csv``) are imputed from the accelerator's other figures by
a small ridge regression fitted on the complete rows; a figure nobody can impute falls back to the median.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Spec features the model uses, in order. ``log_`` features are natural logs of the datasheet figure.
SPEC_FEATURES: list[str] = [
    "log_bf16_tflops",  # dense BF16/FP16 tensor peak
    "log_lowp_tflops",  # best dense low-precision peak usable for training: max(FP8, BF16)
    "log_fp4_gain",  # log(FP4 / low-precision peak) where FP4 exists, else 0
    "log_mem_bw_gbps",
    "log_mem_gb",
    "log_interconnect_gbps",
    "log_tdp_watts",
    "is_pcie",
    "is_tpu",
]

_RAW = {
    "log_bf16_tflops": "peak_fp16_bf16_dense_tflops",
    "log_mem_bw_gbps": "memory_bandwidth_gbps",
    "log_mem_gb": "memory_gb",
    "log_interconnect_gbps": "interconnect_gbps",
    "log_tdp_watts": "tdp_watts",
}


def _num(table: pd.DataFrame, column: str) -> np.ndarray:
    values = pd.to_numeric(table[column], errors="coerce").astype("float64").to_numpy(na_value=np.nan).copy()
    values[~(values > 0)] = np.nan
    return values


def raw_spec_features(accelerators: pd.DataFrame) -> pd.DataFrame:
    """Log-scaled datasheet features (unstandardised) with blanks imputed; one row per accelerator_id."""
    ids = accelerators["accelerator_id"].astype("string").to_numpy(dtype=object)
    logs = pd.DataFrame({name: np.log(_num(accelerators, col)) for name, col in _RAW.items()}, index=ids)
    logs = _impute(logs)
    bf16 = logs["log_bf16_tflops"].to_numpy()
    fp8 = np.log(_num(accelerators, "peak_fp8_dense_tflops"))
    lowp = np.where(np.isnan(fp8), bf16, np.fmax(fp8, bf16))
    fp4 = np.log(_num(accelerators, "peak_fp4_dense_tflops"))
    fp4_gain = np.where(np.isnan(fp4), 0.0, np.fmax(fp4 - lowp, 0.0))
    form = accelerators["form_factor"].astype("string").fillna("other").str.lower().to_numpy(dtype=object)
    out = pd.DataFrame(
        {
            "log_bf16_tflops": bf16,
            "log_lowp_tflops": lowp,
            "log_fp4_gain": fp4_gain,
            "log_mem_bw_gbps": logs["log_mem_bw_gbps"].to_numpy(),
            "log_mem_gb": logs["log_mem_gb"].to_numpy(),
            "log_interconnect_gbps": logs["log_interconnect_gbps"].to_numpy(),
            "log_tdp_watts": logs["log_tdp_watts"].to_numpy(),
            "is_pcie": (form == "pcie").astype(float),
            "is_tpu": (form == "tpu").astype(float),
        },
        index=pd.Index(ids, name="accelerator_id"),
    )
    return out[SPEC_FEATURES]


def _impute(logs: pd.DataFrame, alpha: float = 1.0) -> pd.DataFrame:
    """Fill each blank from the row's known features (ridge on the complete rows), else the column median."""
    values = logs.to_numpy(dtype=float).copy()
    complete = ~np.isnan(values).any(axis=1)
    filled = values.copy()
    medians = np.nanmedian(values, axis=0)
    for i in np.flatnonzero(~complete):
        known = ~np.isnan(values[i])
        for j in np.flatnonzero(~known):
            if known.any() and complete.sum() > known.sum() + 2:
                Xk = values[complete][:, known]
                yk = values[complete][:, j]
                mu, sd = Xk.mean(axis=0), Xk.std(axis=0) + 1e-9
                Z = (Xk - mu) / sd
                coef = np.linalg.solve(Z.T @ Z + alpha * np.eye(Z.shape[1]), Z.T @ (yk - yk.mean()))
                filled[i, j] = yk.mean() + ((values[i, known] - mu) / sd) @ coef
            else:
                filled[i, j] = medians[j]
    return pd.DataFrame(filled, index=logs.index, columns=logs.columns)


def standardise(raw: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """z-scores of the continuous features (indicators are left as 0/1); returns (frame, mean, scale)."""
    mean = raw.mean(axis=0).to_numpy().copy()
    scale = raw.std(axis=0, ddof=0).to_numpy().copy()
    is_flag = np.array([c.startswith("is_") for c in raw.columns])
    mean[is_flag] = 0.0
    scale[is_flag] = 1.0
    scale[scale == 0] = 1.0
    return (raw - mean) / scale, mean, scale
