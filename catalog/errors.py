"""The catalog's one error type (``recommender.errors.CatalogError`` extends it)."""


class CatalogError(Exception):
    """Unusable catalog or import input: missing directory, not an MLPerf layout, unreadable data file."""


class CatalogQueryError(CatalogError, ValueError):
    """A catalog query names something the catalog does not hold (``field`` = the argument, e.g. ``benchmark``)."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
