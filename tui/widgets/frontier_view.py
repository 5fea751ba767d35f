"""Frontier view: the cost ↔ minutes Pareto frontier as a plot, with the current choice marked.

The plot is drawn from the frontier's data at every render (:class:`~tui.widgets.plot.SafePlot`), so a resize
redraws it rather than reusing plotext's state; the table gives way column by column on narrow screens.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Label

from recommender import format as fmt
from tui.widgets.plot import SafePlot
from tui.widgets.tables import Column, FitTable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Frontier table columns; ``drop`` ranks say which give way first on narrow screens (highest first).
COLUMNS = [
    Column("accelerator", "Accelerator", 30, min_width=16),
    Column("count", "Count", 5),
    Column("nodes", "Nodes", 5, drop=2),
    Column("capex", "Capex", 12),
    Column("power", "IT power", 10, drop=3),
    Column("minutes", "Minutes (weighted)", 18, min_width=8),
    Column("basis", "Basis", 12, min_width=9),
    Column("choice", "Choice", 12, drop=1, min_width=9),
]

#: A candidate row's ``basis`` as shown (the library's values; ``mixed`` = the workloads' bases differ).
BASIS_LABELS = {"measured": "measured", "carried": "carried", "predicted": "predicted", "specs_only": "specs only",
                "does_not_fit": "does not fit", "mixed": "mixed"}


def _over(rec: dict[str, Any], limits: dict[str, float | None]) -> str:
    """Which of the scenario's limits a frontier row exceeds ("over budget, power"; a reviewer read "over limit"
    without knowing which); "over a limit" for the others (rack units, accelerator memory)."""
    checks = (("budget", "capex_usd", "budget_usd"), ("power", "it_power_kw", "power_limit_kw"),
              ("accelerators", "accelerators", "max_accelerators"), ("nodes", "nodes", "max_nodes"))
    over = [label for label, col, key in checks if limits.get(key) and not fmt.is_missing(rec.get(col))
            and float(rec[col]) > float(limits[key]) * (1 + 1e-9)]  # type: ignore[arg-type]
    return "over " + ", ".join(over) if over else "over a limit"


def _fits(rec: dict[str, Any]) -> bool:
    """False for a candidate the workload does not fit (no minutes; listed, never plotted)."""
    wm = rec.get("weighted_minutes")
    return rec.get("basis") != "does_not_fit" and not fmt.is_missing(wm) and float(wm) < float("inf")


class FrontierView(Vertical):
    """Plot + table of the frontier. ``show(frontier, choice)``; ``choice`` is a Configuration or None."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.names: dict[str, str] = {}
        self.limits: dict[str, float | None] = {}  # the scenario's limits, to say which a row exceeds
        self.generation = -1
        self._frame: pd.DataFrame | None = None

    def compose(self) -> ComposeResult:
        yield Label("The frontier is computed when this view is open.", id="frontier-status")
        yield SafePlot(id="frontier-plot", empty_text="")
        yield FitTable(COLUMNS, id="frontier-table")
        yield Label("", id="frontier-detail", classes="row-detail")

    def set_status(self, text: str) -> None:
        self.query_one("#frontier-status", Label).update(text)

    def show_error(self, text: str) -> None:
        """``text`` instead of a frontier: the last plot and table go (they belonged to another scenario)."""
        self._frame = None
        self.query_one("#frontier-plot", SafePlot).set_draw(None)
        self.query_one("#frontier-table", FitTable).set_rows([])
        self.set_status(text)

    def show_for(self, frontier: pd.DataFrame, rec: Any | None, budget_usd: float | None = None) -> None:
        """The frontier beside the recommendation ``rec``: its choice marked, unless it is a fleet (mix mode or
        copies), which is no point of this frontier of single configurations — the status says so (a reviewer
        saw one member of a fleet marked "current" and the other "over limit")."""
        configs = list(getattr(rec, "configurations", None) or [])
        choice = getattr(rec, "choice", None)
        if len(configs) > 1 or (choice is not None and getattr(choice, "count", 1) > 1):
            fleet = configs or [choice]
            capex = fmt.money(sum(c.capex_usd * c.count for c in fleet))
            copies = sum(c.count for c in fleet)
            kinds = f"{len(fleet)} configuration{'s' * (len(fleet) > 1)}" + (f", {copies} copies" if copies > len(fleet)
                                                                             else "")  # fmt: skip
            self.show(frontier, None, budget_usd, note=f" The recommendation is a fleet ({kinds}, {capex} capex): "
                      "not one point of this frontier of single configurations.")
            return
        self.show(frontier, choice, budget_usd)

    def show(self, frontier: pd.DataFrame, choice: Any | None, budget_usd: float | None = None, *,
             note: str = "") -> None:
        plot = self.query_one("#frontier-plot", SafePlot)
        table = self.query_one("#frontier-table", FitTable)
        if frontier is None or not len(frontier):
            self._frame = None
            plot.set_draw(None)
            table.set_rows([])
            self.set_status("No feasible candidate: the frontier is empty.")
            return
        col = frontier.attrs.get("ranked_by", "weighted_minutes")  # the minutes the recommendation ranks by
        df = frontier.sort_values("capex_usd")
        self._frame = df
        records = df.to_dict("records")
        fits = [_fits(r) for r in records]
        plotted = df[fits]
        if not len(plotted):
            plot.set_draw(None)
        xs = [float(v) / 1000.0 for v in plotted["capex_usd"]]
        ys = [float(v) for v in plotted[col]]
        is_choice = [
            choice is not None and r["accelerator_id"] == choice.accelerator_id
            and int(r["accelerators"]) == int(choice.accelerators)
            for r in records
        ]
        feasible = [bool(v) for v in plotted["feasible"]] if "feasible" in df else [True] * len(plotted)
        at = [float(r[col]) for r, chosen in zip(records, is_choice) if chosen]  # the choice as the plot ranks it
        point = None if choice is None else (float(choice.capex_usd) / 1000.0,
                                             at[0] if at else float(choice.weighted_minutes))
        budget_k = float(budget_usd) / 1000.0 if budget_usd else None
        if xs:
            ylabel = "weighted p80 minutes" if col.endswith("_p80") else "weighted minutes"
            plot.set_draw(lambda plt: _draw(plt, xs, ys, feasible, point, budget_k, ylabel))
        rows = []
        for rec, chosen, fit in zip(records, is_choice, fits):
            aid = rec["accelerator_id"]
            rows.append({
                "accelerator": self.names.get(aid, aid), "count": str(int(rec["accelerators"])),
                "nodes": str(int(rec["nodes"])) if "nodes" in rec and not fmt.is_missing(rec["nodes"]) else "—",
                "capex": fmt.money(rec["capex_usd"]), "power": fmt.kw(rec.get("it_power_kw")),
                "minutes": fmt.minutes(rec[col]) if fit else "—",
                "basis": BASIS_LABELS.get(str(rec.get("basis", "")), str(rec.get("basis") or "—")) if fit
                else "does not fit",
                "choice": "◆ current" if chosen else ("does not fit" if not fit else
                                                      ("" if rec.get("feasible", True) else _over(rec, self.limits))),
            })
        label = "Minutes (p80)" if col.endswith("_p80") else "Minutes (weighted)"  # what the column holds
        if next(c.label for c in table.spec if c.key == "minutes") != label:
            table.set_spec([replace(c, label=label, short="Min") if c.key == "minutes" else c for c in COLUMNS])
        table.set_rows(rows)
        misfits = len(df) - len(plotted)
        unfit = f"; {misfits} do not fit the workloads' memory (listed, not plotted)" if misfits else ""
        ranked = ("p80 minutes (the upper ends of the 80 % intervals, as the recommendation ranks them)"
                  if col.endswith("_p80") else "expected minutes")
        self.set_status(f"{len(df)} configurations on the cost ↔ {ranked} frontier, {sum(feasible)} within the "
                        f"scenario's limits{unfit}; what each figure rests on is in the Basis column.{note}")

    @on(DataTable.RowHighlighted, "#frontier-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The full accelerator name of the highlighted row on a line of its own (the cell may be cut)."""
        table = self.query_one("#frontier-table", FitTable)
        if 0 <= event.cursor_row < len(table.full_rows):
            r = table.full_rows[event.cursor_row]
            self.query_one("#frontier-detail", Label).update(
                f"{r['accelerator']} · {r['count']} accelerator{'' if str(r['count']) == '1' else 's'} · {r['capex']} · {r['minutes']} min · "
                f"{r.get('basis', '—')}")


def _draw(plt: Any, xs: list[float], ys: list[float], feasible: list[bool], point: tuple[float, float] | None,
          budget_k: float | None, ylabel: str = "weighted minutes") -> None:
    """Draw the frontier from data (called at every render, at the widget's current size)."""
    plt.plot(xs, ys, marker="braille")
    fx = [x for x, ok in zip(xs, feasible) if ok]
    fy = [y for y, ok in zip(ys, feasible) if ok]
    if fx:
        plt.scatter(fx, fy, marker="●")
    ox = [x for x, ok in zip(xs, feasible) if not ok]
    oy = [y for y, ok in zip(ys, feasible) if not ok]
    if ox:
        plt.scatter(ox, oy, marker="○")
    if budget_k:
        plt.vline(budget_k, "orange")
    if point is not None:
        plt.scatter([point[0]], [point[1]], marker="◆", color="red")
    all_x = xs + ([budget_k] if budget_k else [])
    x_lo, x_hi = min(all_x), max(all_x)
    if x_lo > 0 and x_hi / x_lo > 20:  # $21k to $3M: on a linear axis the cheap options crowd into one column
        plt.xscale("log")
        xt = fmt.log_ticks(x_lo, x_hi)
    else:
        xt = fmt.round_ticks(x_lo, x_hi, 5)
    if xt:
        plt.xticks(xt, [fmt.tick_label(t) for t in xt])
    lo, hi = min(ys), max(ys)
    if lo > 0 and hi / lo > 10:
        plt.yscale("log")
        yt = fmt.log_ticks(lo, hi)
    else:
        yt = fmt.round_ticks(lo, hi, 5)
    if yt:
        plt.yticks(yt, [fmt.tick_label(t) for t in yt])
    # the markers' key in the axis label: plotext's legend box sits on the cheapest, slowest points
    plt.xlabel("capex, thousand $ · ● within limits ○ beyond a limit ◆ current choice"
               + (" · vertical line: budget" if budget_k else ""))
    plt.ylabel(ylabel)
    plt.title("Cost ↔ time: every point is the fastest option at its price")
