"""Software-maturity terms of the performance model: where the clocks start and that the fit recovers them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import catalog
from catalog.registry import round_key, round_years
from recommender.performance.basis import years_of
from recommender.performance.estimators import PerformanceModel
from recommender.performance.maturity import benchmark_first_years
from recommender.performance.training import training_frame


@pytest.fixture(scope="module")
def cat() -> catalog.Catalog:
    return catalog.load()


@pytest.fixture(scope="module")
def train(cat: catalog.Catalog) -> pd.DataFrame:
    return training_frame(cat)


def test_benchmark_clock_starts_at_its_first_mlperf_round(train: pd.DataFrame) -> None:
    cols = {"benchmark": train["benchmark"].to_numpy(dtype=object),
            "years": years_of(train["round"].astype(str).to_numpy(dtype=object))}
    first = dict(zip(["resnet", "bert", "stable_diffusion", "llama31_405b"],
                     benchmark_first_years(["resnet", "bert", "stable_diffusion", "llama31_405b"], cols)))
    # ResNet-50 was in v0.5 (2018), before the oldest results in ../shared (v0.7): the registry says so
    assert first["resnet"] == pytest.approx(round_years("v0.5"))
    assert first["resnet"] < round_years("v0.7") == 0.0
    # the others start at their first results
    assert first["bert"] == pytest.approx(round_years("v0.7"))
    assert first["stable_diffusion"] == pytest.approx(round_years("v3.1"))
    assert first["llama31_405b"] == pytest.approx(round_years("v5.0"))


def _synthetic(train: pd.DataFrame, effect: float, years_scale: float) -> tuple[pd.DataFrame, np.ndarray]:
    """The catalog's real rows (<= v5.0) with minutes replaced by a known law that has a benchmark-maturity term."""
    rows = train[[r not in ("v5.1",) for r in train["round"].astype(str)]].reset_index(drop=True)
    years = years_of(rows["round"].astype(str).to_numpy(dtype=object))
    cols = {"benchmark": rows["benchmark"].to_numpy(dtype=object), "years": years}
    benches = sorted(set(cols["benchmark"]))
    start = dict(zip(benches, benchmark_first_years(benches, cols)))
    age = years - np.array([start[b] for b in cols["benchmark"]])
    rng = np.random.default_rng(0)
    offset = {b: rng.normal(4.0, 1.0) for b in benches}
    acc = {a: rng.normal(0.0, 0.3) for a in sorted(set(rows["accelerator_id"]))}
    log_minutes = (np.array([offset[b] for b in cols["benchmark"]])
                   - 0.8 * np.log(rows["accelerators"].astype(float).to_numpy())
                   + np.array([acc[a] for a in rows["accelerator_id"]])
                   - 0.05 * years + effect * np.exp(-age / years_scale) + rng.normal(0.0, 0.01, len(rows)))
    return rows, np.exp(log_minutes)


def test_fit_recovers_a_benchmark_maturity_effect_and_predicts_the_next_round_better(
        cat: catalog.Catalog, train: pd.DataFrame) -> None:
    rows, minutes = _synthetic(train, effect=0.4, years_scale=1.0)
    params: dict[str, object] = {"bench_maturity_years": 1.0, "bench_maturity_pool": 1000.0, "maturity_years": None,
                                 "local_bandwidth": None, "half_life_years": None, "huber_iterations": 1}
    model = PerformanceModel(cat.accelerators, **params).fit(rows, minutes)
    lay = model.layout_
    assert model.coef_[lay.bmat] == pytest.approx(0.4, abs=0.08)
    # forward: fitted before v4.1, predicting v4.1 (rgat and Llama 2 LoRA are one round old there)
    fit_mask = np.array([round_key(r) < round_key("v4.1") for r in rows["round"].astype(str)])
    test_mask = rows["round"].astype(str).to_numpy() == "v4.1"
    errors = {}
    for name, years_scale in (("with", 1.0), ("without", None)):
        m = PerformanceModel(cat.accelerators, **{**params, "bench_maturity_years": years_scale})
        m.fit(rows[fit_mask].reset_index(drop=True), minutes[fit_mask])
        predicted = m.predict(rows[test_mask].reset_index(drop=True))
        errors[name] = float(np.median(np.abs(np.log(predicted) - np.log(minutes[test_mask]))))
    assert errors["with"] < 0.5 * errors["without"]  # 0.022 against 0.080 (median |log error|)
