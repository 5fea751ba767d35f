"""A small modal that asks for a file path (open/save scenario, export recommendation)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet


class Choice(RadioButton):
    """A radio button whose dot shows only when chosen (Textual's ● of both states differs by colour alone: a
    reviewer read "▐●▌ Markdown ▐●▌ JSON" in the export dialog)."""

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:
        return "●" if self.value else " "

class PathDialog(ModalScreen[tuple[str, str] | None]):
    """Ask for a path (and, for exports, a format). Dismisses with ``(path, format)`` or ``None``."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="dialog.cancel", tooltip="Close without doing anything.")]

    def __init__(self, title: str, default_path: str, *, formats: list[str] | None = None,
                 must_exist: bool = False, action_label: str = "OK") -> None:
        super().__init__()
        self._title = title
        self._default = default_path
        self._formats = formats or []
        self._must_exist = must_exist
        self._action_label = action_label

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self._title, id="dialog-title")
            yield Input(self._default, id="dialog-path", placeholder="path/to/file")
            if self._formats:
                with RadioSet(id="dialog-format"):
                    for i, f in enumerate(self._formats):
                        yield Choice(f, value=(i == 0), id=f"format-{f.lower()}")
            yield Label("", id="dialog-error", classes="error")
            with Horizontal(id="dialog-buttons"):
                yield Button(self._action_label, variant="primary", id="dialog-ok")
                yield Button("Cancel", id="dialog-cancel")

    def on_mount(self) -> None:
        self.query_one("#dialog-path", Input).focus()

    def _format(self) -> str:
        if not self._formats:
            return ""
        pressed = self.query_one("#dialog-format", RadioSet).pressed_button
        return str(pressed.label).lower() if pressed is not None else self._formats[0].lower()

    @on(RadioSet.Changed)
    def _format_changed(self) -> None:
        """Keep the file's suffix in step with the chosen format."""
        path_input = self.query_one("#dialog-path", Input)
        fmt = self._format()
        suffix = {"markdown": ".md", "json": ".json"}.get(fmt)
        if suffix and path_input.value:
            path_input.value = str(Path(path_input.value).with_suffix(suffix))

    @on(Input.Submitted, "#dialog-path")
    @on(Button.Pressed, "#dialog-ok")
    def _ok(self) -> None:
        path = self.query_one("#dialog-path", Input).value.strip()
        error = self.query_one("#dialog-error", Label)
        if not path:
            error.update("Enter a file path.")
            return
        p = Path(path).expanduser()
        if self._must_exist and not p.is_file():
            error.update(f"No such file: {path}")
            return
        if not self._must_exist and not p.parent.exists():
            error.update(f"No such directory: {p.parent}")
            return
        self.dismiss((str(p), self._format()))

    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
