"""The fitted model on disk — as data, never as code (no pickle).

The cache file is one JSON document: parameters, lookup tables and, for every array, its dtype, shape and the
raw little-endian bytes in base64. Loading rebuilds the predict-only model from an allow-list of classes and
checks the format version, the catalog fingerprint, every array's dtype kind (numbers and booleans only) and
the shapes that must agree (coefficients vs. the parameter layout, tables vs. the accelerator list). A file
that fails any check — corrupt, foreign or planted — is refitted, never executed: ``json`` cannot run code.

Location: ``$MLPERF_RECOMMENDER_CACHE``, else ``~/.cache/mlperf-recommender``; written with the project's
one atomic writer (:func:`catalog.atomic.write_text_atomic`).
"""

from __future__ import annotations

import base64
import json
import math
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from catalog.atomic import write_text_atomic
from recommender.errors import ModelError
from recommender.performance.calibration import CalibratedPerformanceModelCore
from recommender.performance.core import Layout, PerformanceModelCore
from recommender.performance.model_key import MODEL_VERSION, cache_dir, model_key
from recommender.performance.training import measured_table, per_node_counts, training_frame

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog

FORMAT = "mlperf-recommender/performance-model"
_ALLOWED_KINDS = set("fiub")  # float, int, unsigned, bool arrays only


def cache_path(fingerprint: str) -> Path:
    return cache_dir() / f"performance-model-{model_key(fingerprint)}.json"


@dataclass
class Bundle:
    """What the disk cache holds: the fitted model plus the lookup tables predict needs."""

    version: int
    fingerprint: str
    estimator: CalibratedPerformanceModelCore  # predict-only form (no scikit-learn needed to load it)
    measured: pd.DataFrame  # one row per (accelerator_id, accelerators, benchmark, round): minutes, source
    per_node: dict[str, int]
    latest_round: str
    accelerators: list[str]
    memo: dict[Any, Any] = field(default_factory=dict)  # per-process results derived from the model (not stored)


