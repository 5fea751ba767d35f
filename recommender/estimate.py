"""Minutes to train for any (benchmark or custom workload, accelerator, count, nodes, round) — with intervals.

Public API:

* :func:`predict` — the one function the optimizer and the TUI call (vectorised, a few ms per thousand rows).
* :func:`default_model` — the :class:`CalibratedPerformanceModel` fitted on the shipped catalog, cached on disk
  keyed by the catalog's fingerprint (``$MLPERF_RECOMMENDER_CACHE``, else ``~/.cache/mlperf-recommender``).
* :func:`model_is_cached` — whether :func:`default_model` will load rather than fit.

How an answer is made:

* **measured** — the exact configuration (accelerator, count, benchmark) was scored in the closed division in
  the round asked about (with no round: the latest round that has it). The answer is that score (the median
  system where several submitters scored it); the interval is the system-to-system spread of identical
  configurations in the catalog, never zero.
* **predicted** — the structured model of :mod:`recommender._perf_model`; intervals are split-conformal
  quantiles of held-out log-residuals (grouped by system, by accelerator and forward in time), one table per
  evidence category (accelerator measured on this benchmark / measured on other benchmarks / specs only).
* **custom workload** — a row whose ``benchmark`` names a :class:`~recommender.models.CustomWorkload` is the
  workload's own measurements carried to the row's accelerator and count with the scaling shape of ``like``
  (or the pooled shape of all benchmarks); one measurement is enough, more narrow the interval.
"""

from __future__ import annotations

import math
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from catalog.registry import BENCHMARKS, closest_ids, round_key, round_years
from recommender._perf_model import CATEGORIES, PerformanceModelCore
from recommender.errors import ModelError, ScenarioError, UnknownIdError

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog
    from recommender.models import CustomWorkload

__all__ = [
    "PREDICT_COLUMNS",
    "CalibratedPerformanceModel",  # noqa: F822 - provided lazily by __getattr__ (imports scikit-learn)
    "cache_dir",
    "default_model",
    "model_is_cached",
    "predict",
    "training_frame",
]

#: Columns :func:`predict` adds to its input frame.
PREDICT_COLUMNS: list[str] = ["minutes", "minutes_low", "minutes_high", "basis", "source"]

#: Bump when the cached model's format or fitting procedure changes (old caches are then refitted).
MODEL_VERSION = 4

_FALLBACK_PER_NODE = 4
_DEFAULT_LOG_HALFWIDTH = math.log(1.5)


# ----------------------------------------------------------------------------------------- training data
def training_frame(catalog: Catalog) -> pd.DataFrame:
    """The results the model learns from: closed division, scored, with an accelerator, no re-submissions.

    Adds ``default_nodes`` (nodes the accelerator's usual node size would need for that count).
    """
    s = catalog.scored(division="closed", unique=True)
    s = s[s["accelerators"].notna() & (s["accelerators"] > 0)]
    s = s[s["accelerator_id"].isin(catalog.accelerators["accelerator_id"])]
    per_node = per_node_counts(catalog)
    out = s.reset_index(drop=True).copy()
    ppn = out["accelerator_id"].map(per_node).astype("float64").fillna(_FALLBACK_PER_NODE)
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
            out[str(acc)] = common.get(str(acc), _FALLBACK_PER_NODE)
    return out


def _conformal(sorted_abs: np.ndarray, coverage: float) -> float:
    """Split-conformal quantile of absolute residuals (finite-sample corrected)."""
    n = len(sorted_abs)
    if n == 0:
        return float("nan")
    k = math.ceil((n + 1) * coverage) - 1
    return float(sorted_abs[min(max(k, 0), n - 1)])


