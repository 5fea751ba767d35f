"""Model view: the performance model's accuracy by benchmark, and predicted vs measured minutes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label
from textual_plotext import PlotextPlot

from tui import format as fmt

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


class ModelView(Vertical):
    """Filled by :meth:`show` with the report a worker computed (or read from the cached summary)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.requested = False

    def compose(self) -> ComposeResult:
        yield Label("The model's accuracy is computed when this view is first opened.", id="model-status")
        with Horizontal(id="model-body"):
            yield DataTable(id="model-table", cursor_type="row", zebra_stripes=True)
            yield PlotextPlot(id="model-plot")

    def set_status(self, text: str) -> None:
        self.query_one("#model-status", Label).update(text)

    def show(self, by_benchmark: pd.DataFrame, points: pd.DataFrame | None, source: str) -> None:
        table = self.query_one("#model-table", DataTable)
        table.clear(columns=True)
        columns = list(by_benchmark.columns)
        table.add_columns(*[c.replace("_", " ") for c in columns])
        for rec in by_benchmark.to_dict("records"):
            row = []
            for c in columns:
                v = rec[c]
                if isinstance(v, float) and ("pct" in c or "mdape" in c.lower() or "mape" in c.lower()):
                    row.append(f"{v:.1f} %" if abs(v) > 1.5 else fmt.percent(v))
                elif isinstance(v, float) and "coverage" in c:
                    row.append(fmt.percent(v, 0) if v <= 1.0 else f"{v:.0f} %")
                elif isinstance(v, float):
                    row.append(fmt.number(v, 2))
                else:
                    row.append("—" if fmt.is_missing(v) else str(v))
            table.add_row(*row)
        plot = self.query_one("#model-plot", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        if points is not None and len(points):
            measured = [float(v) for v in points["measured"]]
            predicted = [float(v) for v in points["predicted"]]
            plt.xscale("log")
            plt.yscale("log")
            plt.scatter(measured, predicted, marker="dot", label="results")
            lo, hi = min(measured + predicted), max(measured + predicted)
            plt.plot([lo, hi], [lo, hi], marker="braille", label="predicted = measured")
            plt.xlabel("measured minutes")
            plt.ylabel("predicted minutes (derived)")
            plt.title("Predicted vs measured (held-out)")
        plot.refresh()
        self.set_status(f"Accuracy of the performance model — {source}. Predicted figures are derived, "
                        "not MLPerf results.")
