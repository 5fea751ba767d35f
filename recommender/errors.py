"""Typed errors. Library code raises these; the CLI turns them into one-line messages and exit code 2."""

from __future__ import annotations

from catalog.errors import CatalogError as _CatalogInputError


class RecommenderError(Exception):
    """Base class of every error this project raises on bad input."""


class CatalogError(RecommenderError, _CatalogInputError):
    """A catalog or import input is unusable (missing directory, not an MLPerf layout, bad file)."""


class ScenarioError(RecommenderError):
    """A scenario is invalid. ``field`` names the offending field (dotted path), ``file``/``line`` where known."""

    def __init__(self, message: str, *, field: str | None = None, file: str | None = None,
                 line: int | None = None) -> None:
        self.message = message
        self.field = field
        self.file = file
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class UnknownIdError(ScenarioError):
    """An unknown benchmark or accelerator id; the message lists the closest known ids."""


class ModelError(RecommenderError):
    """The performance model cannot answer (e.g. an accelerator with no specs and no measurements)."""