# ------------------------------------------------------------------------------------ the estimator
class CalibratedPerformanceModelCore:
    """:class:`~recommender._perf_model.PerformanceModel` plus calibrated intervals and custom-workload transfer.

    All of it but the scikit-learn base classes (see :class:`CalibratedPerformanceModel`, the estimator to fit):
    the disk cache holds this predict-only form, so loading a fitted model never imports scikit-learn.

    ``fit(X, y)`` takes a :func:`training_frame`-like DataFrame and minutes. Besides the point model it
    stores sorted absolute held-out log-residuals per evidence category (``residuals_``), the replicate
    spread of identical configurations (``replicate_abs_``) and the residuals of carrying one measurement
    of a benchmark to its other results (``transfer_abs_``, for custom workloads).
    """

    def __init__(
        self,
        accelerator_table: pd.DataFrame | None = None,
        *,
        base_params: dict[str, Any] | None = None,
        system_folds: int = 5,
        accelerator_folds: int = 5,
        forward_rounds: int = 3,
        min_forward_residuals: int = 60,
        scale_prior: float = 50.0,
        random_state: int | None = 0,
    ) -> None:
        self.accelerator_table = accelerator_table
        self.base_params = base_params
        self.system_folds = system_folds
        self.accelerator_folds = accelerator_folds
        self.forward_rounds = forward_rounds
        self.min_forward_residuals = min_forward_residuals
        self.scale_prior = scale_prior
        self.random_state = random_state

    def _base(self) -> PerformanceModelCore:
        from recommender._perf_estimators import PerformanceModel

        return PerformanceModel(self.accelerator_table, random_state=self.random_state, **(self.base_params or {}))

    def fit(self, X: pd.DataFrame, y: np.ndarray | pd.Series) -> CalibratedPerformanceModelCore:
        from sklearn.model_selection import GroupKFold

        X = X.reset_index(drop=True)
        y = np.asarray(y, dtype=float)
        self.model_ = self._base().fit(X, y)
        ly = np.log(y)
        # held-out |log residuals| by evidence category, separately for each kind of split
        pooled: dict[str, dict[int, list[np.ndarray]]] = {k: {c: [] for c in range(len(CATEGORIES))} for k in ("grouped", "forward")}
        systems = (X.get("submitter", pd.Series([""] * len(X))).astype("string").fillna("") + "/"
                   + X.get("system_id", pd.Series(range(len(X)))).astype("string").fillna(""))
        schemes: list[tuple[str, np.ndarray, np.ndarray]] = []
        groups_sys = systems.to_numpy(dtype=object)
        if self.system_folds and len(set(groups_sys)) >= self.system_folds:
            schemes += [("system", tr, te) for tr, te in
                        GroupKFold(n_splits=self.system_folds).split(X, groups=groups_sys)]
        groups_acc = X["accelerator_id"].astype("string").to_numpy(dtype=object)
        if self.accelerator_folds and len(set(groups_acc)) >= self.accelerator_folds:
            schemes += [("grouped", tr, te) for tr, te in
                        GroupKFold(n_splits=self.accelerator_folds).split(X, groups=groups_acc)]
        rounds = X["round"].astype("string").to_numpy(dtype=object)
        order = sorted(set(rounds), key=round_key)
        keys = [round_key(x) for x in rounds]
        for r in order[-self.forward_rounds:] if self.forward_rounds else []:
            tr = np.flatnonzero([k < round_key(r) for k in keys])
            te = np.flatnonzero(rounds == r)
            if len(tr) and len(te):
                schemes.append(("forward", tr, te))
        oof = np.full(len(X), np.nan)  # out-of-fold log-predictions from the system folds
        held: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []
        for kind, tr, te in schemes:
            test = X.iloc[te]
            known = test["benchmark"].isin(set(X["benchmark"].iloc[tr])).to_numpy()
            if not known.any():
                continue
            m = self._base().fit(X.iloc[tr], y[tr])
            mu, cat = m.predict_log(test[known])
            r = ly[te][known] - mu
            if kind == "system":
                oof[te[known]] = mu
            held.append((kind, cat, np.abs(r), test.loc[known, "benchmark"].astype("string").to_numpy(dtype=object)))
        # benchmarks differ in how predictable they are (big software jumps on some): a per-benchmark scale,
        # shrunk towards 1, normalises the residuals (normalised split-conformal)
        all_abs = np.concatenate([h[2] for h in held]) if held else np.zeros(0)
        all_b = np.concatenate([h[3] for h in held]) if held else np.zeros(0, dtype=object)
        self.benchmark_scale_ = _benchmark_scales(all_abs, all_b, self.scale_prior)
        for kind, cat, a, b in held:
            scale = np.array([self.benchmark_scale_.get(x, 1.0) for x in b])
            for c in range(len(CATEGORIES)):
                pooled["forward" if kind == "forward" else "grouped"][c].append((a / scale)[cat == c])

        def cat_pool(kind: str, c: int) -> np.ndarray:
            v = pooled[kind][c]
            return np.concatenate(v) if v else np.zeros(0)

        # Buyers ask about today and tomorrow: where enough forward-in-time residuals exist they set the width
        # (they include round-to-round drift); otherwise all held-out residuals of the category are pooled.
        res: dict[int, np.ndarray] = {}
        for c in range(len(CATEGORIES)):
            fwd, grp = cat_pool("forward", c), cat_pool("grouped", c)
            res[c] = np.sort(fwd if len(fwd) >= self.min_forward_residuals else np.concatenate([fwd, grp]))
        # categories with too few held-out rows borrow from the next-narrower one
        for c, wider in ((3, 0), (1, 0), (2, 1)):
            if len(res[c]) < 20:
                res[c] = np.sort(np.concatenate([res[c], res[wider]]))
        # a catalog too small for any held-out split: pool what exists, else a wide default (x/÷ 1.5)
        everything = np.sort(np.concatenate(list(res.values())))
        for c, v in res.items():
            if len(v) == 0:
                res[c] = everything if len(everything) else np.array([_DEFAULT_LOG_HALFWIDTH])
        self.residuals_ = {CATEGORIES[c]: v for c, v in res.items()}
        self.replicate_abs_ = _replicate_spread(X, ly)
        self.transfer_abs_ = self._transfer_residuals(X, ly, oof)
        return self

    def _transfer_residuals(self, X: pd.DataFrame, ly: np.ndarray, oof: np.ndarray) -> dict[str, np.ndarray]:
        """|error| of carrying one result of a benchmark to its other results of the same round.

        ``generic``: with the pooled shape (a workload like no benchmark in particular); ``like:<b>`` and
        ``like``: with benchmark b's own model, from out-of-fold predictions (so the model has not seen the
        target). Within one round, as a user measures today and asks about today.
        """
        m = self.model_
        cols = m._columns(X)
        generic = ly - m.generic_log(cols["accelerator_id"], cols["log_n"], cols["extra_nodes"])
        like = ly - oof
        out: dict[str, list[np.ndarray]] = {"generic": [], "like": []}
        per_bench: dict[str, list[np.ndarray]] = {}
        key = (X["benchmark"].astype("string") + "|" + X["round"].astype("string")).to_numpy(dtype=object)
        bench = X["benchmark"].astype("string").to_numpy(dtype=object)
        rng = np.random.default_rng(self.random_state)
        for k in np.unique(key):
            idx = np.flatnonzero(key == k)
            if len(idx) < 2:
                continue
            if len(idx) > 120:
                idx = rng.choice(idx, 120, replace=False)
            off = ~np.eye(len(idx), dtype=bool)
            out["generic"].append(np.abs(generic[idx][:, None] - generic[idx][None, :])[off])
            e = like[idx]
            d = np.abs(e[:, None] - e[None, :])[off]
            d = d[np.isfinite(d)]
            out["like"].append(d)
            per_bench.setdefault(str(bench[idx[0]]), []).append(d)
        res = {k: np.sort(np.concatenate(v)) if v else np.zeros(1) for k, v in out.items()}
        for b, v in per_bench.items():
            arr = np.sort(np.concatenate(v))
            if len(arr) >= 40:
                res[f"like:{b}"] = arr
        return res

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.model_.predict(X)

    def interval_halfwidth(self, categories: np.ndarray, coverage: float,
                           benchmarks: np.ndarray | None = None) -> np.ndarray:
        """Half-width in log space of the conformal interval for each row's evidence category (times the
        benchmark's scale when ``benchmarks`` is given)."""
        q = dict(zip(CATEGORIES, (_conformal(self.residuals_[c], coverage) for c in CATEGORIES)))
        # less evidence never gives a narrower interval than measured-on-this-benchmark evidence
        for c in ("seen_accelerator", "unseen_accelerator"):
            q[c] = max(q[c], q["seen_pair"], q["seen_pair_new"])
        out = np.array([q[c] for c in CATEGORIES])[np.asarray(categories, dtype=int)]
        if benchmarks is not None:
            scales = getattr(self, "benchmark_scale_", {})
            out = out * np.array([scales.get(b, 1.0) for b in benchmarks])
        return out

    def replicate_halfwidth(self, coverage: float) -> float:
        return max(_conformal(self.replicate_abs_, coverage), 0.01)

    def transfer_halfwidth(self, coverage: float, *, like: str | None, measurements: int) -> float:
        """Half-width for a custom workload with ``measurements`` anchors (like = benchmark id or None)."""
        key = "generic" if like is None else (f"like:{like}" if f"like:{like}" in self.transfer_abs_ else "like")
        q = _conformal(self.transfer_abs_[key], coverage)
        # one anchor: e_target - e_anchor; k anchors: e_target - mean(e_anchor) -> variance (1 + 1/k) / 2 of it
        return q * math.sqrt((1.0 + 1.0 / max(measurements, 1)) / 2.0)


