"""Importer for the official MLPerf Training results layout.

::

    <round>/<Submitter>/systems/<system_id>.json
    <round>/<Submitter>/results/<system_id>/<benchmark>/result_<i>.txt
    <round>/<Submitter>/results/<system_id>/<benchmark>/scaling.json   (optional)

Scoring follows MLCommons' results summarizer: a run's time is ``(run_stop - run_start)`` in minutes; a run is
a success when it has a ``run_start``, a ``run_stop`` with ``metadata.status == "success"`` and no unparsable
``:::MLLOG`` line; the olympic mean drops the k fastest and the (k - failed) slowest runs (k = 4 for unet3d,
1 otherwise; more than k failures = no score); the result is multiplied by ``scaling.json``'s factor.

Nothing here raises on irregular data: every skipped or unscoreable item is recorded in :class:`ImportReport`.
"""


from __future__ import annotations

from catalog.mlperf.aliases import AliasTable, default_alias_path
from catalog.mlperf.importer import import_rounds, is_mlperf_round_dir, result_files
from catalog.mlperf.power import Energy, PowerLogError, read_power_log, result_energy
from catalog.mlperf.report import ImportReport, ReportItem
from catalog.mlperf.scoring import (
    MLLOG_PREFIX,
    RunResult,
    olympic_kept,
    olympic_minutes,
    parse_run,
    read_scaling_factor,
)
from catalog.mlperf.systems import normalize_cooling, normalize_division, normalize_status
from catalog.mlperf.writer import write_json_atomic, write_results_csv

__all__ = [
    "MLLOG_PREFIX", "AliasTable", "Energy", "ImportReport", "PowerLogError", "ReportItem", "RunResult",
    "default_alias_path", "import_rounds", "is_mlperf_round_dir", "normalize_cooling", "normalize_division",
    "normalize_status", "olympic_kept", "olympic_minutes", "parse_run", "read_power_log", "read_scaling_factor",
    "result_energy", "result_files", "write_json_atomic", "write_results_csv",
]
