"""The cached start-up answer (tui.warm_start): shown at once for identical inputs, replaced by the fresh solve,
never shown when the scenario, the catalog or the model differs, and a corrupt file is ignored."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from tui_fakes import fake_optimize, settle
from tui_fakes import text_of as _text

from tui import warm_start
from tui.widgets.recommendation import RecommendationPanel

SIZE = (160, 45)


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MLPERF_RECOMMENDER_CACHE", str(tmp_path))
    return tmp_path


def _gated() -> tuple[Any, threading.Event]:
    """A fake optimizer that waits for the test to let it finish (a slow fresh solve); its answer differs."""
    gate = threading.Event()

    def optimize(scenario: Any, catalog: Any = None) -> Any:
        assert gate.wait(30)
        return fake_optimize(scenario.model_copy(update={"budget_usd": 450000}), catalog)

    return optimize, gate


async def _first_run(make_app: Any, **kwargs: Any) -> Any:
    app = make_app(warm_start=True, **kwargs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert not app.showing_cached  # nothing cached yet
    return app.recommendation


async def test_cached_answer_shown_before_the_solve_then_replaced(make_app: Any, _cache: Path) -> None:
    first = await _first_run(make_app)
    assert list(_cache.glob("answer-*.json"))
    optimize, gate = _gated()
    app = make_app(warm_start=True, optimize=optimize)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.query_one(RecommendationPanel)
        assert app.showing_cached and panel.cached
        assert app.recommendation is None  # the fresh solve has not finished
        assert panel.recommendation == first
        assert "Cached answer for this scenario" in _text(app, "#rec-status")
        assert "A30 PCIe 24GB" in _text(app, "#rec-headline")  # names stored with the answer
        gate.set()
        await settle(app, pilot)
        assert not app.showing_cached and not panel.cached
        assert panel.recommendation == app.recommendation != first  # the fresh answer replaced it
        assert "Cached" not in _text(app, "#rec-status")


async def test_failed_fresh_solve_keeps_the_cached_answer_labelled_not_rechecked(make_app: Any, _cache: Path) -> None:
    first = await _first_run(make_app)

    def broken(scenario: Any, catalog: Any = None) -> Any:
        raise RuntimeError("solver exploded")

    app = make_app(warm_start=True, optimize=broken)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        panel = app.query_one(RecommendationPanel)
        status = _text(app, "#rec-status")
        assert app.recommendation is None and panel.recommendation == first  # the cached answer stays on screen
        assert app.showing_cached and panel.cached
        assert "NOT re-checked" in status and "solver exploded" in status  # ...saying it was not re-checked, and why


async def test_changed_scenario_shows_no_cached_answer(make_app: Any, seed_scenario: Any) -> None:
    await _first_run(make_app)
    optimize, gate = _gated()
    app = make_app(warm_start=True, optimize=optimize, scenario=seed_scenario.model_copy(update={"budget_usd": 1}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.showing_cached
        assert app.query_one(RecommendationPanel).recommendation is None
        gate.set()
        await settle(app, pilot)


async def test_changed_catalog_or_model_shows_no_cached_answer(make_app: Any, cat: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    await _first_run(make_app)
    other = dataclasses.replace(cat, fingerprint="0" * 64)
    assert warm_start.startup_key(None, None, cat.fingerprint) is None  # unreadable inputs: no key
    for kwargs in ({"catalog": other}, {}):
        if not kwargs:  # same catalog, another model version
            from recommender.performance import model_key

            monkeypatch.setattr(model_key, "MODEL_VERSION", model_key.MODEL_VERSION + 1)
        optimize, gate = _gated()
        app = make_app(warm_start=True, optimize=optimize, **kwargs)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert not app.showing_cached, kwargs
            gate.set()
            await settle(app, pilot)


async def test_corrupt_cache_file_is_ignored(make_app: Any, _cache: Path) -> None:
    await _first_run(make_app)
    (path,) = _cache.glob("answer-*.json")
    for text in ("{not json", '{"format": "mlperf-recommender/cached-answer"}', "[]", path.read_text()[:200]):
        path.write_text(text)
        app = make_app(warm_start=True)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert not app.showing_cached
            assert app.recommendation is not None  # solved as usual, and stored again
    assert warm_start.read_answer(warm_start.startup_key(None, None, None)) is None


def test_reading_the_cached_answer_does_not_import_pandas(cat: Any) -> None:
    code = ("import sys; from tui import warm_start, backend; "
            "k = warm_start.startup_key(None, backend.default_scenario_path(), None); warm_start.read_answer(k); "
            f"import catalog; assert k and catalog.data_fingerprint() == {cat.fingerprint!r}; "
            "assert 'pandas' not in sys.modules, 'pandas imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


async def test_cached_answer_for_the_seed_file_while_the_catalog_loads(make_app: Any) -> None:
    """The app's own start-up (no catalog or scenario passed in): keyed on the seed file; loads after the paint."""
    first = await _first_run(make_app, catalog=None, scenario=None)
    optimize, gate = _gated()
    app = make_app(warm_start=True, optimize=optimize, catalog=None, scenario=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.showing_cached
        assert app.query_one(RecommendationPanel).recommendation == first
        gate.set()
        await settle(app, pilot)
        assert not app.showing_cached and app.recommendation != first
        assert app.scenario.name == "seed" and app.catalog is not None
