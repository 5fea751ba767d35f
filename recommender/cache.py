"""In-memory caches keyed by a catalog's content: ``functools.lru_cache`` keyed on the catalog's fingerprint."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog

T = TypeVar("T")


class _ByFingerprint:
    """A catalog as an lru_cache key: two catalogs with the same content (fingerprint) are the same key."""

    __slots__ = ("catalog",)

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def __hash__(self) -> int:
        return hash(self.catalog.fingerprint)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ByFingerprint) and other.catalog.fingerprint == self.catalog.fingerprint


def per_catalog(maxsize: int = 8) -> Callable[[Callable[[Catalog], T]], Callable[[Catalog], T]]:
    """Decorator: cache ``fn(catalog)`` per catalog content, the ``maxsize`` most recently used."""

    def decorate(fn: Callable[[Catalog], T]) -> Callable[[Catalog], T]:
        cached = lru_cache(maxsize=maxsize)(lambda key: fn(key.catalog))

        @wraps(fn)
        def wrapper(catalog: Catalog) -> T:
            return cached(_ByFingerprint(catalog))

        wrapper.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return wrapper

    return decorate
