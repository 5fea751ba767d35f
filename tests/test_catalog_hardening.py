"""Hostile and broken MLPerf trees (issue 15): reported and skipped, never a crash, never an unloadable catalog."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from mlperf_fixtures import T0, mllog, run_log
from test_catalog_import import SYSTEM, _runs, make_round

import catalog
from catalog.mlperf import import_rounds, parse_run, write_results_csv


def _import_and_load(rd: Path, out: Path) -> tuple[list[dict], object, catalog.Catalog]:
    rows, report = import_rounds([rd])
    write_results_csv(rows, out / "results.csv")
    return rows, report, catalog.load(out)  # the loader accepts what the importer wrote


@pytest.mark.parametrize("key", ["1", "null", "[\"run_stop\"]", "{\"a\": 1}", "true"])
def test_mllog_key_that_is_not_a_string_fails_the_run(tmp_path: Path, key: str) -> None:
    p = tmp_path / "result_0.txt"
    p.write_text(run_log(T0, 5.0) + f':::MLLOG {{"time_ms": {T0}, "key": {key}, "value": 1}}\n')
    run = parse_run(p)
    assert not run.success and "unparsable MLLOG" in run.reason


@pytest.mark.parametrize("time_ms", ["NaN", "Infinity", "-Infinity", '"soon"', "[1]", "1e400"])
def test_time_ms_that_is_not_a_finite_number_fails_the_run(tmp_path: Path, time_ms: str) -> None:
    p = tmp_path / "result_0.txt"
    stop = f':::MLLOG {{"time_ms": {time_ms}, "key": "run_stop", "value": null, "metadata": {{"status": "success"}}}}'
    p.write_text(mllog("run_start", T0) + "\n" + stop + "\n")
    run = parse_run(p)
    assert not run.success and run.minutes is None


def test_nan_time_in_a_whole_result_leaves_a_loadable_catalog(tmp_path: Path) -> None:
    bad = mllog("run_start", T0) + '\n:::MLLOG {"time_ms": NaN, "key": "run_stop", "metadata": {"status": "success"}}\n'
    rd = make_round(tmp_path / "in", {"resnet": _runs([10.0, 11, 12, 13]) + [bad]})
    _rows, _report, cat = _import_and_load(rd, tmp_path / "out")
    assert cat.results["minutes"].iloc[0] == pytest.approx(12.0)  # the NaN run counts as failed


def test_an_absurd_run_time_fails_the_run_and_the_loader_refuses_absurd_minutes(tmp_path: Path) -> None:
    # a reviewer: run_stop at 1e308 ms was imported as a measured 2e302-minute score and predicted from
    absurd = mllog("run_start", T0) + "\n" + (
        ':::MLLOG {"time_ms": 1e308, "key": "run_stop", "value": null, "metadata": {"status": "success"}}\n')
    p = tmp_path / "result_0.txt"
    p.write_text(absurd)
    run = parse_run(p)
    assert not run.success and run.reason.startswith("implausible run time")
    rd = make_round(tmp_path / "in", {"resnet": _runs([10.0, 11, 12, 13]) + [absurd]})
    _rows, _report, cat = _import_and_load(rd, tmp_path / "out")
    assert cat.results["minutes"].iloc[0] == pytest.approx(12.0)  # counted as the failed run
    results = tmp_path / "out" / "results.csv"
    text = results.read_text().splitlines()
    col = text[0].split(",").index("minutes")
    cells = text[1].split(",")
    cells[col] = "2e302"
    results.write_text("\n".join([text[0], ",".join(cells), *text[2:]]) + "\n")
    with pytest.raises(catalog.CatalogError, match=r"results\.csv:2: minutes.*must be at most 86,400"):
        catalog.load(tmp_path / "out")


@pytest.mark.parametrize("value", ["Infinity", "NaN", "-1", "2.5", "1e308", "many", True, [2]])
def test_unusable_node_count_in_system_json_is_reported(tmp_path: Path, value: object) -> None:
    rd = make_round(tmp_path / "in", {"resnet": _runs([10.0, 11, 12, 13, 14])})
    sys_json = rd / "Acme" / "systems" / "acme_8xa30.json"
    text = json.dumps({**SYSTEM, "number_of_nodes": value})
    if value in ("Infinity", "NaN"):  # as bare JSON literals too, which Python's json accepts
        text = text.replace(f'"{value}"', value)
    sys_json.write_text(text)
    rows, report, cat = _import_and_load(rd, tmp_path / "out")
    row = rows[0]
    assert row["minutes"] == pytest.approx(12.0)
    assert row["nodes"] is None and row["accelerators"] is None
    assert any("unusable number_of_nodes" in i.reason for i in report.items)
    assert cat.results["nodes"].isna().all()


def test_unparsable_scaling_factor_is_reported(tmp_path: Path) -> None:
    rd = make_round(tmp_path / "in", {"resnet": _runs([10.0, 11, 12, 13, 14])},
                    scaling={"resnet": '{"scaling_factor": Infinity}'})
    rows, report, _ = _import_and_load(rd, tmp_path / "out")
    assert rows[0]["scaling_factor"] == 1.0 and rows[0]["minutes"] == pytest.approx(12.0)
    assert any("unusable scaling.json" in i.reason for i in report.items)


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_symlinks_out_of_the_tree_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "result_9.txt").write_text(run_log(T0, 1.0))
    secret_bench = outside / "bert"
    secret_bench.mkdir()
    for i, line in enumerate(_runs([1.0] * 10)):
        (secret_bench / f"result_{i}.txt").write_text(line)
    rd = make_round(tmp_path / "in", {"resnet": _runs([10.0, 11, 12, 13, 14])})
    bdir = rd / "Acme" / "results" / "acme_8xa30" / "resnet"
    (bdir / "result_99.txt").symlink_to(outside / "result_9.txt")  # a file link out of the tree
    (bdir.parent / "bert").symlink_to(secret_bench, target_is_directory=True)  # a folder link out of the tree
    (bdir / "result_5.txt").symlink_to(bdir / "result_0.txt")  # a link inside the tree is fine
    rows, report = import_rounds([rd])
    assert [r["benchmark_folder"] for r in rows] == ["resnet"]
    assert rows[0]["runs_found"] == 6
    skipped = [i for i in report.items if "symlink" in i.reason]
    assert {Path(i.path).name for i in skipped} == {"result_99.txt", "bert"}


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root ignores permissions")
def test_write_error_names_the_target_not_a_temp_file(tmp_path: Path) -> None:
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(OSError) as info:
            write_results_csv([], out / "results.csv")
        assert info.value.filename == str(out / "results.csv")
    finally:
        out.chmod(stat.S_IRWXU)


def test_write_error_when_target_is_a_folder_names_the_target(tmp_path: Path) -> None:
    target = tmp_path / "results.csv"
    target.mkdir()
    with pytest.raises(OSError) as info:
        write_results_csv([], target)
    assert info.value.filename == str(target)
    assert ".tmp" not in str(info.value)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no temp file left behind


def test_cli_write_error_names_the_target(tmp_path: Path) -> None:
    rd = make_round(tmp_path / "in", {"resnet": _runs([10.0, 11, 12, 13, 14])})
    out = tmp_path / "out"
    (out / "results.csv").mkdir(parents=True)
    proc = subprocess.run([sys.executable, "-m", "recommender.cli", "catalog", "import-mlperf", str(rd),
                           "--out", str(out)], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert str(out / "results.csv") in proc.stderr and ".tmp" not in proc.stderr
    assert "Traceback" not in proc.stderr
