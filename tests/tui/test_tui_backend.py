"""The TUI's formatting helpers and its door into the library (no Textual app needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from recommender import format as fmt
from tui import backend
from tui.widgets.recommendation import measured_label


@pytest.mark.parametrize(("text", "value"), [
    ("325000", 325000.0), ("325,000", 325000.0), ("$325k", 325000.0), ("1.2M", 1.2e6), ("40 kW", 40.0),
    ("0.086", 0.086), (" 7 ", 7.0), ("-5", -5.0),
    ("1e3", 1000.0), ("2.5E6", 2.5e6), ("1e17", 1e17),  # scientific notation, as scenario files accept it
    ("$1,200,000.50", 1_200_000.5), ("1,200k", 1.2e6), ("12,345,678 USD", 12_345_678.0),
])
def test_parse_number_accepts_what_people_type(text: str, value: float) -> None:
    assert fmt.parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["abc", "", "12x", "1e999", "--3", "1e", "e3",
                                  "110.000,50", "$1,2,3", "1,20"])  # a reviewer: read as $110 and $123
def test_parse_number_rejects_non_numbers(text: str) -> None:
    with pytest.raises(ValueError):
        fmt.parse_number(text)


def test_money_and_units() -> None:
    assert fmt.money(325000) == "$325,000"
    assert fmt.money(1234.56) == "$1,235"
    assert fmt.money(None) == "—"
    assert fmt.kw(4.37) == "4.4 kW"
    assert fmt.minutes(2.345) == "2.35" and fmt.minutes(27.84) == "27.8" and fmt.minutes(1234.4) == "1,234"
    assert fmt.plain_number(110000.0) == "110000" and fmt.plain_number(0.086) == "0.086"


def test_measured_label_cites_round_division_status_submitter_and_count(cat: Any) -> None:
    from recommender.performance.training import measured_table, training_frame

    row = measured_table(training_frame(cat)).iloc[0]
    label = measured_label(row["source"], int(row["accelerators"]))
    rnd, (_, submitter, system, *median) = row["round"], row["source"].split(" · ")
    tail = f"; {median[0]}" if median else ""
    assert label == (f"measured: MLPerf Training {rnd} closed, available, {submitter}, {system}, "
                     f"{int(row['accelerators'])} accel.{tail}")


def test_a_custom_workloads_measurement_is_cited_as_yours() -> None:
    label = measured_label("custom workload vit (your measurement)", 8)
    assert label == "measured: custom workload vit (your measurement), 8 accel. — not an MLPerf result"


def test_names_and_priced_accelerators(cat: Any, seed_scenario: Any) -> None:
    names = backend.accelerator_names(cat)
    assert names["nvidia-h100-sxm5-80gb"] == "H100 SXM5 80GB"
    priced = {aid: label for label, aid in backend.priced_accelerators(cat, seed_scenario)}
    assert priced["nvidia-a100-pcie-80gb"] == "A100 PCIe 80GB · $15,000"  # the scenario's price
    assert "nvidia-v100-sxm2-16gb" not in priced  # no reference price, none in the scenario
    # a long name keeps its price in view: "GB200 (per Blackwell GPU in Grace-Blackwell…" cut it off (a reviewer)
    assert priced["nvidia-gb200"].startswith("GB200 · $") and priced["nvidia-gb300"].startswith("GB300 · $")
    assert priced["nvidia-b200-sxm-180gb"].startswith("B200 SXM 180GB (HGX/DGX B200) · $")  # short enough
    assert max(len(label) for label in priced.values()) <= backend.ALLOW_NAME_CHARS + len(" · $100,000")


def test_save_scenario_round_trips_through_the_library_loader(seed_scenario: Any, tmp_path: Path) -> None:
    path = backend.save_scenario(seed_scenario, tmp_path / "s.yaml")
    assert backend.load_scenario(path) == seed_scenario
    # a reviewer: `budget_usd: 110000.0`, `share: 1.0` (whole numbers are written whole; fractions stay)
    text = path.read_text()
    assert f"budget_usd: {int(seed_scenario.budget_usd)}\n" in text and ".0\n" not in text
    half = seed_scenario.model_copy(update={"utilization": 0.5})
    assert "utilization: 0.5\n" in backend.save_scenario(half, tmp_path / "h.yaml").read_text()


def test_export_writes_markdown_and_json(seed_scenario: Any, tmp_path: Path) -> None:
    import json

    from tui_fakes import fake_optimize

    rec = fake_optimize(seed_scenario)
    md = backend.export_recommendation(rec, tmp_path / "r.md", "markdown")
    js = backend.export_recommendation(rec, tmp_path / "r.json", "json")
    assert md.read_text() == rec.to_markdown()
    assert json.loads(js.read_text()) == rec.to_dict()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "r.md"]  # no temporary files left


def test_default_scenario_is_the_seed_example() -> None:
    scenario, path = backend.default_scenario()
    assert path is not None and path.name == "seed.yaml"
    assert scenario.name == "seed"


def test_save_never_defaults_to_a_shipped_example(seed_scenario: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from tui.app import RecommenderApp

    monkeypatch.chdir(tmp_path)
    app = RecommenderApp(scenario=seed_scenario, scenario_path=backend.EXAMPLES_DIR / "seed.yaml")
    assert app._save_default(seed_scenario) == tmp_path / "seed.yaml"
    mine = tmp_path / "mine.yaml"
    app = RecommenderApp(scenario=seed_scenario, scenario_path=mine)
    assert app._save_default(seed_scenario) == mine


def test_model_report_until_is_a_development_evaluation(cat: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """``recommender tui --model-until v5.0``: the Model view evaluates a catalog without any later result and
    says so; naming the latest round (the final test) or a later one is refused."""
    import pandas as pd

    from recommender.errors import ScenarioError
    from recommender.performance import evaluate as evaluate_mod

    seen: dict[str, Any] = {}

    def fake_evaluate(catalog: Any, **kwargs: Any) -> Any:
        seen["latest"], seen["rounds"] = catalog.latest_round, set(catalog.results["round"].astype(str))
        empty = pd.DataFrame(columns=["split", "method", "group", "n", "answered", "mdape", "mape", "bias", "coverage"])
        return evaluate_mod.Evaluation(coverage=0.8, metrics=empty, regret=pd.DataFrame(), predictions=pd.DataFrame())

    monkeypatch.setenv("MLPERF_RECOMMENDER_CACHE", str(tmp_path))
    monkeypatch.setattr(evaluate_mod, "evaluate", fake_evaluate)
    _, _, source = backend.model_report(cat, until="v5.0")
    assert seen["latest"] == "v5.0" and "v5.1" not in seen["rounds"]
    assert source.startswith("DEVELOPMENT evaluation, rounds ≤ v5.0, not the final test")
    for bad in (cat.latest_round, "v9.0"):
        with pytest.raises(ScenarioError, match="final test"):
            backend.model_report(cat, until=bad)


def test_tui_command_rejects_a_bad_or_final_model_until_before_starting() -> None:
    from click.testing import CliRunner

    from recommender.cli import cli

    res = CliRunner().invoke(cli, ["tui", "--model-until", "five"])
    assert res.exit_code == 2 and "--model-until: 'five' is not a round name" in res.output
    res = CliRunner().invoke(cli, ["tui", "--model-until", "v5.1"])
    assert res.exit_code == 2 and "before the catalog's latest (v5.1)" in res.output


def test_the_p80_rate_shown_beside_min_tco_is_the_one_the_optimizer_checks(seed_scenario: Any) -> None:
    # a reviewer: the panel showed 5.27 mixes/day (expected) where min_tco checked the required 4/day at p80 (4.58)
    import recommender
    from tui.widgets.recommendation import _p80_mixes

    s = seed_scenario.model_copy(update={"objective": recommender.models.Objective.MIN_TCO,
                                         "required_mixes_per_day": 4.0})  # fmt: skip
    rec = recommender.optimize(s)
    c = rec.choice
    f = recommender.candidates(s)
    row = f[(f["accelerator_id"] == c.accelerator_id) & (f["accelerators"] == c.accelerators)].iloc[0]
    assert _p80_mixes(c, rec) == pytest.approx(float(row["mixes_per_day_p80"]), rel=1e-9)
    assert 4.0 <= _p80_mixes(c, rec) < c.mixes_per_day


def test_a_large_miss_reads_as_grouped_digits() -> None:
    """A reviewer: "relaxing the required mixes/day by 1e+09 mixes/day (1000000000 mixes/day → 23.69 …)"; a later
    one: a shortfall read backwards "by 126.35 mixes/day at p80 (200 → 73.65)"."""
    miss = backend.Miss("required_mixes", 1e9, 23.69, "mixes/day")
    assert miss.text() == "trains 23.7 mixes/day, 999,999,976 short of the required 1,000,000,000"
    assert backend.Miss("max_accelerators", 8, 16, "accelerators").amount(16) == "16 accelerators"


def test_an_infeasible_rate_says_it_is_checked_at_p80(seed_scenario: Any) -> None:
    """A second reviewer: "1 × A30 ($25,000, 646 weighted min) misses the required mixes/day by 2.13 mixes/day
    (4 → 1.87)": 646 expected minutes beside a rate of 1440 / 769 p80 minutes, unlabelled."""
    import recommender

    s = seed_scenario.model_copy(update={"objective": recommender.models.Objective.MIN_TCO, "budget_usd": 27000,
                                         "required_mixes_per_day": 4.0})  # fmt: skip
    why = backend.infeasibility(s, backend.candidates(s, backend.load_catalog()))
    misses = [m for c in (why.closest, why.cheapest) if c for m in c["misses"] if m.limit == "required_mixes"]
    assert misses and all(m.text().startswith("trains ") and " mixes/day at p80, " in m.text() for m in misses)


def test_benchmark_choices_list_the_latest_rounds_first(cat: Any) -> None:
    # a reviewer: "+ Add workload" added DLRM (retired) and the list was in no obvious order
    choices = [b for _, b in backend.benchmark_choices(cat)]
    latest = set(cat.results.loc[cat.results["round"] == cat.latest_round, "benchmark"].astype(str))
    assert set(choices[: len(latest)]) == latest and "dlrm" not in choices[: len(latest)]
    labels = [label.lower() for label, _ in backend.benchmark_choices(cat)]
    assert labels[: len(latest)] == sorted(labels[: len(latest)])
