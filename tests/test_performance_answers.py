"""predict() as the optimizer sees it: monotone final answers, carried results, memory fit, safe cache, types."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import catalog
from catalog.registry import BENCHMARKS
from recommender import performance
from recommender.errors import ScenarioError
from recommender.models import CustomWorkload, Measurement
from recommender.performance import store
from recommender.performance.anchors import pav_decreasing, scaling_slack
from recommender.performance.memory import BYTES_PER_PARAMETER, MEMORY_HEADROOM, memory_need_gb

A100_PCIE = "nvidia-a100-pcie-80gb"


@pytest.fixture(scope="module")
def cat() -> catalog.Catalog:
    return catalog.load()


@pytest.fixture(scope="module")
def bundle(cat: catalog.Catalog) -> store.Bundle:
    return store.load_bundle(cat)


def test_predict_is_monotone_for_every_accelerator_benchmark_and_count_1_to_4096(
        cat: catalog.Catalog, bundle: store.Bundle) -> None:
    """The final answers (all bases), not the raw model: minutes, and their intervals' upper ends, never increase
    with the count."""
    counts = np.arange(1, 4097)
    accs = list(cat.accelerators["accelerator_id"])
    worst: list[tuple[float, str]] = []
    for b in bundle.estimator.model_.benchmarks_:
        frame = pd.DataFrame({"accelerator_id": np.repeat(accs, len(counts)),
                              "accelerators": np.tile(counts, len(accs)), "benchmark": b})
        out = performance.predict(frame, catalog=cat)
        m = out["minutes"].to_numpy().reshape(len(accs), len(counts))
        fits = np.isfinite(m)
        # once a count fits, every larger count fits (memory grows with the count)
        assert (np.diff(fits.astype(int), axis=1) >= 0).all(), b
        both = fits[:, 1:] & fits[:, :-1]
        steps = np.diff(np.log(np.where(fits, m, 1.0)), axis=1)[both]
        assert steps.max(initial=0.0) <= 1e-9, f"{b}: minutes increase with count (max log step {steps.max()})"
        lo, hi = out["minutes_low"].to_numpy(), out["minutes_high"].to_numpy()
        ok = np.isfinite(out["minutes"].to_numpy())
        assert (lo[ok] < out["minutes"].to_numpy()[ok]).all() and (out["minutes"].to_numpy()[ok] < hi[ok]).all()
        # nor do the upper ends, what a p80 buyer ranks by (a reviewer: 72 predicted B200 had a 12 % higher p80
        # than 64 carried ones), up to 1 %: a carried count's own calibrated interval may be a little wider than
        # the model's at the count below it (V100 resnet 511 -> 512: +0.7 %)
        h = np.log(np.where(fits, hi.reshape(m.shape), 1.0))
        up = np.diff(h, axis=1)[both]
        worst.append((up.max(initial=0.0), b))
    assert max(worst)[0] <= np.log(1.01), f"upper ends increase with count: {sorted(worst)[-5:]}"


def test_a100_pcie_bert_more_cards_are_never_slower(cat: catalog.Catalog) -> None:
    out = performance.predict(pd.DataFrame({"accelerator_id": A100_PCIE, "accelerators": [8, 10, 12, 16],
                                            "benchmark": "bert"}), catalog=cat)
    m = out["minutes"].to_numpy()
    assert (np.diff(m) <= 1e-9).all(), out[["accelerators", "minutes", "basis", "source"]]
    assert set(out["basis"]) <= {"measured", "carried", "predicted"}


@pytest.mark.parametrize(("accelerator", "bench", "counts"), [
    ("nvidia-b300-sxm-270gb", "llama31_405b", [48, 64, 96, 128]),  # 971 -> 908 -> 842 accelerator-hours
    ("nvidia-b300-sxm-270gb", "gpt3", [16, 24, 32, 48, 64, 96]),  # 267 -> 192 accelerator-hours
])
def test_predicted_counts_never_take_fewer_accelerator_hours_at_more_accelerators(
        cat: catalog.Catalog, accelerator: str, bench: str, counts: list[int]) -> None:
    """No measurement of these big LLMs scales better than linearly, yet the model's count curve fell faster than
    linear at small counts, so the rent comparison (accelerator-hours) picked larger counts."""
    out = performance.predict(pd.DataFrame({"accelerator_id": accelerator, "accelerators": counts,
                                            "benchmark": bench}), catalog=cat)
    assert set(out["basis"]) == {"predicted"}
    hours = out["minutes"].to_numpy() * np.asarray(counts) / 60.0
    assert (np.diff(hours) >= -1e-9).all(), out[["accelerators", "minutes", "source"]]


def test_more_cards_are_not_faster_than_in_proportion_to_a_measured_smaller_count(cat: catalog.Catalog,
                                                                                  bundle: store.Bundle) -> None:
    """The only MLPerf BERT result of the MI300X (tinycorp, 8 cards, v5.0) took 112 min; the model's 16 cards took
    3.4 min, a 33-fold speed-up for twice the cards, and the optimizer bought 24 x MI300X on it (a reviewer). A
    prediction at a larger count is held to the smaller count's result sped up in proportion to the count,
    beyond by at most the catalog's own slack per doubling (1 % of its neighbouring measured counts scale
    better): a few more accelerators are not much faster (136 B200 were 32 % faster than a measured 128)."""
    slack = scaling_slack(bundle.measured)
    assert 0.0 < slack < np.log(2.0)  # some measured pairs scale a little better than linearly per doubling
    out = performance.predict(pd.DataFrame({"accelerator_id": "amd-mi300x-192gb", "accelerators": [8, 16, 24, 64],
                                            "benchmark": "bert", "round": ["v5.0", "v5.0", "v5.1", "v5.1"]}),
                              catalog=cat)
    m = out["minutes"].to_numpy()
    assert out["basis"].iloc[0] == "measured" and m[0] > 100
    assert m[1] * 16 >= m[0] * 8 / np.exp(slack) - 1e-6, out[["accelerators", "minutes", "source"]]
    eight_now = performance.predict(pd.DataFrame({"accelerator_id": ["amd-mi300x-192gb"], "accelerators": [8],
                                                  "benchmark": "bert"}), catalog=cat)["minutes"].iloc[0]
    n = np.array([24, 64])
    assert (m[2:] * n >= eight_now * 8 / np.exp(slack * np.log2(n / 8)) - 1e-6).all()
    # the model's figure follows the slow result (tinycorp's stack is ~16 times slower than the model says: so is
    # its 16-card figure), within the limit, and says so and which result
    assert m[1] * 16 <= m[0] * 8 * 1.05
    import re

    how = re.fullmatch(r"model x([\d.]+) \(the result at 8 accelerators took ([\d.]+) times the model's time there\); "
                       rf"nearest result: 8 accelerators, {m[0]:,.0f} min \(measured\)", out["source"].iloc[1])
    assert how and how.group(1) == how.group(2) and float(how.group(1)) > 10, out["source"].iloc[1]
    # next to a slow measured count, a few more accelerators are a little faster, not a cliff
    b200 = performance.predict(pd.DataFrame({"accelerator_id": "nvidia-b200-sxm-180gb", "accelerators": [128, 136],
                                             "benchmark": "llama2_70b_lora"}), catalog=cat)
    if b200["basis"].iloc[0] == "measured":  # (the catalog's one 128-card result, v5.1)
        m128, m136 = b200["minutes"].to_numpy()
        assert m136 * 136 >= m128 * 128 / np.exp(slack * np.log2(136 / 128)) - 1e-6 and m136 > 0.85 * m128
    assert (out["minutes_low"] < out["minutes"]).all() and (out["minutes"] < out["minutes_high"]).all()


def test_a_clipped_model_figure_says_its_scaling_limit_in_a_buyers_words() -> None:
    """A reviewer: "held to a larger count's result slowed in proportion to the count (at most x1.60 per halving
    beyond)" read as jargon. The source says linear scaling in plain terms, names the result it starts from and the
    catalog's margin beyond it; the numbers are the ones the clip used."""
    from recommender.performance.answers import _say_how_clipped

    results = ["448 accelerators, 12.30 min (measured)", "512 accelerators, 64.60 min (measured)",
               "8 accelerators, 9.50 min (measured)", "16 accelerators, 4.10 min (carried)", "", ""]
    source = np.array(["model"] * 5 + ["v5.1 closed"], dtype=object)
    basis = np.array(["predicted"] * 4 + ["specs_only", "measured"], dtype=object)
    _say_how_clipped(source, basis, np.array([-2, 2, 1, 0, -2, -2]), float(np.log(1.6)),
                     np.array(results, dtype=object))
    assert list(source) == [
        ("model, no faster than linear scaling (twice the accelerators, half the minutes) from the result at 448 "
        "accelerators, 12.30 min (measured) allows, plus a margin of 1.60x per doubling (only 1 % of MLPerf results "
        "scale better)"),
        ("model, no slower than linear scaling (half the accelerators, twice the minutes) from the result at 512 "
        "accelerators, 64.60 min (measured) allows, plus a margin of 1.60x per halving (only 1 % of MLPerf results "
        "scale better)"),
        "model, capped by a smaller count's result: 8 accelerators, 9.50 min (measured)",
        "model; nearest result: 16 accelerators, 4.10 min (carried)",
        ("model, no faster than linear scaling (twice the accelerators, half the minutes) from a smaller count's result "
        "allows, plus a margin of 1.60x per doubling (only 1 % of MLPerf results scale better)"),
        "v5.1 closed"]  # (a measured figure is not the model's: untouched)
    assert not any("in proportion to the count" in x for x in source)


