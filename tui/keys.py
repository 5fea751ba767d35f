"""The app's key bindings, defined once (the footer shows them; the help screen and README list them).

Views switch on F2-F5, keys nobody types as data: digits switched views whenever focus was off a text field,
so a user who Shift+Tabbed past the first field onto the tab bar and typed a budget switched views instead
(and ``4`` opened the Model view, which starts a long evaluation). F1 stays help; F-keys reach the app from
inside a text field too, so no Escape is needed first. (ctrl+digit is not delivered by most terminals and
alt+digit switches terminal tabs in GNOME Terminal and Konsole; Textual binds no F-key of its own.)
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

#: View id -> (key, title, tooltip), in tab order.
VIEW_KEYS: dict[str, tuple[str, str, str]] = {
    "recommend": ("f2", "Recommend", "Scenario editor and recommendation."),
    "frontier": ("f3", "Frontier", "Cost vs minutes Pareto frontier."),
    "catalog": ("f4", "Catalog", "MLPerf Training results with filters and rankings."),
    "model": ("f5", "Model", "Accuracy of the performance model."),
}
#: View id -> its tab's title.
VIEWS = {view: title for view, (_, title, _) in VIEW_KEYS.items()}


def key_display(key: str) -> str:
    """How a key reads in the footer, the help screen and README: ``F2``."""
    return key.upper() if key.startswith("f") and key[1:].isdigit() else key


def view_bindings() -> list[BindingType]:
    """One binding per view: ``F2`` Recommend … ``F5`` Model."""
    return [Binding(key, f"show_view('{view}')", title, id=f"app.view.{view}", key_display=key_display(key),
                    tooltip=f"{tooltip} (Works from a text field too.)")
            for view, (key, title, tooltip) in VIEW_KEYS.items()]


APP_BINDINGS: list[BindingType] = [
    Binding("q", "quit", "Quit", id="app.quit", show=False,
            tooltip="Quit (when no text field has focus; ctrl+q quits from anywhere)."),
    Binding("ctrl+q", "quit", "Quit", id="app.quit_anywhere", priority=True, tooltip="Quit, even from a text field."),
    Binding("f1,question_mark", "help", "Help", id="app.help", key_display="F1",
            tooltip="Keys, views and how to read figures."),
    *view_bindings(),
    # Priority: these work from inside text fields too (ctrl+e replaces the fields' end-of-line; End still works).
    Binding("ctrl+o", "open_scenario", "Open", id="app.open", tooltip="Open a scenario YAML file.", priority=True),
    Binding("ctrl+s", "save_scenario", "Save", id="app.save", tooltip="Save the scenario as YAML.", priority=True),
    Binding("ctrl+e", "export", "Export", id="app.export",
            tooltip="Export the recommendation as Markdown or JSON.", priority=True),
    Binding("ctrl+r", "solve_now", "Solve", id="app.solve", tooltip="Solve the scenario again now.", priority=True),
    Binding("escape", "leave_field", "Leave", id="app.leave_field", key_display="Esc",
            tooltip="Leave the text field for the view's content (then q quits)."),
]
