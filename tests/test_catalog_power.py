"""Energy to train from MLPerf power logs (MLCommons' rule), and corrupt power logs that must not hurt."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from mlperf_fixtures import THREE_READINGS, node_log, power_round

from catalog.mlperf import import_rounds


def _row(rows: list[dict]) -> dict:
    (row,) = rows
    return row


def test_energy_from_three_readings_by_hand(tmp_path: Path) -> None:
    # 5 runs of resnet; the olympic mean keeps 11, 12, 13 min (mean 12 min = 720 s).
    rows, report = import_rounds([power_round(tmp_path, [10.0, 11.0, 12.0, 13.0, 20.0])])
    row = _row(rows)
    assert row["minutes"] == pytest.approx(12.0)
    # node: 0.9 x (1000 W x 1 s + 2000 W x 1 s + 1500 W x 2 s) / 4 s = 1350 W; switch 150 W -> 1500 W per run;
    # mean energy of the kept runs = 1500 W x 720 s = 1.08 MJ = 0.3 kWh.
    assert row["energy_kwh"] == pytest.approx(0.3)
    assert row["avg_power_kw"] == pytest.approx(1.5)
    assert row["avg_node_power_kw"] == pytest.approx(1.5)
    assert row["power_measurement_type"] == "AC"
    assert not [i for i in report.items if "energy" in i.reason]


def test_energy_drops_the_same_runs_as_the_time_score(tmp_path: Path) -> None:
    # The fastest (10 min) and slowest (20 min) runs draw only 100 W at the node: by energy they would be the
    # two lowest, so an olympic mean over energies would drop 10 min and 13 min instead. MLCommons drops by time.
    low = node_log([(4000, 100.0)], eff=1.0)
    rows, _ = import_rounds([power_round(tmp_path, [10.0, 11.0, 12.0, 13.0, 20.0], node_logs={0: low, 4: low})])
    assert _row(rows)["energy_kwh"] == pytest.approx(0.3)


def test_stop_equal_to_start_uses_the_last_reading(tmp_path: Path) -> None:
    """v4.0 Supermicro: power_measurement_stop stamped at the start time; the last reading ends the window."""
    quirk = node_log(THREE_READINGS, stop=0)
    rows, _ = import_rounds([power_round(tmp_path, [12.0] * 5, node_logs={i: quirk for i in range(5)})])
    assert _row(rows)["energy_kwh"] == pytest.approx(0.3)


def test_missing_stop_uses_the_last_reading(tmp_path: Path) -> None:
    rows, _ = import_rounds([power_round(tmp_path, [12.0] * 5, node_logs={2: node_log(THREE_READINGS, stop=None)})])
    assert _row(rows)["energy_kwh"] == pytest.approx(0.3)


def test_measurement_type_dc_and_scaling_factor(tmp_path: Path) -> None:
    dc = node_log(THREE_READINGS, measurement_type="DC")
    rd = power_round(tmp_path, [12.0] * 5, node_logs={i: dc for i in range(5)})
    (rd / "Acme" / "results" / "acme_1x8" / "resnet" / "scaling.json").write_text('{"scaling_factor": 2.0}')
    row = _row(import_rounds([rd])[0])
    assert row["power_measurement_type"] == "DC"
    assert row["minutes"] == pytest.approx(24.0) and row["energy_kwh"] == pytest.approx(0.6)
    assert row["avg_power_kw"] == pytest.approx(1.5)


CORRUPT = {
    "missing start": node_log(THREE_READINGS).split("\n", 1)[1],
    "garbled line": node_log(THREE_READINGS) + ':::MLLOG {"key": "power_reading", "time_ms": oops\n',
    "empty file": "",
    "NaN reading": node_log([(1000, float("nan"))]),
}


@pytest.mark.parametrize("what", list(CORRUPT))
def test_corrupt_power_log_is_reported_and_keeps_the_time_score(tmp_path: Path, what: str) -> None:
    rows, report = import_rounds([power_round(tmp_path, [10.0, 11.0, 12.0, 13.0, 20.0],
                                              node_logs={2: CORRUPT[what]})])
    row = _row(rows)
    assert row["minutes"] == pytest.approx(12.0)  # time score intact
    assert row["energy_kwh"] is None
    problems = [i for i in report.items if i.reason.startswith("no energy")]
    assert len(problems) == 1 and "node_0.txt" in problems[0].reason


def test_corrupt_log_of_a_dropped_run_does_not_matter(tmp_path: Path) -> None:
    rows, _ = import_rounds([power_round(tmp_path, [10.0, 11.0, 12.0, 13.0, 20.0], node_logs={0: ""})])
    assert _row(rows)["energy_kwh"] == pytest.approx(0.3)


def test_every_power_submission_in_shared_has_energy(shared_dir: Path) -> None:
    import catalog

    training = shared_dir / "mlperf" / "training"
    power_results = {
        (p.parts[-6], p.parts[-5], p.parts[-3], p.parts[-2])
        for p in training.glob("*/*/results/*/*/power")
    }
    assert len(power_results) >= 20
    res = catalog.load().results.set_index(["round", "submitter", "system_id", "benchmark_folder"])
    for key in power_results:
        row = res.loc[key]
        assert pd.notna(row["energy_kwh"]) and row["energy_kwh"] > 0, key
        assert row["power_measurement_type"] in {"AC", "DC"}, key
        assert 1.0 < row["avg_node_power_kw"] < 20.0, key  # an 8-GPU node draws kilowatts, not watts or MW
    measured = res[res["energy_kwh"].notna()]
    assert len(measured) == len(power_results)  # energy only where MLPerf Power logs exist


def test_lenovo_b200_node_averages_about_9_kw() -> None:
    import catalog

    r = catalog.load().results
    b200 = r[(r["round"] == "v5.0") & (r["submitter"] == "Lenovo") & r["energy_kwh"].notna()]
    assert len(b200) == 4
    assert b200["avg_node_power_kw"].between(8.5, 9.8).all()
