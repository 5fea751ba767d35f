"""risk: p80 ranks by the upper end of the 80 % interval; a choice on weak figures is marked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from optimize_fakes import fake_predict

from recommender import optimize
from recommender.planning import risk as R

A30, A100 = "nvidia-a30-pcie-24gb", "nvidia-a100-pcie-80gb"
SEED = {"name": "seed-like", "budget_usd": 110_000, "objective": "min_time",
        "workloads": [{"benchmark": b} for b in ("bert", "resnet", "unet3d")],
        "accelerators": [A30, A100], "prices": {A100: 11_000}}  # fmt: skip


def predictor(a30_scale: float, *, does_not_fit_below: int = 0):
    """The tests' fake model with A30 figures labelled specs_only (interval up to 1.6 x) and A100 measured
    (up to 1.1 x); A30 minutes scaled by ``a30_scale``; A30 rows under ``does_not_fit_below`` cards do not fit."""

    def predict(frame: pd.DataFrame, **kw) -> pd.DataFrame:
        out = fake_predict(frame, **kw)
        a30 = (out["accelerator_id"] == A30).to_numpy()
        out.loc[a30, "minutes"] *= a30_scale
        out["minutes_low"] = out["minutes"] * 0.9
        out["minutes_high"] = np.where(a30, out["minutes"] * 1.6, out["minutes"] * 1.1)
        out["basis"] = pd.array(np.where(a30, "specs_only", "measured"), dtype="string")
        small = a30 & (out["accelerators"].to_numpy() < does_not_fit_below)
        out.loc[small, ["minutes", "minutes_low", "minutes_high"]] = np.nan
        out.loc[small, "basis"] = "does_not_fit"
        return out

    return predict


def best_value(accelerators: list[str]) -> float:
    """The best expected share-weighted minutes among ``accelerators`` (scale factors are set on expected minutes)."""
    rec = optimize({**SEED, "accelerators": accelerators, "risk": "expected"}, predictor=predictor(1.0),
                   explain=False)  # fmt: skip
    return rec.objective_value


def test_p80_prefers_the_measured_choice_when_specs_only_is_marginally_better() -> None:
    # scale the A30 so that its best choice is 3 % faster than the A100's (expected minutes)
    scale = 0.97 * best_value([A100]) / best_value([A30])
    expected = optimize({**SEED, "risk": "expected"}, predictor=predictor(scale))
    p80 = optimize({**SEED, "risk": "p80"}, predictor=predictor(scale))
    assert expected.choice.accelerator_id == A30
    assert p80.choice.accelerator_id == A100  # 1.6 x 0.97 > 1.1 x 1.0
    text = " ".join(expected.explanation)
    assert "rests on specs_only figures" in text and "best choice among measured configurations" in text
    assert "loses 3" in text or "loses" in text
    assert not any("rests on" in line for line in p80.explanation)
    assert expected.risk == "expected" and p80.risk == "p80"
    # p80 is the default for a purchase: a scenario without `risk` gives the p80 answer
    default = optimize(SEED, predictor=predictor(scale), explain=False)
    assert default.risk == "p80" and default.choice == p80.choice
    assert default.objective_value == pytest.approx(p80.objective_value)


def test_p80_never_returns_a_configuration_that_does_not_fit() -> None:
    rec = optimize({**SEED, "risk": "p80"}, predictor=predictor(0.5, does_not_fit_below=100))
    assert rec.status == "optimal" and rec.choice.accelerator_id == A100


def test_objective_minutes_and_note_on_arrays() -> None:
    minutes = np.array([[10.0, 20.0], [12.0, np.nan]])
    high = np.array([[16.0, 30.0], [13.0, np.nan]])
    assert R.objective_minutes(minutes, high, "expected") is minutes
    assert R.objective_minutes(minutes, high, "p80")[0, 0] == 16.0
    w = R.weighted_minutes(R.objective_minutes(minutes, high, "p80"), np.array([0.5, 0.5]))
    assert w[0] == pytest.approx(23.0) and w[1] == np.inf  # the second cannot run workload 2
    note = R.risk_note(0, np.array([10.0, 10.5]), np.array([True, True]),
                       [("specs_only", "measured"), ("measured", "measured")], np.array([0.5, 0.5]), "min")
    assert note.uncertain and note.bases == ("specs_only",) and note.measured_index == 1
    assert note.measured_value == 10.5
    # its other workload is measured: the choice rests only *in part* on the specs-only figure
    assert note.partly and note.lines("A", "B", "minutes", "min")[0] == (
        "The choice, A, rests in part on specs_only figures (no MLPerf result for the accelerator).")
    # predicted figures too are compared with the best all-measured choice (a reviewer: 40 x MI325X, every figure
    # predicted, won by 0.04 % over 16 all-measured B200 costing $127,000 less, and nothing said so)
    pred = R.risk_note(0, np.array([10.0, 10.004]), np.array([True, True]),
                       [("predicted", "predicted"), ("measured", "measured")], np.array([0.5, 0.5]), "min")
    assert pred.bases == ("predicted",) and pred.lines("A", "B", "minutes", "min") == [
        "The choice, A, rests on predicted figures (the performance model's, for a configuration not measured).",
        ("The best choice among measured configurations is B: 10.0 p80 minutes, which loses 0.004 p80 minutes (0.04 % "
         "more time than the choice's 10.0).")]
    whole = R.risk_note(0, np.array([10.0, 10.5]), np.array([True, True]),
                        [("carried", "carried"), ("measured", "measured")], np.array([0.5, 0.5]), "min")
    assert not whole.partly and whole.lines("A", "B", "minutes", "min")[0].startswith("The choice, A, rests on carried")
    # a reviewer: "No configuration with measured figures fits the limits." for a scenario without limits, where no
    # configuration had measured figures at all; the sentence says which it is
    bases = [("carried", "carried"), ("measured", "measured")]
    outside = R.risk_note(0, np.array([10.0, 10.5]), np.array([True, False]), bases, np.array([0.5, 0.5]), "min")
    assert outside.lines("A", None, "minutes", "min")[1] == "No configuration with measured figures fits the limits."
    none = R.risk_note(0, np.array([10.0, 10.5]), np.array([True, True]), [bases[0], bases[0]], np.array([0.5, 0.5]),
                       "min")  # fmt: skip
    assert none.lines("A", None, "minutes", "min")[1] == (
        "No configuration has measured figures for every workload (in this round).")


def test_the_best_measured_choice_far_behind_is_said_in_times_as_long() -> None:
    # a reviewer: "The best choice among measured configurations … loses 134 p80 minutes (514.9 %)"
    bases = [("predicted",), ("measured",)]
    far = R.risk_note(0, np.array([26.0, 160.0]), np.array([True, True]), bases, np.array([1.0]), "min")
    assert far.lines("A", "B (capex $500,000, the choice $900,000)", "minutes", "min", "p80")[1] == (
        "The best choice among measured configurations is B (capex $500,000, the choice $900,000): 160 p80 minutes, "
        "which loses 134 p80 minutes (6.2 times as long as the choice's 26.0).")
    near = R.risk_note(0, np.array([26.0, 51.0]), np.array([True, True]), bases, np.array([1.0]), "min")
    assert near.lines("A", "B", "minutes", "min", "expected")[1].endswith(
        "51.0 minutes, which loses 25.0 minutes (96 % more time than the choice's 26.0).")
    tco = R.risk_note(0, np.array([4e6, 5e6]), np.array([True, True]), bases, np.array([1.0]), "min")
    assert tco.lines("A", "B", "usd", "min")[1].endswith(": $5,000,000, which costs $1,000,000 (25 % more than the "
                                                         "choice's $4,000,000).")
    rate = R.risk_note(0, np.array([40.0, 10.0]), np.array([True, True]), bases, np.array([1.0]), "max")
    assert rate.lines("A", "B", "mixes_per_day", "max", "expected")[1].endswith(
        ": 10.0 mixes/day, which loses 30.0 mixes/day (75 % fewer mixes per day than the choice's 40.0).")


def test_the_basis_sentence_says_a_custom_workload_rests_on_the_users_measurement() -> None:
    from recommender.models import Configuration, WorkloadEstimate
    from recommender.planning.explain import basis_sentence

    def row(name: str, basis: str, source: str) -> WorkloadEstimate:
        return WorkloadEstimate.model_construct(workload=name, minutes=10.0, basis=basis, source=source)

    c = Configuration.model_construct(workloads=[row("vit", "predicted", "custom workload vit (scaled like resnet)"),
                                                 row("bert", "predicted", "model")])  # fmt: skip
    text = basis_sentence(c)
    assert "predicted from your own measurement for vit (custom workload" in text
    assert "predicted by the performance model for bert" in text
    assert not text.startswith("All minutes are predictions")


def test_a_custom_workloads_own_measurement_is_not_called_an_mlperf_result() -> None:
    # a reviewer: at the measured configuration a custom workload's figure read "All minutes were measured on
    # this exact configuration in the target round (MLPerf results)" under a legend defining measured as MLPerf's
    from recommender.commands.optimize import BASIS_LEGEND
    from recommender.models import Configuration, WorkloadEstimate
    from recommender.planning.explain import basis_sentence

    own = WorkloadEstimate.model_construct(workload="vit", minutes=95.0, basis="measured",
                                           source="custom workload vit (your measurement)")  # fmt: skip
    text = basis_sentence(Configuration.model_construct(workloads=[own]))
    assert "MLPerf results" not in text
    assert text == ("Minutes measured by you on this configuration for vit (custom workload: your own measurement, "
                    "not an MLPerf result).")
    assert "for a custom workload, your own measurement" in BASIS_LEGEND


def test_risk_setting_and_note_in_cli_text_markdown_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 12: every output says which risk setting ranked the candidates, and a choice on specs-only figures is
    marked with the best all-measured choice and what it loses."""
    import json

    from recommender.commands.optimize import _print_table

    scale = 0.97 * best_value([A100]) / best_value([A30])
    rec = optimize({**SEED, "risk": "expected"}, predictor=predictor(scale))
    note = "The best choice among measured configurations is "
    assert rec.choice.accelerator_id == A30
    md = rec.to_markdown()
    assert "**Risk** expected" in md and "rests on specs_only figures" in md and note in md
    data = json.loads(json.dumps(rec.to_dict()))
    assert data["risk"] == "expected" and any(s.startswith(note) and "A100" in s for s in data["explanation"])
    _print_table(rec)
    out = capsys.readouterr().out
    assert "risk expected" in out.splitlines()[0] and note in out and "Risk: expected (set by the scenario)" in out
    # a specs-only choice that wins even at p80 (the default) is marked too, its figures named p80 minutes
    rec = optimize(SEED, predictor=predictor(0.5 * best_value([A100]) / best_value([A30])))
    assert rec.risk == "p80" and rec.choice.accelerator_id == A30
    line = next(s for s in rec.explanation if s.startswith(note))
    assert "A100" in line and "p80 minutes, which loses" in line
    assert "(capex $" in line and f", the choice ${rec.choice.capex_usd:,.0f})" in line  # named with its cost
    assert "**Risk** p80" in rec.to_markdown() and any(s.startswith("Risk: p80 (the default for a purchase)") for s in rec.explanation)
    _print_table(rec)
    assert "risk p80" in capsys.readouterr().out.splitlines()[0]


def test_the_basis_sentence_claims_no_interval_order_the_calibration_does_not_have() -> None:
    # a reviewer: the explanation said specs-only figures come "with the widest intervals" while the calibrated
    # 80 % interval of a datasheet-only accelerator (Gaudi3 on bert x1.57) was narrower than that of one measured
    # only on other benchmarks (MI355X x2.5); p80 then preferred the datasheet-only part
    import numpy as np

    from recommender.models import Configuration, WorkloadEstimate
    from recommender.performance.basis import CATEGORIES
    from recommender.performance.store import default_model
    from recommender.planning.explain import basis_sentence

    q = dict(zip(CATEGORIES, default_model().interval_halfwidth(np.arange(len(CATEGORIES)), 0.8)))
    row = WorkloadEstimate.model_construct(workload="bert", minutes=10.0, basis="specs_only", source="model")
    text = basis_sentence(Configuration.model_construct(workloads=[row]))
    from tui.widgets.recommendation import BASIS_LEGEND  # (the app's legend says it too)

    if q["unseen_accelerator"] < max(q.values()):
        assert "widest" not in text and "widest" not in BASIS_LEGEND, (q, text)
    assert "calibrated" in text, text
