"""Frontier view: the cost ↔ minutes Pareto frontier as a plot, with the current choice marked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Label
from textual_plotext import PlotextPlot

from recommender import format as fmt
from tui.widgets.tables import add_fixed_columns

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


class FrontierView(Vertical):
    """Plot + table of the frontier. ``show(frontier, choice)``; ``choice`` is a Configuration or None."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.names: dict[str, str] = {}
        self.generation = -1

    def compose(self) -> ComposeResult:
        yield Label("The frontier is computed when this view is open.", id="frontier-status")
        yield PlotextPlot(id="frontier-plot")
        yield DataTable(id="frontier-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        add_fixed_columns(self.query_one("#frontier-table", DataTable), [
            ("Accelerator", 30), ("Count", 5), ("Nodes", 5), ("Capex", 12), ("IT power", 10),
            ("Weighted minutes", 16), ("Choice", 10)])

    def set_status(self, text: str) -> None:
        self.query_one("#frontier-status", Label).update(text)

    def show(self, frontier: pd.DataFrame, choice: Any | None, budget_usd: float | None = None) -> None:
        plot = self.query_one("#frontier-plot", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        table = self.query_one("#frontier-table", DataTable)
        table.clear()
        if frontier is None or not len(frontier):
            self.set_status("No feasible candidate: the frontier is empty.")
            plot.refresh()
            return
        df = frontier.sort_values("capex_usd")
        xs = [float(v) / 1000.0 for v in df["capex_usd"]]
        ys = [float(v) for v in df["weighted_minutes"]]
        is_choice = [
            choice is not None
            and r["accelerator_id"] == choice.accelerator_id
            and int(r["accelerators"]) == int(choice.accelerators)
            for r in df.to_dict("records")
        ]
        feasible = [bool(v) for v in df["feasible"]] if "feasible" in df else [True] * len(df)
        plt.plot(xs, ys, marker="braille", label="Pareto frontier")
        fx = [x for x, ok in zip(xs, feasible) if ok]
        fy = [y for y, ok in zip(ys, feasible) if ok]
        if fx:
            plt.scatter(fx, fy, marker="●", label="within the scenario's limits")
        ox = [x for x, ok in zip(xs, feasible) if not ok]
        oy = [y for y, ok in zip(ys, feasible) if not ok]
        if ox:
            plt.scatter(ox, oy, marker="○", label="beyond a limit")
        if budget_usd:
            plt.vline(float(budget_usd) / 1000.0, "orange")
        if choice is not None:
            cx = float(choice.capex_usd) / 1000.0
            cy = float(choice.weighted_minutes)
            plt.scatter([cx], [cy], marker="◆", color="red", label="current choice")
        plt.yscale("log")
        plt.xlabel("capex (thousand USD)" + (" · vertical line: budget" if budget_usd else ""))
        plt.ylabel("share-weighted minutes (log)")
        plt.title("Cost ↔ time: every point is the fastest option at its price")
        plot.refresh()
        for rec, chosen in zip(df.to_dict("records"), is_choice):
            aid = rec["accelerator_id"]
            table.add_row(
                self.names.get(aid, aid), str(int(rec["accelerators"])),
                str(int(rec["nodes"])) if "nodes" in rec and not fmt.is_missing(rec["nodes"]) else "—",
                fmt.money(rec["capex_usd"]),
                fmt.kw(rec.get("it_power_kw")), fmt.minutes(rec["weighted_minutes"]),
                "◆ current" if chosen else ("" if rec.get("feasible", True) else "over limit"),
            )
        table.check_idle()  # DataTable sizes its columns when idle
        self.set_status(f"{len(df)} configurations on the cost ↔ minutes frontier, {sum(feasible)} within the "
                        "scenario's limits (minutes: measured where that configuration was, else predicted).")
