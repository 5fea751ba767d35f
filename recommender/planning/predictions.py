"""Minutes to train for every candidate row: one vectorised predict call per workload, cached in-process."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.errors import ModelError, UnknownIdError
from recommender.models import Scenario

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from catalog import Catalog


#: ``predict(frame, *, catalog=None, workloads=None, coverage=0.8) -> frame`` (see recommender.performance.answers).
Predictor = Callable[..., "pd.DataFrame"]




_PRED_CACHE_ROWS = 200_000


@lru_cache(maxsize=64)
def _workload_cache(fingerprint: str, predictor: Predictor, workload: tuple[Any, ...]) -> dict[Any, Any]:
    """The predictions of one workload by one predictor on one catalog: (accelerator, count, nodes) -> figures."""
    return {}


def _workload_key(w: Any) -> tuple[Any, ...]:
    return (w.name, None if w.custom is None else w.custom.model_dump_json())


def predict_rows(
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
        cache = _workload_cache(cat.fingerprint, predictor, _workload_key(w))
        if len(cache) > _PRED_CACHE_ROWS:
            cache.clear()  # bound the memory of a long interactive session
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
