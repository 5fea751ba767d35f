"""The app's file actions: export the recommendation, save and open scenario files, and ask before unsaved
edits are lost (a mixin of the app).

Each asks for a path in a :class:`~tui.screens.file_dialog.PathDialog`; reading runs in the app's ``io`` worker.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui import backend

if TYPE_CHECKING:  # pragma: no cover
    from recommender.models import Scenario

#: After the scenario's name in the sub-title while it has unsaved edits (as editors mark a modified file).
UNSAVED_MARK = " (modified)"


class FileActions:
    """Mixed into :class:`tui.app.RecommenderApp` (uses its ``recommendation``, ``scenario``, ``scenario_path``,
    ``_validated_form``, ``_open_worker``, ``_dialog_open``, ``notify`` and ``push_screen``)."""

    recommendation: Any
    scenario: Any
    scenario_path: Path | None
    _clean_scenario: Any
    _form_invalid: bool
    _started: bool

    #: The app's actions that do nothing while a dialog is open (the dialog has the keys): hidden from the footer
    #: then (a reviewer saw "1 Recommend … ^s Save" advertised under a dialog).
    QUIET_BEHIND_DIALOGS = frozenset({"show_view", "open_scenario", "save_scenario", "export", "solve_now", "help",
                                      "leave_field"})  # (Escape then is the dialog's own: cancel)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave_field" and not self._in_a_field():
            return False  # (a reviewer: "Esc Leave" was offered with no field focused)
        return not (action in self.QUIET_BEHIND_DIALOGS and self._dialog_open())

    def _in_a_field(self) -> bool:
        """Focus is on something Escape leaves: a form field, a filter, a list (not a view's content, the tabs)."""
        from textual.widgets._tabbed_content import ContentTabs

        from tui.widgets.recommendation import RecommendationPanel
        from tui.widgets.tables import FitTable

        focused = self.focused  # type: ignore[attr-defined]
        return focused is not None and not isinstance(focused, RecommendationPanel | FitTable | ContentTabs)

    @property
    def has_unsaved_edits(self) -> bool:
        """True when the form differs from the scenario as opened or last saved (or holds an invalid field)."""
        return self._form_invalid or (self.scenario is not None and self.scenario != self._clean_scenario)

    def show_unsaved(self) -> None:
        """Put the scenario's name in the sub-title, marked while it has unsaved edits (``has_unsaved_edits``)."""
        name = self.scenario.name if self.scenario is not None else ""
        self.sub_title = name + (UNSAVED_MARK if self.has_unsaved_edits else "")

    async def action_quit(self) -> None:
        """Quit; with unsaved edits, ask first (ctrl+s saves)."""
        if not self._started or not self.has_unsaved_edits:
            self.exit()
            return
        if self._dialog_open():
            return
        from tui.screens.confirm import ConfirmQuit

        def done(quit_: bool | None) -> None:
            if quit_:
                self.exit()

        self.push_screen(ConfirmQuit(), done)

    def action_export(self, fmt_name: str | None = None) -> None:
        if self._dialog_open():
            return
        from tui.screens.file_dialog import PathDialog

        if self.recommendation is None:
            self.notify("Nothing to export yet: no recommendation.", severity="warning")
            return
        if self._answer_is_stale():  # (save refuses an invalid scenario too)
            self.notify(self._export_refusal(), severity="error", timeout=10)
            return
        rec = self.recommendation
        formats = ["Markdown", "JSON"] if fmt_name != "json" else ["JSON", "Markdown"]
        # an absolute path, as saving offers: the folder it lands in is on screen (not only "recommendation.md")
        default = str(Path.cwd() / ("recommendation.json" if fmt_name == "json" else "recommendation.md"))

        def write(path: str, fmt_chosen: str) -> None:
            try:
                written = backend.export_recommendation(rec, path, fmt_chosen)
            except OSError as exc:
                self.notify(f"Could not write {path}: {exc}", severity="error")
                return
            self.notify(f"Wrote {written}", title="Exported")

        def done(result: tuple[str, str] | None) -> None:
            if result is not None:
                self._unless_declined(result[0], lambda: write(*result), scenario=False)

        self.push_screen(PathDialog("Export the recommendation", default, formats=formats,
                                    action_label="Export"), done)

    async def open_loaded(self, message: Any) -> None:
        """Show a scenario read from a file (``msg.ScenarioLoaded``); with unsaved edits, only once the user says
        so — asked after the file was read and checked (a reviewer was asked about a file that then failed)."""
        if self._started and self.has_unsaved_edits:  # type: ignore[attr-defined]
            from tui.screens.confirm import ConfirmDiscard  # (ctrl+o dropped unsaved edits without a word)

            self.push_screen(ConfirmDiscard(_what_opens(message)),  # type: ignore[attr-defined]
                             lambda go: self.call_later(self._open_now, message) if go else None)  # type: ignore[attr-defined]
            return
        await self._open_now(message)

    async def _open_now(self, message: Any) -> None:
        from tui.widgets.recommendation import RecommendationPanel

        self.scenario = message.scenario
        self._clean_scenario = message.scenario
        # one scenario of a file with several: saving asks for a file of its own (as `recommender tui --name`), not
        # to replace the file and its other scenarios
        self.scenario_path = None if message.name else Path(message.path)
        self._form_invalid = False
        panel = self.query_one(RecommendationPanel)  # type: ignore[attr-defined]
        panel.set_stale(False)
        panel.scroll_home(animate=False)  # another scenario's answer starts at its headline (a reviewer: mid-bill)
        await self._show_scenario(message.scenario)  # type: ignore[attr-defined]
        self.notify(f"Opened {_what_opens(message)}", title="Scenario")  # type: ignore[attr-defined]
        self.solve_now()  # type: ignore[attr-defined]

    def pick_scenario(self, message: Any) -> None:
        """Ask which scenario of a file with several to open (``msg.ScenarioChoices``); the one picked is read by
        name in the ``io`` worker and then opened like a file of one (errors listed, unsaved edits asked about)."""
        from tui.screens.pick_scenario import PickScenario

        def done(name: str | None) -> None:
            if name is not None:
                self._open_worker(message.path, name)

        self.push_screen(PickScenario(message.path, message.choices), done)

    def _export_refusal(self) -> str:
        """Why the answer shown is not exported: the fields to fix and why (as the banner names them), a failed
        solve, or the solve it waits for."""
        from tui.widgets.recommendation import RecommendationPanel
        from tui.widgets.scenario_form import ScenarioForm

        problems = self.query_one(ScenarioForm).problems()  # type: ignore[attr-defined]
        which = "last valid scenario" if self._form_invalid else "last scenario that solved"
        if problems:  # an invalid field, or the field a failed solve named
            return f"The answer shown is for the {which}; fix the scenario before you export it — {problems}."
        if self.query_one(RecommendationPanel).stale:  # type: ignore[attr-defined]
            return (f"The answer shown is for the {which}: this scenario could not be solved (see the status "
                    "above); fix it before you export.")
        return "The answer shown is for the previous scenario: wait for this one's solve before you export it."

    def _answer_is_stale(self) -> bool:
        """The answer shown is not the form's scenario's: a field is invalid, its solve failed or is running."""
        from tui.widgets.recommendation import RecommendationPanel

        panel = self.query_one(RecommendationPanel)  # type: ignore[attr-defined]
        return panel.stale or self.solved_generation != self.generation  # type: ignore[attr-defined]

    def action_save_scenario(self) -> None:
        if self._dialog_open():
            return
        from tui.screens.file_dialog import PathDialog

        scenario = self._validated_form()
        if scenario is None:
            from tui.widgets.scenario_form import ScenarioForm

            problems = self.query_one(ScenarioForm).problems()  # type: ignore[attr-defined]
            self.notify(f"The scenario has errors; fix them before saving — {problems}.", severity="error",
                        timeout=10)
            return
        default = str(self._save_default(scenario))

        def write(path: str) -> None:
            try:
                written = backend.save_scenario(scenario, path)
            except (OSError, ValueError) as exc:
                self.notify(f"Could not save: {exc}", severity="error")
                return
            self.scenario_path = Path(written)
            self._clean_scenario = scenario
            self.show_unsaved()
            self.notify(f"Saved {written}", title="Scenario")

        def done(result: tuple[str, str] | None) -> None:
            if result is not None:
                self._unless_declined(result[0], lambda: write(result[0]))

        self.push_screen(PathDialog("Save the scenario as YAML", default, action_label="Save"), done)

    def _unless_declined(self, path: str, write: Callable[[], None], *, scenario: bool = True) -> None:
        """``write()`` now, or after asking when ``path`` is an existing file other than the open scenario's own
        (saving over another file silently dropped its comments — a shipped example's among them)."""
        from tui.screens.confirm import ConfirmOverwrite

        target = Path(path).expanduser()
        own = self.scenario_path is not None and target.exists() and target.resolve() == self.scenario_path.resolve()
        if not target.is_file() or own:
            write()
            return
        self.push_screen(ConfirmOverwrite(str(target), scenario=scenario),
                         lambda overwrite: write() if overwrite else None)

    def _save_default(self, scenario: Scenario) -> Path:
        """Where to offer saving: the file it came from, unless that is a shipped example."""
        path = self.scenario_path
        if path is not None and not backend.is_shipped_example(path):
            return path
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in scenario.name).strip("-") or "scenario"
        return Path.cwd() / f"{safe}.yaml"

    def action_open_scenario(self) -> None:
        if self._dialog_open():
            return
        from tui.screens.file_dialog import PathDialog

        default = str(self.scenario_path or backend.EXAMPLES_DIR)

        def done(result: tuple[str, str] | None) -> None:
            if result is not None:  # read and checked first: unsaved edits are asked about only for a valid file
                self._open_worker(result[0])  # (tui.app._scenario_loaded)

        self.push_screen(PathDialog("Open a scenario YAML file", default, must_exist=True, action_label="Open"),
                         done)


def _what_opens(message: Any) -> str:
    """The file a ``msg.ScenarioLoaded`` came from, and the scenario's name when the file holds several."""
    return f"{message.name!r} from {message.path}" if message.name else str(message.path)
