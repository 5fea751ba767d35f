"""Sweeps: one base scenario x axes of values, thousands to millions of scenarios, results in Parquet.

:func:`load_sweep` reads a sweep file (:mod:`recommender.sweep.spec`), :func:`run_sweep` solves it here, on
local processes or on Dask (:mod:`recommender.sweep.runners`) into an output opened with :func:`open_output`
(:mod:`recommender.sweep.output`), and :func:`summary_text` tells where the choice changes along each axis.
"""

from __future__ import annotations

from recommender.sweep.output import open_output, read_results
from recommender.sweep.runners import Stats, run_sweep
from recommender.sweep.spec import Plan, SweepError, load_sweep
from recommender.sweep.summary import changes, summary_text

__all__ = ["Plan", "Stats", "SweepError", "changes", "load_sweep", "open_output", "read_results", "run_sweep",
           "summary_text"]
