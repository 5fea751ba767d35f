"""The last answer for identical inputs, shown at once on a warm start while the fresh solve runs.

Stale-while-revalidate, keyed honestly: the key is a sha256 over the scenario (its canonical JSON, or the seed
file's bytes when the app opens the seed), the catalog's content fingerprint, the fitted model's key
(:mod:`recommender.performance.model_key`: catalog fingerprint, ``MODEL_VERSION``, the model code's hash), the
source of ``recommender/`` and ``catalog/``, and the package version. Any change gives another key, so no
cached answer is shown. One small JSON file per key in the model's cache folder, written atomically after each
successful solve of the scenario as opened; a missing, corrupt or foreign file is ignored.

Nothing here imports pandas: the app reads the cached answer on its main thread before the catalog is loaded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from recommender.models import Recommendation, Scenario
    from tui.widgets.recommendation import RecommendationPanel

FORMAT = "mlperf-recommender/cached-answer"
FORMAT_VERSION = 1
_PACKAGES = ("recommender", "catalog")


@dataclass(frozen=True)
class CachedAnswer:
    """An answer computed earlier for the same inputs, with what the panel needs to show it without a catalog."""

    recommendation: Recommendation
    names: dict[str, str]  # accelerator id -> display name
    catalog_round: str  # the catalog's latest round when it was computed
    years: float  # the scenario's TCO horizon


def startup_key(scenario: Scenario | None, seed_path: Path | None, catalog_fingerprint: str | None) -> str | None:
    """The key of the app's start-up inputs; None when one of them cannot be read (then nothing is cached)."""
    import catalog
    from recommender.performance.model_key import model_key

    try:
        scenario_bytes = (b"scenario:" + scenario.model_dump_json().encode() if scenario is not None
                          else b"file:" + Path(seed_path or "").read_bytes())
        fingerprint = catalog_fingerprint or catalog.data_fingerprint()
        parts = [scenario_bytes, fingerprint.encode(), model_key(fingerprint).encode(),
                 _package_version().encode(), _source_hash().encode()]
    except (OSError, catalog.CatalogError):
        return None
    h = hashlib.sha256(f"{FORMAT}/{FORMAT_VERSION}".encode())
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def answer_path(key: str) -> Path:
    from recommender.performance.model_key import cache_dir

    return cache_dir() / f"answer-{key[:32]}.json"


def read_answer(key: str | None) -> CachedAnswer | None:
    """The cached answer for ``key``; None when there is none or the file is unreadable, corrupt or foreign."""
    if key is None:
        return None
    try:
        doc = json.loads(answer_path(key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("key") != key:
        return None
    from pydantic import ValidationError

    from recommender.models import Recommendation

    try:
        rec = Recommendation.model_validate(doc["recommendation"])
        names = {str(k): str(v) for k, v in dict(doc.get("names") or {}).items()}
        return CachedAnswer(rec, names, str(doc.get("catalog_round") or ""), float(doc["years"]))
    except (OSError, ValueError, TypeError, KeyError, AttributeError, ValidationError):
        return None


def write_answer(key: str | None, answer: CachedAnswer) -> None:
    """Store ``answer`` under ``key`` (atomically); a failure to write is ignored (the cache is an optimisation)."""
    if key is None:
        return
    from catalog.atomic import write_text_atomic

    doc = {"format": FORMAT, "version": FORMAT_VERSION, "key": key, "catalog_round": answer.catalog_round,
           "years": answer.years, "names": answer.names,
           "recommendation": json.loads(answer.recommendation.model_dump_json())}
    try:
        write_text_atomic(answer_path(key), json.dumps(doc))
    except OSError:
        pass


def show_cached(panel: RecommendationPanel, cached: CachedAnswer) -> None:
    """Show a cached answer in ``panel``, marked and labelled as cached."""
    panel.names = cached.names
    panel.years = cached.years
    panel.show(cached.recommendation)
    panel.set_cached(True)
    round_ = f" (catalog {cached.catalog_round})" if cached.catalog_round else ""
    panel.set_status(f"Cached answer for this scenario{round_} — re-checking…", kind="busy")


def not_rechecked(error: str) -> str:
    """The status when the fresh solve behind a cached answer failed: the answer stays, saying it was not re-checked."""
    return f"Cached answer from an earlier start, NOT re-checked — {error}"


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mlperf-recommender")
    except PackageNotFoundError:
        return "unknown"


def _source_hash() -> str:
    """Hash of the library's source: an edited solver in a source tree never shows an answer it did not give."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for package in _PACKAGES:
        for p in sorted((root / package).rglob("*.py")):
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()
