"""The command palette's own entries: every view and every action by name (README: "every action is there")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import SystemCommand


def app_commands(app: Any, views: dict[str, str]) -> Iterable[SystemCommand]:
    """The app's entries after Textual's own: views, files, the form's buttons, solving and help."""
    from tui.widgets.scenario_form import ScenarioForm

    for view, title in views.items():
        yield SystemCommand(f"View: {title}", f"Switch to the {title} view", lambda v=view: app.action_show_view(v))
    yield SystemCommand("Open scenario…", "Read a scenario YAML file", app.action_open_scenario)
    yield SystemCommand("Save scenario…", "Write the scenario as YAML", app.action_save_scenario)
    yield SystemCommand("Export recommendation as Markdown…", "Write the recommendation as a Markdown report",
                        lambda: app.action_export("markdown"))
    yield SystemCommand("Export recommendation as JSON…", "Write the recommendation as JSON",
                        lambda: app.action_export("json"))
    for form in app.query(ScenarioForm):  # its two buttons, by name
        yield SystemCommand("Add workload", "Add a catalog benchmark to the workload mix", form.add_workload)
        yield SystemCommand("Custom workload…", "Add your own workload from one measurement", form.ask_custom)
    from tui.widgets.catalog_view import CatalogView

    for catalog_view in app.query(CatalogView):  # its ctrl+l, by name (usable from any view: it opens the catalog)
        def clear(view: Any = catalog_view) -> None:
            app.action_show_view("catalog")
            view.action_clear_filters()

        yield SystemCommand("Clear catalog filters", "Show every MLPerf result in the Catalog view again", clear)
    yield SystemCommand("Run the model evaluation", "Model view: refit the performance model and test it on the "
                        "latest round (about 90 s; its summary is then cached)", app.action_evaluate_model)
    yield SystemCommand("Solve again", "Re-run the optimizer on the current scenario", app.action_solve_now)
    yield SystemCommand("Help", "Keys, views and how to read the figures", app.action_help)
