"""Ask before quitting with unsaved edits."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label


class ConfirmQuit(ModalScreen[bool]):
    """Dismisses with True to quit, False to stay."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Quit", id="confirm.quit", tooltip="Quit without saving."),
        Binding("n,escape", "answer(False)", "Stay", id="confirm.stay", tooltip="Go back to the app."),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("The scenario has unsaved edits. Quit anyway?", id="dialog-title")
            yield Label("y quits · n or Escape stays · ctrl+s (after staying) saves the scenario.")
            with Horizontal(id="dialog-buttons"):
                yield Button("Stay", id="stay", variant="primary")
                yield Button("Quit without saving", id="quit", variant="error")

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    def action_answer(self, quit_: bool) -> None:
        self.dismiss(quit_)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "quit")
