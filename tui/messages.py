"""Typed messages that workers post to the app (or to the view that ran them: the Model view). Workers never
touch widgets; handlers do.

Every message carries the ``generation`` of the scenario it was computed for, so a result that arrives
after the user has changed the scenario again is recognised as stale and dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd

    from tui.backend import ScenarioChoice


@dataclass
class CatalogLoaded(Message):
    """The catalog finished loading (``catalog`` is a :class:`catalog.Catalog`)."""

    catalog: Any
    seconds: float


@dataclass
class CatalogFailed(Message):
    """The catalog could not be loaded; ``error`` is shown and the app stays up."""

    error: str


@dataclass
class ModelStatus(Message):
    """Whether the performance model is being fitted for the first time (``fitting``) or ready."""

    fitting: bool
    detail: str = ""


@dataclass
class RecommendationReady(Message):
    """``optimize`` returned ``recommendation`` for ``scenario`` (both pydantic models)."""

    generation: int
    scenario: Any
    recommendation: Any
    seconds: float
    #: For an infeasible answer: :class:`recommender.planning.relax.Infeasibility` (limits broken, what relaxing buys).
    infeasibility: Any = None


@dataclass
class SolveFailed(Message):
    """``optimize`` raised. ``field`` is the dotted scenario field the error names, when it names one."""

    generation: int
    error: str
    field: str | None = None


@dataclass
class FrontierReady(Message):
    """The cost ↔ minutes Pareto frontier (a DataFrame) for the scenario of ``generation``."""

    generation: int
    frontier: pd.DataFrame


@dataclass
class FrontierFailed(Message):
    generation: int
    error: str


@dataclass
class RankingReady(Message):
    """``catalog.rank`` result for the selected catalog row (a DataFrame) and a title describing it;
    ``metric`` is what it is ranked by (``minutes`` or ``energy``)."""

    title: str
    ranking: pd.DataFrame
    metric: str = "minutes"


@dataclass
class ModelReportReady(Message):
    """Accuracy of the performance model: ``by_benchmark`` table and ``points`` (measured vs predicted)."""

    by_benchmark: pd.DataFrame
    points: pd.DataFrame | None
    source: str


@dataclass
class ModelReportNotCached(Message):
    """A visit to the Model view found no cached summary (the evaluation runs only when asked)."""


@dataclass
class ModelReportFailed(Message):
    error: str


@dataclass
class ScenarioLoaded(Message):
    """A scenario file was read (``scenario``) from ``path``; ``name`` when it is one of the file's several."""

    scenario: Any
    path: str
    name: str | None = None


@dataclass
class ScenarioChoices(Message):
    """``path`` holds several scenarios (``scenarios:``): the app asks which to open."""

    path: str
    choices: list[ScenarioChoice]


@dataclass
class ScenarioLoadFailed(Message):
    """A scenario file could not be read or is invalid; ``error`` reads ``file:line: field: message``."""

    path: str
    error: str


@dataclass
class WorkerError(Message):
    """A worker's secondary task failed (``task`` names it); shown as a notification, the app stays up."""

    task: str
    error: str
