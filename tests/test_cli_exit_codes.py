"""Exit codes and messages of the console script (issue 15): 0 ok, 1 infeasible, 2 invalid input, 3 internal
error, 130 Ctrl-C; --jobs capped at the CPU count; no worker process outlives a batch; CSV cells are text."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from recommender import cli as cli_module
from recommender.batch import BatchRow, RowStatus, rows_to_csv
from recommender.errors import ScenarioError
from recommender.workers import cpu_count

RECOMMENDER = [sys.executable, "-m", "recommender.cli"]


@pytest.mark.parametrize("command", ["batch", "sweep"])
def test_jobs_above_the_cpu_count_is_refused_with_a_clear_message(tmp_path: Path, command: str,
                                                                   capfd: pytest.CaptureFixture[str]) -> None:
    # sweep took --jobs 99 and forked 99 workers on 2 CPUs
    if command == "sweep":
        from sweep_helpers import write_sweep

        args = ["sweep", str(write_sweep(tmp_path, budgets=2)), "--out", str(tmp_path / "o.parquet")]
    else:
        args = ["batch", str(tmp_path), "--out", str(tmp_path / "o.csv")]
    code = cli_module.run([*args, "--jobs", "10000"])
    assert code == 2
    err = capfd.readouterr().err
    assert f"this machine has {cpu_count()} CPUs: use at most {cpu_count()} workers" in err
    assert "Traceback" not in err


def test_the_library_clamps_jobs_to_the_cpu_count() -> None:
    from recommender.batch import _effective_jobs

    assert _effective_jobs(10_000, "solve", 10) == cpu_count()
    assert _effective_jobs(-10_000, "solve", 10) == 1
    from recommender.sweep.runners import _jobs

    assert _jobs(10_000, 10) == cpu_count() and _jobs(-10_000, 10) == 1


def test_an_internal_error_is_one_line_exit_3_and_debug_shows_the_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    import recommender.scenario as scenarios

    def boom(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("deep inside")

    monkeypatch.setattr(scenarios, "load_located", boom)
    monkeypatch.delenv("RECOMMENDER_DEBUG", raising=False)
    f = tmp_path / "s.yaml"
    f.write_text("budget_usd: 1\n")
    assert cli_module.run(["optimize", str(f)]) == 3
    err = capfd.readouterr().err
    assert err == ("internal error: ZeroDivisionError: deep inside (set RECOMMENDER_DEBUG=1 for the traceback)\n")
    monkeypatch.setenv("RECOMMENDER_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        cli_module.run(["optimize", str(f)])


def test_invalid_input_is_exit_2_and_warnings_stay_off_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capfd: pytest.CaptureFixture[str]) -> None:
    import recommender.scenario as scenarios

    def warn_then_fail(path: object, **kwargs: object) -> None:
        warnings.warn("overflow encountered in exp", RuntimeWarning, stacklevel=1)
        raise ScenarioError("must be greater than 0", field="budget_usd", file=str(path), line=1)

    monkeypatch.setattr(scenarios, "load_located", warn_then_fail)
    monkeypatch.delenv("RECOMMENDER_DEBUG", raising=False)
    f = tmp_path / "s.yaml"
    f.write_text("budget_usd: 0\n")
    assert cli_module.run(["optimize", str(f)]) == 2
    assert capfd.readouterr().err == f"{f}:1: budget_usd: must be greater than 0\n"


def test_formula_like_csv_cells_are_written_as_text() -> None:
    rows = [BatchRow(name="=HYPERLINK(\"http://x\")", file="+cmd.yaml", status=RowStatus.ERROR, line=1,
                     error="-2+3 @SUM(A1)", choice="@x", objective_value=-1.5)]
    record = next(csv.DictReader(io.StringIO(rows_to_csv(rows))))
    assert record["name"] == "'=HYPERLINK(\"http://x\")"
    assert record["file"] == "'+cmd.yaml"
    assert record["error"] == "'-2+3 @SUM(A1)"
    assert record["choice"] == "'@x"
    assert record["objective_value"] == "-1.5"  # numbers stay numbers
    assert record["status"] == "error"


# ------------------------------------------------------------------------------- processes


def _children(pid: int) -> set[int]:
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.add(int(entry))
    return out


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] != "Z":
                    alive.add(p)
        except OSError:
            pass
    return alive


@pytest.fixture
def big_batch(tmp_path: Path) -> Path:
    d = tmp_path / "many"
    d.mkdir()
    for i in range(3000):
        (d / f"s{i}.yaml").write_text(f"name: s{i}\nmix: true\nbudget_usd: {1_000_000 + i}\n"
                                      "workloads: [{benchmark: bert}, {benchmark: resnet}, {benchmark: unet3d}]\n")
    return d


def _start_batch(big_batch: Path, tmp_path: Path) -> tuple[subprocess.Popen[str], set[int]]:
    proc = subprocess.Popen(
        [*RECOMMENDER, "batch", str(big_batch), "--out", str(tmp_path / "o.csv"), "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509 - a background shell ignores SIGINT
    )
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        if len(workers) >= 2:
            break
        time.sleep(0.2)
    assert proc.poll() is None and workers, "the batch started no workers"
    time.sleep(1.0)
    return proc, _children(proc.pid)


def _wait_gone(pids: set[int], seconds: float = 20) -> set[int]:
    deadline = time.monotonic() + seconds
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return _alive(pids)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_exits_130_with_one_line_and_ends_the_workers(big_batch: Path, tmp_path: Path) -> None:
    proc, workers = _start_batch(big_batch, tmp_path)
    try:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == "interrupted" and "Traceback" not in err
    assert _wait_gone(workers) == set()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killing_a_batch_leaves_no_worker_running(big_batch: Path, tmp_path: Path) -> None:
    proc, workers = _start_batch(big_batch, tmp_path)
    proc.kill()
    proc.communicate(timeout=60)
    left = _wait_gone(workers)
    for pid in left:  # never leave processes behind, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert left == set()


@pytest.mark.parametrize(("args", "message"), [
    (["catalog", "rank", "--benchmark", "bert", "--round", "v9.9"],
     "error: --round: the catalog has no results of round v9.9 (it holds v0.7, "),
    (["catalog", "rank", "--benchmark", "bert", "--round", "two"], "error: --round: not a round name: 'two'"),
    (["model", "predict", "nvidia-h100-sxm5-80gb", "8", "bert", "--round", "two"],
     "error: --round: not a round name: 'two'"),
    # and impossible configurations (8 accelerators on 3 nodes answered 6.43 min; 99,999,999,999 answered 0.08)
    (["model", "predict", "nvidia-h100-sxm5-80gb", "8", "bert", "--nodes", "3"], "error: --nodes: must be between 1"),
    (["model", "predict", "nvidia-h100-sxm5-80gb", "99999999999", "bert"], "error: ACCELERATORS: at most 65,536"),
    # 16 H100 SXM on one node: no 8-GPU HGX server holds them (it answered a node-term extrapolation)
    (["model", "predict", "nvidia-h100-sxm5-80gb", "64", "bert", "--nodes", "4"],
     "error: nodes: 64 x nvidia-h100-sxm5-80gb on 4 nodes puts 16 on a node; the catalog's servers hold at most 8"),
    (["model", "predict", "nvidia-h100-sxm5-80gb", "0", "bert"], "error: ACCELERATORS: must be a whole number >= 1"),
])  # fmt: skip
def test_an_unknown_round_or_impossible_configuration_is_an_error_not_an_answer(args: list[str], message: str) -> None:
    # a new user's review: `--round v9.9` (or a typo) printed "no scored results match these filters", exit 0
    from click.testing import CliRunner

    result = CliRunner().invoke(cli_module.cli, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(message), result.stderr


def test_a_round_without_its_v_is_that_round() -> None:
    from click.testing import CliRunner

    from catalog.registry import canonical_round

    assert canonical_round("2.0") == canonical_round(" V2.0 ") == "v2.0"
    plain = CliRunner().invoke(cli_module.cli, ["catalog", "rank", "--benchmark", "bert", "--round", "2.0", "--json"])
    with_v = CliRunner().invoke(cli_module.cli, ["catalog", "rank", "--benchmark", "bert", "--round", "v2.0", "--json"])
    assert plain.exit_code == with_v.exit_code == 0
    assert plain.stdout == with_v.stdout and '"round": "v2.0"' in plain.stdout
