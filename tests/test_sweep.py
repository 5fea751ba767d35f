"""`recommender sweep`: sweep files, expansion, the fast path against the optimizer, outputs, summary."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sweep_helpers import EXAMPLES, QUOTES, write_sweep

import recommender
from recommender.cli import cli
from recommender.sweep import load_sweep, open_output, read_results, run_sweep, summary_text
from recommender.sweep.axes import range_values
from recommender.sweep.spec import SweepError, schema_text

REPO = Path(__file__).resolve().parents[1]


def _run(plan, out: Path, **kw):
    return run_sweep(plan, open_output(out, plan, resume=kw.pop("resume", False)), **kw)


# ------------------------------------------------------------------------------------------- files


def test_committed_sweep_schema_matches_the_model() -> None:
    committed = (REPO / "recommender" / "sweep.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "regenerate: python -c 'from recommender.sweep.spec import schema_text; " \
        "open(\"recommender/sweep.schema.json\", \"w\").write(schema_text())'"


def test_example_sweep_is_valid_against_schema_and_loader() -> None:
    import jsonschema

    from recommender.sweep._internals import parse_file

    path = EXAMPLES / "sweeps" / "capacity.yaml"
    jsonschema.validate(parse_file(path).data, json.loads(schema_text()))
    plan = load_sweep(path)
    assert plan.total == 3 * 2 * 5 * 40 and plan.layout.groups == 6


def test_range_values_are_exact_at_the_ends() -> None:
    v = range_values(1e5, 5e7, 40, "log")
    assert len(v) == 40 and v[0] == 1e5 and v[-1] == 5e7 and all(a < b for a, b in itertools.pairwise(v))
    assert range_values(10, 20, 3, "linear") == [10.0, 15.0, 20.0]


def test_expansion_is_lazy_and_indexes_round_trip(tmp_path: Path) -> None:
    plan = load_sweep(write_sweep(tmp_path, budgets=7))
    lay = plan.layout
    assert plan.total == 2 * 2 * 5 * 7 and lay.groups == 4 and lay.per_group == 35
    seen = np.concatenate([lay.index_of(g, np.arange(lay.per_group)) for g in range(lay.groups)])
    assert sorted(seen.tolist()) == list(range(plan.total))
    assert (lay.group_of(seen) == np.repeat(np.arange(lay.groups), lay.per_group)).all()
    data = plan.scenario_data(plan.total - 1)
    assert data["budget_usd"] == 5e7 and data["power_limit_kw"] == 320 and len(data["workloads"]) == 2
    assert data["prices"]["nvidia-a100-pcie-80gb"] == 11000


@pytest.mark.parametrize(("text", "expected"), [
    ("version: 1\nbase: {workloads: [{benchmark: bert}]}\naxes:\n  budget_usd: [100000, -5]\n",
     "sweep.yaml:4: axes.budget_usd[1]: must be greater than 0"),
    (("version: 1\nbase: {workloads: [{benchmark: bert}]}\naxes:\n  budget_usd: {from: 0, to: 10, steps: 3, "
      "scale: log}\n"), "sweep.yaml:4: axes.budget_usd.from: a log range needs values greater than 0"),
    ("version: 1\nbase: {workloads: [{benchmark: bert}]}\naxes:\n  budget_usd: {from: 1, to: 10, steps: 0}\n",
     "sweep.yaml:4: axes.budget_usd.steps: must be greater than 0"),
    ("version: 1\nbase: {workloads: [{benchmark: bert}]}\naxes:\n  budget_usd: [1e6]\n  power_kw: [10]\n",
     "sweep.yaml:5: axes.power_kw: unknown scenario field (did you mean 'power_limit_kw'?)"),
    ("version: 1\nbase: {workloads: [{benchmark: bert}]}\naxis:\n  budget_usd: [1e6]\n",
     "sweep.yaml:3: axis: unknown key (did you mean 'axes'?)"),
    (("version: 1\nbase: {workloads: [{benchmark: bert}], budget_usd: 1e6}\naxes:\n  workloads:\n"
      "    a: [{benchmark: bertt}]\n"), "sweep.yaml:5: axes.workloads.a[0].benchmark: unknown benchmark 'bertt'"),
    (("version: 1\nbase: {workloads: [{benchmark: bert}]}\naxes:\n  budget_usd: [1e6]\n  prices:\n"
      "    q: missing.yaml\n"), "sweep.yaml:6: axes.prices.q: referenced file not found"),
    ("version: 1\nbase: {workloads: [{benchmark: bert}], budget_usd: 1e6}\naxes:\n  power_limit_kw: []\n",
     "sweep.yaml:4: axes.power_limit_kw: must be a list of values"),
    ("version: 1\nbase: {workloads: [{benchmark: bert}]}\naxes:\n  budget_usd: [1e6, 1e6]\n",
     "sweep.yaml:4: axes.budget_usd[1]: duplicate value"),
    ("version: 1\nbase: [1]\naxes: {budget_usd: [1]}\n", "sweep.yaml:2: base: must"),
    ("version: 1\nbase: {workloads: [{benchmark: bert}]}\naxes:\n  budget_usd: [1e6\n",
     "sweep.yaml:5: YAML syntax error"),
])
def test_invalid_sweep_files_are_located_and_exit_2(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "sweep.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out.parquet"
    res = CliRunner().invoke(cli, ["sweep", str(path), "--out", str(out)])
    assert res.exit_code == 2, res.output
    first = res.stderr.splitlines()[0]
    assert first.replace(str(tmp_path) + "/", "").startswith(expected), res.stderr
    assert not out.exists()  # an invalid axis value fails before any work


def test_all_errors_of_a_file_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "sweep.yaml"
    path.write_text("version: 1\nbase: {workloads: [{benchmark: bert}]}\naxes:\n  budget_usd: [-1, 1e6]\n"
                    "  power_limit_kw: [10, 0]\n", encoding="utf-8")
    with pytest.raises(SweepError) as exc:
        load_sweep(path)
    assert [f"{e.line}: {e.field}" for e in exc.value.errors] == ["4: axes.budget_usd[0]",
                                                                    "5: axes.power_limit_kw[1]"]
    # a reviewer met these one run at a time: an unknown axis, then `steps: 0`, then the values and the base
    path.write_text("version: 1\nbase: {workloads: [{benchmark: bert}], accelerators: [nvidia-h100x]}\naxes:\n"
                    "  budjet_usd: [1, 2]\n  budget_usd: {from: 100000, to: 50000, steps: 0}\n"
                    "  power_limit_kw: [-1, 5]\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(SweepError) as exc:
        load_sweep(path)
    assert [f"{e.line}: {e.field}" for e in exc.value.errors] == [
        "4: axes.budjet_usd", "5: axes.budget_usd.steps", "6: axes.power_limit_kw[0]", "2: base.accelerators[0]"]


def test_dry_run_prints_the_count(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["sweep", str(write_sweep(tmp_path, budgets=50)), "--dry-run"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("1,000 scenarios (2 workloads x 2 prices x 5 power_limit_kw x 50 budget_usd)")


# ------------------------------------------------------------------------------------------- fast path


def test_fast_path_gives_the_optimizers_choice_on_random_scenarios(tmp_path: Path) -> None:
    """Shared candidate tables filtered per scenario == recommender.optimize(..., explain=False)."""
    extra = ("  objective: [min_time, max_throughput]\n  rack_units: [null, 12, 40]\n"
             "  max_nodes: [null, 1, 3, 16]\n  risk: [expected, p80]\n")
    plan = load_sweep(write_sweep(tmp_path, budgets=30, powers=[5, 20, 60, 300], extra_axes=extra))
    out = tmp_path / "all.parquet"
    _run(plan, out, jobs=1)
    rows = read_results(out).set_index("index")
    rng = np.random.default_rng(14)
    picked = rng.choice(plan.total, 200, replace=False)
    cols = ["status", "risk", "objective_value", "accelerator_id", "accelerators", "nodes", "capex_usd",
            "it_power_kw", "minutes", "basis"]
    from catalog import load

    cat = load()
    mismatches, binding_checked, binding_missing, together = [], 0, [], 0
    for k, i in enumerate(picked.tolist()):
        rec = recommender.optimize(plan.scenario_data(i), catalog=cat, explain=k < 60)
        row = rows.loc[i]
        want = {"status": str(rec.status.value), "risk": rec.risk, "objective_value": rec.objective_value,
                "accelerator_id": rec.choice.accelerator_id if rec.choice else None,
                "accelerators": rec.choice.accelerators if rec.choice else None,
                "nodes": rec.choice.nodes if rec.choice else None,
                "capex_usd": rec.total_capex_usd, "it_power_kw": rec.total_it_power_kw,
                "minutes": rec.choice.weighted_minutes if rec.choice else None,
                "basis": rec.choice.basis if rec.choice else None}  # a new user's review: sweeps had no basis
        for c in cols:
            got, exp = row[c], want[c]
            if exp is None:
                ok = got is None or (isinstance(got, float) and np.isnan(got))
            elif isinstance(exp, float):
                ok = abs(float(got) - exp) <= 1e-4 * max(1.0, abs(exp))
            else:
                ok = got == exp
            if not ok:
                mismatches.append((i, c, got, exp))
        if k < 60 and rec.choice is not None:
            binding_checked += 1
            ours = set((row["binding"] or "").split(";")) - {""} if isinstance(row["binding"], str) else set()
            # the same limits, found on the whole grid and by the optimizer's re-solves, written as batch writes
            # them: limits that bind only together are one entry (the sweep listed them as binding alone)
            theirs = {"+".join(rec.binding)} if rec.binding_together else set(rec.binding)
            together += rec.binding_together
            if theirs != ours:
                binding_missing.append((i, rec.binding, ours))
    assert not mismatches, mismatches[:10]
    assert binding_checked >= 10 and together >= 1 and not binding_missing, binding_missing


def test_rows_and_csv_output_and_summary(tmp_path: Path) -> None:
    plan = load_sweep(write_sweep(tmp_path, budgets=6))
    pq_out, csv_out = tmp_path / "r.parquet", tmp_path / "r.csv"
    stats = _run(plan, pq_out, jobs=1, chunk=17)
    assert stats.done == plan.total == 120 and not stats.interrupted
    _run(plan, csv_out, jobs=1)
    a, b = read_results(pq_out), read_results(csv_out)
    assert list(a["index"]) == list(range(120))
    assert list(a.columns) == ["index", "workloads", "prices", "power_limit_kw", "budget_usd", "status",
                               "objective", "risk", "objective_value", "choice", "accelerator_id", "accelerators",
                               "nodes", "capex_usd", "it_power_kw", "minutes", "basis", "binding", "cloud_decision",
                               "cheapest_rent", "rent_caveat", "cheapest_rent_usd", "buy_compared_usd", "error",
                               "explanation"]
    assert (a["accelerator_id"].fillna("") == b["accelerator_id"].fillna("")).all()
    assert np.allclose(a["capex_usd"].astype(float), b["capex_usd"].astype(float), equal_nan=True)
    assert set(a["status"]) <= {"optimal", "infeasible"}
    assert set(a["risk"]) == {"p80"}  # the default, stated on every row (issue 12)
    text = summary_text(a)
    assert text.startswith("120 scenarios:") and "budget_usd (6 values" in text
    res = CliRunner().invoke(cli, ["sweep", "--summary", str(pq_out)])
    assert res.exit_code == 0 and "power_limit_kw (5 values" in res.stdout


def test_a_csv_summary_knows_an_axis_named_like_a_result(tmp_path: Path) -> None:
    # a reviewer: with a `risk` axis the CSV summary had no risk section and lined budgets up across risks
    frame = _csv_rows(tmp_path, "name: r\nbase:\n  workloads: [{benchmark: bert}]\naxes:\n  risk: [p80, expected]\n"
                              "  budget_usd: [15000, 300000]\n")
    assert frame.attrs["axes"] == ["risk", "budget_usd"]
    text = summary_text(frame)
    assert "\nrisk (2 values" in text and "budget_usd (2 values, 2 combinations of the other axes)" in text, text
    assert " 1 changes" not in text


def test_the_summary_writes_every_number_alike() -> None:
    # a reviewer: "50,000 -> 200000" (a float and an integer of the same axis)
    import pandas as pd

    from recommender.sweep.summary import _v

    assert [_v(v) for v in (50000.0, 200000, np.int64(200000), 0.5, True, "h100")] == [
        "50,000", "200,000", "200,000", "0.5", "True", "h100"]
    frame = pd.DataFrame({"index": [0, 1], "budget_usd": [50000, 200000], "status": ["infeasible", "optimal"],
                          "accelerator_id": [None, "nvidia-a100-pcie-80gb"]})
    assert "50,000 -> 200,000: infeasible -> nvidia-a100-pcie-80gb" in summary_text(frame)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("foreign.csv", "a,b\n1,2\n", "not a sweep output (no index, status, accelerator_id columns"),
        ("empty.csv", "", "empty file, not a sweep output"),
        ("junk.parquet", "hi\n", "not a readable sweep output"),
        ("nothing.parquet", None, "holds no results yet"),
        ("missing.csv", "MISSING", "no such sweep output"),
    ],
)
def test_summary_of_a_file_that_is_not_a_sweep_output_names_it_and_exits_2(
    tmp_path: Path, name: str, content: str | None, expected: str
) -> None:
    path = tmp_path / name
    if content is None:
        path.mkdir()
    elif content != "MISSING":
        path.write_text(content)
    res = CliRunner().invoke(cli, ["sweep", "--summary", str(path)])
    assert res.exit_code == 2, res.output
    assert f"{path}: {expected}" in res.stderr and "internal error" not in res.stderr


def test_summary_of_an_interrupted_sweep_says_it_is_incomplete(tmp_path: Path) -> None:
    plan = load_sweep(write_sweep(tmp_path, budgets=6))
    out = tmp_path / "r.parquet"
    _run(plan, out, jobs=1, chunk=17)
    assert "incomplete" not in summary_text(read_results(out))
    max(out.glob("part-*.parquet")).unlink()  # as if killed before the last chunk
    frame = read_results(out)
    assert frame.attrs["total"] == 120 and len(frame) < 120
    assert f"incomplete: {len(frame)} of 120 scenarios" in summary_text(frame)


def test_existing_output_needs_resume(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, budgets=2)
    out = tmp_path / "r.parquet"
    runner = CliRunner()
    assert runner.invoke(cli, ["sweep", str(path), "--out", str(out), "-j", "1"]).exit_code in (0, 1)
    again = runner.invoke(cli, ["sweep", str(path), "--out", str(out)])
    assert again.exit_code == 2 and "--resume" in again.stderr
    done = runner.invoke(cli, ["sweep", str(path), "--out", str(out), "--resume"])
    assert done.exit_code in (0, 1) and "0 solved now" in done.stderr
    other = write_sweep(tmp_path, budgets=3, name="other.yaml")
    mixed = runner.invoke(cli, ["sweep", str(other), "--out", str(out), "--resume"])
    # a reviewer: it said "another scenario file or other axes", not which axis
    assert mixed.exit_code == 2 and ("different sweep (axis budget_usd: 2 values, 100000.0 … 50000000.0 written, "
                                     "this run 3 values, 100000.0 … 50000000.0); ") in mixed.stderr, mixed.stderr
    powers = write_sweep(tmp_path, budgets=2, powers=[20, 40], extra_axes="  years: [3, 5]\n", name="p.yaml",
                         base_extra="  pue: 1.2\n")
    changed = runner.invoke(cli, ["sweep", str(powers), "--out", str(out), "--resume"]).stderr
    assert ("(another base scenario; axis power_limit_kw: 5 values, 20 … 320 written, this run 2 values, 20 … 40; "
            "axis years added); ") in changed, changed
    # a reviewer: resuming with --explain (or on a re-imported catalog) mixed explained and plain rows; then the
    # refusal named every possible difference, not the one there is
    explained = runner.invoke(cli, ["sweep", str(path), "--out", str(out), "--resume", "--explain"])
    assert explained.exit_code == 2
    assert "different sweep (written without --explain, this run is with); " in explained.stderr
    plan = load_sweep(path)
    assert len({plan.for_run(c, e).fingerprint for c in ("catalog-a", "catalog-b") for e in (False, True)}) == 4
    from recommender.sweep.output import ParquetOut

    theirs = {b"recommender.sweep.parts": json.dumps(plan.for_run("catalog-a", False).parts).encode()}
    here = ParquetOut(tmp_path / "new.parquet", plan.for_run("catalog-b", False), resume=False)
    assert here._difference(theirs) == "another catalog"
    assert "another catalog, or with/without --explain" in here._difference({})  # a file that does not say


@pytest.mark.parametrize("name", ["r.parquet", "r.csv"])
def test_an_output_in_a_missing_folder_is_refused_before_anything_is_made(tmp_path: Path, name: str) -> None:
    # a reviewer: `--out /nonexist/x.parquet` made the folder tree (batch refuses a missing folder)
    path = write_sweep(tmp_path, budgets=2)
    res = CliRunner().invoke(cli, ["sweep", str(path), "--out", str(tmp_path / "typo" / name), "-j", "1"])
    assert res.exit_code == 2 and f"--out: directory {str(tmp_path / 'typo')!r} does not exist" in res.stderr
    assert not (tmp_path / "typo").exists()


def test_explain_and_mix_scenarios_go_through_the_optimizer(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, budgets=2, powers=[40], extra_axes="  mix: [false, true]\n")
    plan = load_sweep(path)
    out = tmp_path / "r.parquet"
    _run(plan, out, jobs=1, explain=True)
    rows = read_results(out)
    assert len(rows) == 16 and rows["explanation"].notna().all()
    assert set(rows["risk"]) == {"p80"}  # the optimizer's rows state the setting too
    assert set(rows["status"]) <= {"optimal", "feasible", "infeasible"}


def _csv_rows(tmp_path: Path, body: str):
    """The rows (by index) of the sweep ``version: 1`` + ``body``, run in this process to a CSV output."""
    f = tmp_path / "s.yaml"
    f.write_text("version: 1\n" + body)
    out = tmp_path / "r.csv"
    _run(load_sweep(f), out, jobs=1)
    return read_results(out).sort_values("index")


def test_a_sweep_that_weighs_renting_writes_the_decision_as_batch_does(tmp_path: Path) -> None:
    # a reviewer: consider_cloud sweeps wrote "infeasible" where batch rows of the same scenarios said "rent …"
    from recommender.batch import row_from_recommendation

    rows = _csv_rows(tmp_path, "name: rent\nbase:\n  workloads: [{benchmark: bert}]\n  objective: min_tco\n"
                               "  required_mixes_per_day: 30\n  consider_cloud: true\naxes:\n  budget_usd: [1000, 1000000]\n")
    for budget, (_, row) in zip([1000, 1000000], rows.iterrows()):
        rec = recommender.optimize({"workloads": [{"benchmark": "bert"}], "objective": "min_tco", "budget_usd": budget,
                                    "required_mixes_per_day": 30, "consider_cloud": True}, explain=False)
        expected = row_from_recommendation(rec, file="")
        assert row["cloud_decision"] == expected.cloud_decision and row["cloud_decision"] in ("buy", "rent")
        assert row["cheapest_rent"] == expected.cheapest_rent and row["status"] == expected.status.value
    assert rows["status"].iloc[0] == "infeasible" and rows["cloud_decision"].iloc[0] == "rent"


def test_a_spot_rent_says_its_caveat_in_sweep_rows_and_once_in_the_summary(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # a reviewer: batch and sweep rows had no place for the spot caveat that text and Markdown outputs say where a
    # spot quote is the cheapest rent; `rent_caveat` holds it on those rows, and the summaries say it once
    from optimize_fakes import fake_predict

    from recommender import api
    from recommender.plan_models import SPOT_CAVEAT

    monkeypatch.setattr(api, "_default_predictor", lambda: fake_predict)
    for pricing in ("spot", "on_demand"):
        (tmp_path / f"{pricing}.csv").write_text("provider,accelerator_id,pricing,usd_per_accelerator_hour,source,"
                                                 f"as_of\nB,nvidia-h100-sxm5-80gb,{pricing},90.0,test,2026\n")
    f = tmp_path / "s.yaml"
    f.write_text("version: 1\nname: spot\nbase:\n  workloads: [{benchmark: bert}]\n  objective: min_tco\n"
                 "  accelerators: [nvidia-h100-sxm5-80gb]\n  required_mixes_per_day: 10\n  consider_cloud: true\n"
                 "axes:\n  cloud_prices: {spot: spot.csv, on_demand: on_demand.csv}\n  budget_usd: [1000, 1000000]\n")
    for suffix in (".csv", ".parquet"):
        out = tmp_path / f"r{suffix}"
        res = CliRunner().invoke(cli, ["sweep", str(f), "--out", str(out), "--jobs", "1"])
        assert res.exit_code == 0, res.stderr
        assert " ".join(res.stderr.split()).count(SPOT_CAVEAT) == 1, res.stderr  # the run's summary on stderr
        rows = read_results(out)
        assert list(rows.columns).index("rent_caveat") == list(rows.columns).index("cheapest_rent") + 1
        spot = rows["cloud_prices"] == "spot"
        assert spot.sum() == 2 and (rows["rent_caveat"][spot] == SPOT_CAVEAT).all()
        assert rows["rent_caveat"][~spot].isna().all()
        summary = CliRunner().invoke(cli, ["sweep", "--summary", str(out)])
        assert summary.exit_code == 0 and " ".join(summary.stdout.split()).count(SPOT_CAVEAT) == 1, summary.stdout
        assert "2 of 4 scenarios" in summary.stdout


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_an_axis_named_like_a_result_column_keeps_its_values(tmp_path: Path, suffix: str) -> None:
    # a reviewer: an `accelerators` (allow-list) axis crashed every sweep ("ArrowTypeError: Expected bytes, got a
    # 'int' object": the count result overwrote the axis column), and an error row blanked its `objective` axis
    f = tmp_path / "s.yaml"
    f.write_text("version: 1\nname: acc\nbase:\n  workloads: [{benchmark: bert}]\n  budget_usd: 500000\naxes:\n"
                 "  accelerators:\n    h100: [nvidia-h100-sxm5-80gb]\n    a100: [nvidia-a100-sxm4-80gb]\n"
                 "  risk: [expected, p80]\n")
    plan = load_sweep(f)
    out = tmp_path / f"r{suffix}"
    _run(plan, out, jobs=1)
    rows = read_results(out).sort_values("index")
    assert sorted(rows["allowed_accelerators"]) == ["a100", "a100", "h100", "h100"]
    assert sorted(rows["risk"]) == ["expected", "expected", "p80", "p80"]
    ok = rows[rows["status"] == "optimal"]
    assert len(ok) == 4 and all(c.split(" x ")[1].split(" ")[0] in ("nvidia-h100-sxm5-80gb", "nvidia-a100-sxm4-80gb")
                                for c in ok["choice"])  # fmt: skip
    # a reviewer: the axis took the `accelerators` column and the chosen count was lost; each has its own now
    assert [int(c.split(" x ")[0]) for c in ok["choice"]] == ok["accelerators"].astype(int).tolist()
    assert rows.attrs["axes"] == ["allowed_accelerators", "risk"]
    summary = CliRunner().invoke(cli, ["sweep", "--summary", str(out)])
    assert summary.exit_code == 0 and "\nallowed_accelerators (2 values" in summary.stdout, summary.stdout
    dry = CliRunner().invoke(cli, ["sweep", str(f), "--dry-run"])
    assert "2 allowed_accelerators x 2 risk" in dry.stdout, dry.stdout


def test_sweep_outputs_have_a_plain_files_permissions(tmp_path: Path) -> None:
    # a reviewer: every part file and CSV was 0600 (mkstemp's mode), unreadable to the rest of a team
    import os
    import stat

    path = write_sweep(tmp_path, budgets=2)
    for name in ("r.parquet", "r.csv"):
        assert CliRunner().invoke(cli, ["sweep", str(path), "--out", str(tmp_path / name), "-j", "1"]).exit_code == 0
    files = [*(tmp_path / "r.parquet").glob("part-*.parquet"), tmp_path / "r.csv"]
    umask = os.umask(0o022)
    os.umask(umask)
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o666 & ~umask}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_sweep_writes_a_groups_rows_before_building_every_groups_table(tmp_path: Path, jobs: int,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # an earlier note: a sweep wrote nothing until every group's candidate table was built; then worker pools
    # still did (a big sweep's first rows came after every table): each table is built when its first chunk goes
    from recommender.sweep import runners

    built: list[int] = []
    real = runners.prepare_group
    monkeypatch.setattr(runners, "prepare_group", lambda plan, g, *a: built.append(g) or real(plan, g, *a))
    plan = load_sweep(write_sweep(tmp_path, budgets=3))  # 2 workloads x 2 prices: 4 groups of 15 scenarios
    seen: list[int] = []
    stats = _run(plan, tmp_path / "r.parquet", jobs=jobs, chunk=5,
                 on_progress=lambda done, total: seen.append(len(built)))
    assert stats.done == plan.total and sorted(built) == list(range(plan.layout.groups)) and plan.layout.groups > 1
    # the first chunk's rows were written with one table built (one process), or the tables of the chunks sent
    # before it (workers: 2 x 2 + 1 chunks of 5, i.e. groups 0 and 1)
    assert seen[1] == (1 if runners._jobs(jobs, plan.total) == 1 else 2), seen


def test_resume_from_another_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a reviewer's check: the price notes cite their file as the working directory spells it, so --resume from
    # another directory was refused ("axis prices: other values between the same ends")
    (tmp_path / "sub").mkdir()
    text = write_sweep(tmp_path / "sub", budgets=2).read_text()
    assert QUOTES in text
    shutil.copytree(EXAMPLES / "prices", tmp_path / "examples" / "prices")
    (tmp_path / "sub" / "sweep.yaml").write_text(text.replace(QUOTES, "../examples/prices/vendor-quotes.yaml"))
    out = tmp_path / "r.parquet"
    runner = CliRunner()
    monkeypatch.chdir(tmp_path / "sub")
    first = runner.invoke(cli, ["sweep", "sweep.yaml", "--out", str(out), "-j", "1"])
    assert first.exit_code in (0, 1), first.stderr
    monkeypatch.chdir(tmp_path)
    again = runner.invoke(cli, ["sweep", "sub/sweep.yaml", "--out", str(out), "--resume"])
    assert again.exit_code in (0, 1) and "0 solved now" in again.stderr, again.stderr
