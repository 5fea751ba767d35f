"""Ask before quitting with unsaved edits, and before overwriting a file."""

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


class ConfirmOverwrite(ModalScreen[bool]):
    """Asked before saving or exporting over an existing file: dismisses with True to overwrite."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Overwrite", id="confirm.overwrite", tooltip="Replace the file."),
        Binding("n,escape", "answer(False)", "Cancel", id="confirm.cancel", tooltip="Keep the file as it is."),
    ]

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"{self.path} already exists. Overwrite it?", id="dialog-title")
            yield Label("y overwrites (its comments and layout are lost) · n or Escape keeps it.")
            with Horizontal(id="dialog-buttons"):
                yield Button("Keep the file", id="keep", variant="primary")
                yield Button("Overwrite", id="overwrite", variant="error")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def action_answer(self, overwrite: bool) -> None:
        self.dismiss(overwrite)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "overwrite")
