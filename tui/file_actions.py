"""The app's file actions: export the recommendation, save and open scenario files (a mixin of the app).

Each asks for a path in a :class:`~tui.screens.file_dialog.PathDialog`; reading runs in the app's ``io`` worker.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui import backend

if TYPE_CHECKING:  # pragma: no cover
    from recommender.models import Scenario


class FileActions:
    """Mixed into :class:`tui.app.RecommenderApp` (uses its ``recommendation``, ``scenario_path``,
    ``_validated_form``, ``_open_worker``, ``_dialog_open``, ``notify`` and ``push_screen``)."""

    recommendation: Any
    scenario_path: Path | None
    _clean_scenario: Any

    def action_export(self, fmt_name: str | None = None) -> None:
        if self._dialog_open():
            return
        from tui.screens.file_dialog import PathDialog

        if self.recommendation is None:
            self.notify("Nothing to export yet: no recommendation.", severity="warning")
            return
        rec = self.recommendation
        formats = ["Markdown", "JSON"] if fmt_name != "json" else ["JSON", "Markdown"]
        # an absolute path, as saving offers: the folder it lands in is on screen (not only "recommendation.md")
        default = str(Path.cwd() / ("recommendation.json" if fmt_name == "json" else "recommendation.md"))

        def done(result: tuple[str, str] | None) -> None:
            if result is None:
                return
            path, fmt_chosen = result
            try:
                written = backend.export_recommendation(rec, path, fmt_chosen)
            except OSError as exc:
                self.notify(f"Could not write {path}: {exc}", severity="error")
                return
            self.notify(f"Wrote {written}", title="Exported")

        self.push_screen(PathDialog("Export the recommendation", default, formats=formats,
                                    action_label="Export"), done)

    def action_save_scenario(self) -> None:
        if self._dialog_open():
            return
        from tui.screens.file_dialog import PathDialog

        scenario = self._validated_form()
        if scenario is None:
            self.notify("The scenario has errors; fix them before saving.", severity="error")
            return
        default = str(self._save_default(scenario))

        def done(result: tuple[str, str] | None) -> None:
            if result is None:
                return
            try:
                written = backend.save_scenario(scenario, result[0])
            except (OSError, ValueError) as exc:
                self.notify(f"Could not save: {exc}", severity="error")
                return
            self.scenario_path = Path(written)
            self._clean_scenario = scenario
            self.notify(f"Saved {written}", title="Scenario")

        self.push_screen(PathDialog("Save the scenario as YAML", default, action_label="Save"), done)

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
            if result is not None:
                self._open_worker(result[0])

        self.push_screen(PathDialog("Open a scenario YAML file", default, must_exist=True, action_label="Open"),
                         done)
