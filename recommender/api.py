"""The public front door: :func:`optimize`, :func:`candidates`, :func:`frontier`.

All three take the same inputs — a :class:`~recommender.models.Scenario`, a dict, or a path to a scenario
YAML file, plus keyword overrides of scenario fields — and never print. Each is a short orchestration of
the packages that do the work:

scenario (:mod:`recommender.scenario`: resolve, check ids) -> candidate table (:mod:`recommender.planning.table`:
grid, costs, minutes from ONE vectorised call of the performance model) -> feasibility and pruning
(:mod:`recommender.planning.feasibility`) -> solve and explain (:mod:`recommender.planning.single` or
:mod:`recommender.planning.mix`, the MILPs in :mod:`recommender.planning.solve`).

Solver choice: the answer is the binary-choice MILP over the pruned candidates, solved by HiGHS in-process
(CBC when highspy is missing or fails; status checked, time limit; a few ms). The explanation's what-if
re-solves (each limit removed, +10 % budget or power, each other accelerator's best) use exact enumeration over
the same candidates — a removed limit on the table prepared without it (:mod:`recommender.planning.binding`) —
which answers the same problem without one solver run per question (the tests check both agree on hundreds of
random scenarios). ``solver="enumeration"`` skips the MILP for the answer too. Mix mode (``mix: true``) solves
its integer MILP with HiGHS in-process after an LP-based reduction (:mod:`recommender.planning.mix_highs`), CBC
when highspy is missing or fails; ``min_time`` mixes use CBC.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from recommender.errors import ModelError, ScenarioError
from recommender.models import Recommendation
from recommender.planning import solve as S
from recommender.planning.frame import CANDIDATE_COLUMNS, candidate_frame
from recommender.planning.predictions import Predictor

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from catalog import Catalog
    from recommender.planning.table import Prepared

__all__ = ["CANDIDATE_COLUMNS", "Predictor", "candidates", "frontier", "optimize"]


def _default_predictor() -> Predictor:
    try:
        from recommender.performance.answers import predict
    except ImportError as exc:  # pragma: no cover - depends on the performance model being installed
        raise ModelError(f"the performance model (recommender.performance.predict) is not available: {exc}") from exc
    return predict


#: Prepared candidate tables kept per (scenario, catalog object, predictor): re-solving the same scenario (the TUI
#: toggling back, a benchmark, a batch repeating a row) skips the grid, the bill and the prediction look-ups. The
#: predictions themselves are cached per (catalog fingerprint, predictor, workload) in
#: :mod:`recommender.planning.predictions`, so this adds no staleness of its own. Read-only once built.
_PREPARED: OrderedDict[tuple[Any, ...], tuple[Catalog, Prepared]] = OrderedDict()
_PREPARED_SIZE = 16
_PREPARED_LOCK = threading.Lock()


def _prepare(scenario: Any, catalog: Catalog | None, predictor: Predictor | None,
             overrides: dict[str, Any]) -> Prepared:  # fmt: skip
    """Scenario -> checked ids -> candidate table (cached, see :data:`_PREPARED`)."""
    from recommender.planning.catalog_info import catalog_meta
    from recommender.planning.table import prepare
    from recommender.scenario.ids import check_ids
    from recommender.scenario.loader import resolve_scenario

    s = resolve_scenario(scenario, overrides)
    if catalog is None:
        import catalog as catalog_pkg

        catalog = catalog_pkg.load()
    predict = predictor or _default_predictor()
    key = (s.model_dump_json(), id(catalog), predict)
    with _PREPARED_LOCK:
        hit = _PREPARED.get(key)
        if hit is not None and hit[0] is catalog:
            _PREPARED.move_to_end(key)
            return hit[1]
    unknown = check_ids(s, catalog=catalog)
    if unknown:
        raise unknown[0]
    p = prepare(s, catalog, catalog_meta(catalog), predict)
    # the same scenario without some limits (binding checks need candidates beyond the limits; binding.py)
    p.extra["reprepare"] = lambda **limits_off: _prepare(s.model_copy(update=limits_off), catalog, predictor, {})
    with _PREPARED_LOCK:
        _PREPARED[key] = (catalog, p)
        while len(_PREPARED) > _PREPARED_SIZE:
            _PREPARED.popitem(last=False)
    return p


def candidates(scenario: Any, *, catalog: Catalog | None = None, predictor: Predictor | None = None,
               **overrides: Any) -> pd.DataFrame:  # fmt: skip
    """Every candidate considered, one row each: :data:`CANDIDATE_COLUMNS` plus ``minutes[<workload>]``.

    ``feasible`` says whether it satisfies every limit (``why`` says which it breaks); ``dominated`` marks
    feasible candidates another feasible candidate beats on every count (pruned before the MILP).
    """
    return candidate_frame(_prepare(scenario, catalog, predictor, overrides))


def frontier(scenario: Any, *, catalog: Catalog | None = None, predictor: Predictor | None = None,
             **overrides: Any) -> pd.DataFrame:  # fmt: skip
    """The capex <-> share-weighted-minutes Pareto frontier of the candidates (limits ignored, memory and
    allow-list respected): rows sorted by capex, each strictly faster than every cheaper one by the minutes the
    scenario's ``risk`` ranks (``weighted_minutes_p80`` under p80, the default; ``weighted_minutes`` under
    expected), named in ``frame.attrs["ranked_by"]`` — so no cheaper feasible point beats a min_time choice.
    ``feasible`` says whether the row is one the optimizer may choose: within the scenario's limits and, under
    min_tco, training the required mixes/day (``meets_rate``, judged on the mixes/day column named in
    ``frame.attrs["rate_ranked_by"]``; ``frame.attrs["required_mixes_per_day"]`` is None where no rate is required).
    A choice can lie off the frontier: min_tco ranks by TCO, and a cheaper, faster point may break a limit."""
    from recommender.planning import risk as R
    from recommender.planning.feasibility import base_mask, objective_arrays

    p = _prepare(scenario, catalog, predictor, overrides)
    frame = candidate_frame(p)
    col = "weighted_minutes_p80" if R.resolve(p.scenario.risk) == R.P80 else "weighted_minutes"
    sub = frame[base_mask(p)].sort_values(["capex_usd", col], kind="stable")
    keep, best = [], math.inf
    for i, wm in zip(sub.index, sub[col].to_numpy(dtype=float, na_value=np.inf)):
        if wm < best - 1e-12:
            keep.append(i)
            best = wm
    out = sub.loc[keep].reset_index(drop=True)
    out.attrs["ranked_by"] = col
    thr, req = objective_arrays(p)[2:]
    out.attrs["required_mixes_per_day"] = None if thr is None else req
    out.attrs["rate_ranked_by"] = col.replace("weighted_minutes", "mixes_per_day")
    return out


#: the ``solver`` values :func:`optimize` takes
SOLVERS: tuple[str, ...] = ("auto", "cbc", "highs", "enumeration")


def optimize(scenario: Any, *, catalog: Catalog | None = None, predictor: Predictor | None = None,
             solver: Literal["auto", "cbc", "highs", "enumeration"] = "auto", time_limit_s: float = S.DEFAULT_TIME_LIMIT_S,
             explain: bool = True, **overrides: Any) -> Recommendation:  # fmt: skip
    """Pick the accelerator model and count (or, with ``mix: true``, several configurations) for a scenario.

    ``scenario``: a :class:`Scenario`, a dict, or a path to a ``.yaml``/``.yml`` scenario file;
    ``overrides``: scenario fields to replace (e.g. ``budget_usd=2e6``). ``predictor``: the performance model
    (default :func:`recommender.performance.predict`). ``solver``: ``auto`` or ``cbc`` (the answer solved by
    CBC; what-if re-solves by enumeration) or ``enumeration`` (single choice only, no CBC). ``explain=False`` skips
    alternatives, binding checks and sensitivity (faster).

    Infeasible scenarios return ``status="infeasible"`` with an explanation; invalid ones raise
    :class:`~recommender.errors.ScenarioError` (unknown ids: :class:`~recommender.errors.UnknownIdError`).
    """
    if solver not in SOLVERS:  # "gurobi" ran CBC without a word
        raise ScenarioError(f"unknown solver {solver!r}; one of {', '.join(SOLVERS)}", field="solver")
    if isinstance(time_limit_s, bool) or not isinstance(time_limit_s, (int, float)) or not (
            math.isfinite(time_limit_s) and time_limit_s > 0):  # fmt: skip
        raise ScenarioError(f"must be a finite number of seconds > 0, got {time_limit_s!r}", field="time_limit_s")
    p = _prepare(scenario, catalog, predictor, overrides)
    if p.scenario.mix:
        from recommender.planning.mix import optimize_mix

        if solver == "enumeration":
            raise ScenarioError("mix mode needs the MILP solver (cbc), not enumeration", field="mix")
        from recommender.planning.plan import attach

        return attach(p, optimize_mix(p, time_limit_s=time_limit_s, explain=explain, solver=solver))
    from recommender.planning.plan import attach
    from recommender.planning.single import optimize_single

    return attach(p, optimize_single(p, solver=solver, time_limit_s=time_limit_s, explain=explain))
