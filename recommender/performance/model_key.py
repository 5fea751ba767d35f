"""What identifies a fitted model on disk, without numpy or pandas: the cache folder, :data:`MODEL_VERSION` and
the hash of this package's source. :mod:`.store` names its files with these; the app's cached start-up answer
(:mod:`tui.warm_start`) is keyed on them too, so it can check them before the heavy imports."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

#: Bump when the cached model's format or fitting procedure changes (old caches are then refitted).
MODEL_VERSION = 8


def cache_dir() -> Path:
    """``$MLPERF_RECOMMENDER_CACHE``, else ``~/.cache/mlperf-recommender``."""
    env = os.environ.get("MLPERF_RECOMMENDER_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "mlperf-recommender"


def code_fingerprint() -> str:
    """Hash of the performance package's source and searched settings (``tuned.json``): a code or settings
    change never loads a stale model."""
    h = hashlib.sha256(str(MODEL_VERSION).encode())
    here = Path(__file__).parent
    for p in sorted([*here.glob("*.py"), *here.glob("*.json")]):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def model_key(catalog_fingerprint: str) -> str:
    """The fitted model's identity for a catalog: what :func:`.store.cache_path` names its file with."""
    return f"{catalog_fingerprint[:20]}-v{MODEL_VERSION}-{code_fingerprint()}"
