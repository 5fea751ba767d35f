"""Fixtures for the TUI tests: the shipped catalog, a fixed seed scenario, and an app factory.

``async def`` tests run on a fresh event loop through the hook below (no pytest plugin needed).
Pilot tests inject the deterministic fake optimizer from :mod:`tui_fakes` so they are fast and the
snapshots do not move when the performance model is refitted.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

import pytest
from tui_fakes import fake_candidates, fake_frontier, fake_model_report, fake_optimize

SEED = {
    "version": 1,
    "name": "seed",
    "budget_usd": 200000,
    "workloads": [
        {"benchmark": "bert", "share": 1},
        {"benchmark": "resnet", "share": 1},
        {"benchmark": "unet3d", "share": 1},
    ],
    "accelerators": ["nvidia-a30-pcie-24gb", "nvidia-a100-pcie-80gb"],
    "prices": {"nvidia-a100-pcie-80gb": 15000},
}

SIZE = (160, 45)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        names = pyfuncitem._fixtureinfo.argnames
        asyncio.run(pyfuncitem.obj(**{n: pyfuncitem.funcargs[n] for n in names}))
        return True
    return None


@pytest.fixture(scope="session")
def cat() -> Any:
    import catalog

    return catalog.load()


@pytest.fixture
def seed_scenario() -> Any:
    from recommender.models import parse_scenario

    return parse_scenario(SEED)


@pytest.fixture
def make_app(cat: Any, seed_scenario: Any) -> Callable[..., Any]:
    from tui.app import RecommenderApp

    def make(**kwargs: Any) -> RecommenderApp:
        kwargs.setdefault("catalog", cat)
        kwargs.setdefault("scenario", seed_scenario)
        kwargs.setdefault("optimize", fake_optimize)
        kwargs.setdefault("frontier", fake_frontier)
        kwargs.setdefault("model_report", fake_model_report)
        kwargs.setdefault("candidates", fake_candidates)
        kwargs.setdefault("debounce", 0.05)
        app = RecommenderApp(**kwargs)
        app.animation_level = "none"  # deterministic pictures: no sliding underlines or fades
        return app

    return make
