"""Energy to train from MLPerf Training power logs, as MLCommons' result summarizer computes it.

::

    <benchmark>/power/result_<run>/node_<i>.txt   one per node: power_reading lines (watts), conversion_eff
    <benchmark>/power/result_<run>/sw_<j>.txt     one per network switch: interconnect_power_est (watts)

- node file: lines sorted by time; from ``power_measurement_start`` on, accumulate ``reading × (t − t_prev)``
  until ``power_measurement_stop``; energy = ``conversion_eff × Σ / (t_stop − t_start) × time_to_train_ms /
  1000`` joules — the average measured power times the run's time to train. A missing stop, or one that is not
  after the start (the v4.0 Supermicro logs stamp both alike), means the last reading's time.
- switch file: ``conversion_eff × interconnect_power_est × time_to_train_ms / 1000`` (0 without an estimate,
  as the summarizer counts it).
- a run's energy is the sum over its files; the result's energy is the mean over the runs the time score's
  olympic mean kept (the *same* runs), times the ``scaling.json`` factor.

A corrupt log (no start, a garbled line, an empty file, no files for a kept run) gives no energy for that
result — the problem is returned for the import report; the time score is never touched.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.mlperf.scoring import MLLOG_PREFIX, RunResult

J_PER_KWH = 3.6e6


class PowerLogError(ValueError):
    """One power log cannot be used; the message says why (without the path, which the report adds)."""


@dataclass
class Energy:
    """The energy score of one result, or why there is none (``energy_kwh`` None, ``problems`` set)."""

    energy_kwh: float | None = None
    avg_power_kw: float | None = None
    avg_node_power_kw: float | None = None
    measurement_type: str = ""  # "AC" | "DC" | "" (unknown)
    problems: list[str] = field(default_factory=list)

    def columns(self) -> dict[str, Any]:
        return {
            "energy_kwh": self.energy_kwh,
            "avg_power_kw": self.avg_power_kw,
            "avg_node_power_kw": self.avg_node_power_kw,
            "power_measurement_type": self.measurement_type,
        }


@dataclass
class _Log:
    """The fields of one power log the rule uses."""

    start: float | None = None
    stop: float | None = None
    readings: list[tuple[float, float]] = field(default_factory=list)  # (time_ms, watts)
    conversion_eff: float = 1.0
    measurement_type: str = ""
    interconnect_power_est: float | None = None


def read_power_log(path: Path) -> _Log:
    """Parse one node or switch file; :class:`PowerLogError` for an empty file or a garbled line."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise PowerLogError(f"unreadable power log: {exc.strerror or exc}") from exc
    events = []
    for n, line in enumerate(text.splitlines(), 1):
        idx = line.find(MLLOG_PREFIX)
        if idx < 0:
            continue
        try:
            ev = json.loads(line[idx + len(MLLOG_PREFIX):])
            events.append((_num(ev["time_ms"]), ev["key"], ev))
            if not isinstance(ev["key"], str):
                raise TypeError("key")
        except (ValueError, KeyError, TypeError):
            raise PowerLogError(f"garbled power log line {n}") from None
    if not events:
        raise PowerLogError("empty power log (no MLLOG lines)")
    events.sort(key=lambda e: e[0])  # the summarizer sorts by time (stable: ties keep file order)
    log = _Log()
    for t, key, ev in events:
        if key == "power_measurement_start":
            log.start = t
        elif key == "power_measurement_stop":
            log.stop = t
        elif key == "power_reading":
            log.readings.append((t, _value(ev)))
        elif key == "conversion_eff":
            log.conversion_eff = _value(ev)
            md = ev.get("metadata")
            log.measurement_type = str(md.get("measurement_type", "")).upper() if isinstance(md, dict) else ""
        elif key == "interconnect_power_est" and log.interconnect_power_est is None:
            log.interconnect_power_est = _value(ev)
    return log