# ----------------------------------------------------------------------------------------- encoding
def _enc(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        if v.dtype.kind == "O":
            return {"$strs": [str(x) for x in v.tolist()]}
        a = np.ascontiguousarray(v)
        return {"$nd": a.dtype.newbyteorder("<").str, "shape": list(a.shape),
                "b64": base64.b64encode(a.astype(a.dtype.newbyteorder("<")).tobytes()).decode("ascii")}
    if isinstance(v, pd.DataFrame):
        return {"$frame": {str(c): _enc(_col(v[c])) for c in v.columns},
                "index": [str(x) for x in v.index], "order": [str(c) for c in v.columns]}
    if isinstance(v, Layout):
        return {"$layout": {"benches": v.benches, "accs": v.accs, "pairs": [list(p) for p in v.pairs],
                            "subs": v.subs}}
    if isinstance(v, PerformanceModelCore | CalibratedPerformanceModelCore):
        return {"$obj": type(v).__name__.replace("Core", "") + "Core",
                "state": {k: _enc(x) for k, x in vars(v).items()}}
    if isinstance(v, dict):
        if all(isinstance(k, str) for k in v):
            return {"$dict": {k: _enc(x) for k, x in v.items()}}
        return {"$pairs": [[_enc(k), _enc(x)] for k, x in v.items()]}
    if isinstance(v, set | frozenset):
        return {"$set": [_enc(x) for x in sorted(v)]}
    if isinstance(v, tuple):
        return {"$tuple": [_enc(x) for x in v]}
    if isinstance(v, list):
        return [_enc(x) for x in v]
    if isinstance(v, np.generic):
        return _enc(v.item())
    if isinstance(v, float) and not math.isfinite(v):
        return {"$float": repr(v)}
    if v is None or isinstance(v, bool | int | float | str):
        return v
    raise TypeError(f"cannot store {type(v).__name__} in the model cache")


def _col(s: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(s.dtype) and not s.isna().any():
        return s.to_numpy(dtype=bool)
    if pd.api.types.is_integer_dtype(s.dtype) and not s.isna().any():
        return s.to_numpy(dtype=np.int64)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.astype("float64").to_numpy(dtype=float, na_value=np.nan)
    return s.astype("string").fillna("\x00").to_numpy(dtype=object)


_CLASSES = {"PerformanceModelCore": PerformanceModelCore,
            "CalibratedPerformanceModelCore": CalibratedPerformanceModelCore}


def _dec(v: Any) -> Any:
    if isinstance(v, list):
        return [_dec(x) for x in v]
    if not isinstance(v, dict):
        return v
    if "$nd" in v:
        dt = np.dtype(str(v["$nd"]))
        if dt.kind not in _ALLOWED_KINDS:
            raise ValueError(f"array dtype {dt} not allowed")
        shape = tuple(int(x) for x in v["shape"])
        a = np.frombuffer(base64.b64decode(v["b64"], validate=True), dtype=dt)
        if a.size != int(np.prod(shape)):
            raise ValueError("array size does not match its shape")
        return a.reshape(shape).astype(dt.newbyteorder("="))
    if "$strs" in v:
        return np.array([str(x) for x in v["$strs"]], dtype=object)
    if "$frame" in v:
        cols = {c: _dec(v["$frame"][c]) for c in v["order"]}
        df = pd.DataFrame(cols, index=[str(x) for x in v["index"]])
        for c in df.columns:
            if df[c].dtype == object:
                df[c] = df[c].where(df[c] != "\x00", None)
        return df
    if "$layout" in v:
        lay = v["$layout"]
        return Layout([str(x) for x in lay["benches"]], [str(x) for x in lay["accs"]],
                      [(str(a), str(b)) for a, b in lay["pairs"]], [str(x) for x in lay["subs"]])
    if "$obj" in v:
        cls = _CLASSES[str(v["$obj"])]  # KeyError for anything not on the allow-list
        obj = object.__new__(cls)
        obj.__dict__.update({str(k): _dec(x) for k, x in v["state"].items()})
        return obj
    if "$dict" in v:
        return {str(k): _dec(x) for k, x in v["$dict"].items()}
    if "$pairs" in v:
        return {_dec(k): _dec(x) for k, x in v["$pairs"]}
    if "$set" in v:
        return {_dec(x) for x in v["$set"]}
    if "$tuple" in v:
        return tuple(_dec(x) for x in v["$tuple"])
    if "$float" in v:
        return float(str(v["$float"]))
    raise ValueError("unknown tag in the model cache")


def bundle_to_json(b: Bundle) -> str:
    doc = {"format": FORMAT, "version": b.version, "fingerprint": b.fingerprint, "estimator": _enc(b.estimator),
           "measured": _enc(b.measured), "per_node": b.per_node, "latest_round": b.latest_round,
           "accelerators": b.accelerators}
    return json.dumps(doc, separators=(",", ":"))


def bundle_from_json(text: str, fingerprint: str) -> Bundle:
    """Rebuild and validate a :class:`Bundle`; raises ``ValueError``/``KeyError``/``TypeError`` when invalid."""
    doc = json.loads(text)
    if doc.get("format") != FORMAT or doc.get("version") != MODEL_VERSION or doc.get("fingerprint") != fingerprint:
        raise ValueError("not this model's cache (format, version or catalog differ)")
    est = _dec(doc["estimator"])
    measured = _dec(doc["measured"]).reset_index(drop=True)
    if not isinstance(est, CalibratedPerformanceModelCore) or not isinstance(est.model_, PerformanceModelCore):
        raise TypeError("the cache does not hold a fitted model")
    _validate(est, measured)
    measured["accelerators"] = measured["accelerators"].astype("int64")
    b = Bundle(version=MODEL_VERSION, fingerprint=fingerprint, estimator=est, measured=measured,
               per_node={str(k): int(v) for k, v in doc["per_node"].items()},
               latest_round=str(doc["latest_round"]), accelerators=[str(a) for a in doc["accelerators"]])
    return b


def _validate(est: CalibratedPerformanceModelCore, measured: pd.DataFrame) -> None:
    shape = getattr(est, "shape_model_", None)
    if shape is not None and not isinstance(shape, PerformanceModelCore):
        raise TypeError("the cache's custom-workload shape model is not a fitted model")
    for m in [est.model_] + ([shape] if shape is not None else []):
        _validate_model(m)
    checks = [
        (all(isinstance(v, np.ndarray) and v.dtype.kind == "f" for v in est.residuals_.values()), "residuals"),
        ({"accelerator_id", "accelerators", "benchmark", "round", "minutes", "source", "_rk", "nodes",
          "spread", "lo_minutes", "hi_minutes"} <= set(measured),
         "measured table"),
    ]
    for ok, what in checks:
        if not ok:
            raise ValueError(f"model cache: {what} malformed")


def _validate_model(m: PerformanceModelCore) -> None:
    lay = m.layout_
    n_acc, n_bench = len(lay.accs), len(lay.benches)
    checks = [
        (m.coef_.shape == (lay.n_params,) and m.coef_.dtype.kind == "f", "coefficients"),
        (m.spec_features_.shape[0] == n_acc, "spec features"),
        (m.gamma_eff_.shape == (n_acc,), "accelerator corrections"),
        (m.pair_eff_.shape == (n_acc, n_bench), "pair corrections"),
        (m.pair_eff_index_.shape == (n_acc, n_bench) and m.pair_eff_index_.dtype.kind == "i", "pair index"),
        (m.local_total_.ndim == 3 and m.local_total_.shape[1:] == (len(lay.pairs), len(m.local_grid_)),
         "local grid"),
        (m.local_total_.shape[0] == len(m.local_rounds_), "local rounds"),
    ]
    for ok, what in checks:
        if not ok:
            raise ValueError(f"model cache: {what} malformed")


# ------------------------------------------------------------------------------------ fit and load
_MEMO: dict[str, Bundle] = {}
_LOCK = threading.Lock()
_ON_FIT: list[Any] = []


def on_fit(callback: Any) -> None:
    """Register ``callback(message)`` for every fit this process makes (``callback(None)`` when it is done):
    the CLI shows a progress line with it, so a first run is not silent for the seconds a fit takes."""
    _ON_FIT[:] = [callback]


def fit_bundle(catalog: Catalog) -> Bundle:
    train = training_frame(catalog)
    if train.empty:
        raise ModelError("the catalog has no scored closed-division results to fit the performance model on")
    from recommender.performance.estimators import CalibratedPerformanceModel
    from recommender.performance.tuned import tuned_params

    est = CalibratedPerformanceModel(catalog.accelerators, **tuned_params()).fit(
        train, train["minutes"].astype("float64"))
    return Bundle(version=MODEL_VERSION, fingerprint=catalog.fingerprint, estimator=predict_only(est),
                  measured=measured_table(train), per_node=per_node_counts(catalog),
                  latest_round=catalog.latest_round,
                  accelerators=[str(a) for a in catalog.accelerators["accelerator_id"]])


def predict_only(est: CalibratedPerformanceModelCore) -> CalibratedPerformanceModelCore:
    """The fitted estimator's state on its scikit-learn-free core classes (what the cache stores)."""
    core = object.__new__(CalibratedPerformanceModelCore)
    core.__dict__.update(est.__dict__)
    for name in ("model_", "shape_model_"):
        fitted = getattr(est, name, None)
        if fitted is not None:
            model = object.__new__(PerformanceModelCore)
            model.__dict__.update(fitted.__dict__)
            setattr(core, name, model)
    return core


def load_bundle(catalog: Catalog, *, progress: Any = None) -> Bundle:
    """The fitted bundle for ``catalog``: memory, else the disk cache, else a fit (``progress(msg)`` is
    called once before a fit, so a CLI can say why it waits)."""
    fp = catalog.fingerprint
    with _LOCK:
        b = _MEMO.get(fp)
        if b is not None:
            return b
        path = cache_path(fp)
        if path.is_file():
            try:
                b = bundle_from_json(path.read_text(encoding="utf-8"), fp)
            except Exception:  # noqa: BLE001 - a corrupt, foreign or planted cache is refitted, never fatal
                b = None
        if b is None:
            say = progress or (_ON_FIT[0] if _ON_FIT else None)
            if say is not None:
                say("fitting the performance model on the catalog (once; later runs load it)…")
            try:
                b = fit_bundle(catalog)
            finally:
                if say is not None:
                    say(None)
            try:
                write_text_atomic(path, bundle_to_json(b))
            except OSError:  # an unwritable cache directory is not an error
                pass
        _MEMO[fp] = b
        return b


def forget(fingerprint: str) -> None:
    """Drop the in-memory model of a catalog (``model fit --force``)."""
    with _LOCK:
        _MEMO.pop(fingerprint, None)


def is_cached(fingerprint: str) -> bool:
    return fingerprint in _MEMO or cache_path(fingerprint).is_file()


def _catalog(catalog: Catalog | None) -> Catalog:
    if catalog is None:
        import catalog as catalog_pkg

        return catalog_pkg.load()
    return catalog


def default_model(catalog: Catalog | None = None, *, progress: Any = None) -> CalibratedPerformanceModelCore:
    """The calibrated model fitted on ``catalog`` (default: the shipped one), from the disk cache when a
    previous process fitted it; its predict-only form (fit a ``CalibratedPerformanceModel`` for an estimator)."""
    return load_bundle(_catalog(catalog), progress=progress).estimator


def model_is_cached(catalog: Catalog | None = None) -> bool:
    """True when :func:`default_model` will not need to fit (in memory or a cache file exists)."""
    return is_cached(_catalog(catalog).fingerprint)
