"""Ask which scenario to open from a file that holds several (``scenarios:``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:  # pragma: no cover
    from tui.backend import ScenarioChoice


class PickScenario(ModalScreen[str | None]):
    """Lists a file's scenarios (name, budget and objective, or why one is invalid). Enter or Open dismisses with
    the highlighted one's name; Escape or Cancel with ``None``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="pick.cancel", tooltip="Close without opening a scenario."),
    ]

    def __init__(self, path: str, choices: Sequence[ScenarioChoice]) -> None:
        super().__init__()
        self.path = path
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        width = max(len(c.name) for c in self.choices)
        options = [Option(Content.assemble((c.name.ljust(width), "bold"), "  ",
                                           (c.summary, "$text-muted" if c.valid else "$text-error")))
                   for c in self.choices]
        with Vertical(id="dialog"):
            yield Label(f"{Path(self.path).name} holds {len(self.choices)} scenarios: open which?",
                        id="dialog-title")
            yield OptionList(*options, id="pick-list")
            yield Label("↑ ↓ choose · Enter opens · Escape cancels", classes="dialog-hint")
            with Horizontal(id="dialog-buttons"):
                yield Button("Open", variant="primary", id="dialog-ok")
                yield Button("Cancel", id="dialog-cancel")

    def on_mount(self) -> None:
        options = self.query_one("#pick-list", OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#pick-list")
    @on(Button.Pressed, "#dialog-ok")
    def _ok(self) -> None:
        index = self.query_one("#pick-list", OptionList).highlighted
        if index is not None:
            self.dismiss(self.choices[index].name)

    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