def _benchmark_scales(abs_resid: np.ndarray, bench: np.ndarray, prior: float) -> dict[str, float]:
    """Median |held-out log residual| of each benchmark relative to all, shrunk to 1 with ``prior`` rows."""
    ok = np.isfinite(abs_resid) & (abs_resid > 0)
    if not ok.any():
        return {}
    a, b = abs_resid[ok], bench[ok]
    overall = float(np.median(a))
    out: dict[str, float] = {}
    for x in np.unique(b):
        v = a[b == x]
        ratio = float(np.median(v)) / overall
        out[str(x)] = float(np.exp(len(v) * np.log(ratio) / (len(v) + prior)))
    return out


def _replicate_spread(X: pd.DataFrame, ly: np.ndarray) -> np.ndarray:
    """|log deviation| of a result from the mean of its identical configurations (same round, accelerator,
    count, benchmark), scaled by sqrt(k/(k-1)) so it estimates one result's spread, sorted."""
    key = (X["round"].astype("string") + "|" + X["accelerator_id"].astype("string") + "|"
           + X["accelerators"].astype("string") + "|" + X["benchmark"].astype("string"))
    df = pd.DataFrame({"k": key.to_numpy(dtype=object), "y": ly})
    g = df.groupby("k")["y"]
    size = g.transform("size").to_numpy()
    dev = (df["y"] - g.transform("mean")).to_numpy()
    multi = size >= 2
    if not multi.any():
        return np.array([0.05])
    d = np.abs(dev[multi]) * np.sqrt(size[multi] / (size[multi] - 1))
    return np.sort(d)


