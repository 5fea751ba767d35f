"""A plot that never takes the app down: drawn from its data on every render, guarded against small areas.

plotext keeps state between builds and fails on some sizes (an ``IndexError`` in its legend code, a ``math
domain error`` in ``log10`` when the area leaves no room for an axis). :class:`SafePlot` therefore keeps a
*drawing function*, not a plot: every render clears the figure, draws again at the current size, and turns any
exception into a one-line message in the widget (and a notification, once per kind of error).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

#: Smallest area (cells) a plot is drawn in; below it the widget shows a one-line note instead.
MIN_WIDTH = 30
MIN_HEIGHT = 8

Draw = Callable[[Any], None]


class SafePlot(PlotextPlot):
    """``set_draw(fn)`` where ``fn(plt)`` draws from data; ``None`` shows ``empty_text``."""

    def __init__(self, *, id: str | None = None, empty_text: str = "") -> None:
        super().__init__(id=id)
        self._draw: Draw | None = None
        self.empty_text = empty_text
        self.last_error: str | None = None
        self._notified: set[str] = set()

    def set_draw(self, draw: Draw | None) -> None:
        self._draw = draw
        self.refresh()

    def render(self) -> RenderResult:
        width, height = self.size.width, self.size.height
        if self._draw is None:
            return Text(self.empty_text, style="italic")
        if width < MIN_WIDTH or height < MIN_HEIGHT:
            return Text(f"(the plot needs at least {MIN_WIDTH}×{MIN_HEIGHT} cells; enlarge the terminal)",
                        style="italic")
        plt = self.plt
        try:
            plt.clear_data()
            plt.clear_figure()
            self._draw(plt)
            result = super().render()
        except Exception as exc:  # noqa: BLE001 - a plotting library's bug must never end the app
            self.last_error = f"{type(exc).__name__}: {exc}"
            kind = type(exc).__name__
            if kind not in self._notified:
                self._notified.add(kind)
                self.app.notify(f"The plot could not be drawn at this size ({self.last_error}); the table "
                                "below has the same figures.", title="Plot", severity="warning")
            return Text("(the plot could not be drawn at this size — see the table)", style="italic")
        self.last_error = None
        return result