def _num(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(value)
    f = float(value)
    if not math.isfinite(f):
        raise ValueError(value)
    return f


def _value(ev: dict[str, Any]) -> float:
    try:
        return _num(ev.get("value"))
    except (ValueError, TypeError):
        raise PowerLogError(f"unusable value in a {ev.get('key')} line: {str(ev.get('value'))[:30]!r}") from None


def node_energy_j(log: _Log, time_to_train_ms: float) -> float:
    """Joules of one node file over the run's time to train (the summarizer's node rule)."""
    if log.start is None:
        raise PowerLogError("no power_measurement_start")
    total = 0.0
    prev = log.start
    last = None
    # A stop not after the start is treated as missing (v4.0 Supermicro), as is a missing one.
    stop = log.stop if (log.stop is not None and log.stop > log.start) else None
    for t, watts in log.readings:
        if t < log.start or (stop is not None and t > stop):
            continue
        total += watts * (t - prev)
        prev = t
        last = t
    end = stop if stop is not None else last
    if end is None or end <= log.start:
        raise PowerLogError("no power reading after power_measurement_start")
    return log.conversion_eff * total / (end - log.start) * time_to_train_ms / 1000.0


def switch_energy_j(log: _Log, time_to_train_ms: float) -> float:
    return log.conversion_eff * (log.interconnect_power_est or 0.0) * time_to_train_ms / 1000.0


def run_energy_j(run_dir: Path, time_to_train_ms: float) -> tuple[float, set[str], list[str]]:
    """(joules, measurement types seen, notes) of one run's power folder; PowerLogError if unusable."""
    nodes = sorted(run_dir.glob("node_*.txt"))
    switches = sorted(run_dir.glob("sw_*.txt"))
    if not nodes:
        raise PowerLogError(f"no node_*.txt in power/{run_dir.name}")
    total = 0.0
    types: set[str] = set()
    notes: list[str] = []
    for p in nodes + switches:
        where = f"power/{run_dir.name}/{p.name}"
        try:
            log = read_power_log(p)
            if p in nodes:
                total += node_energy_j(log, time_to_train_ms)
            else:
                total += switch_energy_j(log, time_to_train_ms)
        except PowerLogError as exc:
            raise PowerLogError(f"{where}: {exc}") from None
        if p not in nodes and log.interconnect_power_est is None:
            notes.append(f"{where}: no interconnect_power_est; the switch counts 0 W, as the summarizer counts it")
        types.add(log.measurement_type)
    return total, types - {""}, notes


def result_energy(bdir: Path, kept: list[RunResult], scaling: float, nodes: int | None, minutes: float | None,
                  root: Path | None = None) -> Energy | None:
    """The energy score of a result whose folder has ``power/``; None when it has none (no power submission)."""
    power = bdir / "power"
    if not power.is_dir():
        return None
    if root is not None and power.is_symlink():
        try:
            power.resolve(strict=True).relative_to(root)
        except (OSError, ValueError, RuntimeError):
            return Energy(problems=["no energy: power/ is a symlink leading out of the imported tree"])
    out = Energy()
    joules: list[float] = []
    types: set[str] = set()
    for run in kept:
        run_dir = power / run.path.stem
        try:
            if not run_dir.is_dir():
                raise PowerLogError(f"no power/{run.path.stem} folder for a scored run")
            j, t, notes = run_energy_j(run_dir, run.time_ms or 0.0)
        except PowerLogError as exc:
            out.problems.append(f"no energy: {exc}; time score kept")
            return out
        joules.append(j)
        types |= t
        out.problems.extend(n for n in notes if n not in out.problems)
    if not joules or minutes is None or minutes <= 0:
        return out
    out.energy_kwh = sum(joules) / len(joules) * scaling / J_PER_KWH
    out.avg_power_kw = out.energy_kwh / (minutes / 60.0)
    out.avg_node_power_kw = out.avg_power_kw / nodes if nodes else None
    out.measurement_type = types.pop() if len(types) == 1 else ("mixed" if types else "")
    if not out.measurement_type:  # v4.0 Supermicro logs carry no conversion_eff; their folder names say it
        submitter = bdir.parents[2].name.lower() if len(bdir.parents) > 2 else ""
        named = "AC" if "ac-power" in submitter else "DC" if "dc-power" in submitter else ""
        if named:
            out.measurement_type = named
            out.problems.append(f"power logs name no measurement_type; {named} taken from the submitter folder")
    return out
