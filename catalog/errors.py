"""The catalog's one error type (``recommender.errors.CatalogError`` extends it)."""


class CatalogError(Exception):
    """Unusable catalog or import input: missing directory, not an MLPerf layout, unreadable data file."""
