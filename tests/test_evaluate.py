"""Grouped-split evaluation: baselines, regret, the evaluate() driver and `recommender model evaluate`."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import catalog
from recommender.performance.baselines import baseline_flops_ratio, baseline_nearest_linear, ranking_regret
from recommender.performance.evaluate import Evaluation, evaluate, must_show, split_indices

FINAL = "rounds<v5.1 / v5.1 (final test)"


def _frame(rows: list[tuple[str, str, int, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["accelerator_id", "benchmark", "accelerators", "round", "minutes"])


def test_nearest_linear_scales_the_nearest_count_of_the_latest_round() -> None:
    train = _frame([("a", "bert", 8, "v1.0", 100.0), ("a", "bert", 8, "v2.0", 80.0), ("a", "bert", 64, "v1.0", 20.0),
                    ("b", "bert", 8, "v2.0", 10.0)])
    test = _frame([("a", "bert", 16, "v3.0", 0.0), ("a", "bert", 48, "v3.0", 0.0), ("c", "bert", 8, "v3.0", 0.0)])
    pred = baseline_nearest_linear(train, test)
    assert pred[0] == pytest.approx(80.0 * 8 / 16)
    assert pred[1] == pytest.approx(20.0 * 64 / 48)
    assert np.isnan(pred[2])


def test_flops_ratio_uses_the_closest_peak_other_accelerator() -> None:
    accs = pd.DataFrame({"accelerator_id": ["a", "b", "c"], "peak_fp16_bf16_dense_tflops": [100.0, 400.0, 300.0]})
    train = _frame([("a", "bert", 8, "v1.0", 40.0), ("b", "bert", 16, "v1.0", 5.0)])
    test = _frame([("c", "bert", 8, "v2.0", 0.0), ("b", "resnet", 8, "v2.0", 0.0)])
    pred = baseline_flops_ratio(train, test, accs)
    assert pred[0] == pytest.approx(5.0 * 16 / 8 * 400.0 / 300.0)
    assert np.isnan(pred[1])


def test_ranking_regret() -> None:
    test = _frame([("a", "bert", 8, "v1.0", 10.0), ("b", "bert", 8, "v1.0", 11.0), ("a", "bert", 16, "v1.0", 6.0),
                   ("b", "bert", 16, "v1.0", 5.0), ("a", "bert", 32, "v1.0", 3.0)])
    groups, mean, within = ranking_regret(test, np.array([1.0, 2.0, 1.0, 2.0, 1.0]))
    assert groups == 2  # the 32-count group has one accelerator
    assert mean == pytest.approx((0.0 + 20.0) / 2)
    assert within == pytest.approx(50.0)


def test_forward_split_never_trains_on_the_test_round() -> None:
    data = _frame([("a", "bert", 8, r, 1.0) for r in ["v0.7", "v1.0", "v1.1", "v2.0", "v2.0"]])
    parts = split_indices(data, "forward", rounds=2)
    assert [p[0] for p in parts] == ["rounds<v1.1 / v1.1", "rounds<v2.0 / v2.0"]
    for _, tr, te in parts:
        assert set(data["round"].iloc[tr]).isdisjoint(set(data["round"].iloc[te]))


def test_evaluate_on_a_small_subset() -> None:
    ev = evaluate(splits=("forward", "leave-accelerators-out"), benchmarks=["bert", "retinanet"], rounds=1, folds=3,
                  model_params={"system_folds": 2, "accelerator_folds": 2, "forward_rounds": 1})
    assert isinstance(ev, Evaluation)
    m = ev.metrics
    assert set(m["method"]) == {"model", "nearest-linear", "flops-ratio"}
    assert set(m["split"]) == {"rounds<v5.1 / v5.1 (final test)", "leave-accelerators-out"}
    model_all = m[(m["method"] == "model") & (m["group"] == "all")]
    assert (model_all["mdape"] > 0).all() and (model_all["mdape"] < 50).all()
    assert model_all["coverage"].between(0, 100).all()
    # leave-accelerators-out: nothing is "seen"; the same-accelerator baseline can answer nothing
    loao = m[(m["split"] == "leave-accelerators-out") & (m["group"] == "all")].set_index("method")
    assert loao.loc["nearest-linear", "answered"] == 0
    assert loao.loc["model", "answered"] == loao.loc["model", "n"]
    d = ev.to_dict()
    json.dumps(d)  # JSON-serialisable (NaN -> null)
    assert d["coverage_target"] == 0.8 and len(d["regret"]) == 6
    # the held-out predictions behind the metrics (the TUI plots predicted vs measured from them)
    p = ev.predictions
    fwd = p[p["split"] == FINAL]
    assert set(fwd["round"]) == {"v5.1"} and set(fwd["benchmark"]) <= {"bert", "retinanet"}
    assert (fwd["model"] > 0).all() and (fwd["minutes"] > 0).all()
    assert set(fwd["basis"]) <= {"carried", "predicted", "specs_only"}  # nothing of v5.1 was in training
    n_all = m[(m["split"] == FINAL) & (m["method"] == "model") & (m["group"] == "all")]["n"]
    assert len(fwd) == int(n_all.iloc[0])


def test_cli_model_evaluate_json() -> None:
    from recommender.cli import cli

    res = CliRunner().invoke(cli, ["model", "evaluate", "--json", "--split", "forward"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)  # progress lines go to stderr
    splits = {r["split"] for r in d["metrics"]}
    assert splits == {"rounds<v4.1 / v4.1", "rounds<v5.0 / v5.0", FINAL}
    v5 = {(r["method"], r["group"]): r for r in d["metrics"] if r["split"] == FINAL}
    assert v5[("model", "all")]["n"] > 100
    assert {("model", f"basis {b}") for b in ("carried", "specs_only")} <= set(v5)
    assert "llama31_8b" in d["notes"]["rounds<v5.1 / v5.1"]


def test_cli_model_predict_and_errors() -> None:
    from recommender.cli import cli

    runner = CliRunner()
    res = runner.invoke(cli, ["model", "predict", "nvidia-h100-sxm5-80gb", "12", "bert", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["basis"] in ("predicted", "carried") and d["minutes_low"] < d["minutes"] < d["minutes_high"]
    assert (d["nodes"], d["round"]) == (2, catalog.load().latest_round)  # the layout and round it answers for
    res = runner.invoke(cli, ["model", "predict", "nvidia-a100-pcie-80gb", "24", "bert", "--nodes", "1", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["nodes"] == 1  # a 24-card chassis the catalog has
    res = runner.invoke(cli, ["model", "predict", "nvidia-h100", "12", "bert"])
    assert res.exit_code == 2 and "closest known" in res.output
    assert "Traceback" not in res.output
    for args in (["nvidia-h100", "12", "bert"], ["nvidia-h100-sxm5-80gb", "12", "bert", "--nodes", "5"]):
        res = runner.invoke(cli, ["model", "predict", *args, "--json"])  # a script reading stdout sees the refusal
        refusal = json.loads(res.stdout)
        assert res.exit_code == 2 and refusal["status"] == "error" and refusal["error"] in res.stderr


def test_markdown_tables_from_an_evaluation() -> None:
    from recommender.commands.model import _markdown

    metrics = pd.DataFrame([
        {"split": "rounds<v5.0 / v5.0", "method": m, "group": "all", "n": 10, "answered": a, "mdape": d,
         "mape": d + 1, "coverage": c}
        for m, a, d, c in [("model", 10, 5.0, 80.0), ("nearest-linear", 7, 6.0, float("nan")),
                           ("flops-ratio", 10, 20.0, float("nan"))]])
    regret = pd.DataFrame([{"split": "rounds<v5.0 / v5.0", "method": "model", "groups": 3, "mean_regret_pct": 0.5,
                            "within_5pct": 100.0}])
    md = _markdown(Evaluation(coverage=0.8, metrics=metrics, regret=regret, notes={"x": "excluded y. "}), True)
    assert "| rounds<v5.0 / v5.0 | all | 10 | 5.0 | 6.0 | 80.0 | 6.0 (7) | 20.0 (10) |" in md
    assert "| rounds<v5.0 / v5.0 | model | 3 | 0.5 | 100.0 |" in md
    assert "x: excluded y." in md
    assert md.startswith("**final test")
    dev = _markdown(Evaluation(coverage=0.8, metrics=metrics, regret=regret, until="v5.0"), True)
    assert dev.startswith("**development evaluation, rounds ≤ v5.0; not the final test**")


def test_leave_systems_out_fits_each_fold_so_only_replicates_are_answered_measured() -> None:
    """Each fold has its own fit (folds once shared one, so held-out rows were in training and 'measured'
    outnumbered the replicates: 1,404 vs 1,119)."""
    ev = evaluate(splits=("leave-systems-out",), benchmarks=["bert"], folds=3,
                  model_params={"accelerator_folds": 2, "forward_rounds": 2})
    p = ev.predictions
    assert len(p) and (p["basis"] == "measured").sum() == p["replicate"].sum()
    assert ((p["basis"] == "measured") == p["replicate"]).all()


def test_must_show_picks_each_issue_figure_and_judges_its_goal() -> None:
    rows = [("rounds<v5.1 / v5.1 (final test)", "seen accelerators", 4.0, 70.0),
            ("rounds<v5.1 / v5.1 (final test)", "basis predicted", 20.0, 90.0),
            ("leave-systems-out", "basis measured", 1.0, 80.0),
            ("first appearances v1.0–v5.1", "basis specs_only", 15.0, 80.0)]
    metrics = pd.DataFrame([{"split": sp, "method": "model", "group": g, "n": 10, "answered": 10, "mdape": d,
                             "mape": d, "coverage": c} for sp, g, d, c in rows])
    ms = must_show(metrics).set_index("figure")
    assert ms.loc["MdAPE, accelerators seen in training", "met"] is True
    assert np.isnan(ms.loc["MdAPE, accelerators seen in training", "bias"])  # these metrics carry none
    assert ms.loc["coverage, basis predicted", "met"] is False
    assert ms.loc["coverage, basis measured (systems held out)", "met"] is True
    assert ms.loc["coverage, specs_only over every first appearance", "coverage"] == 80.0
    assert ms.loc["custom workload from one result: MdAPE", "met"] is None  # split not run


def test_until_makes_every_split_a_development_evaluation_without_later_rounds() -> None:
    """--until v5.0: no v5.1 result is trained on or tested in any split family; the last forward split is
    labelled a development test (never the final test) and the custom workloads are v5.0's new benchmarks."""
    import catalog as catalog_pkg
    from recommender.performance.evaluate import catalog_until

    cat = catalog_pkg.load()
    cut = catalog_until(cat, "v5.0")
    assert cut.latest_round == "v5.0" and "v5.1" in set(cat.results["round"])
    assert cut.fingerprint != cat.fingerprint
    ev = evaluate(splits=("forward", "first-appearances", "leave-accelerators-out"), benchmarks=["bert", "llama2_70b_lora"],
                  rounds=1, folds=2, until="v5.0",
                  model_params={"accelerator_folds": 2, "forward_rounds": 1})
    p = ev.predictions
    assert len(p) and "v5.1" not in set(p["round"])
    assert set(ev.metrics["split"]) >= {"rounds<v5.0 / v5.0 (development test)", "leave-accelerators-out"}
    assert not any("final test" in s for s in ev.metrics["split"])
    assert ev.to_dict()["evaluation"] == "development evaluation, rounds ≤ v5.0; not the final test"
    ms = must_show(ev.metrics).set_index("figure")
    assert ms.loc["MdAPE, accelerators seen in training", "split"] == "rounds<v5.0 / v5.0 (development test)"
    # v4.1 brought no new benchmark: the custom-workload family says so instead of silently vanishing
    ev41 = evaluate(splits=("custom",), benchmarks=["bert", "rgat"], until="v4.1",
                    model_params={"accelerator_folds": 2, "forward_rounds": 1})
    assert ev41.metrics.empty and "no benchmark has its first result in v4.1" in " ".join(ev41.notes.values())