# ---------------------------------------------------------------------------------------------- caching
def cache_dir() -> Path:
    env = os.environ.get("MLPERF_RECOMMENDER_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "mlperf-recommender"


def code_fingerprint() -> str:
    """Hash of the model's source files and scikit-learn's version: a code change never loads a stale pickle."""
    import hashlib
    from importlib.metadata import PackageNotFoundError, version

    try:
        sk_version = version("scikit-learn")
    except PackageNotFoundError:  # pragma: no cover
        sk_version = "?"
    h = hashlib.sha256(sk_version.encode())
    here = Path(__file__).parent
    for name in sorted(p.name for p in here.glob("_perf_*.py")) + ["estimate.py"]:
        h.update((here / name).read_bytes())
    return h.hexdigest()[:12]


def _cache_path(fingerprint: str) -> Path:
    return cache_dir() / f"performance-model-{fingerprint[:20]}-v{MODEL_VERSION}-{code_fingerprint()}.joblib"


@dataclass
class _Bundle:
    """What the disk cache holds: the fitted model plus the lookup tables predict needs."""

    version: int
    fingerprint: str
    estimator: CalibratedPerformanceModelCore  # predict-only form (no scikit-learn needed to load it)
    measured: pd.DataFrame  # one row per (accelerator_id, accelerators, benchmark, round): minutes, source
    per_node: dict[str, int]
    latest_round: str
    accelerators: list[str]


_MEMO: dict[str, _Bundle] = {}
_LOCK = threading.Lock()


def _measured_table(train: pd.DataFrame) -> pd.DataFrame:
    """The representative (median) result of each measured configuration and round."""
    t = train[["accelerator_id", "accelerators", "benchmark", "round", "submitter", "system_id", "minutes"]].copy()
    t["minutes"] = t["minutes"].astype("float64")
    t["accelerators"] = t["accelerators"].astype("int64")
    t = t.sort_values(["accelerator_id", "accelerators", "benchmark", "round", "minutes"], kind="stable")
    keys = ["accelerator_id", "accelerators", "benchmark", "round"]
    t["_i"] = t.groupby(keys).cumcount()
    t["_n"] = t.groupby(keys)["minutes"].transform("size")
    rep = t[t["_i"] == (t["_n"] - 1) // 2].copy()
    rep["source"] = rep["round"].astype(str) + " · " + rep["submitter"].astype(str) + " · " + rep["system_id"].astype(str)
    rep["_rk"] = [round_key(str(r)) for r in rep["round"]]
    for c in ("accelerator_id", "benchmark", "round", "source"):
        rep[c] = rep[c].astype(object)
    return rep[keys + ["minutes", "source", "_rk"]].reset_index(drop=True)


def _fit_bundle(catalog: Catalog) -> _Bundle:
    train = training_frame(catalog)
    if train.empty:
        raise ModelError("the catalog has no scored closed-division results to fit the performance model on")
    from recommender._perf_estimators import CalibratedPerformanceModel

    est = CalibratedPerformanceModel(catalog.accelerators).fit(train, train["minutes"].astype("float64"))
    return _Bundle(
        version=MODEL_VERSION,
        fingerprint=catalog.fingerprint,
        estimator=_predict_only(est),
        measured=_measured_table(train),
        per_node=per_node_counts(catalog),
        latest_round=catalog.latest_round,
        accelerators=[str(a) for a in catalog.accelerators["accelerator_id"]],
    )


def _predict_only(est: CalibratedPerformanceModelCore) -> CalibratedPerformanceModelCore:
    """The fitted estimator's state on its scikit-learn-free core classes (what the cache pickles)."""
    core = object.__new__(CalibratedPerformanceModelCore)
    core.__dict__.update(est.__dict__)
    model = object.__new__(PerformanceModelCore)
    model.__dict__.update(est.model_.__dict__)
    core.model_ = model
    return core


def _load_bundle(catalog: Catalog) -> _Bundle:
    fp = catalog.fingerprint
    with _LOCK:
        b = _MEMO.get(fp)
        if b is not None:
            return b
        path = _cache_path(fp)
        if path.is_file():
            try:
                import joblib

                b = joblib.load(path)
                if not isinstance(b, _Bundle) or b.version != MODEL_VERSION or b.fingerprint != fp:
                    b = None
            except Exception:  # noqa: BLE001 - a corrupt or foreign cache file is refitted, never fatal
                b = None
        if b is None:
            b = _fit_bundle(catalog)
            _write_cache(path, b)
        _MEMO[fp] = b
        return b


def _write_cache(path: Path, bundle: _Bundle) -> None:
    """Write atomically (temp file + rename); an unwritable cache directory is not an error."""
    import joblib

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".joblib", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                joblib.dump(bundle, fh, compress=3)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        pass


def _catalog(catalog: Catalog | None) -> Catalog:
    if catalog is None:
        import catalog as catalog_pkg

        return catalog_pkg.load()
    return catalog


def default_model(catalog: Catalog | None = None) -> CalibratedPerformanceModelCore:
    """The calibrated model fitted on ``catalog`` (default: the shipped one); loaded from the disk cache
    when a previous process fitted it. It is the fitted model's predict-only form (no scikit-learn
    ``get_params``); fit a :class:`CalibratedPerformanceModel` for an estimator."""
    return _load_bundle(_catalog(catalog)).estimator


def model_is_cached(catalog: Catalog | None = None) -> bool:
    """True when :func:`default_model` will not need to fit (in memory or a cache file exists)."""
    cat = _catalog(catalog)
    fp = cat.fingerprint
    return fp in _MEMO or _cache_path(fp).is_file()


# --------------------------------------------------------------------------------------------- predict
def _closest(name: str, known: list[str]) -> str:
    """'; closest known: a, b, c' (:func:`catalog.registry.closest_ids`)."""
    near = closest_ids(name, known)
    return f"; closest known: {', '.join(near)}" if near else ""


def _as_counts(values: pd.Series, field: str) -> np.ndarray:
    x = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    bad = ~np.isfinite(x) | (x < 1) | (np.abs(x - np.round(x)) > 1e-9)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        v = values.iloc[i]
        shown = repr(v.item() if hasattr(v, "item") else v)  # 0, not np.float64(0.0)
        raise ScenarioError(f"must be a whole number >= 1, got {shown} (row {i})", field=field)
    return np.round(x).astype(np.int64)


def predict(
    frame: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    workloads: list[CustomWorkload] | None = None,
    coverage: float = 0.8,
) -> pd.DataFrame:
    """Minutes to train for each row of ``frame``, with an interval and where the answer comes from.

    ``frame`` columns: ``accelerator_id, accelerators, benchmark`` and optionally ``nodes`` (default: the
    fewest nodes of the accelerator's usual size) and ``round`` (default: measured → latest round that has
    the configuration; predicted → the catalog's latest round; later rounds extrapolate the software trend).
    ``benchmark`` may name one of ``workloads`` (custom workloads). Returns a copy of ``frame`` (same rows,
    same order, same index) with :data:`PREDICT_COLUMNS` added.
    """
    if not 0.0 < coverage < 1.0:
        raise ScenarioError(f"must be between 0 and 1, got {coverage}", field="coverage")
    missing = [c for c in ("accelerator_id", "accelerators", "benchmark") if c not in frame.columns]
    if missing:
        raise ScenarioError(f"predict() needs columns {missing}", field="frame")
    cat = _catalog(catalog)
    bundle = _load_bundle(cat)
    est = bundle.estimator
    model = est.model_
    n_rows = len(frame)
    out = frame.copy()
    if n_rows == 0:
        for c in PREDICT_COLUMNS:
            out[c] = pd.Series(dtype="float64" if c.startswith("minutes") else "string")
        return out

    acc = frame["accelerator_id"].astype("string").fillna("").to_numpy(dtype=object)
    bench = frame["benchmark"].astype("string").fillna("").to_numpy(dtype=object)
    counts = _as_counts(frame["accelerators"], "accelerators")
    custom = {w.name: w for w in (workloads or [])}
    model_benches = set(model.benchmarks_)

    known_accs = set(bundle.accelerators)
    for a in pd.unique(acc):
        if a not in known_accs:
            raise UnknownIdError(f"unknown accelerator {a!r}{_closest(a, sorted(known_accs))}", field="accelerator_id")
    for w in custom.values():
        if w.like is not None and w.like not in model_benches:
            raise UnknownIdError(
                f"workload {w.name!r}: unknown benchmark {w.like!r} in 'like'"
                f"{_closest(w.like, sorted(model_benches))}", field="like")
        for m in w.measurements:
            if m.accelerator_id not in known_accs:
                raise UnknownIdError(
                    f"workload {w.name!r}: unknown accelerator {m.accelerator_id!r}"
                    f"{_closest(m.accelerator_id, sorted(known_accs))}", field="measurements.accelerator_id")
    for b in pd.unique(bench):
        if b in custom or b in model_benches:
            continue
        if b in BENCHMARKS:
            raise ModelError(
                f"benchmark {b!r} has no scored results in the catalog; describe it as a custom workload "
                "with at least one measurement")
        raise UnknownIdError(
            f"unknown benchmark {b!r}{_closest(b, sorted(model_benches | set(custom)))}", field="benchmark")

    ppn = pd.Series(acc).map(bundle.per_node).fillna(_FALLBACK_PER_NODE).to_numpy(dtype=float)
    default_nodes = np.ceil(counts / ppn)
    if "nodes" in frame.columns:
        nodes = pd.to_numeric(frame["nodes"], errors="coerce").astype("float64").to_numpy(na_value=np.nan)
        nodes = np.where(np.isnan(nodes), default_nodes, nodes)
        if (nodes < 1).any():
            raise ScenarioError("must be >= 1", field="nodes")
    else:
        nodes = default_nodes
    if "round" in frame.columns:
        rnd = frame["round"].astype("string").fillna("").to_numpy(dtype=object)
    else:
        rnd = np.full(n_rows, "", dtype=object)
    for r in pd.unique(rnd):
        if r:
            try:
                round_years(str(r))
            except ValueError:
                raise ScenarioError(f"not a round name: {r!r} (expected e.g. v5.0)", field="round") from None
    has_round = rnd != ""
    eff_round = np.where(has_round, rnd, bundle.latest_round)

    minutes = np.full(n_rows, np.nan)
    low = np.full(n_rows, np.nan)
    high = np.full(n_rows, np.nan)
    basis = np.full(n_rows, "predicted", dtype=object)
    source = np.full(n_rows, "model", dtype=object)

    is_custom = np.isin(bench, list(custom)) if custom else np.zeros(n_rows, dtype=bool)
    std = ~is_custom
    if std.any():
        X = pd.DataFrame({
            "benchmark": bench[std], "accelerator_id": acc[std], "accelerators": counts[std],
            "nodes": nodes[std], "default_nodes": default_nodes[std], "round": eff_round[std],
        })
        mu, catg = model.predict_log(X)
        q = est.interval_halfwidth(catg, coverage, bench[std])
        minutes[std], low[std], high[std] = np.exp(mu), np.exp(mu - q), np.exp(mu + q)
        labels = np.array(["model", "model (no results on this benchmark)", "model (specs only)", "model"],
                          dtype=object)
        source[std] = labels[catg]
        _apply_measured(bundle, est, coverage, std, acc, counts, bench, rnd, has_round,
                        minutes, low, high, basis, source)
        _measured_envelope(bundle, std & (basis == "predicted"), acc, counts, bench, rnd, has_round,
                           minutes, low, high, source)
    if is_custom.any():
        _predict_custom(bundle, est, coverage, custom, is_custom, acc, counts, bench, nodes, default_nodes,
                        eff_round, minutes, low, high, basis, source)

    out["minutes"] = minutes
    out["minutes_low"] = low
    out["minutes_high"] = high
    out["basis"] = pd.array(basis, dtype="string")
    out["source"] = pd.array(source, dtype="string")
    return out


def _measured_envelope(bundle: _Bundle, rows_mask: np.ndarray, acc: np.ndarray, counts: np.ndarray,
                       bench: np.ndarray, rnd: np.ndarray, has_round: np.ndarray, minutes: np.ndarray,
                       low: np.ndarray, high: np.ndarray, source: np.ndarray) -> None:
    """Keep predictions consistent with measurements of the same accelerator and benchmark.

    With n accelerators you can always train on fewer, so a prediction at n is never slower than a measured
    count n' <= n; within one round it is never faster than a measured count n'' >= n either. With a round
    given, both bounds come from that round's measurements; without one (a prediction for the catalog's latest
    round), caps come from each configuration's latest measurement (software only gets faster) and floors only
    from measurements in the latest round. Where the measurements themselves are not monotone the prediction is
    left alone. The interval moves with the point.
    """
    meas = bundle.measured
    if not rows_mask.any() or meas.empty:
        return
    latest = meas.sort_values("_rk").drop_duplicates(["accelerator_id", "accelerators", "benchmark"], keep="last")
    idx = np.flatnonzero(rows_mask)
    frames = []
    for given in (True, False):
        sel = idx[has_round[idx] == given]
        if len(sel) == 0:
            continue
        table = meas if given else latest.assign(round="")
        q = pd.DataFrame({"accelerator_id": acc[sel], "benchmark": bench[sel],
                          "round": rnd[sel] if given else "", "accelerators": counts[sel].astype(np.int64),
                          "_row": sel})
        t = table[["accelerator_id", "benchmark", "round", "accelerators", "minutes", "source"]].copy()
        t["_r"] = (table["source"].str.split(" · ").str[0]).to_numpy(dtype=object)
        t = t[t["accelerator_id"].isin(set(q["accelerator_id"])) & t["benchmark"].isin(set(q["benchmark"]))]
        if t.empty:
            continue
        t["accelerators"] = t["accelerators"].astype(np.int64)
        t["_key"] = t["accelerator_id"].astype(str) + "|" + t["benchmark"].astype(str) + "|" + t["round"].astype(str)
        q["_key"] = q["accelerator_id"].astype(str) + "|" + q["benchmark"].astype(str) + "|" + q["round"].astype(str)
        t = t.sort_values(["_key", "accelerators"])
        g = t.groupby("_key", sort=False)["minutes"]
        t["_cap"] = g.cummin()  # fastest measured at any count <= this one
        if not given:  # floors only from measurements of the round being predicted (the latest)
            t["_fl"] = np.where(t["_r"].to_numpy(dtype=object) == bundle.latest_round, t["minutes"], np.nan)
        else:
            t["_fl"] = t["minutes"]
        t["_floor"] = t.iloc[::-1].groupby("_key", sort=False)["_fl"].cummax().iloc[::-1]  # slowest at >=
        t = t.sort_values("accelerators")
        q = q.sort_values("accelerators")
        up = pd.merge_asof(q, t[["_key", "accelerators", "_cap", "source"]], on="accelerators", by="_key",
                           direction="backward")
        dn = pd.merge_asof(q, t[["_key", "accelerators", "_floor"]], on="accelerators", by="_key",
                           direction="forward")
        frames.append(up.merge(dn[["_row", "_floor"]], on="_row"))
    if not frames:
        return
    b = pd.concat(frames, ignore_index=True)
    rows = b["_row"].to_numpy()
    cap = b["_cap"].to_numpy(dtype=float)
    floor = b["_floor"].to_numpy(dtype=float)
    cap = np.where(np.isnan(cap), np.inf, cap)
    floor = np.where(np.isnan(floor), 0.0, floor)
    ok = floor <= cap
    m = minutes[rows]
    target = np.where(ok, np.clip(m, floor, cap), m)
    moved = target != m
    if moved.any():
        r = rows[moved]
        f = target[moved] / m[moved]
        minutes[r] = target[moved]
        low[r] = low[r] * f
        high[r] = high[r] * f
        src = b["source"].to_numpy(dtype=object)[moved]
        capped = (target[moved] < m[moved])
        source[r] = np.where(capped, "model, capped by the measured " + src.astype(str),
                             "model, floored by a measured larger count")


def _apply_measured(bundle: _Bundle, est: CalibratedPerformanceModelCore, coverage: float, std: np.ndarray,
                    acc: np.ndarray, counts: np.ndarray, bench: np.ndarray, rnd: np.ndarray,
                    has_round: np.ndarray, minutes: np.ndarray, low: np.ndarray, high: np.ndarray,
                    basis: np.ndarray, source: np.ndarray) -> None:
    meas = bundle.measured
    q = est.replicate_halfwidth(coverage)
    keys = pd.DataFrame({"accelerator_id": acc, "accelerators": counts, "benchmark": bench, "round": rnd,
                         "_row": np.arange(len(acc))})[std]
    if keys.empty or meas.empty:
        return
    with_r = keys[has_round[std]]
    hits = []
    if not with_r.empty:
        hits.append(with_r.merge(meas, on=["accelerator_id", "accelerators", "benchmark", "round"], how="inner"))
    no_r = keys[~has_round[std]].drop(columns="round")
    if not no_r.empty:
        latest = meas.sort_values("_rk").drop_duplicates(["accelerator_id", "accelerators", "benchmark"], keep="last")
        hits.append(no_r.merge(latest, on=["accelerator_id", "accelerators", "benchmark"], how="inner"))
    for h in hits:
        if h.empty:
            continue
        i = h["_row"].to_numpy()
        m = h["minutes"].to_numpy(dtype=float)
        minutes[i], low[i], high[i] = m, m * math.exp(-q), m * math.exp(q)
        basis[i] = "measured"
        source[i] = h["source"].to_numpy(dtype=object)


def _predict_custom(bundle: _Bundle, est: CalibratedPerformanceModelCore, coverage: float,
                    custom: dict[str, CustomWorkload], is_custom: np.ndarray, acc: np.ndarray,
                    counts: np.ndarray, bench: np.ndarray, nodes: np.ndarray, default_nodes: np.ndarray,
                    eff_round: np.ndarray, minutes: np.ndarray, low: np.ndarray, high: np.ndarray, basis: np.ndarray,
                    source: np.ndarray) -> None:
    model = est.model_
    q_cat = dict(zip(CATEGORIES, est.interval_halfwidth(np.arange(len(CATEGORIES)), coverage)))
    seen = set(model.seen_accelerators_)
    for name, w in custom.items():
        rows = np.flatnonzero(is_custom & (bench == name))
        if len(rows) == 0:
            continue
        m_acc = np.array([m.accelerator_id for m in w.measurements], dtype=object)
        m_n = np.array([m.accelerators for m in w.measurements], dtype=float)
        m_ppn = pd.Series(m_acc).map(bundle.per_node).fillna(_FALLBACK_PER_NODE).to_numpy(dtype=float)
        m_dn = np.ceil(m_n / m_ppn)
        m_nodes = np.array([m.nodes if m.nodes is not None else d for m, d in zip(w.measurements, m_dn)], dtype=float)
        m_min = np.array([m.minutes for m in w.measurements], dtype=float)

        # the workload's measurements are taken to be from today (the catalog's latest round); a row asking
        # about a later round gets the software trend of its 'like' benchmark (or the shared trend)
        def shape(a: np.ndarray, n: np.ndarray, nd: np.ndarray, dn: np.ndarray, rounds: np.ndarray,
                  like: str | None = w.like) -> np.ndarray:
            if like is not None:
                X = pd.DataFrame({"benchmark": like, "accelerator_id": a, "accelerators": n, "nodes": nd,
                                  "default_nodes": dn, "round": rounds})
                return model.predict_log(X)[0]
            extra = np.maximum(np.log(np.maximum(nd, 1) / np.maximum(dn, 1)), 0.0)
            return model.generic_log(a, np.log(np.maximum(n, 1.0)), extra) + model.shared_trend(rounds)

        latest = np.full(len(m_acc), bundle.latest_round, dtype=object)
        offset = float(np.mean(np.log(m_min) - shape(m_acc, m_n, m_nodes, m_dn, latest)))
        mu = shape(acc[rows], counts[rows].astype(float), nodes[rows], default_nodes[rows], eff_round[rows]) + offset
        q_t = est.transfer_halfwidth(coverage, like=w.like, measurements=len(w.measurements))
        unseen = ~np.isin(acc[rows], list(seen))
        extra_q = math.sqrt(max(q_cat["unseen_accelerator"] ** 2 - q_cat["seen_pair"] ** 2, 0.0))
        q = np.where(unseen, np.sqrt(q_t**2 + extra_q**2), q_t)
        minutes[rows], low[rows], high[rows] = np.exp(mu), np.exp(mu - q), np.exp(mu + q)
        basis[rows] = "predicted"
        source[rows] = f"custom workload {name}"
        # a row that is exactly one of the workload's own measurements is answered by it
        q_m = est.replicate_halfwidth(coverage)
        mkey = pd.Series(np.log(m_min)).groupby([pd.Series(m_acc), pd.Series(m_n.astype(np.int64))]).mean()
        rkey = pd.MultiIndex.from_arrays([acc[rows], counts[rows].astype(np.int64)])
        hit_log = mkey.reindex(rkey).to_numpy(dtype=float)
        hit = np.isfinite(hit_log)
        if hit.any():
            r = rows[hit]
            v = np.exp(hit_log[hit])
            minutes[r], low[r], high[r] = v, v * math.exp(-q_m), v * math.exp(q_m)
            basis[r] = "measured"
            source[r] = f"custom workload {name} (your measurement)"


def __getattr__(name: str) -> object:
    """``CalibratedPerformanceModel`` (the scikit-learn estimator) is imported on demand with scikit-learn."""
    if name in ("CalibratedPerformanceModel", "PerformanceModel"):
        from recommender import _perf_estimators

        return getattr(_perf_estimators, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
