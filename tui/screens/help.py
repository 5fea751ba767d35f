"""The help screen: what each view shows and the keys that drive it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Markdown

HELP_TEXT = """\
# mlperf-recommender — help

Which accelerator to buy, how many, and in which server, grounded in MLPerf Training results.

## Views (switch with F2-F5, from anywhere, or click the tabs)

| Key | View | What it shows |
|-----|------|---------------|
| `F2` | **Recommend** | The scenario on the left; the recommendation on the right, re-solved on every change. |
| `F3` | **Frontier** | The cost ↔ minutes Pareto frontier; `◆` marks the current choice. |
| `F4` | **Catalog** | Every MLPerf Training result, with filters; Enter on a row ranks every result of the same configuration (benchmark, accelerator, count, division), fastest first. |
| `F5` | **Model** | How accurate the performance model is, per benchmark, and predicted vs measured: the cached summary; without one, `e` (or the button) runs the evaluation (about 90 s). Visiting never starts it. |

## Keys

| Key | Action |
|-----|--------|
| `Tab` / `Shift+Tab` | Move between fields (the app starts on the recommendation: `Tab` twice reaches the form, after the view tabs) |
| `↑` / `↓`, `Space` | In the allowed-accelerators list: move between accelerators, tick or untick one (`Tab` leaves the list) |
| `Esc` | Leave a text field for the view's content: the answer (PgUp/PgDn scroll it), the results or frontier table (then `q` quits) |
| `ctrl+o` / `ctrl+s` | Open / save a scenario YAML file (a file with several scenarios asks which one) |
| `ctrl+e` | Export the recommendation as Markdown or JSON |
| `ctrl+r` | Solve again now |
| `ctrl+l` | Clear the catalog filters (Catalog view) |
| `e` | Run the model evaluation (Model view, when no summary is cached) |
| `ctrl+p` | Command palette (every action by name) |
| `F1` or `?` | This help |
| `q` | Quit (when no text field has focus; asks first when the scenario has unsaved edits) · `ctrl+q` quits anywhere |

On a narrow screen the footer shows fewer keys (the views as `F2 F3 F4 F5 Views`); every key is listed here
and in the palette.

## Reading the recommendation

* **Minutes** are minutes to train. A figure marked **measured** is an MLPerf Training result
  (round, submitter, closed division, the accelerator count shown); a figure marked **predicted** is the
  performance model's estimate with its 80 % interval (low–high) — a derived figure, not an MLPerf result.
* **Binding limits** are the limits that stop a better answer; **+10 %** shows what a 10 % larger budget or
  power limit would buy.
* Each minutes figure names its basis: **measured**, **carried** (measured in an earlier round, moved to this
  round by the model's trend), **predicted**, **specs only** (no MLPerf result for the accelerator) or
  **does not fit** (not enough memory). On narrow screens the basis is abbreviated and its citation follows
  the table.
* While a field is invalid (red), the answer is marked **stale**: it is for the last valid scenario.
* Money is in US dollars (`$108,000`); fields accept `110000`, `110k`, `1.2M`, `$325,000`. Power is IT power in kW
  (facility power = IT × PUE).

Press `Escape` to close.
"""


class HelpScreen(ModalScreen[None]):
    """Modal help; Escape, q or F1 closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1,question_mark", "dismiss", "Close help", id="help.close",
                tooltip="Close the help screen."),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-frame"):
            yield Label("Escape closes this help · ↑ ↓ PgUp PgDn scroll", id="help-close")
            with VerticalScroll(id="help-body"):
                yield Markdown(HELP_TEXT)

    def on_mount(self) -> None:
        self.query_one("#help-body", VerticalScroll).focus()  # arrows and PgUp/PgDn scroll straight away

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
