"""Model view: the performance model's accuracy by benchmark, and predicted vs measured minutes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label

from recommender import format as fmt
from tui.widgets.plot import SafePlot
from tui.widgets.tables import Column, FitTable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: The accuracy table; on narrow screens columns give way by ``drop`` rank (highest first).
COLUMNS = [
    Column("group", "Benchmark / group", 24, min_width=12),
    Column("results", "Results", 7, drop=3),
    Column("model_mdape_pct", "Model MdAPE", 11),
    Column("model_bias_pct", "Bias (+ = too slow)", 19, drop=5, min_width=8, short="Bias"),
    Column("model_coverage_pct", "Interval coverage (80 % target)", 31, drop=1, min_width=12, short="Coverage 80%"),
    Column("nearest_linear_mdape_pct", "Baseline: nearest-linear MdAPE", 30, drop=2, min_width=14,
           short="Nearest-linear"),
    Column("flops_ratio_mdape_pct", "Baseline: FLOPS-ratio MdAPE", 27, drop=4, min_width=11, short="FLOPS-ratio"),
]
HEADERS = {c.key: c.label for c in COLUMNS}


class ModelView(Vertical):
    """Filled by :meth:`show` with the report a worker computed (or read from the cached summary)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.requested = False

    def compose(self) -> ComposeResult:
        yield Label("The model's accuracy is computed when this view is first opened.", id="model-status")
        yield FitTable(COLUMNS, id="model-table")
        yield SafePlot(id="model-plot")

    def set_status(self, text: str) -> None:
        self.query_one("#model-status", Label).update(text)

    def show(self, by_benchmark: pd.DataFrame, points: pd.DataFrame | None, source: str) -> None:
        table = self.query_one("#model-table", FitTable)
        columns = list(by_benchmark.columns)
        known = {c.key for c in COLUMNS}
        table.set_spec([c for c in COLUMNS if c.key in columns]
                       + [Column(c, c.replace("_", " "), max(7, len(c)), drop=5) for c in columns if c not in known])
        rows = []
        for rec in by_benchmark.to_dict("records"):
            row = {}
            for c in columns:
                v = rec[c]
                if fmt.is_missing(v):
                    row[c] = "—"
                elif c == "model_bias_pct":  # signed: + = the answers are slower than measured
                    row[c] = f"{fmt.signed_points(v)} %"
                elif c.endswith("_pct"):
                    row[c] = f"{float(v):.1f} %"
                elif isinstance(v, float):
                    row[c] = fmt.number(v, 2)
                else:
                    row[c] = str(v)
            rows.append(row)
        table.set_rows(rows)
        self.query_one("#model-plot", SafePlot).set_draw(_drawer(by_benchmark, points))
        self.set_status(f"Accuracy of the performance model: {source}. Predicted figures are derived, "
                        "not MLPerf results.")


def _drawer(by_benchmark: pd.DataFrame, points: pd.DataFrame | None) -> Any:
    """A function drawing the plot from data (log axes only over positive values)."""
    if points is not None and len(points):
        pairs = [(float(m), float(p)) for m, p in zip(points["measured"], points["predicted"])
                 if not fmt.is_missing(m) and not fmt.is_missing(p) and float(m) > 0 and float(p) > 0]
        if not pairs:
            return None
        measured = [m for m, _ in pairs]
        predicted = [p for _, p in pairs]

        def draw(plt: Any) -> None:
            lo, hi = min(measured + predicted), max(measured + predicted)
            plt.xscale("log")
            plt.yscale("log")
            plt.scatter(measured, predicted, marker="dot", label="results")
            plt.plot([lo, hi], [lo, hi], marker="braille", label="predicted = measured")
            ticks = fmt.log_ticks(lo, hi)
            if ticks:
                plt.xticks(ticks, [fmt.tick_label(t) for t in ticks])
                plt.yticks(ticks, [fmt.tick_label(t) for t in ticks])
            plt.xlabel("measured minutes")
            plt.ylabel("predicted minutes (derived)")
            plt.title("Predicted vs measured (held-out)")

        return draw
    if "model_mdape_pct" not in by_benchmark:
        return None
    from catalog.registry import BENCHMARKS

    per = by_benchmark[by_benchmark["group"].isin(list(BENCHMARKS))].dropna(subset=["model_mdape_pct"])
    labels = [str(g) for g in per["group"]]
    if not labels:
        return None
    series = [[float(v) for v in per["model_mdape_pct"]]]
    names = ["model"]
    if "nearest_linear_mdape_pct" in per:
        series.append([0.0 if fmt.is_missing(v) else float(v) for v in per["nearest_linear_mdape_pct"]])
        names.append("nearest-linear baseline")

    def draw_bars(plt: Any) -> None:
        plt.multiple_bar(labels, series, labels=names, orientation="horizontal")
        plt.title("Median error of predicted vs measured minutes by benchmark, % (lower is better)")

    return draw_bars