def test_cli_until_rejects_a_bad_round_name() -> None:
    from recommender.cli import cli

    res = CliRunner().invoke(cli, ["model", "evaluate", "--until", "five", "--split", "forward"])
    assert res.exit_code != 0 and "not a round name" in res.output


def test_shape_pool_search_uses_only_new_benchmarks_up_to_its_last_round() -> None:
    """The custom-workload shape pooling is chosen on forward new-benchmark events ending at v5.0: the v5.1
    benchmarks (llama31_8b, flux1) never take part, and the stored choice is what fits read."""
    import catalog as catalog_pkg
    from recommender.performance.training import training_frame
    from recommender.performance.tuning import SPACE, TUNED_FILE, new_benchmark_events, tuned_params

    events = new_benchmark_events(training_frame(catalog_pkg.load()), "v5.0")
    assert ("v5.0", "llama31_405b") in events and ("v4.0", "llama2_70b_lora") in events
    assert all(r != "v5.1" for r, _ in events) and not {"llama31_8b", "flux1"} & {b for _, b in events}
    doc = json.loads(TUNED_FILE.read_text(encoding="utf-8"))
    assert doc["custom"]["last_round"] == "v5.0" and doc["custom"]["events"] == [f"{r} {b}" for r, b in events]
    assert tuned_params()["shape_pool"] == doc["custom"]["shape_pool"] in SPACE["scaling_pool"]


