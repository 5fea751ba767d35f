"""Ask before quitting or opening another file with unsaved edits, and before overwriting a file."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label


class Confirm(ModalScreen[bool]):
    """A yes/no question: ``y`` or the red button dismisses with True; ``n``, Escape or the focused safe button with
    False. Subclasses set the texts (and their own ``BINDINGS`` descriptions)."""

    question = ""
    hint = ""
    safe_label = "Cancel"
    go_label = "OK"

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.path = path  # the file the question is about, if any

    def question_text(self) -> str:
        return self.question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.question_text(), id="dialog-title")
            yield Label(self.hint)
            with Horizontal(id="dialog-buttons"):
                yield Button(self.safe_label, id="safe", variant="primary")
                yield Button(self.go_label, id="go", variant="error")

    def on_mount(self) -> None:
        self.query_one("#safe", Button).focus()

    def action_answer(self, go: bool) -> None:
        self.dismiss(go)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "go")


class ConfirmQuit(Confirm):
    """Dismisses with True to quit, False to stay."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Quit", id="confirm.quit", tooltip="Quit without saving."),
        Binding("n,escape", "answer(False)", "Stay", id="confirm.stay", tooltip="Go back to the app."),
    ]
    question = "The scenario has unsaved edits. Quit anyway?"
    hint = "y quits · n or Escape stays · ctrl+s (after staying) saves the scenario."
    safe_label = "Stay"
    go_label = "Quit without saving"


class ConfirmDiscard(Confirm):
    """Asked before opening another scenario over unsaved edits: dismisses with True to open it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Open", id="confirm.discard", tooltip="Open the file; the edits are lost."),
        Binding("n,escape", "answer(False)", "Stay", id="confirm.keep", tooltip="Keep editing this scenario."),
    ]
    hint = "y opens it (the edits are lost) · n or Escape stays · ctrl+s (after staying) saves the scenario."
    safe_label = "Stay"
    go_label = "Open without saving"

    def question_text(self) -> str:
        return f"The scenario has unsaved edits. Open {self.path} anyway?"


class ConfirmOverwrite(Confirm):
    """Asked before saving or exporting over an existing file: dismisses with True to overwrite."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Overwrite", id="confirm.overwrite", tooltip="Replace the file."),
        Binding("n,escape", "answer(False)", "Cancel", id="confirm.cancel", tooltip="Keep the file as it is."),
    ]
    safe_label = "Keep the file"
    go_label = "Overwrite"

    def __init__(self, path: str, *, scenario: bool = True) -> None:
        super().__init__(path)
        # saving a scenario over a YAML file drops its comments; an export replaces a report
        lost = "its comments and layout are lost" if scenario else "its contents are replaced"
        self.hint = f"y overwrites ({lost}) · n or Escape keeps it."

    def question_text(self) -> str:
        return f"{self.path} already exists. Overwrite it?"
