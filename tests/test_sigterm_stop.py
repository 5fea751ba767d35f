"""SIGTERM stops a sweep or a batch even when its exception is lost.

The CLI's SIGTERM handler raises a KeyboardInterrupt subclass where the main thread happens to be; code that
catches it there (a library's clean-up, a swallowing ``except``, a pool being torn down) used to let the sweep run
on. The handler now also sets a stop flag that the loops look at between chunks and rows.
"""

from __future__ import annotations

import shutil
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest
from optimize_fakes import fake_predict
from sweep_helpers import EXAMPLES, write_sweep

from recommender import workers
from recommender.sweep import engine, load_sweep, open_output, run_sweep


@pytest.fixture(autouse=True)
def _no_stop() -> Iterator[None]:
    """Each test starts without a requested stop, and with this process's SIGTERM handler put back."""
    before = signal.getsignal(signal.SIGTERM)
    workers.clear_stop()
    yield
    workers.clear_stop()
    signal.signal(signal.SIGTERM, before)


def _swallowing_sigterm_at(monkeypatch: pytest.MonkeyPatch, row: int) -> list[int]:
    """Explained rows (``engine.slow_row``) where the CLI's SIGTERM handler runs at row ``row`` and its exception is
    swallowed, as a library catching KeyboardInterrupt would; returns the count of rows solved."""
    from recommender.cli import _on_sigterm

    real, calls = engine.slow_row, [0]

    def slow_row(*args: object, **kw: object) -> dict:
        calls[0] += 1
        if calls[0] == row:
            try:
                _on_sigterm(signal.SIGTERM, None)
            except KeyboardInterrupt:
                pass  # lost: what let the sweep run on
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "slow_row", slow_row)
    return calls


def test_a_sweep_stops_between_rows_when_the_sigterm_exception_was_swallowed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    plan = load_sweep(write_sweep(tmp_path, budgets=4, powers=[20, 40]))
    calls = _swallowing_sigterm_at(monkeypatch, 7)
    out = tmp_path / "r.parquet"
    stats = run_sweep(plan, open_output(out, plan, resume=False), jobs=1, explain=True, chunk=5)
    assert stats.interrupted and stats.terminated
    assert calls[0] == 7  # the row it landed in is finished, no other row starts
    assert stats.done == 5 and len(list(out.glob("part-*.parquet"))) == 1  # the finished chunk is kept


def test_the_cli_exits_143_and_keeps_the_previous_csv_when_the_sigterm_exception_was_swallowed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from recommender.cli import run

    path = write_sweep(tmp_path, budgets=4, powers=[20, 40])
    out = tmp_path / "r.csv"
    out.write_text("a complete earlier sweep\n")
    _swallowing_sigterm_at(monkeypatch, 3)
    code = run(["sweep", str(path), "--out", str(out), "-j", "1", "--chunk", "5", "--explain"])
    err = capsys.readouterr().err
    assert code == 143, err
    assert f"terminated: nothing written to {out}" in err
    assert out.read_text() == "a complete earlier sweep\n"


def test_a_sweep_stops_between_chunks_when_a_stop_is_requested_without_an_exception(tmp_path: Path) -> None:
    plan = load_sweep(write_sweep(tmp_path, budgets=10, powers=[20, 40]))  # the fast path: no row loop
    out = tmp_path / "r.parquet"

    def on_progress(done: int, total: int) -> None:
        if done >= 8:
            workers.request_stop()

    stats = run_sweep(plan, open_output(out, plan, resume=False), jobs=1, chunk=4, on_progress=on_progress)
    assert stats.interrupted and stats.terminated
    assert stats.done == 8 and len(list(out.glob("part-*.parquet"))) == 2


def test_waiting_for_worker_processes_ends_when_a_stop_is_requested() -> None:
    from recommender.sweep.runners import _first_done

    never = Future()  # a chunk whose worker does not answer (or whose answer is slow)
    threading.Timer(0.3, workers.request_stop).start()
    start = time.monotonic()
    with pytest.raises(workers.Terminated):
        _first_done({never})
    assert time.monotonic() - start < 5


def test_the_first_sigterm_gives_the_second_its_default_action() -> None:
    from recommender.cli import _on_sigterm, _Terminated

    with pytest.raises(_Terminated) as caught:
        _on_sigterm(signal.SIGTERM, None)
    assert caught.value.terminated
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # a second SIGTERM ends the process at once
    with pytest.raises(workers.Terminated):
        workers.raise_if_stopped()


def test_a_batch_stops_between_scenarios_when_the_sigterm_exception_was_swallowed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import recommender.api
    from recommender.batch import run_batch
    from recommender.cli import _on_sigterm

    for n in range(3):
        shutil.copy(EXAMPLES / "seed.yaml", tmp_path / f"s{n}.yaml")
    real, calls = recommender.api.optimize, [0]

    def optimize(*args: object, **kw: object) -> object:
        calls[0] += 1
        try:
            _on_sigterm(signal.SIGTERM, None)
        except KeyboardInterrupt:
            pass
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(recommender.api, "optimize", optimize)
    with pytest.raises(workers.Terminated):
        run_batch([str(tmp_path)], jobs=1, predictor=fake_predict)
    assert calls[0] == 1
