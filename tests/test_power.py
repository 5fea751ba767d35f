"""Average draw: calibrated on the measured MLPerf power results, within 20 % of each; energy formula."""

from __future__ import annotations

import pytest

import catalog
from recommender.planning import power, sources


@pytest.fixture(scope="module")
def cat():
    return catalog.load()


def test_average_draw_within_20_percent_of_every_measured_result(cat) -> None:
    d = sources.defaults_frame(cat)
    table = power.calibration_table(sources.measured_power(cat), cat.accelerators, d)
    assert len(table) >= 10
    assert table["error"].abs().max() <= 0.20
    # an 8 x H100 SXM node: 1.8 x 8 x 0.7 = 10.08 kW provisioned, measured ~6.8 kW (ratio ~0.67)
    model = power.calibrate(sources.measured_power(cat), cat.accelerators, d)
    kw, basis = model.average_draw_kw("nvidia-h100-sxm5-80gb", 10.08)
    assert 6.0 < kw < 7.5 and basis.confidence == "M" and "MLPerf" in basis.source
    # an unmeasured platform gets the stated derating over all measured systems
    r, a = model.ratio("amd-mi300x-192gb")
    assert r == model.fallback_ratio and a.applies_to == "unmeasured platform"


def test_energy_per_year() -> None:
    # 10 kW average draw, PUE 1.2, 8,766 h, 80 % utilisation, 0.1 USD/kWh
    assert power.energy_usd_per_year(10.0, 1.2, 0.8, 0.1) == pytest.approx(10 * 1.2 * 8766 * 0.8 * 0.1)
