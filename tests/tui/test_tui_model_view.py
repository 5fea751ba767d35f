"""The Model view runs the long evaluation only when asked: a visit shows the cached summary or says how to run it.

Every test fakes the report (the real one evaluates on the final test round, which tests never look at).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, DataTable
from tui_fakes import fake_model_report, settle, show_view
from tui_fakes import text_of as _text

from tui import backend

SIZE = (160, 45)


class CountingReport:
    """A report with no cached summary until the evaluation has run once; records every call."""

    def __init__(self) -> None:
        self.calls: list[bool] = []  # cached_only of each call
        self.cached = False

    def __call__(self, catalog: Any = None, *, cached_only: bool = False) -> Any:
        self.calls.append(cached_only)
        if cached_only and not self.cached:
            return None
        self.cached = True
        return fake_model_report(catalog)

    @property
    def evaluations(self) -> int:
        return self.calls.count(False)


def _footer_keys(app: Any) -> set[str]:
    return {b.key for _, b, enabled, _ in app.screen.active_bindings.values() if enabled}


async def test_visiting_the_model_view_does_not_evaluate_and_e_does(make_app: Any) -> None:
    """F5 (a user's "refresh" habit) shows the cache or an explanation and a button; only the action evaluates."""
    report = CountingReport()
    app = make_app(model_report=report)
    async with app.run_test(size=SIZE) as pilot:
        await show_view(app, pilot, "f5")
        await settle(app, pilot)
        assert report.evaluations == 0 and report.calls == [True]  # the cache was looked at, nothing computed
        assert "has not been computed for this catalog yet" in _text(app, "#model-status")
        button = app.query_one("#model-run", Button)
        assert button.display and not button.disabled and "Run the evaluation" in str(button.label)
        assert app.query_one("#model-table", DataTable).row_count == 0
        assert "e" in _footer_keys(app)
        for key in ("f2", "f5", "f3", "f5"):  # pressing F5 again, from another view, still computes nothing
            await pilot.press(key)
            await settle(app, pilot)
        assert report.evaluations == 0
        await pilot.press("e")
        await settle(app, pilot)
        assert report.evaluations == 1
        assert app.query_one("#model-table", DataTable).row_count == 4
        assert "fake report for tests" in _text(app, "#model-status")
        assert not button.display and "e" not in _footer_keys(app)  # done: nothing left to run
        await pilot.press("e", "f2", "f5")
        await settle(app, pilot)
        assert report.evaluations == 1


async def test_the_button_and_the_palette_run_the_evaluation(make_app: Any) -> None:
    report = CountingReport()
    app = make_app(model_report=report)
    async with app.run_test(size=SIZE) as pilot:
        await show_view(app, pilot, "f5")
        await settle(app, pilot)
        assert app.focused is app.query_one("#model-run", Button)  # Enter runs it
        await pilot.press("enter")
        await settle(app, pilot)
        assert report.evaluations == 1 and app.query_one("#model-table", DataTable).row_count == 4

    report = CountingReport()
    app = make_app(model_report=report)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.action_evaluate_model()  # "Run the model evaluation" in the palette, from the Recommend view
        await settle(app, pilot)
        assert app.query_one("#views").active == "model"
        assert report.evaluations == 1 and app.query_one("#model-table", DataTable).row_count == 4


async def test_a_cached_summary_is_shown_on_the_visit(make_app: Any) -> None:
    report = CountingReport()
    report.cached = True
    app = make_app(model_report=report)
    async with app.run_test(size=SIZE) as pilot:
        await show_view(app, pilot, "f5")
        await settle(app, pilot)
        assert report.calls == [True]
        assert app.query_one("#model-table", DataTable).row_count == 4
        assert not app.query_one("#model-run", Button).display


async def test_a_failed_evaluation_offers_to_try_again(make_app: Any) -> None:
    calls: list[bool] = []

    def report(catalog: Any = None, *, cached_only: bool = False) -> Any:
        calls.append(cached_only)
        if cached_only:
            return None
        raise RuntimeError("no memory left")

    app = make_app(model_report=report)
    async with app.run_test(size=SIZE) as pilot:
        await show_view(app, pilot, "f5")
        await pilot.press("e")
        await settle(app, pilot)
        assert "Model accuracy is not available: RuntimeError: no memory left" in _text(app, "#model-status")
        button = app.query_one("#model-run", Button)
        assert button.display and "Try again" in str(button.label)
        await pilot.press("e")
        await settle(app, pilot)
        assert calls.count(False) == 2


def test_model_report_cached_only_reads_the_cache_and_never_evaluates(cat: Any, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from recommender.performance import evaluate as evaluate_mod
    from recommender.performance import model_key

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the evaluation ran")

    monkeypatch.setenv("MLPERF_RECOMMENDER_CACHE", str(tmp_path))
    monkeypatch.setattr(evaluate_mod, "evaluate", refuse)
    assert backend.model_report(cat, cached_only=True) is None
    # the file the real report writes after an evaluation (named by the catalog's fingerprint and the model's code)
    path = model_key.cache_dir() / f"tui-model-report-{cat.fingerprint[:16]}-{model_key.code_fingerprint()}.json"
    by, _, _ = fake_model_report()
    path.write_text(json.dumps({"table": json.loads(by.reindex(columns=backend.MODEL_REPORT_COLUMNS)
                                                    .to_json(orient="records")), "points": []}))
    found = backend.model_report(cat, cached_only=True)
    assert found is not None
    frame, points, source = found
    assert list(frame["group"]) == ["all", "bert", "resnet", "unet3d"] and len(points) == 0
    assert source.endswith("(cached)")
