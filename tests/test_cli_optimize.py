"""`recommender optimize`, `recommender batch`, `recommender schema`: formats, exit codes, no tracebacks."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
import scenario_helpers
from click.testing import CliRunner, Result
from scenario_helpers import BAD_CORPUS, VALID_SIBLINGS

from recommender.cli import cli
from recommender.scenario import SCHEMA_FILES

fake_model = scenario_helpers.fake_model  # fixture
in_data = scenario_helpers.in_data  # fixture


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# ------------------------------------------------------------------------------------------------ optimize


def test_optimize_table_json_markdown(in_data: Path, fake_model: object) -> None:
    table = run("optimize", "good/valid.yaml")
    assert table.exit_code == 0, table.stderr
    assert table.stdout.startswith("valid: optimal (min_time = ")
    assert "accelerator" in table.stdout and "capex" in table.stdout and "$" in table.stdout
    js = run("optimize", "good/valid.yaml", "--format", "json")
    assert js.exit_code == 0
    obj = json.loads(js.stdout)
    assert obj["scenario"] == "valid" and obj["status"] == "optimal" and obj["choice"]["accelerators"] > 0
    md = run("optimize", "good/valid.yaml", "--format", "markdown")
    assert md.exit_code == 0 and md.stdout.startswith("# valid: optimal")


def test_the_round_the_minutes_answer_for_is_said(in_data: Path, fake_model: object, tmp_path: Path) -> None:
    """A reviewer: no output of optimize named the round its minutes answer for (only `model predict --json`)."""
    import catalog
    from catalog.registry import round_key

    newest = max(catalog.load().results["round"].dropna().unique(), key=round_key)
    table = run("optimize", "good/valid.yaml")
    assert f"minutes as of {newest})" in table.stdout.splitlines()[0]
    assert json.loads(run("optimize", "good/valid.yaml", "--format", "json").stdout)["minutes_as_of"] == newest
    assert f"**Minutes as of** {newest}:" in run("optimize", "good/valid.yaml", "--format", "markdown").stdout
    out = tmp_path / "rows.csv"
    run("batch", "good/valid.yaml", "--out", str(out))
    rows = list(csv.DictReader(out.open()))
    assert rows and rows[0]["minutes_as_of"] == newest


def test_optimize_infeasible_exits_1(in_data: Path, fake_model: object) -> None:
    result = run("optimize", "good/infeasible.yaml", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["status"] == "infeasible"


def test_optimize_a_list_file_prints_a_list_and_name_selects(in_data: Path, fake_model: object) -> None:
    result = run("optimize", "bad/duplicate-names.yaml", "--format", "json", "--name", "beta")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["scenario"] == "beta"
    missing = run("optimize", "bad/duplicate-names.yaml", "--name", "gamma")
    assert missing.exit_code == 2 and "no scenario named 'gamma'; the file has 'alpha', " in missing.stderr


def test_optimize_json_keeps_an_invalid_entry_in_its_place(in_data: Path, fake_model: object) -> None:
    # a reviewer: `optimize multi.yaml --format json` left the invalid entries out of the list (stderr only),
    # so a program could not tell which scenario had no answer; `batch` writes a row for them
    result = run("optimize", "bad/mixed.yaml", "--format", "json")
    assert result.exit_code == 2
    got = [(r["scenario"], r["status"]) for r in json.loads(result.stdout)]
    assert got == [("good-first", "optimal"), ("zero-budget", "error"), ("typo-in-workload", "error"),
                   ("good-last", "optimal")]
    bad = json.loads(result.stdout)[1]
    assert bad == {"scenario": "zero-budget", "file": "bad/mixed.yaml", "line": 11, "status": "error",
                   "error": "bad/mixed.yaml:12: scenarios[1].budget_usd: must be greater than 0"}
    table = run("optimize", "bad/mixed.yaml")  # people read the errors on stderr, not in the tables
    assert "zero-budget" not in table.stdout and "bad/mixed.yaml:12: scenarios[1].budget_usd" in table.stderr
    # a reviewer: a Markdown report silently left them out; each keeps its place, as in JSON
    md = run("optimize", "bad/mixed.yaml", "--format", "markdown").stdout
    titles = [ln for ln in md.splitlines() if ln.startswith("# ")]
    assert titles == ["# good-first: optimal", "# zero-budget: error", "# typo-in-workload: error",
                      "# good-last: optimal"], titles
    assert ("# zero-budget: error\n\n**Not solved**: bad/mixed.yaml:12: scenarios[1].budget_usd: must be "
            "greater than 0\n") in md


def test_optimize_json_answers_json_when_the_file_cannot_be_read(tmp_path: Path) -> None:
    # a reviewer: a YAML syntax error (or an empty, undecodable or missing file) printed nothing on stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nbudget_usd: [1,\n")
    for f in (broken, tmp_path / "missing.yaml"):
        result = run("optimize", str(f), "--format", "json")
        assert result.exit_code == 2
        record = json.loads(result.stdout)
        assert record["status"] == "error" and record["file"] == str(f) and record["scenario"] == f.stem
        assert record["error"] == result.stderr.strip()


def test_an_error_in_defaults_is_said_once_though_every_scenario_has_it(tmp_path: Path, fake_model: object) -> None:
    # a reviewer: a bad `defaults:` field printed the same line once per scenario
    f = tmp_path / "d.yaml"
    f.write_text("version: 1\ndefaults:\n  budget_usd: -5\n  workloads: [{benchmark: bert}]\n"
                 "scenarios:\n  - name: a\n  - name: b\n  - name: c\n")  # fmt: skip
    line = f"{f}:3: defaults.budget_usd: must be greater than 0"
    result = run("optimize", str(f), "--format", "json")
    assert result.exit_code == 2 and result.stderr.splitlines() == [line]
    assert [(r["scenario"], r["error"]) for r in json.loads(result.stdout)] == [(n, line) for n in "abc"]
    out = tmp_path / "r.csv"
    batch = run("batch", str(f), "--out", str(out))
    assert batch.exit_code == 2 and batch.stderr.splitlines()[0] == line and batch.stderr.count(line) == 1
    assert len(out.read_text().splitlines()) == 4  # still a row per scenario


def test_an_entrys_unknown_id_is_said_with_a_schema_error(tmp_path: Path, fake_model: object) -> None:
    # a reviewer: unknown ids were checked only once the entry validated, so a `defaults:` error hid them
    f = tmp_path / "d.yaml"
    f.write_text("version: 1\ndefaults:\n  years: -3\n  workloads: [{benchmark: bert}]\nscenarios:\n"
                 "  - name: a\n    budget_usd: 2e5\n    accelerators: [nvidia-h100-sxm, 7]\n"
                 "  - name: b\n    budget_usd: 2e5\n    workloads: [{benchmark: bertt}, {benchmark: ''}]\n")
    result = run("optimize", str(f))
    assert result.exit_code == 2 and result.stderr.splitlines() == [
        f"{f}:3: defaults.years: must be greater than 0",
        f"{f}:8: scenarios[0].accelerators[1]: must be a valid string (got 7)",
        (f"{f}:8: scenarios[0].accelerators[0]: unknown accelerator 'nvidia-h100-sxm' (closest known: "
         "nvidia-h100-sxm5-80gb, nvidia-h100-sxm5-96gb)"),
        f"{f}:11: scenarios[1].workloads[1]: `benchmark` must not be empty",
        f"{f}:11: scenarios[1].workloads[0].benchmark: unknown benchmark 'bertt' (closest known: bert)"]


def test_optimize_examples(fake_model: object) -> None:
    examples = Path(__file__).resolve().parents[1] / "examples"
    result = run("optimize", str(examples / "budget-sweep.yaml"), "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    assert [r["scenario"] for r in json.loads(result.stdout)][:2] == ["pilot", "team"]


def test_optimize_missing_file_and_misuse(in_data: Path) -> None:
    result = run("optimize", "nope.yaml")
    assert result.exit_code == 2 and result.stderr.strip() == "nope.yaml: file not found"
    assert run("optimize").exit_code == 2
    assert run("optimize", "good/valid.yaml", "--format", "xml").exit_code == 2


# ------------------------------------------------------------------------------------------------ batch


def test_batch_over_the_corpus_writes_valid_results_and_exits_2(in_data: Path, fake_model: object,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    result = run("batch", "bad", "good", "bad/empty-dir", "--out", str(out))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    for messages in BAD_CORPUS.values():
        for m in messages:
            assert m in lines
    assert "bad/empty-dir: no *.yaml or *.yml files in this directory" in lines
    assert lines[-1].endswith(f"-> {out}") and " error" in lines[-1]
    rows = list(csv.DictReader(out.open()))
    solved = {(r["file"], r["name"]) for r in rows if r["status"] in ("optimal", "feasible", "infeasible")}
    for file, names in VALID_SIBLINGS.items():
        for name in names:
            assert (file, name) in solved
    assert ("good/valid.yaml", "valid") in solved
    assert all(r["choice"] for r in rows if r["status"] == "optimal")
    assert "━" not in result.stderr and "solving" not in result.stderr  # no progress bar when not a terminal


def test_batch_exit_codes_and_json(in_data: Path, fake_model: object, tmp_path: Path) -> None:
    ok = run("batch", "good/valid.yaml", "bad/duplicate-names.yaml", "--out", str(tmp_path / "ok.json"))
    assert ok.exit_code == 2  # the duplicate name is an invalid input
    data = json.loads((tmp_path / "ok.json").read_text())
    assert [(r["name"], r["status"]) for r in data] == [
        ("valid", "optimal"), ("alpha", "optimal"), ("beta", "optimal"), ("alpha", "error")]
    all_good = run("batch", "good/valid.yaml", "--out", str(tmp_path / "g.md"))
    assert all_good.exit_code == 0 and (tmp_path / "g.md").read_text().startswith("| name |")
    infeasible = run("batch", "good", "--out", str(tmp_path / "i.csv"))
    assert infeasible.exit_code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["good", "--out", "results.txt"], "must end in .csv, .json or .md"),
        (["good"], "Missing option '--out'"),
        (["--out", "r.csv"], "Missing argument 'PATHS...'"),
        (["good", "--out", "no/such/dir/r.csv"], "does not exist"),
        (["good", "--out", "r.csv", "--jobs", "0"], "must not be 0"),
    ],
)
def test_batch_misuse_exits_2(in_data: Path, args: list[str], message: str) -> None:
    result = run("batch", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from recommender.commands import optimize as cmd

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert cmd._progress() == (None, None)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    progress, on_progress = cmd._progress()
    assert progress is not None
    on_progress("solve", 3, 10)
    (task,) = progress.tasks
    assert task.completed == 3 and task.total == 10


# ------------------------------------------------------------------------------------------------ schema, help


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_schema_command_prints_the_committed_schema(kind: str) -> None:
    result = run("schema", "--kind", kind)
    assert result.exit_code == 0
    assert result.stdout == SCHEMA_FILES[kind].read_text(encoding="utf-8")
    assert json.loads(result.stdout)["$schema"].startswith("https://json-schema.org/")


def test_help_documents_exit_codes() -> None:
    top = run("--help").stdout
    for command in ("optimize", "batch", "schema"):
        assert command in top
    for command in ("optimize", "batch"):
        text = run(command, "--help").stdout
        assert "Exit codes:" in text
        assert "0  every scenario has a recommendation" in text
        assert "1  at least one scenario is infeasible (and no decision to rent)" in text
        assert "a decision to rent where no purchase fits" in text
        assert "2 wins over 1" in text
        assert "143 terminated (SIGTERM)" in text
    sweep = run("sweep", "--help").stdout
    assert "3    internal error" in sweep and "143 on SIGTERM" in sweep


def test_command_module_imports_only_click() -> None:
    code = ("import sys, recommender.commands.optimize as m; "
            "heavy = [n for n in ('pandas', 'rich', 'ruamel', 'pydantic', 'pulp', 'joblib') if n in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_an_internal_failure_is_one_line_and_never_stops_the_others(in_data: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from optimize_fakes import fake_predict

    from recommender import api

    def flaky(frame, **kw):  # type: ignore[no-untyped-def]
        if "resnet" in set(frame["benchmark"].astype(str)):
            raise RuntimeError("model exploded")
        return fake_predict(frame, **kw)

    monkeypatch.setattr(api, "_default_predictor", lambda: flaky)
    monkeypatch.delenv("RECOMMENDER_DEBUG", raising=False)
    result = run("optimize", "bad/mixed.yaml", "--format", "json")  # the valid entries train bert + resnet
    assert result.exit_code == 3  # an internal error wins over invalid input (2)
    assert "bad/mixed.yaml: good-first: internal error: RuntimeError: model exploded" in result.stderr
    out = tmp_path / "r.json"
    batch = run("batch", "good/valid.yaml", "bad/mixed.yaml", "--out", str(out))
    assert batch.exit_code == 2
    rows = json.loads(out.read_text())
    assert rows[0]["name"] == "valid" and rows[0]["status"] == "optimal"
    assert rows[1]["status"] == "error" and "internal error: RuntimeError: model exploded" in rows[1]["error"]


def test_allow_listed_accelerators_without_a_price_are_named_as_skipped(tmp_path: Path, fake_model: object) -> None:
    # a new user's review: the note said TPU v5p and V100 "were considered" though, having no price, they never
    # were, and the table output never showed the skipped list the explanation pointed to
    f = tmp_path / "allow.yaml"
    f.write_text("version: 1\nname: allow\nbudget_usd: 300k\nworkloads: [{benchmark: bert}]\n"
                 "accelerators: [google-tpu-v5p, nvidia-a30-pcie-24gb, nvidia-v100-sxm2-32gb]\n")
    table = run("optimize", str(f))
    assert table.exit_code == 0, table.stderr
    note = next(ln for ln in table.stdout.splitlines() if "allow-listed accelerators were considered" in ln)
    considered, skipped = note.split("Allow-listed but skipped:")
    assert "nvidia-a30-pcie-24gb" in considered and "tpu" not in considered and "v100" not in considered
    assert "google-tpu-v5p (no reference price" in skipped and "nvidia-v100-sxm2-32gb (no reference price" in skipped
    assert any(ln.startswith("skipped (no reference price") and "google-tpu-v5p" in ln
               for ln in table.stdout.splitlines()), table.stdout  # fmt: skip


def test_a_rent_decision_heads_the_table_output(tmp_path: Path, fake_model: object) -> None:
    prices = tmp_path / "cloud.csv"
    prices.write_text("provider,accelerator_id,pricing,usd_per_accelerator_hour,source,as_of\n"
                      "B,nvidia-a30-pcie-24gb,spot,0.01,test,2026\n")  # fmt: skip
    f = tmp_path / "rent.yaml"
    f.write_text(f"version: 1\nname: rent\nobjective: min_tco\nrequired_mixes_per_day: 2\nconsider_cloud: true\n"
                 f"accelerators: [nvidia-a30-pcie-24gb]\ncloud_prices: {prices}\nworkloads: [{{benchmark: bert}}]\n")
    out = run("optimize", str(f))
    assert out.exit_code == 0, out.stderr
    second = out.stdout.splitlines()[1]
    assert second.startswith("decision: rent A30 PCIe 24GB (B, spot) for $"), out.stdout  # its name, not its id
    assert second.endswith("the purchase below is the best one to buy, shown for comparison")
    # a reviewer: with no purchase within the limits it still spoke of "the purchase below"
    f.write_text(f.read_text() + "budget_usd: 1000\n")
    out = run("optimize", str(f))
    second = out.stdout.splitlines()[1]
    assert second.endswith("present value; no purchase fits the limits (see why below)"), out.stdout


def test_a_decision_to_rent_where_no_purchase_fits_exits_0(tmp_path: Path, fake_model: object) -> None:
    """A procurement script read exit 1 ("infeasible") as a failure where the answer printed was "rent": a decision
    was made, so every output format, batch and sweep exit 0; an infeasible purchase with no rent still exits 1."""
    prices = tmp_path / "cloud.csv"
    prices.write_text("provider,accelerator_id,pricing,usd_per_accelerator_hour,source,as_of\n"
                      "B,nvidia-a30-pcie-24gb,on_demand,1.5,test,2026\n")  # fmt: skip
    f = tmp_path / "rent.yaml"
    f.write_text(f"version: 1\nname: rent\nobjective: min_tco\nrequired_mixes_per_day: 2\nconsider_cloud: true\n"
                 f"budget_usd: 1000\naccelerators: [nvidia-a30-pcie-24gb]\ncloud_prices: {prices}\n"
                 "workloads: [{benchmark: bert}]\n")
    for fmt in ("table", "json", "markdown"):
        out = run("optimize", str(f), "--format", fmt)
        assert out.exit_code == 0, (fmt, out.stdout, out.stderr)
    record = json.loads(run("optimize", str(f), "--format", "json").stdout)
    assert record["status"] == "infeasible" and record["cloud_decision"] == "rent"  # the purchase's status
    rows = tmp_path / "rows.csv"
    batch = run("batch", str(f), "--out", str(rows))
    assert batch.exit_code == 0 and "1 infeasible (1 decided to rent)" in batch.stderr, batch.stderr
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"version: 1\nname: s\nbase:\n  objective: min_tco\n  required_mixes_per_day: 2\n"
                     f"  consider_cloud: true\n  accelerators: [nvidia-a30-pcie-24gb]\n  cloud_prices: {prices}\n"
                     "  workloads: [{benchmark: bert}]\naxes:\n  budget_usd: [1000, 2000]\n")
    swept = run("sweep", str(sweep), "--out", str(tmp_path / "s.csv"), "--jobs", "1")
    assert swept.exit_code == 0, swept.stderr
    plain = tmp_path / "plain.yaml"  # no consider_cloud: nothing decided, exit 1 as before
    plain.write_text(f.read_text().replace("consider_cloud: true", "consider_cloud: false"))
    assert run("optimize", str(plain)).exit_code == 1
    assert run("batch", str(plain), "--out", str(rows)).exit_code == 1
    swept_plain = tmp_path / "plain-sweep.yaml"
    swept_plain.write_text(sweep.read_text().replace("consider_cloud: true", "consider_cloud: false"))
    assert run("sweep", str(swept_plain), "--out", str(tmp_path / "p.csv"), "--jobs", "1").exit_code == 1


def test_a_sub_minute_interval_has_the_minutes_precision(tmp_path: Path) -> None:
    # a reviewer: "0.66" minutes stood next to a "0.513–0.855" interval (three digits against two)
    import re

    f = tmp_path / "fast.yaml"
    f.write_text("version: 1\nname: fast\nbudget_usd: 6e7\nworkloads: [{benchmark: resnet}]\n")
    result = run("optimize", str(f))
    assert result.exit_code == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.lstrip().startswith("resnet"))
    minutes, low, high = re.search(r"(\d+\.\d+) │\s+(\d+\.\d+)–(\d+\.\d+)", row).groups()
    assert float(minutes) < 1 and len(low.split(".")[1]) == len(high.split(".")[1]) == 2, row


def test_a_rent_rows_break_even_and_minutes_describe_its_own_rental(tmp_path: Path, fake_model: object) -> None:
    # a reviewer: 120 MI300X bought at 80 %, the row renting 8 read "0.84x" of buying beside a break-even of 46 %
    # (renting the 120 bought): the row's break-even is its own rental's, and its minutes say how slow that is
    from recommender.format import minutes

    prices = tmp_path / "cloud.csv"
    prices.write_text("provider,accelerator_id,pricing,usd_per_accelerator_hour,source,as_of\n"
                      "A,nvidia-a30-pcie-24gb,on_demand,0.5,test,2026\n")  # fmt: skip
    f = tmp_path / "rent.yaml"
    f.write_text(f"version: 1\nname: rent\nbudget_usd: 300k\naccelerators: [nvidia-a30-pcie-24gb]\n"
                 f"cloud_prices: {prices}\nworkloads: [{{benchmark: bert}}]\n")
    record = json.loads(run("optimize", str(f), "--format", "json").stdout)
    r = record["rent_or_buy"]
    (q,) = r["quotes"]
    assert q["accelerators"] and q["minutes"] is not None and q["break_even_utilization"] is not None
    assert (q["rent_pv_usd"] < r["buy_tco_usd"]) == (r["utilization"] < q["break_even_utilization"])
    hours_per_mix = q["rent_usd_per_year"] / q["usd_per_accelerator_hour"] / r["mixes_per_year"]
    assert q["minutes"] == pytest.approx(hours_per_mix * 60 / q["accelerators"])
    text = run("optimize", str(f)).stdout
    row = next(ln for ln in text.splitlines() if ln.startswith(" A "))
    assert [c.strip() for c in row.split("│")][2:4] == [str(q["accelerators"]), minutes(q["minutes"])], text
    assert "min: its expected minutes to train a mix" in " ".join(text.split())
    md = run("optimize", str(f), "--format", "markdown").stdout
    assert f"| A | nvidia-a30-pcie-24gb | {q['accelerators']} | {minutes(q['minutes'])} | on_demand |" in md


def test_a_fleets_workload_rows_name_their_accelerator(in_data: Path, fake_model: object, tmp_path: Path) -> None:
    # a reviewer in mix mode: two rows read "llama2_70b_lora (8x)", one measured, one specs_only, and nothing said
    # which accelerator each was (the Markdown named it)
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text("name: fleet\nbudget_usd: 3000000\nmix: true\nobjective: max_throughput\n"
                     "workloads:\n  - benchmark: bert\n    share: 1\n  - benchmark: resnet\n    share: 1\n")
    js = json.loads(run("optimize", str(fleet), "--format", "json").stdout)
    configs = js["configurations"]
    if len(configs) < 2:
        pytest.skip("the fake model bought one configuration")
    text = run("optimize", str(fleet)).stdout
    for c in configs:
        name = c.get("accelerator_name") or c["accelerator_id"]
        assert f"bert ({name} x{c['accelerators']})" in " ".join(text.split()), (name, text)


def test_an_infeasible_answer_says_what_relaxing_its_limits_buys(in_data: Path, fake_model: object,
                                                                  tmp_path: Path) -> None:
    # a reviewer: for a scenario nothing fits the CLI and JSON said `binding: []` while the app said "relaxing the
    # budget by $27,000 ($500,000 -> $527,000) makes 16 x Instinct MI355X 288GB ... feasible"
    tight = tmp_path / "tight.yaml"
    tight.write_text("name: tight\nbudget_usd: 1000\nworkloads:\n  - benchmark: bert\n")
    js = json.loads(run("optimize", str(tight), "--format", "json").stdout)
    assert js["status"] == "infeasible"
    said = [s for s in js["explanation"] if s.startswith("Relaxing the budget by ")]
    assert len(said) == 1 and "($1,000 → $" in said[0] and said[0].endswith(" feasible."), js["explanation"]
    text = run("optimize", str(tight))
    assert text.exit_code == 1 and f"- {said[0]}" in text.stdout