def test_the_scaling_slack_is_the_catalogs_own() -> None:
    measured = pd.DataFrame({"accelerator_id": "a", "benchmark": "b", "round": ["v1.0"] * 3 + ["v2.0"] * 2,
                             "accelerators": [1, 2, 4, 1, 2], "minutes": [100.0, 50.0, 20.0, 10.0, 6.0]})
    # 1 -> 2 linear, 2 -> 4 x1.25 better than linear (one doubling), v2.0's 1 -> 2 worse: the largest is x1.25
    assert scaling_slack(measured, quantile=1.0) == pytest.approx(np.log(1.25))
    # per doubling: x1.25 from 2 to 8 is x1.25^(1/2) a doubling
    four = measured.assign(accelerators=[1, 2, 8, 1, 2], minutes=[100.0, 50.0, 10.0, 10.0, 6.0])
    assert scaling_slack(four, quantile=1.0) == pytest.approx(np.log(1.25) / 2)
    assert scaling_slack(measured.iloc[3:].assign(minutes=[10.0, 9.0])) == 0.0


def test_carried_results_name_their_round_and_are_wider_than_measured(cat: catalog.Catalog,
                                                                      bundle: store.Bundle) -> None:
    meas = bundle.measured
    old = meas[meas["round"] != cat.latest_round].head(50)
    out = performance.predict(old[["accelerator_id", "accelerators", "benchmark"]], catalog=cat)
    carried = out[out["basis"] == "carried"]
    assert len(carried) > 0
    assert carried["source"].str.startswith("carried from v").all()
    # cited as MLCommons' guidelines ask: round, division and status (then submitter and system)
    assert carried["source"].str.match(r"carried from v\d+\.\d+ closed, (available|preview|rdi) · [^·]+ · ").all()
    measured = performance.predict(meas[meas["round"] == cat.latest_round].head(20)[
        ["accelerator_id", "accelerators", "benchmark"]], catalog=cat)
    assert (measured["basis"] == "measured").any()
    assert measured.loc[measured["basis"] == "measured", "source"].str.match(
        r"v5\.1 closed, (available|preview|rdi) · [^·]+ · ").all()
    q_rep = bundle.estimator.replicate_halfwidth(0.8)
    width = np.log(carried["minutes_high"] / carried["minutes"]).to_numpy()
    assert (width >= q_rep - 1e-12).all()


