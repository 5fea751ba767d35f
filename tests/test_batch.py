"""Batch runs: one row per scenario, bad inputs as error rows next to solved siblings, outputs, exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
import scenario_helpers
from optimize_fakes import fake_predict
from scenario_helpers import BAD_CORPUS, EMPTY_DIR_MESSAGE, FILE_ERRORS, VALID_SIBLINGS

from recommender.batch import (
    COLUMNS,
    BatchRow,
    RowStatus,
    exit_code,
    expand_paths,
    render,
    rows_to_markdown,
    run_batch,
    write_rows,
)

SOLVED = {RowStatus.OPTIMAL, RowStatus.FEASIBLE, RowStatus.INFEASIBLE}

in_data = scenario_helpers.in_data  # fixture


def _run(paths: list[str], **kw: object) -> list[BatchRow]:
    return run_batch(paths, predictor=fake_predict, **kw)  # type: ignore[arg-type]


def test_corpus_batch_keeps_valid_scenarios_and_reports_every_error(in_data: Path) -> None:
    rows = _run(["bad", "good", "bad/empty-dir", "bad/no-such.yaml"], jobs=1)
    by_file: dict[str, list[BatchRow]] = {}
    for r in rows:
        by_file.setdefault(r.file, []).append(r)
    for name, messages in BAD_CORPUS.items():
        file_rows = by_file[name] if name != "bad/bad-quote.yaml" else by_file["bad/bad-quote.yaml"]
        errors = [r for r in file_rows if r.status == RowStatus.ERROR]
        got = [m for r in errors for m in r.errors]
        assert got == messages, name
        if name in FILE_ERRORS:
            assert len(file_rows) == 1 and file_rows[0].name == name and file_rows[0].error == messages[0]
        solved = [r.name for r in file_rows if r.status in SOLVED]
        assert solved == VALID_SIBLINGS.get(name, []), name
        for r in file_rows:
            if r.status in (RowStatus.OPTIMAL, RowStatus.FEASIBLE):
                assert r.choice and r.capex_usd and r.it_power_kw and r.minutes and r.accelerator_id
                assert r.error is None
                assert r.risk == "p80"  # the default for a purchase: which minutes ranked the choice
    assert [r.status for r in by_file["good/valid.yaml"]] == [RowStatus.OPTIMAL]
    infeasible = by_file["good/infeasible.yaml"][0]
    assert infeasible.status == RowStatus.INFEASIBLE and infeasible.choice is None and infeasible.explanation
    assert by_file["bad/empty-dir"][0].error == EMPTY_DIR_MESSAGE
    assert by_file["bad/no-such.yaml"][0].error == "bad/no-such.yaml: no such file or directory"
    assert exit_code(rows) == 2


def test_rows_keep_input_order_and_lines(in_data: Path) -> None:
    rows = _run(["bad/mixed.yaml", "good/valid.yaml"], jobs=1)
    assert [(r.name, r.line, r.status.value) for r in rows] == [
        ("good-first", 9, "optimal"),
        ("zero-budget", 11, "error"),
        ("typo-in-workload", 13, "error"),
        ("good-last", 18, "optimal"),
        ("valid", 1, "optimal"),
    ]


def test_parallel_workers_give_the_same_rows(in_data: Path) -> None:
    serial = _run(["bad", "good"], jobs=1)
    parallel = _run(["bad", "good"], jobs=2)
    assert [r.model_dump() for r in parallel] == [r.model_dump() for r in serial]


def test_progress_callback_reaches_the_totals(in_data: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    rows = _run(["good", "bad/mixed.yaml"], jobs=1, on_progress=lambda *a: calls.append(a))
    assert calls[-1] == ("solve", 4, 4)
    assert ("load", 3, 3) in calls
    assert len(rows) == 6


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        ([], 0),
        (["optimal", "feasible"], 0),
        (["optimal", "infeasible"], 1),
        (["infeasible", "error"], 2),
        (["error"], 2),
    ],
)
def test_exit_code_precedence(statuses: list[str], code: int) -> None:
    rows = [BatchRow(name=str(i), file="f.yaml", status=RowStatus(s)) for i, s in enumerate(statuses)]
    assert exit_code(rows) == code


def test_expand_paths_reads_directories_of_yaml(tmp_path: Path) -> None:
    (tmp_path / "b.yml").write_text("x: 1\n")
    (tmp_path / "a.yaml").write_text("x: 1\n")
    (tmp_path / "notes.txt").write_text("x\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.yaml").write_text("x: 1\n")
    files, errors = expand_paths([tmp_path, tmp_path / "a.yaml"])
    assert files == [str(tmp_path / "a.yaml"), str(tmp_path / "b.yml")]
    assert errors == []


# ------------------------------------------------------------------------------------------------ outputs


def _rows() -> list[BatchRow]:
    return [
        BatchRow(name="ok", file="a.yaml", line=1, status=RowStatus.OPTIMAL, objective="min_time",
                 objective_value=12.5, choice="8 x nvidia-a30-pcie-24gb (1 node)", accelerator_id="nvidia-a30-pcie-24gb",
                 accelerators=8, nodes=1, capex_usd=60000.0, it_power_kw=3.5, minutes=12.5,
                 binding=["budget", "power"]),
        BatchRow(name="bad", file="b.yaml", line=4, status=RowStatus.ERROR,
                 error="b.yaml:5: budget_usd: must be greater than 0", errors=("b.yaml:5: budget_usd: must be greater than 0",)),
        BatchRow(name="none", file="c.yaml", line=1, status=RowStatus.INFEASIBLE, objective="min_time",
                 explanation="Nothing fits | 1,000 USD."),
    ]


def test_csv_json_markdown(tmp_path: Path) -> None:
    rows = _rows()
    for suffix in ("csv", "json", "md"):
        write_rows(rows, tmp_path / f"out.{suffix}")
    parsed = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text())))
    assert list(parsed[0]) == list(COLUMNS)
    assert parsed[0]["binding"] == "budget;power" and parsed[0]["status"] == "optimal"
    assert parsed[1]["error"] == "b.yaml:5: budget_usd: must be greater than 0" and parsed[1]["capex_usd"] == ""
    data = json.loads((tmp_path / "out.json").read_text())
    assert isinstance(data, list) and len(data) == 3
    for obj in data:
        assert {"name", "status", "file", "error"} <= set(obj)
        assert "errors" not in obj
    assert data[0]["binding"] == ["budget", "power"] and data[1]["status"] == "error"
    md = (tmp_path / "out.md").read_text().splitlines()
    assert md[0].startswith("| name | file | status | choice |")
    assert "| $60,000 |" in md[2] and "| min_time = 12.5 |" in md[2] and "| a.yaml:1 |" in md[2]
    assert "Nothing fits \\| 1,000 USD." in md[4]
    with pytest.raises(ValueError, match="must end in .csv, .json or .md"):
        write_rows(rows, tmp_path / "out.txt")
    assert render(rows, "markdown") == render(rows, "md")
    # a reviewer: "min_tco = 69,192.9" had no currency and "min_time = 139.915" more digits than its minutes
    tco = BatchRow(name="t", file="t.yaml", status=RowStatus.OPTIMAL, objective="min_tco", objective_value=69192.91)
    slow = tco.model_copy(update={"objective": "min_time", "objective_value": 139.915})
    assert "| min_tco = $69,193 |" in render([tco], "md") and "| min_time = 140 |" in render([slow], "md")


def test_writes_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "results.json"
    target.write_text("previous\n")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_rows(_rows(), target)
    assert target.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]


@pytest.mark.parametrize("backend", ["threading", "multiprocessing"])
def test_other_joblib_backends(in_data: Path, backend: str) -> None:
    # multiprocessing.Pool-based backends (Ray's joblib backend is one) cannot stream results: lists are used
    rows = _run(["good/valid.yaml", "bad/mixed.yaml"], jobs=2, backend=backend)
    assert [r.name for r in rows] == ["valid", "good-first", "zero-budget", "typo-in-workload", "good-last"]
    assert rows[0].status == RowStatus.OPTIMAL


def test_parallel_config_selects_the_backend(in_data: Path) -> None:
    import joblib

    with joblib.parallel_config(backend="threading"):
        rows = _run(["good/valid.yaml"], jobs=2)
    assert rows[0].status == RowStatus.OPTIMAL


def test_error_rows_for_paths_keep_their_place(in_data: Path) -> None:
    rows = _run(["bad/no-such.yaml", "good/valid.yaml", "bad/empty-dir"], jobs=1)
    assert [(r.name, r.status.value) for r in rows] == [
        ("bad/no-such.yaml", "error"), ("valid", "optimal"), ("bad/empty-dir", "error")]


def test_row_totals_cover_every_configuration_of_a_mix() -> None:
    from recommender.api import optimize
    from recommender.batch import row_from_recommendation

    rec = optimize({"name": "mix", "mix": True, "budget_usd": 400000, "power_limit_kw": 30,
                    "workloads": [{"benchmark": "bert", "share": 3}, {"benchmark": "unet3d"}]},
                   predictor=fake_predict)
    row = row_from_recommendation(rec, file="m.yaml", line=1)
    assert row.status.value == rec.status.value == "optimal"
    assert row.capex_usd == pytest.approx(sum(c.capex_usd * c.count for c in rec.configurations), abs=0.01)
    assert row.accelerators == sum(c.accelerators * c.count for c in rec.configurations)
    assert row.choice is not None and row.choice.count(" + ") == len(rec.configurations) - 1
    assert row.accelerator_id == rec.choice.accelerator_id  # type: ignore[union-attr]
    assert row.binding == rec.binding


def test_a_fleet_of_several_accelerators_names_them_all() -> None:
    # a reviewer read a mixed fleet's row as 23 accelerators of its largest configuration's kind
    import recommender
    from recommender.batch import row_from_recommendation

    rec = recommender.optimize({"workloads": [{"benchmark": b} for b in ("bert", "resnet", "unet3d")], "mix": True,
                                "objective": "min_tco", "required_mixes_per_day": 200, "budget_usd": 3e6})
    kinds = list(dict.fromkeys(c.accelerator_id for c in rec.configurations))
    assert len(kinds) >= 2, kinds  # the case
    row = row_from_recommendation(rec, file="f.yaml", line=1)
    ids = row.accelerator_id.split("+")  # type: ignore[union-attr]
    assert ids[0] == rec.choice.accelerator_id and sorted(ids) == sorted(kinds)  # type: ignore[union-attr]


def test_a_rent_decision_is_in_the_row() -> None:
    # a reviewer: text and Markdown said "decision: rent …" but the batch row only had the purchase
    from recommender.api import optimize
    from recommender.batch import row_from_recommendation

    rec = optimize({"name": "rent", "objective": "min_tco", "required_mixes_per_day": 10, "consider_cloud": True,
                    "workloads": [{"benchmark": "bert"}], "years": 2, "utilization": 0.5}, predictor=fake_predict)
    row = row_from_recommendation(rec, file="r.yaml", line=1)
    assert rec.cloud_decision in ("buy", "rent") and row.cloud_decision == rec.cloud_decision
    q = rec.cheapest_rent
    assert q is not None and row.cheapest_rent == (f"{q.accelerator_id} ({q.provider}, {q.pricing}) "
                                                   f"${q.rent_pv_usd:,.0f} present value")
    plain = row_from_recommendation(optimize({"workloads": [{"benchmark": "bert"}], "budget_usd": 2e5},
                                             predictor=fake_predict), file="p.yaml")
    assert plain.cloud_decision is None and plain.cheapest_rent is None
    # and in the Markdown (a reviewer: its table showed only the purchase), with the risk the objective ranks by
    md = rows_to_markdown([row, plain]).splitlines()
    assert md[0].endswith("| binding | cloud | error, or why infeasible |")
    assert f"| {row.cloud_decision} (cheapest rent: {row.cheapest_rent}) |" in md[2] and "| r.yaml:1 |" in md[2]
    assert f"| min_tco, {row.risk} = " in md[2]
    assert "| cloud |" not in rows_to_markdown([plain])


def test_a_duplicate_key_in_one_entry_spares_the_other_entries(tmp_path: Path) -> None:
    # a reviewer: one repeated key in one `scenarios:` entry made the whole file one error row
    f = tmp_path / "two.yaml"
    f.write_text("version: 1\nscenarios:\n  - name: a\n    budget_usd: 100000\n    budget_usd: 200000\n"
                 "    workloads: [{benchmark: bert}]\n  - name: b\n    budget_usd: 100000\n"
                 "    workloads: [{benchmark: resnet}]\n")  # fmt: skip
    rows = {r.name: r for r in _run([str(f)])}
    assert set(rows) == {"a", "b"}
    assert rows["a"].status == "error" and rows["a"].error == f"{f}:5: YAML syntax error: duplicate key 'budget_usd'"
    assert rows["b"].status == "optimal"
    top = tmp_path / "top.yaml"  # a repeated top-level key still fails the file: no entry owns it
    top.write_text("version: 1\nversion: 1\nscenarios:\n  - name: a\n    budget_usd: 1\n    workloads: [{benchmark: bert}]\n")
    (row,) = _run([str(top)])
    assert row.status == "error" and row.error == f"{top}:2: YAML syntax error: duplicate key 'version'"


def test_a_spot_rent_says_its_caveat_in_csv_and_json_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a reviewer: text and Markdown said the spot caveat where a spot quote was the cheapest rent, but CSV and JSON
    # rows had no place for it (batch said it on stderr only); `rent_caveat` holds it, on spot rows only
    from click.testing import CliRunner

    from recommender.api import optimize
    from recommender.batch import row_from_recommendation
    from recommender.cli import cli
    from recommender.plan_models import SPOT_CAVEAT

    assert COLUMNS[COLUMNS.index("cheapest_rent") + 1] == "rent_caveat"  # beside the rent it is about
    rows = []
    for pricing in ("spot", "on_demand"):
        prices = tmp_path / f"{pricing}.csv"
        prices.write_text("provider,accelerator_id,pricing,usd_per_accelerator_hour,source,as_of\n"
                          f"B,nvidia-h100-sxm5-80gb,{pricing},90.0,test,2026\n")
        rec = optimize({"name": pricing, "accelerators": ["nvidia-h100-sxm5-80gb"], "workloads": [{"benchmark": "bert"}],
                        "cloud_prices": str(prices), "objective": "min_tco", "required_mixes_per_day": 10,
                        "consider_cloud": True}, predictor=fake_predict)
        assert rec.cheapest_rent is not None and rec.cheapest_rent.pricing == pricing
        rows.append(row_from_recommendation(rec, file=f"{pricing}.yaml", line=1))
    plain = row_from_recommendation(optimize({"workloads": [{"benchmark": "bert"}], "budget_usd": 2e5},
                                             predictor=fake_predict), file="p.yaml")
    assert [r.rent_caveat for r in rows + [plain]] == [SPOT_CAVEAT, None, None]
    parsed = list(csv.DictReader(io.StringIO(render([*rows, plain], "csv"))))
    assert [p["rent_caveat"] for p in parsed] == [SPOT_CAVEAT, "", ""]
    data = json.loads(render([*rows, plain], "json"))
    assert [d["rent_caveat"] for d in data] == [SPOT_CAVEAT, None, None]
    assert render([*rows, plain], "md").count(SPOT_CAVEAT) == 1  # Markdown: once, under the table
    # from the command line too (in this process: a small batch)
    from recommender import api

    monkeypatch.setattr(api, "_default_predictor", lambda: fake_predict)
    f = tmp_path / "spot.yaml"
    f.write_text("version: 1\nname: s\nobjective: min_tco\nrequired_mixes_per_day: 10\nconsider_cloud: true\n"
                 "accelerators: [nvidia-h100-sxm5-80gb]\ncloud_prices: spot.csv\nworkloads: [{benchmark: bert}]\n")
    for suffix in ("csv", "json"):
        out = tmp_path / f"rows.{suffix}"
        res = CliRunner().invoke(cli, ["batch", str(f), "--out", str(out)])
        assert res.exit_code == 0 and out.read_text().count(SPOT_CAVEAT) == 1, res.stderr


def test_a_rent_rows_figures_are_numbers_too(tmp_path: Path) -> None:
    # a reviewer: `cheapest_rent` in CSV/JSON was only text ("… $104,134 present value") and the purchase figure the
    # rent decision was compared with (at the work's utilisation, not objective_value's) was in no column
    from recommender.api import optimize
    from recommender.batch import row_from_recommendation

    prices = tmp_path / "p.csv"
    prices.write_text("provider,accelerator_id,pricing,usd_per_accelerator_hour,source,as_of\n"
                      "B,nvidia-h100-sxm5-80gb,on_demand,1.0,test,2026\n")
    rec = optimize({"name": "r", "accelerators": ["nvidia-h100-sxm5-80gb"], "workloads": [{"benchmark": "bert"}],
                    "cloud_prices": str(prices), "objective": "min_tco", "required_mixes_per_day": 10,
                    "consider_cloud": True}, predictor=fake_predict)
    assert rec.cheapest_rent is not None and rec.rent_or_buy is not None
    row = row_from_recommendation(rec, file="r.yaml", line=1)
    assert row.cheapest_rent_usd == pytest.approx(rec.cheapest_rent.rent_pv_usd, abs=0.01)
    assert row.buy_compared_usd == pytest.approx(rec.rent_or_buy.buy_tco_usd, abs=0.01)
    assert COLUMNS.index("rent_caveat") + 1 == COLUMNS.index("cheapest_rent_usd") == COLUMNS.index("buy_compared_usd") - 1
    parsed = next(csv.DictReader(io.StringIO(render([row], "csv"))))
    assert float(parsed["cheapest_rent_usd"]) == pytest.approx(rec.cheapest_rent.rent_pv_usd, abs=0.01)
    plain = row_from_recommendation(optimize({"workloads": [{"benchmark": "bert"}], "budget_usd": 2e5},
                                             predictor=fake_predict), file="p.yaml")
    assert plain.cheapest_rent_usd is None and plain.buy_compared_usd is None
