"""The MLPerf importer: MLCommons scoring rules, irregular input, atomic writes, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.errors import CatalogError
from catalog.mlperf import import_rounds, olympic_minutes, parse_run

SYSTEM = {
    "submitter": "Acme Corp",  # differs from the folder name on purpose
    "division": "Closed",
    "status": "Available on-premise",
    "system_name": "Acme box",
    "number_of_nodes": "2",
    "accelerators_per_node": "8",
    "accelerator_model_name": "NVIDIA A30",
    "accelerator_memory_capacity": "24GiB",
    "host_processor_model_name": "Intel Xeon 8380",
    "framework": "pytorch",
    "cooling": "Liquid-cooled",
}


def _log(start_ms: int | None, minutes: float | None, status: str = "success", benchmark: str = "bert") -> str:
    lines = [
        (f':::MLLOG {{"namespace": "", "time_ms": 0, "event_type": "POINT_IN_TIME", '
         f'"key": "submission_benchmark", "value": "{benchmark}", "metadata": {{}}}}')
    ]
    if start_ms is not None:
        lines.append(f':::MLLOG {{"namespace": "", "time_ms": {start_ms}, "event_type": "INTERVAL_START", '
                     f'"key": "run_start", "value": null, "metadata": {{}}}}')
    if minutes is not None and start_ms is not None:
        stop = start_ms + round(minutes * 60000)
        lines.append(f':::MLLOG {{"namespace": "", "time_ms": {stop}, "event_type": "INTERVAL_END", '
                     f'"key": "run_stop", "value": null, "metadata": {{"status": "{status}"}}}}')
    return "\n".join(lines) + "\n"


def make_round(root: Path, benches: dict[str, list[str]], *, system: dict | None = None,
               scaling: dict[str, str] | None = None, round_name: str = "v2.0", system_id: str = "acme_8xa30",
               submitter: str = "Acme") -> Path:
    """A tiny round folder: one submitter, one system, logs given as text per benchmark."""
    rd = root / round_name
    sub = rd / submitter
    (sub / "systems").mkdir(parents=True, exist_ok=True)
    (sub / "systems" / f"{system_id}.json").write_text(json.dumps(system or SYSTEM))
    for bench, logs in benches.items():
        bdir = sub / "results" / system_id / bench
        bdir.mkdir(parents=True, exist_ok=True)
        for i, text in enumerate(logs):
            (bdir / f"result_{i}.txt").write_text(text)
        if scaling and bench in scaling:
            (bdir / "scaling.json").write_text(scaling[bench])
    return rd


def _runs(minutes: list[float | None], start: int = 1_600_000_000_000, **kw) -> list[str]:
    return [_log(start + i * 10_000_000, m, **kw) for i, m in enumerate(minutes)]


def _only(rows: list[dict], bench: str) -> dict:
    (row,) = [r for r in rows if r["benchmark_folder"] == bench]
    return row


# ------------------------------------------------------------------------------------------- scoring rules


def test_olympic_mean_drops_fastest_and_slowest() -> None:
    assert olympic_minutes([1, 2, 3, 4, 10], failed=0, k=1) == pytest.approx(3.0)
    # one failure counts as the slowest: drop the fastest only
    assert olympic_minutes([1, 2, 3, 4], failed=1, k=1) == pytest.approx(3.0)
    assert olympic_minutes([1, 2, 3], failed=2, k=1) is None


def test_bert_ten_runs_olympic(tmp_path: Path) -> None:
    times = [10.0, 11, 12, 13, 14, 15, 16, 17, 18, 30]
    rd = make_round(tmp_path, {"bert": _runs(times)})
    rows, report = import_rounds([rd])
    row = _only(rows, "bert")
    assert report.rows_scored == 1 and not report.unscoreable
    assert row["minutes"] == pytest.approx(sum(times[1:-1]) / 8)
    assert (row["runs_required"], row["runs_found"], row["runs_succeeded"]) == (10, 10, 10)
    # system fields, normalised
    assert row["division"] == "closed" and row["status"] == "available" and row["cooling"] == "liquid"
    assert row["submitter"] == "Acme"  # the folder name, not the JSON's "Acme Corp"
    assert row["accelerator_id"] == "nvidia-a30-pcie-24gb"
    assert (row["nodes"], row["accelerators_per_node"], row["accelerators"]) == (2, 8, 16)


def test_failed_run_counts_as_slowest(tmp_path: Path) -> None:
    logs = _runs([10.0, 11, 12, 13]) + [_log(1_700_000_000_000, 5.0, status="aborted")]
    rd = make_round(tmp_path, {"resnet": logs})
    rows, report = import_rounds([rd])
    row = _only(rows, "resnet")
    # failed counts as slowest: drop the fastest (10) only -> mean of 11, 12, 13
    assert row["minutes"] == pytest.approx(12.0)
    assert row["runs_succeeded"] == 4
    assert any("aborted" in i.reason for i in report.items)


def test_missing_run_stop_and_garbled_line_fail_the_run(tmp_path: Path) -> None:
    truncated = _log(1_650_000_000_000, None)
    garbled = _log(1_660_000_000_000, 9.0) + ':::MLLOG {"key": "eval_accuracy", "time_ms": 12, oops\n'
    rd = make_round(tmp_path, {"resnet": _runs([10.0, 11, 12]) + [truncated, garbled]})
    rows, report = import_rounds([rd])
    row = _only(rows, "resnet")
    assert row["minutes"] is None
    assert row["score_note"].startswith("too many failed runs: 2 failed, at most 1 allowed")
    reasons = {i.reason for i in report.unscoreable}
    assert any("no run_stop" in r and "unparsable MLLOG" in r for r in reasons)


def test_unet3d_k4_with_failures(tmp_path: Path) -> None:
    times = [float(t) for t in range(1, 39)]  # 38 successes + 2 failures = 40 runs
    logs = _runs(times) + _runs([None, None], start=1_900_000_000_000)
    rd = make_round(tmp_path, {"unet3d": logs})
    rows, _ = import_rounds([rd])
    row = _only(rows, "unet3d")
    # k=4: drop 4 fastest and (4-2)=2 slowest of the successes
    kept = times[4:-2]
    assert row["minutes"] == pytest.approx(sum(kept) / len(kept))
    assert (row["runs_required"], row["runs_succeeded"]) == (40, 38)


def test_unet3d_five_failures_is_unscoreable(tmp_path: Path) -> None:
    logs = _runs([float(t) for t in range(1, 36)]) + _runs([None] * 5, start=1_900_000_000_000)
    rows, _ = import_rounds([make_round(tmp_path, {"unet3d": logs})])
    assert _only(rows, "unet3d")["minutes"] is None


def test_scaling_factor_multiplies(tmp_path: Path) -> None:
    times = [20.0, 20, 20, 20, 20]
    rd = make_round(tmp_path, {"ssd": _runs(times)}, scaling={"ssd": '{"scaling_factor": 1.25}'})
    rows, _ = import_rounds([rd])
    row = _only(rows, "ssd")
    assert row["minutes"] == pytest.approx(25.0)
    assert row["scaling_factor"] == pytest.approx(1.25)
    assert row["benchmark"] == "retinanet"  # ssd from v2.0 on is RetinaNet


def test_ssd_before_v2_keeps_its_id_and_gnn_is_rgat(tmp_path: Path) -> None:
    rd = make_round(tmp_path, {"ssd": _runs([5.0] * 5), "gnn": _runs([3.0] * 10)}, round_name="v1.1")
    rows, _ = import_rounds([rd])
    assert _only(rows, "ssd")["benchmark"] == "ssd"
    assert _only(rows, "gnn")["benchmark"] == "rgat"


def test_too_few_runs(tmp_path: Path) -> None:
    rows, report = import_rounds([make_round(tmp_path, {"bert": _runs([10.0] * 9)})])
    row = _only(rows, "bert")
    assert row["minutes"] is None
    assert row["score_note"].startswith("too few runs: 9 of 10 required")
    assert [i.reason for i in report.unscoreable] == ["too few runs: 9 of 10 required"]


def test_time_s_logs_directly_under_system_folder(tmp_path: Path) -> None:
    rd = tmp_path / "v0.7"
    sysdir = rd / "Ali" / "results" / "sys1"
    sysdir.mkdir(parents=True)
    (rd / "Ali" / "systems").mkdir()
    for i, m in enumerate([1.0, 2.0, 3.0, 4.0, 5.0]):
        t0 = 1593354424.831 + i * 1000
        (sysdir / f"result_{i}.txt").write_text(
            ':::MLLOG {"time_s": 0.0, "key": "submission_benchmark", "value": "resnet", "metadata": {}}\n'
            f':::MLLOG {{"time_s": {t0}, "key": "run_start", "value": null, "metadata": {{}}}}\n'
            f':::MLLOG {{"time_s": {t0 + m * 60}, "key": "run_stop", "value": null, '
            '"metadata": {"status": "success"}}\n')
    rows, _ = import_rounds([rd])
    row = _only(rows, "resnet")
    assert row["minutes"] == pytest.approx(3.0)
    assert "no system JSON" in row["score_note"]


def test_resubmitted_identical_runs_are_marked(tmp_path: Path) -> None:
    logs = _runs([10.0, 11, 12, 13, 14])
    old = make_round(tmp_path, {"resnet": logs}, round_name="v2.0")
    new = make_round(tmp_path, {"resnet": logs}, round_name="v2.1", system_id="acme_renamed")
    rows, report = import_rounds([new, old])  # order of arguments does not matter
    by_round = {r["round"]: r for r in rows}
    assert by_round["v2.0"]["duplicate_of"] == ""
    assert by_round["v2.1"]["duplicate_of"] == "v2.0/Acme/acme_8xa30/resnet"
    assert report.duplicates == 1


# -------------------------------------------------------------------------------------------- irregular input


def test_corrupt_inputs_are_reported_not_raised(tmp_path: Path) -> None:
    rd = make_round(tmp_path, {"bert": _runs([10.0] * 10)})
    sub = rd / "Acme"
    # invalid JSON for a second system with results
    (sub / "systems" / "broken.json").write_text('{"submitter": "Acme", "division": ')
    bdir = sub / "results" / "broken" / "bert"
    bdir.mkdir(parents=True)
    for i, text in enumerate(_runs([10.0] * 10)):
        (bdir / f"result_{i}.txt").write_text(text[: len(text) // 2] if i == 0 else text)  # truncated log
    # unknown accelerator, numbers as strings (already), empty results folder
    odd = dict(SYSTEM, accelerator_model_name="Quantum Widget 9000", number_of_nodes="1")
    (sub / "systems" / "odd.json").write_text(json.dumps(odd))
    odd_dir = sub / "results" / "odd" / "bert"
    odd_dir.mkdir(parents=True)
    for i, text in enumerate(_runs([10.0] * 10)):
        (odd_dir / f"result_{i}.txt").write_text(text)
    (sub / "results" / "empty_system").mkdir()

    rows, report = import_rounds([rd])
    reasons = [(i.kind, i.system_id, i.reason) for i in report.items]
    assert any(k == "warning" and s == "broken" and r.startswith("invalid system JSON") for k, s, r in reasons)
    assert any(k == "skipped" and s == "empty_system" for k, s, r in reasons)
    assert report.unmapped_accelerators == {"Quantum Widget 9000 | 24GiB": 1}
    broken = next(r for r in rows if r["system_id"] == "broken")
    # the truncated first log fails (one failure allowed), the rest score
    assert broken["runs_succeeded"] == 9 and broken["minutes"] == pytest.approx(10.0)
    odd_row = next(r for r in rows if r["system_id"] == "odd")
    assert odd_row["accelerator_id"] == "" and "unmapped accelerator" in odd_row["score_note"]


def _unreadable(monkeypatch: pytest.MonkeyPatch, *paths: Path) -> None:
    """Reading or listing ``paths`` fails as for a user without permission (root, running the tests, reads all)."""
    def refuse(path: Path) -> None:
        if path in paths:
            raise PermissionError(13, "Permission denied", str(path))

    read_text, iterdir = Path.read_text, Path.iterdir
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **kw: refuse(self) or read_text(self, *a, **kw))
    monkeypatch.setattr(Path, "iterdir", lambda self: refuse(self) or iterdir(self))


def test_an_unreadable_log_leaves_its_result_unscored_not_a_failed_run(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # a reviewer (chmod 000 on one of ten logs, as a user without root): the log counted as a failed run, the
    # olympic mean dropped it as the slowest and the official score moved (77.046 -> 77.833 min) without a note
    rd = make_round(tmp_path, {"bert": _runs([10.0, 11, 12, 13, 14, 15, 16, 17, 18, 30])})
    (rd / "Acme" / "results" / "locked").mkdir()
    _unreadable(monkeypatch, rd / "Acme" / "results" / "acme_8xa30" / "bert" / "result_3.txt",
                rd / "Acme" / "results" / "locked")
    rows, report = import_rounds([rd])
    row = _only(rows, "bert")
    assert row["minutes"] is None and (row["runs_found"], row["runs_succeeded"]) == (10, 9)
    reason = "unreadable log result_3.txt: Permission denied (no failed run: not scored until it can be read)"
    assert row["score_note"] == reason
    assert [i.reason for i in report.unscoreable] == [reason]
    assert report.unreadable_results == ["v2.0/Acme/acme_8xa30/bert"]
    assert not any("counted as slowest" in i.reason for i in report.items)
    # an unreadable system folder is said as such, not as an empty one
    assert report.unreadable_folders == {str(rd / "Acme" / "results" / "locked"): "Permission denied"}
    assert [(i.kind, i.reason) for i in report.items if i.system_id == "locked"] == [
        ("skipped", "unreadable folder: Permission denied")]


def test_an_unreadable_scaling_json_leaves_its_result_unscored(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # noticed with the unreadable log: an unreadable scaling.json counted as factor 1, publishing a score that is
    # off by the factor; an unusable one (not JSON, no factor) still counts as 1 with a note, as README says
    rd = make_round(tmp_path, {"bert": _runs([10.0] * 10), "resnet": _runs([2.0] * 5)})
    for bench, text in (("bert", '{"scaling_factor": 2.0}'), ("resnet", "not json")):
        (rd / "Acme" / "results" / "acme_8xa30" / bench / "scaling.json").write_text(text)
    _unreadable(monkeypatch, rd / "Acme" / "results" / "acme_8xa30" / "bert" / "scaling.json")
    rows, report = import_rounds([rd])
    bert, resnet = _only(rows, "bert"), _only(rows, "resnet")
    assert bert["minutes"] is None
    assert bert["score_note"] == ("unreadable scaling.json: Permission denied (no failed run: not scored until it "
                                  "can be read)")
    assert report.unreadable_results == ["v2.0/Acme/acme_8xa30/bert"]
    assert resnet["minutes"] == pytest.approx(2.0) and "unusable scaling.json" in resnet["score_note"]


def test_unusable_input_raises_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no such directory"):
        import_rounds([tmp_path / "missing"])
    (tmp_path / "v9.9").mkdir()
    with pytest.raises(CatalogError, match="not an MLPerf Training results layout"):
        import_rounds([tmp_path / "v9.9"])
    weird = make_round(tmp_path, {"bert": _runs([1.0] * 10)}, round_name="whatever")
    with pytest.raises(CatalogError, match="--round"):
        import_rounds([weird])
    rows, _ = import_rounds([weird], round_name="v6.0")
    assert rows[0]["round"] == "v6.0"
    assert import_rounds([weird], round_name="6.0")[0][0]["round"] == "v6.0"  # one spelling per round
    # a folder that is a round keeps its round: --round v5.1 relabelled v2.0's results as today's
    v20 = make_round(tmp_path / "r", {"bert": _runs([1.0] * 10)}, round_name="v2.0")
    with pytest.raises(CatalogError, match=r"the folder is round v2\.0; --round v5\.1 would relabel"):
        import_rounds([v20], round_name="v5.1")
    assert import_rounds([v20], round_name="v2.0")[0][0]["round"] == "v2.0"


def test_parse_run_reads_time_ms() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "result_0.txt"
        p.write_text(_log(1000, 2.5))
        run = parse_run(p)
    assert run.success and run.minutes == pytest.approx(2.5)


# ------------------------------------------------------------------------------------------------------ CLI


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "recommender.cli", *args], capture_output=True, text=True,
                          timeout=120, check=False)


def test_cli_import_writes_csv_and_report(tmp_path: Path) -> None:
    rd = make_round(tmp_path / "in", {"bert": _runs([10.0] * 10), "resnet": _runs([1.0] * 3)})
    out = tmp_path / "out"
    res = _cli("catalog", "import-mlperf", str(rd), "--out", str(out), "--report", str(tmp_path / "r.json"))
    assert res.returncode == 0, res.stderr
    assert "scored: 1" in res.stdout and "too few runs: 3 of 5 required" in res.stdout
    assert "unmapped accelerator names: none" in res.stdout
    import pandas as pd

    df = pd.read_csv(out / "results.csv")
    assert len(df) == 2 and set(df["benchmark"]) == {"bert", "resnet"}
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["rows_scored"] == 1 and report["items"]
    # one round alone: a catalog of it replaces the shipped rounds, so the summary says how to keep them (a
    # reviewer imported a new round as README showed and lost every earlier one without a word)
    assert "holds only v2.0" in res.stdout and "import them together" in res.stdout
    two = make_round(tmp_path / "in3", {"bert": _runs([9.0] * 10)}, round_name="v3.0")
    res = _cli("catalog", "import-mlperf", str(rd), str(two), "--out", str(tmp_path / "out2"))
    assert res.returncode == 0 and "holds only" not in res.stdout


@pytest.mark.parametrize("bad", ["missing", "empty", "notlayout"])
def test_cli_failed_import_leaves_existing_csv_untouched(tmp_path: Path, bad: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    existing = out / "results.csv"
    existing.write_text("round,minutes\nv1.0,1.0\n")
    before = existing.read_bytes()
    target = tmp_path / bad
    if bad == "empty":
        target.mkdir()
    elif bad == "notlayout":
        (target / "stuff").mkdir(parents=True)
        (target / "stuff" / "readme.txt").write_text("hello")
    res = _cli("catalog", "import-mlperf", str(target), "--out", str(out))
    assert res.returncode == 2
    assert res.stderr.startswith("error: ") and len(res.stderr.strip().splitlines()) == 1
    assert "Traceback" not in res.stderr
    assert existing.read_bytes() == before
    assert [p.name for p in out.iterdir()] == ["results.csv"]  # no temp file left behind


def test_cli_refuses_a_round_given_twice_and_a_bad_report_path_before_writing(tmp_path: Path) -> None:
    # a reviewer: the same round twice imported "successfully" into a catalog the loader then rejected (every row a
    # re-submission of itself), and a --report that could not be written failed after results.csv was replaced
    rd = make_round(tmp_path / "in", {"bert": _runs([10.0] * 10)})
    copy = make_round(tmp_path / "copy", {"bert": _runs([10.0] * 10)})
    out = tmp_path / "out"
    out.mkdir()
    existing = out / "results.csv"
    existing.write_text("round,minutes\nv1.0,1.0\n")
    before = existing.read_bytes()
    cases = [([str(rd), str(rd)], [], "given twice"),
             ([str(rd), str(copy)], [], "round v2.0 comes from more than one folder"),
             ([str(rd)], ["--report", str(tmp_path / "missing" / "r.json")], "--report: cannot write")]  # fmt: skip
    for dirs, extra, message in cases:
        res = _cli("catalog", "import-mlperf", *dirs, "--out", str(out), *extra)
        assert res.returncode == 2, (dirs, extra, res.stdout)
        assert message in res.stderr and "left unchanged" in res.stderr, res.stderr
        assert existing.read_bytes() == before
    assert not (tmp_path / "missing").exists()
    fresh = tmp_path / "fresh"  # --report naming the (not yet existing) --out folder: refused before anything
    res = _cli("catalog", "import-mlperf", str(rd), "--out", str(fresh), "--report", str(fresh))
    assert res.returncode == 2 and "--report: cannot write" in res.stderr and not fresh.exists()


def test_cli_refuses_to_replace_a_write_protected_results_csv(tmp_path: Path) -> None:
    # a reviewer: a results.csv of mode 0444 was replaced (0644) by the atomic rename without a word
    rd = make_round(tmp_path / "in", {"bert": _runs([10.0] * 10)})
    out = tmp_path / "out"
    out.mkdir()
    existing = out / "results.csv"
    existing.write_text("round,minutes\nv1.0,1.0\n")
    existing.chmod(0o444)
    res = _cli("catalog", "import-mlperf", str(rd), "--out", str(out))
    assert res.returncode == 2 and f"{existing} is write-protected (mode 444)" in res.stderr, res.stderr
    assert existing.read_text() == "round,minutes\nv1.0,1.0\n" and (existing.stat().st_mode & 0o777) == 0o444


def test_cli_reads_mlcommons_repository_folder_names_and_a_report_inside_a_new_out(tmp_path: Path) -> None:
    # a reviewer: the help says training_results_v5.0 works but it was refused, and `--out NEW --report
    # NEW/r.json` was refused because NEW did not exist yet
    rd = make_round(tmp_path / "in", {"bert": _runs([10.0] * 10)}, round_name="training_results_v2.0")
    out = tmp_path / "new"
    res = _cli("catalog", "import-mlperf", str(rd), "--out", str(out), "--report", str(out / "r.json"))
    assert res.returncode == 0, res.stderr
    import pandas as pd

    assert set(pd.read_csv(out / "results.csv")["round"]) == {"v2.0"}
    assert json.loads((out / "r.json").read_text())["rounds"] == ["v2.0"]
    res = _cli("catalog", "import-mlperf", str(rd), "--round", "v3.0", "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "the folder is round v2.0" in res.stderr


def test_cli_unreadable_input_is_a_named_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a reviewer (as a user without root): an unreadable submitter folder was an internal error (PermissionError)
    from click.testing import CliRunner

    import catalog.mlperf
    from recommender.cli import cli

    rd = make_round(tmp_path / "in", {"bert": _runs([10.0] * 10)})

    def unreadable(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(rd / "Acme" / "results"))

    monkeypatch.setattr(catalog.mlperf, "import_rounds", unreadable)
    res = CliRunner().invoke(cli, ["catalog", "import-mlperf", str(rd), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert res.stderr.strip() == (f"error: {rd / 'Acme' / 'results'}: cannot read (Permission denied); "
                                  f"nothing written to {tmp_path / 'o'}")  # (no results.csv there to keep)


def test_cli_says_what_could_not_be_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a reviewer: an unreadable log and an unreadable submitter's results folder were said only in the JSON report
    # (or not at all); the printed summary says how many results could not be read, and which folders
    from click.testing import CliRunner

    from recommender.cli import cli

    rd = make_round(tmp_path / "in", {"bert": _runs([10.0] * 10), "resnet": _runs([1.0] * 5)})
    make_round(tmp_path / "in", {"bert": _runs([9.0] * 10)}, submitter="Other")
    _unreadable(monkeypatch, rd / "Acme" / "results" / "acme_8xa30" / "bert" / "result_0.txt",
                rd / "Other" / "results")
    res = CliRunner().invoke(cli, ["catalog", "import-mlperf", str(rd), "--out", str(tmp_path / "o"),
                                   "--report", str(tmp_path / "r.json")])
    assert res.exit_code == 0, res.output  # the rest imported
    assert ("  results: 2, scored: 1, unscoreable: 1, re-submissions marked: 0\n"
            "  could not be read: 1 result (an unreadable log: no score), 1 folder (its results are missing); "
            "make them readable and import again\n"
            f"    {rd / 'Other' / 'results'}: Permission denied\n") in res.output
    assert "Acme/acme_8xa30/bert: unreadable log result_0.txt: Permission denied" in res.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["unreadable_results"] == ["v2.0/Acme/acme_8xa30/bert"]
    assert report["unreadable_folders"] == {str(rd / "Other" / "results"): "Permission denied"}


def test_cli_rank_json_and_unknown_benchmark() -> None:
    res = _cli("catalog", "rank", "--benchmark", "maskrcnn", "--accelerator", "nvidia-a100-pcie-80gb",
               "--accelerators", "16", "--round", "v2.0", "--json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert rows[0]["submitter"] == "Nettrix" and rows[0]["rank"] == 1
    assert {"round", "division", "status", "submitter", "system_id", "accelerators", "minutes"} <= set(rows[0])
    res = _cli("catalog", "rank", "--benchmark", "berts")
    assert res.returncode == 2 and "closest: bert" in res.stderr and "Traceback" not in res.stderr
    res = _cli("catalog", "rank", "--benchmark", "bert", "--accelerator", "nvidia-a30")
    assert res.returncode == 2 and "(closest: nvidia-a30-pcie-24gb)" in res.stderr


def test_cli_bad_round_option_and_missing_user_catalog(tmp_path: Path) -> None:
    rd = make_round(tmp_path, {"bert": _runs([10.0] * 10)})
    res = _cli("catalog", "import-mlperf", str(rd), "--round", "bogus", "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and res.stderr.strip() == "error: --round: 'bogus' is not a round name (expected e.g. v5.1)"
    import os

    env = dict(os.environ, MLPERF_RECOMMENDER_CATALOG=str(tmp_path / "nowhere"))
    for args in (["catalog", "rank", "-b", "bert"], ["model", "predict", "nvidia-a30-pcie-24gb", "8", "bert"]):
        res = subprocess.run([sys.executable, "-m", "recommender.cli", *args], capture_output=True, text=True,
                             timeout=120, check=False, env=env)
        assert res.returncode == 2 and "catalog file missing" in res.stderr and "Traceback" not in res.stderr
