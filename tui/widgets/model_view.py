"""Model view: the performance model's accuracy by benchmark, and predicted vs measured minutes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Label
from textual_plotext import PlotextPlot

from recommender import format as fmt
from tui.widgets.tables import add_fixed_columns

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


HEADERS = {
    "group": "Benchmark / group",
    "results": "Results",
    "model_mdape_pct": "Model MdAPE",
    "model_coverage_pct": "Interval coverage (80 % target)",
    "nearest_linear_mdape_pct": "Baseline: nearest-linear MdAPE",
    "flops_ratio_mdape_pct": "Baseline: FLOPS-ratio MdAPE",
}


class ModelView(Vertical):
    """Filled by :meth:`show` with the report a worker computed (or read from the cached summary)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.requested = False

    def compose(self) -> ComposeResult:
        yield Label("The model's accuracy is computed when this view is first opened.", id="model-status")
        yield DataTable(id="model-table", cursor_type="row", zebra_stripes=True)
        yield PlotextPlot(id="model-plot")

    def set_status(self, text: str) -> None:
        self.query_one("#model-status", Label).update(text)

    def show(self, by_benchmark: pd.DataFrame, points: pd.DataFrame | None, source: str) -> None:
        table = self.query_one("#model-table", DataTable)
        table.clear(columns=True)
        columns = list(by_benchmark.columns)
        add_fixed_columns(table, [(HEADERS.get(c, c.replace("_", " ")), 30 if c == "group" else
                                   max(7, len(HEADERS.get(c, c)))) for c in columns])
        for rec in by_benchmark.to_dict("records"):
            row = []
            for c in columns:
                v = rec[c]
                if fmt.is_missing(v):
                    row.append("—")
                elif c.endswith("_pct"):
                    row.append(f"{float(v):.1f} %")
                elif isinstance(v, float):
                    row.append(fmt.number(v, 2))
                else:
                    row.append(str(v))
            table.add_row(*row)
        table.check_idle()  # DataTable sizes its columns when idle
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
        elif "model_mdape_pct" in by_benchmark:
            from catalog.registry import BENCHMARKS

            per = by_benchmark[by_benchmark["group"].isin(list(BENCHMARKS))]
            per = per.dropna(subset=["model_mdape_pct"])
            labels = [str(g) for g in per["group"]]
            series = [[float(v) for v in per["model_mdape_pct"]]]
            names = ["model"]
            if "nearest_linear_mdape_pct" in per:
                series.append([0.0 if fmt.is_missing(v) else float(v) for v in per["nearest_linear_mdape_pct"]])
                names.append("nearest-linear baseline")
            if labels:
                plt.multiple_bar(labels, series, labels=names, orientation="horizontal")
                plt.title("Median error of predicted vs measured minutes by benchmark, % (lower is better)")
        plot.refresh()
        self.set_status(f"Accuracy of the performance model: {source}. Predicted figures are derived, "
                        "not MLPerf results.")
