"""Opening a file with several scenarios (``scenarios:``) through ctrl+o: the app asks which one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input, OptionList
from tui_fakes import scrolled_to_the_end, settle

from tui.backend import EXAMPLES_DIR

SIZE = (160, 45)
SWEEP = EXAMPLES_DIR / "budget-sweep.yaml"  # pilot, team, department, department-throughput


async def _open(app: Any, pilot: Any, path: Path) -> None:
    """ctrl+o, ``path`` and Enter; wait until the file was read (a dialog may ask next)."""
    await pilot.press("ctrl+o")
    await pilot.pause()
    app.screen.query_one("#dialog-path", Input).value = str(path)
    await pilot.press("enter")
    await settle(app, pilot)


async def _edited(app: Any, pilot: Any) -> None:
    """Give the seed scenario an unsaved edit (a budget of $100,000)."""
    await settle(app, pilot)
    budget = app.query_one("#budget_usd", Input)
    budget.focus()
    budget.value = "100000"
    await settle(app, pilot)
    assert app.has_unsaved_edits


async def test_ctrl_o_on_a_file_of_several_scenarios_asks_which_and_opens_it(make_app: Any) -> None:
    """A reviewer: ctrl+o on examples/budget-sweep.yaml said to restart with `recommender tui PATH --name NAME`."""
    from tui.screens.confirm import ConfirmDiscard
    from tui.screens.pick_scenario import PickScenario

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _edited(app, pilot)
        await _open(app, pilot, SWEEP)
        assert isinstance(app.screen, PickScenario)  # asked before the unsaved edits are
        listed = app.screen.query_one(OptionList)
        prompts = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        assert [p.split()[0] for p in prompts] == ["pilot", "team", "department", "department-throughput"]
        assert "$400,000" in prompts[1] and "max_throughput" in prompts[3]
        await pilot.press("down", "enter")  # the second: team
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDiscard) and "'team' from" in app.screen.question_text()
        await pilot.press("y")
        await settle(app, pilot)
        assert not app._dialog_open()
        assert app.scenario.name == "team" and app.scenario.budget_usd == 400_000
        assert app.query_one("#name", Input).value == "team"
        assert app.query_one("#budget_usd", Input).value == "$400,000"
        assert not app.has_unsaved_edits
        assert app.scenario_path is None  # saving asks for a file of its own: not over the four-scenario file
        assert not [n for n in app._notifications if n.severity == "error"]


async def test_escape_in_the_scenario_picker_opens_nothing(make_app: Any) -> None:
    from tui.screens.pick_scenario import PickScenario

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _edited(app, pilot)
        before, path = app.scenario, app.scenario_path
        await _open(app, pilot, SWEEP)
        assert isinstance(app.screen, PickScenario)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not app._dialog_open()  # no question about the unsaved edits either
        assert app.scenario == before and app.scenario_path == path
        assert app.query_one("#budget_usd", Input).value == "100000" and app.has_unsaved_edits  # as typed
        assert not [n for n in app._notifications if n.severity == "error"]


async def test_an_invalid_scenario_is_marked_in_the_picker_and_opening_it_lists_its_errors(
        make_app: Any, tmp_path: Path) -> None:
    from tui.screens.pick_scenario import PickScenario

    f = tmp_path / "two.yaml"
    f.write_text("version: 1\nscenarios:\n  - name: good\n    budget_usd: 100000\n    workloads: [{benchmark: bert}]\n"
                 "  - name: bad\n    budget_usd: -5\n    workloads: [{benchmark: nosuch}]\n")  # fmt: skip
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        before = app.scenario
        await _open(app, pilot, f)
        assert isinstance(app.screen, PickScenario)
        listed = app.screen.query_one(OptionList)
        assert "invalid (line 7)" in str(listed.get_option_at_index(1).prompt)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        [note] = [n for n in app._notifications if n.title == "Cannot open two.yaml"]
        assert "must be greater than 0" in note.message and "unknown benchmark 'nosuch'" in note.message
        assert app.scenario == before


async def test_starting_on_a_file_of_several_scenarios_asks_which(make_app: Any) -> None:
    """`recommender tui examples/budget-sweep.yaml` exited 2 with "open it with --name NAME" (a helper noticed):
    the app now starts and asks, as ctrl+o does."""
    from tui.screens.pick_scenario import PickScenario

    app = make_app(open_after_start=str(SWEEP))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, PickScenario)
        await pilot.press("down", "down", "enter")  # department
        await settle(app, pilot)
        assert app.scenario.name == "department" and app.scenario.budget_usd == 900_000
        assert app.scenario_path is None and not app.has_unsaved_edits


async def test_an_opened_scenarios_answer_starts_at_its_headline(make_app: Any) -> None:
    """A reviewer: after ctrl+o the new answer showed mid-bill, where the previous one had been scrolled to."""
    app = make_app()
    async with app.run_test(size=(160, 30)) as pilot:
        panel = await scrolled_to_the_end(app, pilot)
        await _open(app, pilot, SWEEP)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert app.scenario.name == "team" and panel.scroll_y == 0
