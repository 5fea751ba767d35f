"""The help screen: what each view shows and the keys that drive it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP_TEXT = """\
# mlperf-recommender — help

Which accelerator to buy, how many, and in which server, grounded in MLPerf Training results.

## Views (switch with 1-4 or click the tabs)

| Key | View | What it shows |
|-----|------|---------------|
| `1` | **Recommend** | The scenario on the left; the recommendation on the right, re-solved on every change. |
| `2` | **Frontier** | The cost ↔ minutes Pareto frontier; `◆` marks the current choice. |
| `3` | **Catalog** | Every MLPerf Training result, with filters; Enter on a row ranks all systems measured at the same benchmark and count. |
| `4` | **Model** | How accurate the performance model is, per benchmark, and predicted vs measured. |

## Keys

| Key | Action |
|-----|--------|
| `Tab` / `Shift+Tab` | Move between fields |
| `ctrl+o` / `ctrl+s` | Open / save a scenario YAML file |
| `ctrl+e` | Export the recommendation as Markdown or JSON |
| `ctrl+r` | Solve again now |
| `ctrl+l` | Clear the catalog filters (Catalog view) |
| `ctrl+p` | Command palette (every action by name) |
| `F1` or `?` | This help |
| `q` | Quit (when no text field has focus) · `ctrl+q` quits anywhere (shown in the footer) |

## Reading the recommendation

* **Minutes** are minutes to train. A figure marked **measured** is an MLPerf Training result
  (round, submitter, closed division, the accelerator count shown); a figure marked **predicted** is the
  performance model's estimate with its 80 % interval (`±`) — a derived figure, not an MLPerf result.
* **Binding limits** are the limits that stop a better answer; **+10 %** shows what a 10 % larger budget or
  power limit would buy.
* Money is in US dollars; power is IT power in kW (facility power = IT × PUE).

Press `Escape` to close.
"""


class HelpScreen(ModalScreen[None]):
    """Modal help; Escape, q or F1 closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1,question_mark", "dismiss", "Close help", id="help.close",
                tooltip="Close the help screen."),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(HELP_TEXT)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