def test_a_carried_answer_combines_the_old_score_and_the_model_by_precision(cat: catalog.Catalog,
                                                                          bundle: store.Bundle) -> None:
    """Issue 11: an old carried result weighs less than a recent one against the model's own prediction, and
    the A100 PCIe BERT 10-card answer (v1.1 result) is no longer pooled with the 8-card one (v3.0)."""
    est = bundle.estimator
    w = est.carry_weight(np.array([0.4, 1.0, 2.0, 4.0]))
    assert (np.diff(w) < 0).all() and (w > 0).all() and (w < 1).all()
    assert (np.diff(est.carry_halfwidth(0.8, np.array([0.4, 4.0]))) >= 0).all()  # older: never narrower
    frame = pd.DataFrame({"accelerator_id": A100_PCIE, "accelerators": [8, 10], "benchmark": "bert"})
    out = performance.predict(frame, catalog=cat)
    # 8 cards in one server: the latest 8-card result is Dell's 2 x 4 system (v3.0), moved by the node term
    assert out["basis"].tolist() == ["predicted", "carried"]
    # a predicted figure's source says first that it is the model's (a reviewer: it began "carried from v3.0")
    assert out["source"].iloc[0].startswith("model: gathered onto 1 node by its node term from the 2-node result "
                                            "(carried from v3.0")
    assert out["source"].iloc[1].startswith("carried from v1.1")
    model_10 = float(np.exp(est.model_.predict_log(frame.assign(round=cat.latest_round))[0][1]))
    meas = bundle.measured
    old_10 = float(meas[(meas["accelerator_id"] == A100_PCIE) & (meas["benchmark"] == "bert")
                        & (meas["accelerators"] == 10)]["minutes"].iloc[-1])
    m8, m10 = out["minutes"].to_numpy()
    assert m10 < m8  # more cards, faster: no longer one pooled figure
    assert min(model_10, old_10) * 0.9 < m10 < max(model_10, old_10)
    # the source says how (a reviewer: a carried 49.8 min cited results of 42.7 and 45.8 min, and nothing said the
    # model's slower figure was combined in): the old score, moved by the trend, the model's, their weights
    import re

    how = re.search(r"· ([\d.]+) min in v1\.1 → ([\d.]+) by the trend; model ([\d.]+); combined (\d+):(\d+)\b",
                    out["source"].iloc[1])
    assert how, out["source"].iloc[1]
    then, moved, model, w_old, w_model = map(float, how.groups())
    assert then == pytest.approx(old_10, abs=0.006) and model == pytest.approx(model_10, rel=0.01)
    assert w_old + w_model == 100 and w_old < 50  # (a 2021 result weighs less than the model)
    assert float(np.exp((w_old * np.log(moved) + w_model * np.log(model)) / 100)) == pytest.approx(m10, rel=0.01)


