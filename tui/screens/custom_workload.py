"""Dialog: describe a custom workload by one measurement (the performance model scales it to the rest)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from catalog.registry import TASKS

#: Most rows an opened list of the dialog takes (Textual's own maximum).
LIST_ROWS = 12


class CustomWorkloadDialog(ModalScreen[dict[str, Any] | None]):
    """Dismisses with a ``CustomWorkload``-shaped dict (validated by the library's model) or ``None``."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="custom.cancel", tooltip="Close without adding.")]

    def __init__(self, *, benchmarks: list[tuple[str, str]], accelerators: list[tuple[str, str]],
                 taken: set[str]) -> None:
        super().__init__()
        self._benchmarks = benchmarks
        self._accelerators = accelerators
        self._taken = taken

    def compose(self) -> ComposeResult:
        # compact fields, the measurement first: the dialog fits 80x24, and every list opens with room inside the
        # border (the accelerator list, last of the lists, spilled past it at 120x35, a reviewer); it scrolls if not
        with VerticalScroll(id="dialog", classes="cw-dialog"):
            yield Label("Add a custom workload (one measurement is enough)", id="dialog-title")
            yield Input(id="cw-name", placeholder="name, e.g. our-llm-finetune", compact=True)
            yield Select(self._accelerators, id="cw-accelerator", prompt="measured on accelerator", compact=True)
            with Horizontal(id="cw-numbers"):
                yield Input(id="cw-count", placeholder="accelerators", type="integer", compact=True)
                yield Input(id="cw-minutes", placeholder="minutes to train", type="number", compact=True)
            yield Select(self._benchmarks, id="cw-like", prompt="behaves like (optional MLPerf benchmark)",
                         compact=True)
            yield Select([(t, t) for t in TASKS], id="cw-task", prompt="what it trains (optional task)", compact=True)
            yield Label("A task borrows the scaling of that task's MLPerf benchmarks: best when they are models of "
                        "a size like yours ('behaves like' wins when both are set).", id="cw-task-hint")
            yield Label("", id="dialog-error", classes="error")
            with Horizontal(id="dialog-buttons"):
                yield Button("Add", variant="primary", id="dialog-ok")
                yield Button("Cancel", id="dialog-cancel")

    def on_mount(self) -> None:
        self.query_one("#cw-name", Input).focus()
        for select in self.query(Select):
            self.watch(select, "expanded", self._fit_list(select), init=False)

    def _fit_list(self, select: Select[Any]) -> Callable[[bool], None]:
        """A watcher of ``select``'s ``expanded``: an opened list ends inside the dialog, taking at most the rows
        between its field and the dialog's bottom padding (a Select's list is an overlay of the screen, free to
        cross the dialog's border)."""

        def fit(expanded: bool) -> None:
            if expanded:
                room = self.query_one("#dialog").content_region.bottom - select.region.bottom
                select.query_one("SelectOverlay").styles.max_height = max(3, min(LIST_ROWS, room))

        return fit

    @on(Input.Changed)
    @on(Select.Changed)
    def _edited(self) -> None:
        """A field changed: the error it answered no longer stands (a reviewer: "name: give the workload a name"
        stayed after a name was typed)."""
        self.query_one("#dialog-error", Label).update("")

    @on(Input.Submitted)
    @on(Button.Pressed, "#dialog-ok")
    def _ok(self) -> None:
        from recommender.errors import ScenarioError
        from recommender.models import CustomWorkload, field_path

        error = self.query_one("#dialog-error", Label)
        name = self.query_one("#cw-name", Input).value.strip()
        if name in self._taken:
            error.update(f"name: {name!r} is already a workload of this scenario")
            return
        if name in {bench for _, bench in self._benchmarks}:  # the library refuses it too, later and less plainly
            error.update(f"name: {name!r} is an MLPerf benchmark's id; give the custom workload another name")
            return
        like = self.query_one("#cw-like", Select).value
        task = self.query_one("#cw-task", Select).value
        acc = self.query_one("#cw-accelerator", Select).value
        # the empty fields a person leaves, said in the dialog's words (not the model's "Input should be …")
        missing = [(not name, "name: give the workload a name"),
                   (acc is Select.NULL, "accelerator: choose the accelerator your measurement ran on"),
                   (not self.query_one("#cw-count", Input).value.strip(), "accelerators: how many ran it"),
                   (not self.query_one("#cw-minutes", Input).value.strip(), "minutes: the minutes it took to train")]
        first_missing = next((text for empty, text in missing if empty), None)
        if first_missing is not None:
            error.update(first_missing)
            return
        data: dict[str, Any] = {
            "name": name,
            "like": None if like is Select.NULL else like,
            "task": None if task is Select.NULL else task,
            "measurements": [{
                "accelerator_id": None if acc is Select.NULL else acc,
                "accelerators": self.query_one("#cw-count", Input).value.strip() or None,
                "minutes": self.query_one("#cw-minutes", Input).value.strip() or None,
            }],
        }
        from pydantic import ValidationError

        try:
            custom = CustomWorkload.model_validate(data)
        except ValidationError as exc:
            from recommender.scenario.messages import humanize  # the files' wording: "must be greater than 0"

            first = exc.errors(include_url=False)[0]
            where = field_path(tuple(first.get("loc", ()))).replace("measurements[0].", "")
            error.update(f"{where}: {humanize(first, CustomWorkload, tuple(first.get('loc', ())))}")
            return
        except ScenarioError as exc:  # pragma: no cover - defensive
            error.update(str(exc))
            return
        self.dismiss(custom.model_dump(mode="json", exclude_none=True))

    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
