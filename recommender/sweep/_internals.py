"""The ONE place where the sweep reaches into recommender internals (everything else uses public names).

When the scenario loader or the optimizer moves, only the imports of this module change:

- ``recommender.scenario`` (``located``, ``messages``, ``includes``): the located-YAML reader and the entry
  validator
- ``recommender.api``: ``_prepare`` (the candidate table with predictions, one per sweep group)
- ``recommender.planning.solve``: ``_EPS`` (the feasibility tolerance of ``within_limits``)
- ``recommender.batch``: ``row_from_recommendation`` (the batch row of one recommendation)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog
    from recommender.models import Scenario

#: Scenario fields that are limits: a sweep group shares one candidate table across all their values.
LIMIT_FIELDS: tuple[str, ...] = ("budget_usd", "power_limit_kw", "rack_units", "max_nodes", "max_accelerators")
#: The optimizer's names of those limits (``Recommendation.binding``), in the same order.
LIMIT_NAMES: tuple[str, ...] = ("budget", "power", "rack_units", "max_nodes", "max_accelerators")


def feasibility_eps() -> float:
    from recommender.planning.solve import _EPS

    return float(_EPS)


def parse_file(path: str | Path) -> Any:
    """The located YAML document of a file (``Doc``: data + line of every path)."""
    from recommender.scenario.located import display_name
    from recommender.scenario.located import parse_file as _parse

    return _parse(path, name=display_name(path))


def make_doc(data: Any, locs: dict[tuple[Any, ...], Any]) -> Any:
    from recommender.scenario.located import Doc

    return Doc(data, locs)


def make_loc(file: str, line: int, path: tuple[Any, ...]) -> Any:
    from recommender.scenario.located import Loc

    return Loc(file, line, path)


def error_at(doc: Any, path: tuple[Any, ...], message: str) -> Exception:
    from recommender.scenario.messages import error_at as _error_at

    return _error_at(doc, path, message)


def validation_errors(exc: Any, doc: Any, model: Any) -> list[Exception]:
    from recommender.scenario.messages import validation_errors as _errors

    return _errors(exc, doc, model)


def includes(file: str, base: Path) -> Any:
    """Resolver of files referenced by relative path (price lists, custom workloads), cached per load."""
    from recommender.scenario.includes import Includes as _Includes

    return _Includes(file, base)


def validate_entry(doc: Any, name: str, incl: Any, catalog: Catalog | None) -> Scenario | list[Exception]:
    """Resolve references, validate and check the ids of one scenario entry; a Scenario or located errors."""
    from recommender.scenario.includes import validate_entry as _validate_entry

    return _validate_entry(doc, name, incl, catalog, True)


def row_from_recommendation(rec: Any) -> dict[str, Any]:
    from recommender.batch import row_from_recommendation as _row

    return _row(rec, file="").model_dump()


def build_table(scenario: Scenario, catalog: Catalog) -> dict[str, np.ndarray]:
    """Every candidate of the scenario's accelerators, limits ignored: the whole count grid of each one.

    The optimizer's own table for a scenario with limits holds the same candidates up to a little over the
    limits, in the same order, so the feasible candidates (and hence the choice) are the same.
    """
    from recommender.api import _prepare
    from recommender.models import Objective, summary_basis
    from recommender.planning.feasibility import risk_arrays

    rate = scenario.required_mixes_per_day if scenario.objective == Objective.MIN_TCO else None
    free = scenario.model_copy(update={**dict.fromkeys(LIMIT_FIELDS), "objective": Objective.MIN_TCO,
                                       "required_mixes_per_day": rate or 1.0, "mix": False})  # (its TCO: busy_share)
    p = _prepare(free, catalog, None, {})
    t = p.table
    ranked, ranked_mixes = risk_arrays(p)  # what the optimizer ranks by under the scenario's risk (issue 12)
    pos = [w for w in range(len(p.names)) if p.shares[w] > 0]
    basis = np.array([summary_basis([str(t.basis[i][w]) for w in pos]) if pos else "" for i in range(len(t))],
                     dtype=object)  # the summary of each candidate's figures, as batch rows give it
    return {
        "basis": basis,
        "acc": np.asarray(t.acc, dtype=object),
        "accelerators": np.asarray(t.accelerators, dtype=np.int64),
        "nodes": np.asarray(t.nodes, dtype=np.int64),
        "capex": np.asarray(t.capex, dtype=float),
        "power": np.asarray(t.power, dtype=float),
        "rack_units": np.asarray(t.ru, dtype=float),
        "tco": np.asarray(t.tco, dtype=float),
        "weighted": np.asarray(t.weighted, dtype=float),
        "mixes": np.asarray(t.mixes, dtype=float),
        "ranked": np.asarray(ranked, dtype=float),
        "ranked_mixes": np.asarray(ranked_mixes, dtype=float),
        "predicted": np.asarray(t.predicted, dtype=bool),
        "mem_ok": np.asarray(t.mem_ok, dtype=bool),
    }