def test_a_carried_result_follows_its_own_accelerators_change_between_the_rounds(cat: catalog.Catalog,
                                                                                 bundle: store.Bundle) -> None:
    """GB200 on llama31_405b: 512 went 121 -> 85 min from v5.0 to v5.1 (same system), while the trend moved its
    v5.0 256/1,024/2,048 by about 12 %: 1,024 carried 52.9 min beside 512's 84.9 and a jagged curve. A carry now
    moves by the trend and this accelerator's own change measured at the counts both rounds have, and says so."""
    import re

    gb200 = "nvidia-gb200"
    frame = pd.DataFrame({"accelerator_id": gb200, "accelerators": [512, 1024, 2048], "benchmark": "llama31_405b"})
    out = performance.predict(frame, catalog=cat)
    assert out["basis"].tolist() == ["measured", "carried", "carried"]
    meas = bundle.measured
    g = meas[(meas["accelerator_id"] == gb200) & (meas["benchmark"] == "llama31_405b")]
    own = float(g[(g["accelerators"] == 512) & (g["round"] == "v5.1")]["minutes"].iloc[0]
                / g[(g["accelerators"] == 512) & (g["round"] == "v5.0")]["minutes"].iloc[0])
    assert own < 0.8  # (the data this test is about)
    for src in out["source"].iloc[1:]:
        how = re.search(r"· ([\d.]+) min in v5\.0 → ([\d.]+) by the trend and its own change at 512 accelerators, "
                        r"v5\.0 → v5\.1 \(([-+]\d+) %\); model ([\d.]+)( \(drawn through this round's results\))?; "
                        r"combined (\d+):(\d+)", src)
        assert how, src
        then, moved, pct = map(float, how.groups()[:3])
        assert pct == pytest.approx(100 * (own - 1), abs=0.6)
        assert moved == pytest.approx(then * own, rel=0.03)  # the trend's own part cancels at 512 (same system)
    m512, m1024, m2048 = out["minutes"].to_numpy()
    # the v5.0 curve's shape is kept closer: 1,024 takes at most 60 % of 512's time (it was 62 %)
    assert m1024 / m512 < 0.6 and m2048 < m1024 / 1.7


def test_model_figures_are_drawn_through_their_groups_results(cat: catalog.Catalog) -> None:
    """B200 on llama31_405b has two results (University of Florida, 256 and 448: about 1,095 accelerator-hours,
    24 % slower than the model); the model's 1,024 took 886 accelerator-hours, so HGX B200 looked faster than
    GB200 NVL72 there (a reviewer). Beyond its results a model figure keeps their difference from the model; and
    beside one (GB200 576 was capped flat at 512's 84.94 min) it follows the model's own step."""
    b200 = performance.predict(pd.DataFrame({"accelerator_id": "nvidia-b200-sxm-180gb", "accelerators": [448, 1024],
                                             "benchmark": "llama31_405b"}), catalog=cat)
    assert b200["basis"].tolist() == ["measured", "predicted"]
    hours = (b200["minutes"] * b200["accelerators"]).to_numpy()
    assert hours[1] >= 0.97 * hours[0], b200[["accelerators", "minutes", "source"]]
    assert b200["source"].iloc[1].startswith("model +2")
    assert "(the result at 448 accelerators is 2" in b200["source"].iloc[1]
    gb200 = performance.predict(pd.DataFrame({"accelerator_id": "nvidia-gb200", "accelerators": [448, 512, 576],
                                              "benchmark": "llama31_405b"}), catalog=cat)
    m448, m512, m576 = gb200["minutes"].to_numpy()
    assert gb200["basis"].iloc[1] == "measured" and m448 > m512 * 1.05 and m576 < m512 * 0.95
    assert gb200["source"].iloc[2].startswith("model -") and gb200["source"].iloc[2].endswith(
        "%, drawn through the results at 512 and 1,024 accelerators; nearest result: 512 accelerators, "
        f"{m512:.2f} min (measured)")


def test_a_carry_whose_trend_and_model_disagree_is_wide_and_so_are_figures_drawn_through_it(
        cat: catalog.Catalog) -> None:
    """A reviewer: MI300X 8 x BERT, tinycorp's 112 min (v5.0) moved to 94 by the trend, the model 5.8, combined
    "28.0 (25.4–30.9)" — an interval excluding both. The interval now holds the two figures' disagreement (the
    variance of their mixture), and the 16-card figure drawn through that carry is no surer than it."""
    import re

    out = performance.predict(pd.DataFrame({"accelerator_id": "amd-mi300x-192gb", "accelerators": [8, 16],
                                            "benchmark": "bert"}), catalog=cat)
    eight, sixteen = out.iloc[0], out.iloc[1]
    assert eight["basis"] == "carried"
    how = re.search(r"→ ([\d.]+) by the trend; model ([\d.]+); combined", eight["source"])
    moved, model = map(float, how.groups())
    assert eight["minutes_low"] < min(moved, model) * 1.2 and eight["minutes_high"] > max(moved, model) * 0.8
    assert sixteen["minutes_high"] / sixteen["minutes_low"] >= 0.9 * eight["minutes_high"] / eight["minutes_low"]


def test_the_model_part_of_a_carry_is_drawn_through_the_rounds_results(cat: catalog.Catalog) -> None:
    """A reviewer: GB200 on llama31_405b, 256 carried from v5.0 combined 168.6 (moved by the trend and its own
    change) with the model's 198.6, which runs 15 % slow beside the measured 512 (v5.1): 772 accelerator-hours
    against 512's 725, so fewer GPUs came out less efficient. The model's part now passes through 512's result."""
    out = performance.predict(pd.DataFrame({"accelerator_id": "nvidia-gb200", "accelerators": [256, 512],
                                            "benchmark": "llama31_405b"}), catalog=cat)
    assert out["basis"].tolist() == ["carried", "measured"]
    hours = (out["minutes"] * out["accelerators"]).to_numpy()
    assert hours[0] <= hours[1] * 1.02, out[["accelerators", "minutes", "source"]]


def test_pav_is_a_weighted_non_increasing_fit() -> None:
    y = np.array([3.0, 2.0, 2.5, 1.0])
    fit = pav_decreasing(y, np.array([1.0, 1.0, 3.0, 1.0]))
    assert (np.diff(fit) <= 0).all()
    assert fit[1] == pytest.approx(fit[2]) == pytest.approx((2.0 + 3 * 2.5) / 4)
    assert fit[0] == 3.0 and fit[3] == 1.0