def test_hyperparameter_search_scores_what_predict_answers() -> None:
    """The search's default objective scores ``predict()``'s answers, not the raw point model: on results the
    split trained on, the answers are the measured scores (error near 0) while the raw model still errs; and
    the stored settings say which objective and which forward rounds (ending at v5.0) chose them."""
    import catalog as catalog_pkg
    from recommender.performance.evaluate import catalog_until
    from recommender.performance.training import training_frame
    from recommender.performance.tuning import OBJECTIVES, TUNED_FILE, forward_splits

    cat = catalog_until(catalog_pkg.load(), "v4.0")
    data = training_frame(cat)
    R, tr, _ = forward_splits(data, "v4.0", 1)[0]
    seen = tr[data["round"].iloc[tr].astype(str).to_numpy() == "v3.1"]  # rows the split trained on
    split = [(R, tr, seen)]
    answers, raw = OBJECTIVES["answers"](data, cat, {}, split), OBJECTIVES["model"](data, cat, {}, split)
    assert answers < 0.01 < raw
    doc = json.loads(TUNED_FILE.read_text(encoding="utf-8"))
    assert doc["objective"] == "answers" and doc["last_round"] == "v5.0" and doc["splits"][-1] == "v5.0"


def test_bias_is_the_median_signed_error_and_reaches_the_must_show_table() -> None:
    from recommender.performance.baselines import metrics

    y = np.array([10.0, 10.0, 10.0, 10.0, 10.0])
    slow = metrics(y, np.array([12.0, 12.0, 11.0, 9.0, 13.0]), None, None)  # +20, +20, +10, -10, +30 %
    assert slow["bias"] == pytest.approx(20.0) and slow["mdape"] == pytest.approx(20.0)
    fast = metrics(y, np.array([8.0, 8.0, 9.0, 11.0, 7.0]), None, None)
    assert fast["bias"] == pytest.approx(-20.0) and fast["mdape"] == pytest.approx(20.0)
    row = {"split": "rounds<v5.1 / v5.1 (final test)", "method": "model", "group": "first appearances", **slow}
    ms = must_show(pd.DataFrame([row])).set_index("figure")
    assert ms.loc["MdAPE, first appearances", "bias"] == pytest.approx(20.0)
