"""Scoring one result folder as MLCommons' result summarizer does: runs, olympic mean, scaling factor."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.schema import MAX_MINUTES

MLLOG_PREFIX = ":::MLLOG"


@dataclass
class RunResult:
    path: Path
    success: bool
    minutes: float | None
    reason: str = ""  # why not a success
    fingerprint: str = ""  # run_start/run_stop timestamps
    meta: dict[str, Any] = field(default_factory=dict)  # submission_* values
    time_ms: float | None = None  # run_stop - run_start in ms (the energy rule multiplies by it)
    unreadable: bool = False  # the log could not be read (permissions, I/O): no failed run, the result is unscored


def parse_run(path: Path) -> RunResult:
    """Parse one result_<i>.txt (cut-down MLLOG) into a run."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return RunResult(path, False, None, f"unreadable log {path.name}: {exc.strerror or exc}", unreadable=True)
    start = stop = None
    stop_status = None
    garbled = 0
    meta: dict[str, Any] = {}
    for line in text.splitlines():
        idx = line.find(MLLOG_PREFIX)
        if idx < 0:
            continue
        try:
            ev = json.loads(line[idx + len(MLLOG_PREFIX):])
            key = ev["key"]
            t = _event_time_ms(ev)
            if not isinstance(key, str):
                raise TypeError("key is not a string")
        except (ValueError, KeyError, TypeError, AttributeError):
            garbled += 1
            continue
        if key == "run_start" and start is None:
            start = t
        elif key == "run_stop":
            stop = t
            md = ev.get("metadata") or {}
            stop_status = md.get("status") if isinstance(md, dict) else None
        elif key.startswith("submission_") and key not in meta:
            meta[key] = ev.get("value")
    fp = f"{start}-{stop}"
    if garbled:
        return RunResult(path, False, None, f"unparsable MLLOG line(s): {garbled}", fp, meta)
    if start is None:
        return RunResult(path, False, None, "no run_start", fp, meta)
    if stop is None:
        return RunResult(path, False, None, "no run_stop (truncated or aborted run)", fp, meta)
    if stop_status != "success":
        return RunResult(path, False, None, f"run_stop status {stop_status!r}", fp, meta)
    minutes = (stop - start) / 60000.0
    if minutes < 0:
        return RunResult(path, False, None, "run_stop before run_start", fp, meta)
    if minutes > MAX_MINUTES:  # a corrupt timestamp, not a score: the run counts as failed, with its reason
        return RunResult(path, False, None, f"implausible run time ({minutes:.3g} min, over {MAX_MINUTES:,.0f})",
                         fp, meta)
    return RunResult(path, True, minutes, "", fp, meta, stop - start)


def _event_time_ms(ev: dict[str, Any]) -> float:
    """The event's time in ms; ValueError for a missing, non-numeric or non-finite time."""
    if not isinstance(ev, dict):
        raise TypeError("not an object")
    if "time_ms" in ev:
        t = _finite(ev["time_ms"])
    elif "time_s" in ev:
        t = _finite(ev["time_s"]) * 1000.0
    else:
        raise KeyError("time_ms")
    return t


def _finite(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"not a number: {value!r}")
    f = float(value)
    if not math.isfinite(f):
        raise ValueError(f"not a finite number: {value!r}")
    return f


def olympic_kept(runs: list[RunResult], k: int) -> list[RunResult]:
    """The successful runs the olympic mean keeps (fastest first): failed runs count as the slowest, so the k
    fastest and the (k - failed) slowest successful runs are dropped. Empty when more than k runs failed.
    The energy score averages exactly these runs."""
    ok = sorted((r for r in runs if r.success and r.minutes is not None), key=lambda r: r.minutes)
    failed = len(runs) - len(ok)
    if failed > k:
        return []
    return ok[k: len(ok) - (k - failed)]


def olympic_minutes(times: list[float], failed: int, k: int) -> float | None:
    """MLCommons' olympic mean: failed runs count as the slowest; None when more than k runs failed."""
    if failed > k:
        return None
    ordered = sorted(times)
    kept = ordered[k: len(ordered) - (k - failed)]
    if not kept:
        return None
    return sum(kept) / len(kept)


def read_scaling_factor(folder: Path) -> tuple[float, str]:
    """(factor, note). A missing file means 1.0; an unusable one means 1.0 plus a note; one that cannot be read
    (permissions, I/O) raises OSError: its factor is unknown, so the result cannot be scored (the importer)."""
    p = folder / "scaling.json"
    if not p.is_file():
        return 1.0, ""
    text = p.read_text(encoding="utf-8", errors="replace")  # (OSError: to the caller)
    try:
        value = json.loads(text)["scaling_factor"]
        factor = float(value)
        if not (math.isfinite(factor) and factor > 0):
            raise ValueError(value)
        return factor, ""
    except (ValueError, KeyError, TypeError) as exc:
        return 1.0, f"unusable scaling.json ({exc.__class__.__name__}); factor 1 used"