# ------------------------------------------------------------------------------------------ memory fit
def test_every_measured_result_passes_the_memory_rule(cat: catalog.Catalog) -> None:
    train = performance.training_frame(cat)
    ok, why = performance.fits(train[["benchmark", "accelerator_id", "accelerators"]], cat)
    assert ok.all(), list(zip(train.loc[~ok, "benchmark"], train.loc[~ok, "accelerator_id"], why[~ok]))[:5]


def test_llama31_405b_on_small_cards_does_not_fit(cat: catalog.Catalog) -> None:
    assert memory_need_gb("llama31_405b") == pytest.approx(405 * BYTES_PER_PARAMETER["full"] * MEMORY_HEADROOM)
    assert memory_need_gb("llama2_70b_lora") == pytest.approx(70 * BYTES_PER_PARAMETER["lora"] * MEMORY_HEADROOM)
    frame = pd.DataFrame({"accelerator_id": ["nvidia-l4-24gb", "nvidia-h100-sxm5-80gb"], "accelerators": [24, 512],
                          "benchmark": ["llama31_405b"] * 2})
    out = performance.predict(frame, catalog=cat)
    assert out["basis"].tolist()[0] == "does_not_fit"
    assert np.isnan(out["minutes"].iloc[0]) and np.isnan(out["minutes_low"].iloc[0])
    assert "576 GB" in out["source"].iloc[0] and "llama31_405b" in out["source"].iloc[0]
    assert out["basis"].iloc[1] != "does_not_fit"
    ok, why = performance.fits(frame, cat)
    assert ok.tolist() == [False, True] and why[1] == ""


def test_the_memory_rule_leaves_headroom_beyond_the_trained_states(cat: catalog.Catalog) -> None:
    # a reviewer: 6 x RX 7900 XTX (144 GB) were offered for llama2_70b_lora, whose frozen BF16 weights alone
    # take 140 GB (nothing left for activations); the smallest measured system has 4 x 80 GB
    frame = pd.DataFrame({"accelerator_id": ["amd-radeon-rx-7900-xtx"] * 2 + ["nvidia-h100-sxm5-80gb"],
                          "accelerators": [6, 9, 4], "benchmark": ["llama2_70b_lora"] * 3})
    ok, why = performance.fits(frame, cat)
    assert ok.tolist() == [False, True, True]
    assert why[0] == ("6 x 24 GB = 144 GB of accelerator memory < 210 GB that llama2_70b_lora needs (70B parameters "
                      "x 2 bytes, LoRA, frozen BF16 weights, x 1.5 headroom)")


def test_benchmark_memory_fields_are_documented_and_valid() -> None:
    for b in BENCHMARKS.values():
        assert b.training_method in BYTES_PER_PARAMETER
        assert b.parameters_billion is None or b.parameters_billion > 0


def test_custom_workload_min_total_memory(cat: catalog.Catalog) -> None:
    w = CustomWorkload(name="big", like="bert", min_total_memory_gb=1000.0,
                       measurements=[Measurement(accelerator_id="nvidia-h100-sxm5-80gb", accelerators=16,
                                                 minutes=10.0)])
    out = performance.predict(pd.DataFrame({"accelerator_id": "nvidia-h100-sxm5-80gb", "accelerators": [8, 16],
                                            "benchmark": "big"}), catalog=cat, workloads=[w])
    assert out["basis"].tolist() == ["does_not_fit", "measured"]
    assert "min_total_memory_gb" in out["source"].iloc[0]
    with pytest.raises(ValueError):
        CustomWorkload(name="x", min_total_memory_gb=-1,
                       measurements=[Measurement(accelerator_id="a", accelerators=1, minutes=1.0)])


def test_a_measurement_spread_over_more_nodes_is_a_derived_figure(cat: catalog.Catalog) -> None:
    # a reviewer: 8 x H100 on bert at 1, 2, 4 and 8 nodes came back as four different "measured" figures, all
    # citing one 1-node system's score (5.42 min); and 8 accelerators on 16 nodes answered 8.0 min
    frame = pd.DataFrame({"accelerator_id": ["nvidia-h100-sxm5-80gb"] * 3, "accelerators": [8] * 3,
                          "nodes": [1, 2, 8], "benchmark": ["bert"] * 3, "round": ["v4.0"] * 3})  # fmt: skip
    out = performance.predict(frame, catalog=cat)
    assert list(out["basis"]) == ["measured", "predicted", "predicted"]
    assert out["minutes"].is_monotonic_increasing  # more nodes for the same accelerators: the node term
    assert out["source"].iloc[1].startswith("model: spread over 2 nodes by its node term from the 1-node result (")
    for nodes in (16, 3, 2.5):
        with pytest.raises(ScenarioError, match="whole number of nodes that divides"):
            performance.predict(frame.assign(nodes=nodes), catalog=cat)
    with pytest.raises(ScenarioError, match=r"^accelerators: at most 65,536 .* got 1,000,000,000,000 \(row 0\)"):
        performance.predict(frame.assign(accelerators=10**12, nodes=1), catalog=cat)  # answered 0.076 min
    # a round without its "v" is that round
    same = performance.predict(frame.assign(round="4.0").iloc[:1], catalog=cat)
    assert same["basis"].iloc[0] == "measured" and same["minutes"].iloc[0] == out["minutes"].iloc[0]


