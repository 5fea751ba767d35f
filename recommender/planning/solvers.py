"""Which MILP solver runs, and what its status means: CBC (PuLP's bundled binary, a subprocess per solve) or
HiGHS (``highspy``, in-process). Both always get a time limit; statuses map to :class:`recommender.models.Status`
and are never asserted on."""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Any

import pulp

from recommender.models import Status


def map_status(status: int, sol_status: int) -> Status:
    """Map PuLP's (status, sol_status) to our lower-case status."""
    if sol_status == pulp.LpSolutionOptimal and status == pulp.LpStatusOptimal:
        return Status.OPTIMAL
    if sol_status == pulp.LpSolutionIntegerFeasible:
        return Status.FEASIBLE  # stopped at the time limit with an integer solution
    if status == pulp.LpStatusOptimal and sol_status not in (pulp.LpSolutionInfeasible, pulp.LpSolutionUnbounded,
                                                             pulp.LpSolutionNoSolutionFound):  # fmt: skip
        return Status.OPTIMAL
    return Status.INFEASIBLE


#: HiGHS options on every solve. One thread: HiGHS's worker pool costs ~10-15 ms of synchronisation per small
#: solve on a busy 2-core machine, and the pool's size is fixed by the first solve of the process (a later solve
#: asking for another size fails; :func:`solve_problem` then falls back to CBC). The feasibility-jump heuristic
#: costs ~10 ms per solve and finds nothing a one-row choice problem needs; it does not change the optimum.
HIGHS_OPTIONS: dict[str, Any] = {"threads": 1, "mip_heuristic_run_feasibility_jump": False}


def _solver(time_limit_s: float, name: str = "cbc", *, warm_start: bool = False, max_nodes: int | None = None,
            highs_options: dict[str, Any] | None = None) -> pulp.LpSolver:
    """CBC (bundled, a subprocess) or HiGHS (``highspy``, in-process; silent with ``msg=False``). Both always
    get a time limit; HiGHS is told to prove optimality to a zero relative gap, as CBC does (its default gap
    of 1e-4 could return a slightly worse candidate as "optimal")."""
    if name == "highs":
        _silence_highs_banner()
        extra: dict[str, Any] = {} if max_nodes is None else {"mip_max_nodes": int(max_nodes)}
        extra.update(highs_options or {})
        return pulp.HiGHS(msg=False, timeLimit=time_limit_s, gapRel=0.0, **{**HIGHS_OPTIONS, **extra})
    with warnings.catch_warnings():
        # PuLP 3.3 announces PULP_CBC_CMD's removal in 4.0; it is the bundled CBC the project standardises on
        warnings.simplefilter("ignore", DeprecationWarning)
        return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s, warmStart=warm_start, maxNodes=max_nodes)


def solve_problem(prob: pulp.LpProblem, time_limit_s: float, solver: str = "cbc", *, warm_start: bool = False,
                  max_nodes: int | None = None, highs_options: dict[str, Any] | None = None) -> str:
    """Solve ``prob`` with ``solver`` and return the solver that answered: HiGHS that does not run (it reports
    "not solved", e.g. when another user of highspy in the process fixed its thread pool, or raises) is
    replaced by CBC. CBC's own failures (PulpSolverError) reach the caller."""
    if solver == "highs":
        try:
            prob.solve(_solver(time_limit_s, "highs", max_nodes=max_nodes, highs_options=highs_options))
            if prob.status != pulp.LpStatusNotSolved:
                return "highs"
        except pulp.PulpSolverError:
            pass
    prob.solve(_solver(time_limit_s, "cbc", warm_start=warm_start, max_nodes=max_nodes))
    return "cbc"


def resolve_solver(name: str) -> str:
    """``auto`` -> ``highs`` when highspy is installed (in-process, no process start-up per solve), else
    ``cbc`` (PuLP's bundled CBC); other names are returned as given."""
    if name == "auto":
        return "highs" if highs_available() else "cbc"
    return name


_HIGHS_QUIET = False


def _silence_highs_banner() -> None:
    """highspy prints its banner to fd 1 when the first ``Highs()`` of a process is built, whatever the options
    (it would corrupt a running TUI): build that first one with fd 1 pointed at /dev/null."""
    global _HIGHS_QUIET
    if _HIGHS_QUIET:
        return
    import os
    import sys

    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _HIGHS_QUIET = True


@lru_cache(maxsize=1)
def highs_available() -> bool:
    """Is HiGHS usable in-process (``highspy`` installed)?"""
    return bool(pulp.HiGHS().available())
