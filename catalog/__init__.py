"""The catalog: MLPerf Training results, the accelerator table and the cost defaults.

``catalog.load()`` reads the shipped tables (``catalog/data``) into typed pandas DataFrames;
``catalog.rank()`` is the "same configuration" leaderboard. pandas is imported lazily so that
``import catalog`` stays cheap.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.errors import CatalogError
from catalog.validate import check_user_catalog

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DATA_DIR", "RANK_COLUMNS", "RANK_METRICS", "Catalog", "CatalogError", "data_fingerprint", "load", "rank"]

DATA_DIR = Path(__file__).parent / "data"
RESULTS_FILE = "results.csv"
ACCELERATORS_FILE = "accelerators.csv"
DEFAULTS_FILE = "defaults.csv"
CLOUD_PRICES_FILE = "cloud_prices.csv"


@dataclass(frozen=True)
class Catalog:
    """The loaded catalog. DataFrame columns and dtypes are those of :mod:`catalog.schema`.

    - ``results``: MLPerf Training results (``RESULT_DTYPES``), one row per (round, submitter, system, benchmark
      folder); ``minutes`` is the published time-to-train score, ``energy_kwh`` / ``avg_power_kw`` /
      ``avg_node_power_kw`` the MLPerf Power results where the submission measured power.
    - ``accelerators``: the accelerator table with reference prices (``ACCELERATOR_DTYPES``).
    - ``defaults``: cost and facility defaults with sources (``DEFAULTS_DTYPES``).
    - ``cloud_prices``: cloud list prices per accelerator-hour by provider, instance, pricing and region
      (``CLOUD_PRICE_DTYPES``); None only for a Catalog built by hand without it.
    """

    results: pd.DataFrame
    accelerators: pd.DataFrame
    defaults: pd.DataFrame
    fingerprint: str  # sha256 of the data files' content: keys caches (e.g. the fitted model)
    data_dir: Path = field(default=DATA_DIR)
    cloud_prices: pd.DataFrame | None = None

    @property
    def latest_round(self) -> str:
        from catalog.registry import round_key

        rounds = self.results["round"].dropna().unique().tolist()
        return max(rounds, key=round_key) if rounds else ""

    @property
    def rounds(self) -> list[str]:
        from catalog.registry import round_key

        return sorted(self.results["round"].dropna().unique().tolist(), key=round_key)

    def accelerator_name(self, accelerator_id: str) -> str:
        """Display name such as "H100 SXM5 80GB"; the id itself when unknown."""
        names = self._names()
        return names.get(accelerator_id, accelerator_id)

    def _names(self) -> dict[str, str]:
        cached = self.__dict__.get("_names_cache")
        if cached is None:
            cached = dict(zip(self.accelerators["accelerator_id"], self.accelerators["name"]))
            object.__setattr__(self, "_names_cache", cached)
        return cached

    def scored(self, *, division: str | None = "closed", unique: bool = True) -> pd.DataFrame:
        """Results that have a score (and an accelerator); ``unique`` drops re-submitted duplicates."""
        r = self.results
        mask = r["minutes"].notna() & r["accelerator_id"].notna()
        if division:
            mask &= r["division"] == division
        if unique:
            mask &= r["duplicate_of"].isna()
        return r[mask]


def _read_csv(path: Path, dtypes: dict[str, str]) -> pd.DataFrame:
    import pandas as pd

    if not path.is_file():
        raise CatalogError(f"{path}: catalog file missing")
    try:
        df = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    except (ValueError, pd.errors.ParserError) as exc:
        raise CatalogError(f"{path}: unreadable catalog file: {exc}") from exc
    missing = [c for c in dtypes if c not in df.columns]
    if missing:
        raise CatalogError(f"{path}: missing columns {missing}")
    return df[list(dtypes)]


#: Environment variable naming a catalog folder to use instead of the shipped one (e.g. your own import).
CATALOG_ENV = "MLPERF_RECOMMENDER_CATALOG"


def load(data_dir: Path | str | None = None) -> Catalog:
    """Load the catalog: ``data_dir``, else ``$MLPERF_RECOMMENDER_CATALOG``, else the shipped one.

    A folder holds ``results.csv`` (as written by ``recommender catalog import-mlperf``), ``accelerators.csv``,
    ``defaults.csv`` and ``cloud_prices.csv``; a folder with only ``results.csv`` borrows the shipped others.
    Cached per folder and content.
    """
    d, files = _data_files(data_dir)
    check_user_catalog(d, files)  # numbers, counts, duplicated rows (catalog.validate); cached per file
    return _load_cached(str(d.resolve()), _fingerprint(files))


def data_fingerprint(data_dir: Path | str | None = None) -> str:
    """The fingerprint ``load(data_dir).fingerprint`` will have, without pandas or parsing (hashes the files)."""
    return _fingerprint(_data_files(data_dir)[1])


def _data_files(data_dir: Path | str | None) -> tuple[Path, list[Path]]:
    """The folder and the four files ``load`` reads: ``data_dir``, else ``$MLPERF_RECOMMENDER_CATALOG``, else shipped."""
    import os

    if data_dir is None and os.environ.get(CATALOG_ENV):
        data_dir = os.environ[CATALOG_ENV]
    d = Path(data_dir) if data_dir is not None else DATA_DIR
    return d, [d / RESULTS_FILE] + [d / f if (d / f).is_file() else DATA_DIR / f
                                    for f in (ACCELERATORS_FILE, DEFAULTS_FILE, CLOUD_PRICES_FILE)]


#: Content fingerprints by the files' (path, mtime_ns, size, inode): a warm ``load()`` stats four files instead
#: of reading and hashing them. Only files last changed more than :data:`_SETTLED_NS` before they were hashed
#: are remembered, so a file rewritten within the file system's timestamp granularity is never mistaken for the
#: one hashed (git's "racily clean" rule).
_FINGERPRINTS: dict[tuple[tuple[str, int, int, int], ...], str] = {}
_SETTLED_NS = 2_000_000_000


def _fingerprint(files: list[Path]) -> str:
    import os
    import time

    try:
        stats = [os.stat(f) for f in files]
    except OSError:
        stats = None
    key = None if stats is None else tuple((str(f), st.st_mtime_ns, st.st_size, st.st_ino)
                                           for f, st in zip(files, stats))  # fmt: skip
    if key is not None and key in _FINGERPRINTS:
        return _FINGERPRINTS[key]
    h = hashlib.sha256()
    for f in files:
        try:
            h.update(f.read_bytes())
        except OSError as exc:
            raise CatalogError(f"{f}: catalog file missing or unreadable") from exc
    digest = h.hexdigest()
    if key is not None and all(time.time_ns() - st.st_mtime_ns > _SETTLED_NS for st in stats or []):
        if len(_FINGERPRINTS) > 64:
            _FINGERPRINTS.clear()
        _FINGERPRINTS[key] = digest
    return digest


@lru_cache(maxsize=8)
def _load_cached(data_dir: str, fingerprint: str) -> Catalog:
    from catalog.schema import ACCELERATOR_DTYPES, CLOUD_PRICE_DTYPES, DEFAULTS_DTYPES, RESULT_DTYPES

    d = Path(data_dir)

    def pick(name: str) -> Path:
        return d / name if (d / name).is_file() else DATA_DIR / name

    results = _read_csv(d / RESULTS_FILE, RESULT_DTYPES)
    accelerators = _read_csv(pick(ACCELERATORS_FILE), ACCELERATOR_DTYPES)
    defaults = _read_csv(pick(DEFAULTS_FILE), DEFAULTS_DTYPES)
    cloud_prices = _read_csv(pick(CLOUD_PRICES_FILE), CLOUD_PRICE_DTYPES)
    return Catalog(results, accelerators, defaults, fingerprint, d, cloud_prices)


#: Columns of :func:`rank`'s frame. Columns starting with ``derived_`` are not MLPerf results.
RANK_COLUMNS = [
    "rank",
    "round",
    "division",
    "status",
    "submitter",
    "system_id",
    "system_name",
    "benchmark",
    "accelerator_id",
    "accelerator_name",
    "accelerators",
    "nodes",
    "minutes",
    "derived_vs_fastest_pct",
    "energy_kwh",
    "avg_power_kw",
    "avg_node_power_kw",
    "power_measurement_type",
    "derived_vs_lowest_energy_pct",
    "duplicate_of",
]

#: What :func:`rank` can rank by: the time-to-train score, or the MLPerf Power energy-to-train score.
RANK_METRICS = {"minutes": "minutes", "energy": "energy_kwh"}


def _check_rank_query(cat: Catalog, benchmark: Any, accelerator: Any, accelerators: Any, round_: Any,
                      division: Any, status: Any, submitter: Any) -> tuple[str | None, int | None]:
    """Each :func:`rank` filter names something the catalog holds (an empty leaderboard for a typo would read
    as "no results"); returns the canonical round and the whole accelerator count."""
    import math

    from catalog.errors import CatalogQueryError
    from catalog.registry import BENCHMARKS, canonical_round, closest_ids, round_key
    from catalog.schema import DIVISIONS, STATUSES

    r = cat.results

    def known(field: str, value: Any, values: set[str]) -> None:
        if not isinstance(value, str):
            raise CatalogQueryError(f"must be text, not {type(value).__name__}", field=field)
        if value not in values:
            near = closest_ids(value, sorted(values))
            raise CatalogQueryError(f"unknown {field} {value!r}" + (f" (closest: {', '.join(near)})" if near else ""),
                                    field=field)  # fmt: skip

    known("benchmark", benchmark, set(BENCHMARKS) | set(r["benchmark"].dropna().astype(str)))
    if accelerator:
        known("accelerator", accelerator, set(cat.accelerators["accelerator_id"].dropna().astype(str)))
    for name, value, allowed in (("division", division, DIVISIONS), ("status", status, STATUSES)):
        if value:
            known(name, value, set(allowed))
    if submitter is not None and not isinstance(submitter, str):
        raise CatalogQueryError(f"must be text, not {type(submitter).__name__}", field="submitter")
    if round_:
        rounds = sorted(set(r["round"].dropna().astype(str)), key=round_key)
        try:
            round_ = canonical_round(str(round_))
        except ValueError as exc:
            raise CatalogQueryError(str(exc), field="round") from None
        if round_ not in rounds:
            raise CatalogQueryError(f"the catalog has no results of round {round_} (it holds {', '.join(rounds)})",
                                    field="round")  # fmt: skip
    if accelerators is not None:
        try:
            n = float(accelerators)
        except (TypeError, ValueError):
            n = math.nan
        if not (math.isfinite(n) and n >= 1 and n == int(n)) or isinstance(accelerators, bool):
            raise CatalogQueryError(f"must be a whole number >= 1, got {accelerators!r}", field="accelerators")
        accelerators = int(n)
    return round_ or None, accelerators


def rank(
    benchmark: str,
    *,
    accelerator: str | None = None,
    accelerators: int | None = None,
    round: str | None = None,
    division: str | None = "closed",
    status: str | None = None,
    submitter: str | None = None,
    metric: str = "minutes",
    catalog: Catalog | None = None,
) -> pd.DataFrame:
    """The "same configuration" leaderboard: scored results of one benchmark, best first.

    Filters narrow to a configuration (accelerator model, total accelerator count, round, division) as vendors
    quote wins. ``metric`` is ``"minutes"`` (time to train, every scored result) or ``"energy"`` (energy to
    train, kWh: only MLPerf Power results, i.e. submissions with power logs). ``rank`` counts from 1 within each
    (round, division, accelerator_id, accelerators) group by that metric — for energy also by where power was
    measured (AC at the wall, DC after the power supplies), which are not comparable. The ``derived_*`` columns are
    *derived* — how much slower, or how much more energy, than the best result of the same configuration —
    and are not MLPerf results.
    """
    if metric not in RANK_METRICS:
        raise ValueError(f"metric must be one of {sorted(RANK_METRICS)}, not {metric!r}")
    column = RANK_METRICS[metric]
    cat = catalog or load()
    if not isinstance(cat, Catalog):
        raise TypeError(f"catalog must be a Catalog (catalog.load()), not {type(cat).__name__}")
    round, accelerators = _check_rank_query(cat, benchmark, accelerator, accelerators, round, division, status,
                                            submitter)  # fmt: skip
    r = cat.results
    mask = (r["benchmark"] == benchmark) & r["minutes"].notna() & r[column].notna()
    for col, value in (("accelerator_id", accelerator), ("round", round), ("division", division),
                       ("status", status)):
        if value:
            mask &= r[col] == value
    if accelerators is not None:
        mask &= r["accelerators"] == accelerators
    if submitter:
        mask &= r["submitter"].str.casefold() == submitter.casefold()
    df = r[mask].copy()
    df["accelerator_name"] = df["accelerator_id"].map(cat._names()).astype("string")
    df = df.sort_values([column, "minutes", "round", "submitter", "system_id"], kind="stable")
    group = ["round", "division", "accelerator_id", "accelerators"]
    if metric == "energy":  # AC at the wall and DC after the power supplies are not one measurement
        group.append("power_measurement_type")
    keys = df[group].astype("string").fillna("")
    by = df.groupby([keys[c] for c in group], sort=False)
    df["rank"] = by.cumcount().astype("Int64") + 1
    df["derived_vs_fastest_pct"] = ((df["minutes"] / by["minutes"].transform("min") - 1.0) * 100.0).round(1)
    df["derived_vs_lowest_energy_pct"] = (
        (df["energy_kwh"] / by["energy_kwh"].transform("min") - 1.0) * 100.0).round(1)
    return df[RANK_COLUMNS].reset_index(drop=True)


def _jsonable(value: Any) -> Any:  # used by the CLI's --json output
    import pandas as pd

    if value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value