@pytest.mark.parametrize("target", ["v9.9", "v0.5", "5.2"])
def test_a_round_outside_the_catalogs_rounds_is_refused(cat: catalog.Catalog, target: str) -> None:
    # a reviewer: `--round v9.9` answered "carried from v4.1" extrapolated to software nobody has run, and
    # v0.5 (before the catalog's first round) a prediction for an accelerator that did not exist yet
    frame = pd.DataFrame({"accelerator_id": ["nvidia-h100-sxm5-80gb"], "accelerators": [8], "benchmark": ["bert"],
                          "round": [target]})  # fmt: skip
    with pytest.raises(ScenarioError, match=r"^round: v\d\.\d is outside the catalog's rounds \(v0\.7 to v5\.1\)"):
        performance.predict(frame, catalog=cat)


def test_fewer_nodes_than_the_measured_system_say_how_it_was_measured(cat: catalog.Catalog) -> None:
    # a reviewer: 16 x H100 on bert at --nodes 1 answered Lambda's 2-node score with no word of its layout (16
    # H100 SXM on one node is now refused; the same holds for a 16-card PCIe chassis vs a 2 x 8 system)
    frame = pd.DataFrame({"accelerator_id": ["nvidia-a100-pcie-40gb"] * 2, "accelerators": [16, 16],
                          "nodes": [1, 2], "benchmark": ["resnet"] * 2, "round": ["v1.0"] * 2})  # fmt: skip
    one, two = performance.predict(frame, catalog=cat).itertuples(index=False)
    assert one.minutes == two.minutes and one.basis == two.basis  # the node term sees no difference
    assert one.source == f"{two.source} (measured on 2 nodes)" and "measured on" not in two.source


def test_a_wide_layout_measured_in_an_earlier_round_answers_for_itself(cat: catalog.Catalog,
                                                                       bundle: store.Bundle) -> None:
    # the last session's note: 16 x A100 PCIe on 4 nodes was Clemson's 8-node v3.1 system moved by the node term,
    # though Dell measured exactly 4 nodes in v3.0
    frame = pd.DataFrame({"accelerator_id": [A100_PCIE] * 3, "accelerators": [16] * 3, "nodes": [4, 8, 2],
                          "benchmark": ["bert"] * 3})  # fmt: skip
    four, eight, two = performance.predict(frame, catalog=cat).itertuples(index=False)
    assert four.basis == "carried" and four.source.startswith("carried from v3.0 closed, available · Dell · "
                                                              "4xR750xax4A100-PCIE-80GB · median of 3 results: ")
    assert eight.basis == "carried" and "Clemson" in eight.source and "node term" not in eight.source
    assert two.basis == "predicted" and two.source.startswith("model: gathered onto 2 nodes by its node term from the "
                                                              "8-node result (")
    assert two.minutes < four.minutes < eight.minutes  # fewer nodes, less network between the cards
    dell = bundle.measured.query("accelerator_id == @A100_PCIE and accelerators == 16 and benchmark == 'bert' "
                                 "and round == 'v3.0'")  # fmt: skip
    at_v30 = performance.predict(frame.iloc[:1].assign(round="v3.0"), catalog=cat).iloc[0]
    assert at_v30["basis"] == "measured" and at_v30["minutes"] == pytest.approx(float(dell["minutes"].iloc[0]))


def test_a_result_is_matched_by_its_node_layout_not_only_by_its_count(cat: catalog.Catalog,
                                                                     bundle: store.Bundle) -> None:
    # a reviewer: one 8-card A100 PCIe server's BERT figure was "carried from" Dell's 2 x 4-card system (v3.0),
    # while the very layout Dell measured, asked with nodes=2, came back "predicted ... (measured on 1)"
    frame = pd.DataFrame({"accelerator_id": [A100_PCIE] * 2, "accelerators": [8, 8], "nodes": [2, 1],
                          "benchmark": ["bert"] * 2, "round": ["v3.0"] * 2})  # fmt: skip
    out = performance.predict(frame, catalog=cat)
    two, one = out.iloc[0], out.iloc[1]
    assert two["basis"] == "measured" and "2xR750xax4A100" in two["source"] and "node term" not in two["source"]
    dell = bundle.measured.query("accelerator_id == @A100_PCIE and accelerators == 8 and benchmark == 'bert' "
                                 "and round == 'v3.0'")  # fmt: skip
    # Dell's own score, up to the monotone envelope (pooled with the slower 10-card result carried from v1.1)
    assert two["minutes"] == pytest.approx(float(dell["minutes"].iloc[0]), rel=0.05)
    assert one["basis"] == "predicted"
    assert one["source"].startswith("model: gathered onto 1 node by its node term from the 2-node result (")
    assert one["minutes"] < two["minutes"]  # one server has no network between its cards
    assert one["minutes_high"] / one["minutes_low"] >= two["minutes_high"] / two["minutes_low"]
    # a round with systems of both layouts is represented by the usual one (v2.1: 1 x 8 systems and Dell 2 x 4)
    v21 = bundle.measured.query("accelerator_id == @A100_PCIE and accelerators == 8 and benchmark == 'bert' "
                                "and round == 'v2.1'")  # fmt: skip
    assert len(v21) == 1 and v21["nodes"].iloc[0] == 1 and "2xR750" not in v21["source"].iloc[0]


