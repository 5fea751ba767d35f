"""Small MLPerf Training trees for the importer tests: run logs with official-style names, power logs."""

from __future__ import annotations

import json
from pathlib import Path

T0 = 1_715_000_000_000  # ms

SYSTEM_1X8 = {
    "submitter": "Acme",
    "division": "closed",
    "status": "Available on-premise",
    "system_name": "Acme 8xH100",
    "number_of_nodes": "1",
    "accelerators_per_node": "8",
    "accelerator_model_name": "NVIDIA H100-SXM5-80GB",
    "accelerator_memory_capacity": "80 GB",
    "framework": "pytorch",
}


def mllog(key: str, time_ms: float | str, value: object = None, metadata: object = None) -> str:
    return ":::MLLOG " + json.dumps({"namespace": "", "time_ms": time_ms, "event_type": "POINT_IN_TIME",
                                     "key": key, "value": value, "metadata": metadata or {}})


def run_log(start_ms: int, minutes: float, benchmark: str = "resnet") -> str:
    return "\n".join([
        mllog("submission_benchmark", 0, benchmark),
        mllog("run_start", start_ms),
        mllog("run_stop", start_ms + round(minutes * 60000), metadata={"status": "success"}),
    ]) + "\n"


def node_log(readings: list[tuple[int, float]], *, start: int = 0, stop: int | None = 4000,
             eff: float | None = 0.9, measurement_type: str = "AC") -> str:
    """A node power log; times are ms after T0. Default: the three-reading fixture of the energy test."""
    lines = [mllog("power_measurement_start", T0 + start)]
    if eff is not None:
        lines.append(mllog("conversion_eff", T0 + start, eff, {"measurement_type": measurement_type}))
    lines += [mllog("power_reading", T0 + t, w, {"host": "0"}) for t, w in readings]
    if stop is not None:
        lines.append(mllog("power_measurement_stop", T0 + stop))
    return "\n".join(lines) + "\n"


#: 1000 W for 1 s, 2000 W for 1 s, 1500 W for 2 s over a 4 s window: Σ = 6e6 W·ms, average 1500 W,
#: times conversion_eff 0.9 = 1350 W. With the switch's 150 W estimate a run draws 1500 W.
THREE_READINGS = [(1000, 1000.0), (2000, 2000.0), (4000, 1500.0)]


def switch_log(watts: float = 150.0) -> str:
    return mllog("interconnect_power_est", T0, watts, {"switch_id": "sw_01"}) + "\n"


def power_round(root: Path, minutes: list[float], node_logs: dict[int, str] | None = None,
                system: dict | None = None, name: str = "result_5119-240510190348838227199_{:02d}") -> Path:
    """A v4.0 round with one resnet result whose run logs have official long names, each with power logs.

    Every run's node log is the three-reading fixture unless ``node_logs`` replaces run i's.
    """
    rd = root / "v4.0"
    sub = rd / "Acme"
    (sub / "systems").mkdir(parents=True)
    (sub / "systems" / "acme_1x8.json").write_text(json.dumps(system or SYSTEM_1X8))
    bdir = sub / "results" / "acme_1x8" / "resnet"
    bdir.mkdir(parents=True)
    for i, m in enumerate(minutes):
        stem = name.format(i + 1)
        (bdir / f"{stem}.txt").write_text(run_log(T0 + i * 100_000_000, m))
        pdir = bdir / "power" / stem
        pdir.mkdir(parents=True)
        (pdir / "node_0.txt").write_text((node_logs or {}).get(i, node_log(THREE_READINGS)))
        (pdir / "sw_0.txt").write_text(switch_log())
    return rd
