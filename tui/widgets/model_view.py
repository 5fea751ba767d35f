"""Model view: the performance model's accuracy by benchmark, and predicted vs measured minutes.

A visit shows the cached summary when there is one for this catalog and model code, and otherwise says so with
a button (and ``e``) to run the evaluation: it refits the model (about 90 s), so switching to the view, or pressing
F5 out of habit, never starts it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Button, Label, TabbedContent
from textual.worker import get_current_worker

from recommender import format as fmt
from tui import messages as msg
from tui.widgets.plot import SafePlot
from tui.widgets.tables import Column, FitTable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from catalog import Catalog
    from tui.backend import ModelReportFn

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


EVALUATE_TOOLTIP = ("Run the model evaluation: refits the performance model on the earlier rounds and tests it on "
                    "the latest (about 90 s, in the background); its summary is then cached.")
NOT_CACHED_TEXT = ("The model's accuracy has not been computed for this catalog yet. The evaluation refits the "
                   "performance model on the earlier rounds and tests it on the latest: about 90 s, in the "
                   "background (the other views stay usable). Its summary is then cached and shown here at once.")
RUNNING_TEXT = "Running the model evaluation (refits the model; about 90 s)… The other views stay usable."

State = Literal["new", "looking", "not_cached", "running", "shown", "failed"]


class ModelView(Vertical):
    """The accuracy report: read from the cache on :meth:`visit`, computed only on :meth:`evaluate` (``e``, the
    button, or the palette); both run ``report`` in a thread worker and :meth:`show` what it posts."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "evaluate", "Evaluate", id="model.evaluate", tooltip=EVALUATE_TOOLTIP),
    ]

    def __init__(self, report: ModelReportFn, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._report = report
        self.catalog: Catalog | None = None
        self.state: State = "new"

    def compose(self) -> ComposeResult:
        yield Label("Looking for the model's cached accuracy summary…", id="model-status")
        yield Button("Run the evaluation (e)", id="model-run", compact=True, tooltip=EVALUATE_TOOLTIP)
        yield FitTable(COLUMNS, id="model-table")
        yield SafePlot(id="model-plot")

    def on_mount(self) -> None:
        self.query_one("#model-run", Button).display = False

    def set_status(self, text: str) -> None:
        self.query_one("#model-status", Label).update(text)

    def focus(self, scroll_visible: bool = True) -> Self:
        """Focusing the view focuses its main control: the run button while it is offered, else the table."""
        button = self.query_one("#model-run", Button)
        target = button if button.display and not button.disabled else self.query_one("#model-table", FitTable)
        target.focus(scroll_visible)
        return self

    # -- visiting reads the cache; only evaluate() computes ------------------------------------------------
    def visit(self, catalog: Catalog | None) -> None:
        """Show the cached summary if there is one (a worker looks); never starts the evaluation."""
        self.catalog = catalog
        if catalog is None:
            self.set_status("Waiting for the catalog…")
        elif self.state in ("new", "not_cached"):  # (again: another process may have cached it since)
            self.state = "looking"
            self._lookup_worker(catalog)

    def evaluate(self, catalog: Catalog | None = None) -> None:
        """Run the evaluation (unless it runs or its summary is shown already)."""
        self.catalog = catalog or self.catalog
        if self.catalog is None or self.state in ("running", "shown"):
            return
        self._set_state("running")
        self.set_status(RUNNING_TEXT)
        self._evaluate_worker(self.catalog)

    def action_evaluate(self) -> None:
        self.evaluate()

    @on(Button.Pressed, "#model-run")
    def _run_pressed(self) -> None:
        self.evaluate()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "evaluate":  # hidden once shown; greyed while it runs
            return False if self.state == "shown" else None if self.state == "running" else True
        return True

    def _set_state(self, state: State) -> None:
        self.state = state
        button = self.query_one("#model-run", Button)
        button.display = state in ("not_cached", "failed", "running")
        button.disabled = state == "running"
        button.label = {"failed": "Try again (e)", "running": "Running…"}.get(state, "Run the evaluation (e)")
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="model", exit_on_error=False, description="model cache")
    def _lookup_worker(self, catalog: Catalog) -> None:
        worker = get_current_worker()
        try:
            found = self._report(catalog, cached_only=True)
        except Exception as exc:  # noqa: BLE001 - shown in the view
            if not worker.is_cancelled:
                self.post_message(msg.ModelReportFailed(f"{type(exc).__name__}: {exc}"))
            return
        if not worker.is_cancelled:  # (the evaluation started meanwhile: its answer is the one shown)
            self.post_message(msg.ModelReportNotCached() if found is None else msg.ModelReportReady(*found))

    @work(thread=True, exclusive=True, group="model", exit_on_error=False, description="model")
    def _evaluate_worker(self, catalog: Catalog) -> None:
        try:
            found = self._report(catalog)
        except Exception as exc:  # noqa: BLE001 - shown in the view
            self.post_message(msg.ModelReportFailed(f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(msg.ModelReportFailed("the evaluation returned nothing") if found is None
                          else msg.ModelReportReady(*found))

    @on(msg.ModelReportReady)
    def _ready(self, message: msg.ModelReportReady) -> None:
        self._set_state("shown")
        self.show(message.by_benchmark, message.points, message.source)

    @on(msg.ModelReportNotCached)
    def _not_cached(self) -> None:
        self._set_state("not_cached")
        self.set_status(NOT_CACHED_TEXT)
        table = self.query_one("#model-table", FitTable)
        # the user is here: Enter runs it. (Textual applies a focus() later: the visit's own focus of the table may
        # still be pending, so "the table has focus" alone lost the button under load; once it lands, re-aim.)
        if table.has_focus or self.app.query_one(TabbedContent).active == "model":
            self.call_after_refresh(self.focus)

    @on(msg.ModelReportFailed)
    def _failed(self, message: msg.ModelReportFailed) -> None:
        self._set_state("failed")
        self.set_status(f"Model accuracy is not available: {message.error}")

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