# --------------------------------------------------------------------------------------- input and cache
@pytest.mark.parametrize("bad", [None, [1, 2], {"accelerator_id": ["x"]}, "frame", np.zeros(3)])
def test_predict_with_a_non_dataframe_is_a_typed_error(bad: object) -> None:
    with pytest.raises(performance.PredictInputError, match="DataFrame"):
        performance.predict(bad)  # type: ignore[arg-type]
    assert issubclass(performance.PredictInputError, ScenarioError)
    assert issubclass(performance.PredictInputError, TypeError)


def test_cache_round_trips_as_data(cat: catalog.Catalog, bundle: store.Bundle) -> None:
    text = store.bundle_to_json(bundle)
    again = store.bundle_from_json(text, cat.fingerprint)
    frame = pd.DataFrame({"accelerator_id": ["nvidia-h100-sxm5-80gb", "intel-gaudi3-128gb"],
                          "accelerators": [64, 8], "benchmark": ["bert", "resnet"], "round": "v5.0"})
    a, b = bundle.estimator.model_.predict_log(frame)[0], again.estimator.model_.predict_log(frame)[0]
    assert np.allclose(a, b)
    # the custom-workload shape model (count curves pooled harder) is stored, validated and loaded too
    assert again.estimator.shape_model_ is not None and again.estimator.shape_model() is not again.estimator.model_
    assert np.allclose(bundle.estimator.shape_model().predict_log(frame)[0],
                       again.estimator.shape_model().predict_log(frame)[0])
    doc = json.loads(text)
    doc["estimator"]["state"]["model_"]["state"]["coef_"]["shape"] = [3]
    with pytest.raises(ValueError):
        store.bundle_from_json(json.dumps(doc), cat.fingerprint)
    doc = json.loads(text)
    doc["estimator"]["state"]["shape_model_"]["state"]["coef_"]["shape"] = [3]
    with pytest.raises(ValueError):
        store.bundle_from_json(json.dumps(doc), cat.fingerprint)
    with pytest.raises(ValueError):
        store.bundle_from_json(text, "another-catalog")


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {os.environ.get('BOOM_MARKER', '/nonexistent/x')}",))


