"""Snapshot tests of the main screens (fixed catalog and scenario, fake optimizer: deterministic).

Regenerate after an intended change with ``pytest tests/tui --snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Input, Select
from tui_fakes import settle

SIZE = (160, 45)


async def _ready(pilot: Any) -> None:
    await settle(pilot.app, pilot)
    pilot.app.set_focus(None)  # no blinking cursor in the picture
    await pilot.wait_for_scheduled_animations()  # e.g. the tab underline sliding
    await pilot.pause(0.1)  # DataTable sizes its columns when idle
    await pilot.pause()


def test_snapshot_recommend(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_ready)


def test_snapshot_recommend_invalid_power(snap_compare: Any, make_app: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot.app, pilot)
        pilot.app.query_one("#power_limit_kw", Input).value = "-5"
        await _ready(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_snapshot_frontier(snap_compare: Any, make_app: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot.app, pilot)
        await pilot.press("escape", "f3")
        await _ready(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_snapshot_catalog_filtered_and_ranked(snap_compare: Any, make_app: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot.app, pilot)
        await pilot.press("escape", "f4")
        await pilot.pause()
        app = pilot.app
        app.query_one("#f-benchmark", Select).value = "bert"
        app.query_one("#f-round", Select).value = "v5.0"
        await pilot.pause()
        table = app.query_one("#catalog-table", DataTable)
        table.focus()
        await pilot.press("enter")
        await _ready(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_snapshot_model(snap_compare: Any, make_app: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot.app, pilot)
        await pilot.press("escape", "f5")
        await _ready(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_snapshot_help(snap_compare: Any, make_app: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot.app, pilot)
        pilot.app.set_focus(None)
        await pilot.press("f1")
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(0.1)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


# Issue 13: the recommendation and catalog views at small and medium terminals.
def _catalog_before(pilot_size: tuple[int, int]) -> Any:
    async def run_before(pilot: Any) -> None:
        await settle(pilot.app, pilot)
        await pilot.press("f4")
        await settle(pilot.app, pilot)
        await _ready(pilot)

    return run_before


def test_snapshot_recommend_80x24(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_ready)


def test_snapshot_recommend_120x40(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_ready)


def test_snapshot_catalog_80x24(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_catalog_before((80, 24)))


def test_snapshot_catalog_120x40(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_catalog_before((120, 40)))