def test_a_planted_cache_file_cannot_run_code(tmp_path: Path, cat: catalog.Catalog) -> None:
    marker = tmp_path / "ran"
    env = dict(os.environ, MLPERF_RECOMMENDER_CACHE=str(tmp_path), BOOM_MARKER=str(marker))
    name = store.cache_path(cat.fingerprint).name
    os.environ["BOOM_MARKER"] = str(marker)
    try:
        payload = pickle.dumps(_Boom())
    finally:
        del os.environ["BOOM_MARKER"]
    # a pickle under the cache's name, and a JSON document naming a class outside the allow-list
    (tmp_path / name).write_bytes(payload)
    code = ("import pandas as pd, recommender;"
            "o=recommender.predict(pd.DataFrame({'accelerator_id':['nvidia-h100-sxm5-80gb'],'accelerators':[16],"
            "'benchmark':['bert']}));print(float(o.minutes.iloc[0]) > 0)")
    res = subprocess.run([sys.executable, "-c", code], check=False, env=env, capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 0, res.stderr
    assert not marker.exists()
    doc = json.loads((tmp_path / name).read_text())  # refitted: a JSON document now
    doc["estimator"] = {"$obj": "posix.system", "state": {}}
    (tmp_path / name).write_text(json.dumps(doc))
    with pytest.raises(KeyError):
        store.bundle_from_json((tmp_path / name).read_text(), cat.fingerprint)
    assert not marker.exists()


def test_the_performance_package_has_no_import_cycles_and_no_private_modules() -> None:
    """Every import inside recommender/performance (module level or lazy) points one way."""
    import ast

    root = Path(__file__).resolve().parents[1] / "recommender" / "performance"
    graph: dict[str, set[str]] = {}
    for p in root.glob("*.py"):
        assert not p.stem.startswith("_") or p.stem == "__init__", p
        deps: set[str] = set()
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("recommender.performance."):
                deps.add(node.module.rsplit(".", 1)[1])
        graph[p.stem] = deps
    state: dict[str, int] = {}

    def visit(n: str, path: list[str]) -> None:
        if state.get(n) == 1:
            raise AssertionError(f"import cycle: {' -> '.join([*path, n])}")
        if state.get(n) == 2:
            return
        state[n] = 1
        for d in graph.get(n, ()):
            visit(d, [*path, n])
        state[n] = 2

    for n in graph:
        visit(n, [])


def test_custom_workloads_given_to_predict_are_checked(cat: catalog.Catalog) -> None:
    # a reviewer: a custom workload named "bert" silently replaced the MLPerf benchmark (bert on 16 x H100: 545 min),
    # of two with one name the last won, and workloads="x" raised AttributeError
    from recommender.models import CustomWorkload, Measurement

    m = [Measurement(accelerator_id="nvidia-h100-sxm5-80gb", accelerators=8, minutes=1000.0)]
    frame = pd.DataFrame({"accelerator_id": ["nvidia-h100-sxm5-80gb"], "accelerators": [16], "benchmark": ["mine"]})
    with pytest.raises(ScenarioError, match=r"^workloads\[0\]: 'bert' is an MLPerf benchmark"):
        performance.predict(frame, catalog=cat, workloads=[CustomWorkload(name="bert", measurements=m)])
    with pytest.raises(ScenarioError, match=r"^workloads\[1\]: a second custom workload named 'mine'"):
        performance.predict(frame, catalog=cat, workloads=[CustomWorkload(name="mine", measurements=m)] * 2)
    for bad in ("x", [{"name": "mine"}]):
        with pytest.raises(performance.PredictInputError):
            performance.predict(frame, catalog=cat, workloads=bad)  # type: ignore[arg-type]
    ok = performance.predict(frame, catalog=cat, workloads=[CustomWorkload(name="mine", measurements=m)])
    assert ok["source"].iloc[0].startswith("custom workload mine")


def test_a_model_figure_names_its_nearest_result(cat: catalog.Catalog) -> None:
    """A reviewer: 40 B300 on llama2_70b_lora read "predicted: model" though 8 B300 were measured in v5.1."""
    out = performance.predict(pd.DataFrame({"accelerator_id": "nvidia-b300-sxm-270gb", "accelerators": [8, 40],
                                            "benchmark": "llama2_70b_lora"}), catalog=cat)
    measured, predicted = out.iloc[0], out.iloc[1]
    assert measured["basis"] == "measured" and predicted["basis"] == "predicted"
    assert predicted["source"].endswith(f"; nearest result: 8 accelerators, {measured['minutes']:.2f} min (measured)")
    # no result of the accelerator on the benchmark: nothing to name
    alone = performance.predict(pd.DataFrame({"accelerator_id": "nvidia-b300-sxm-270gb", "accelerators": [64],
                                              "benchmark": "llama31_405b"}), catalog=cat)
    assert "nearest result" not in alone["source"].iloc[0]
    # a result measured on more nodes than usual is cited as moved (a reviewer: "16 accelerators, 13.71 min
    # (carried)" where the carried result is 16.25 on its own 8 nodes)
    wide = performance.predict(pd.DataFrame({"accelerator_id": A100_PCIE, "accelerators": [14, 16],
                                             "benchmark": "bert"}), catalog=cat)
    assert wide["source"].iloc[0].endswith(f"; nearest result: 16 accelerators, {wide['minutes'].iloc[1]:.2f} min "
                                           "(carried on 8 nodes, moved to the usual layout by the node term)")


def test_a_measured_interval_holds_the_other_results_of_its_configuration(cat: catalog.Catalog,
                                                                          bundle: store.Bundle) -> None:
    """A reviewer: 32 B200 on llama2_70b_lora "measured 3.10, 80 % interval 2.9–3.4" though University of Florida's
    system of the same configuration scored 3.58 in the same round."""
    out = performance.predict(pd.DataFrame({"accelerator_id": "nvidia-b200-sxm-180gb", "accelerators": [32],
                                            "benchmark": "llama2_70b_lora"}), catalog=cat).iloc[0]
    assert out["basis"] == "measured" and "lower middle of 2 results: 3.10–3.58 min" in out["source"]
    assert out["minutes_low"] < 3.10 and 3.58 <= out["minutes_high"] + 5e-3
    # every configuration the latest round scored on several systems (the monotone envelope may trim a few ends)
    m = bundle.measured
    several = m[(m["round"] == cat.latest_round) & (m["hi_minutes"] > m["lo_minutes"])]
    ans = performance.predict(several[["accelerator_id", "accelerators", "benchmark"]], catalog=cat)
    inside = (ans["minutes_low"].to_numpy() <= several["lo_minutes"].to_numpy() * 1.001) & (
        ans["minutes_high"].to_numpy() >= several["hi_minutes"].to_numpy() * 0.999)
    assert len(several) > 20 and inside.mean() >= 0.9, inside.mean()


def test_a_count_just_below_a_result_is_not_much_slower_than_it_in_proportion(cat: catalog.Catalog,
                                                                              bundle: store.Bundle) -> None:
    """A reviewer: NVL72 racks come in 72s, so 504 GB300 sits just under a measured 512 (64.6 min on llama31_405b)
    and came out 72.6 min, 12 % slower for 1.6 % fewer GPUs, and lost the purchase to GB200 on it."""
    slack = scaling_slack(bundle.measured)
    out = performance.predict(pd.DataFrame({"accelerator_id": "nvidia-gb300", "accelerators": [504, 512],
                                            "benchmark": "llama31_405b"}), catalog=cat)
    below, at = out.iloc[0], out.iloc[1]
    assert at["basis"] == "measured" and below["basis"] == "predicted"
    back = 512 / 504
    assert below["minutes"] <= at["minutes"] * back * np.exp(slack * np.log2(back)) * (1 + 1e-9)
    assert below["minutes"] < at["minutes"] * back * 1.01  # (the model's own step down to 504, from 512's result)
    assert below["source"].startswith("model -") and "(the result at 512 accelerators is " in below["source"]
    assert "% faster than the model there)" in below["source"]
    # and names that result (a reviewer: "floored by a larger count's result" named none)
    assert below["source"].endswith(f": 512 accelerators, {at['minutes']:,.2f} min (measured)"), below["source"]
