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
    Column("minutes", "Minutes (weighted)", 18, min_width=8, short="Minutes"),  # under p80: "p80 min" (show)
    Column("basis", "Basis", 12),  # "specs only", "does not fit"
    # "over power; below rate" in full at 120 columns too: its cells come back before the names' (it read "over
    # powe…" there, a reviewer); a longer one (three limits) is cut, and the row detail says it all
    Column("choice", "Choice", 22, drop=1, min_width=10, grow=1),
]

#: The scenario's limits a frontier row is judged by (see :func:`_over`).
LIMIT_FIELDS = ("budget_usd", "power_limit_kw", "max_accelerators", "max_nodes")

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


def _beyond(rec: dict[str, Any], limits: dict[str, float | None]) -> str:
    """The Choice cell of a row the optimizer may not choose: the limits it exceeds, and "below rate" when it trains
    fewer than min_tco's required mixes/day (``meets_rate``; they read "over a limit", a reviewer)."""
    slow = rec.get("meets_rate") is not None and not fmt.is_missing(rec["meets_rate"]) and not bool(rec["meets_rate"])
    over = _over(rec, limits)
    if not slow:
        return over
    return "below rate" if over == "over a limit" else f"{over}; below rate"


def _allowed(rec: dict[str, Any]) -> bool:
    """A row the optimizer may choose (``feasible``: the limits and min_tco's rate; True where not said)."""
    ok = rec.get("feasible", True)
    return True if fmt.is_missing(ok) else bool(ok)


def ranked_minutes(choice: Any, rec: Any, col: str) -> float | None:
    """The choice's share-weighted minutes as the frontier ranks them (``col``): p80 from its workloads' intervals
    (the ◆ stood at its expected minutes on a p80 plot), else expected."""
    if col.endswith("_p80") and rec is not None:
        from recommender.planning.mix_check import MINUTES_PER_DAY
        from tui.widgets.recommendation import _p80_mixes

        mixes = _p80_mixes(choice, rec)
        return MINUTES_PER_DAY / mixes if mixes else None
    return float(choice.weighted_minutes)


def _choice_record(choice: Any) -> dict[str, Any]:
    """A frontier-like row for a choice that is no frontier point."""
    return {"accelerator_id": choice.accelerator_id, "accelerators": choice.accelerators, "nodes": choice.nodes,
            "capex_usd": choice.capex_usd, "it_power_kw": choice.it_power_kw, "basis": choice.basis,
            "feasible": True, "off_curve": True}


def _rate_text(frontier: pd.DataFrame) -> str:
    """`` and its 5 mixes/day (at p80 minutes, as min_tco checks it)`` when min_tco requires a rate (the count
    said "within the scenario's limits" of rows ruled out by the rate alone)."""
    required = frontier.attrs.get("required_mixes_per_day")
    if not required:
        return ""
    at = "p80" if str(frontier.attrs.get("rate_ranked_by", "")).endswith("_p80") else "expected"
    return f" and its {fmt.amount(required)} mixes/day (at {at} minutes, as min_tco checks it)"


def _off_curve(choice: Any, y: float | None, plotted: list[dict[str, Any]], col: str, objective: Any,
               names: dict[str, str]) -> str:
    """Why the choice is no point of the curve, from the points that are cheaper and faster."""
    what = f"{fmt.count(choice.accelerators)} × {names.get(choice.accelerator_id, choice.accelerator_id)}"
    said = f" The choice, {what} ({fmt.money(choice.capex_usd)}), is off the curve, listed in its place"
    better = [r for r in plotted if y is not None and float(r["capex_usd"]) <= float(choice.capex_usd) * (1 + 1e-9)
              and float(r[col]) <= y * (1 + 1e-9)]  # fmt: skip
    why = []
    if any(not _allowed(r) for r in better):
        why.append("are beyond a limit")
    if any(_allowed(r) for r in better) and str(getattr(objective, "value", objective)) == "min_tco":
        why.append("cost more to own (min_tco ranks the TCO, not the capex)")
    return said + (f": the cheaper, faster points {' or '.join(why)}." if why else ".")


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
        self._shown: tuple[Any, Any, Any] | None = None  # (frontier, recommendation, scenario) last shown

    def compose(self) -> ComposeResult:
        yield Label("The frontier is computed when this view is open.", id="frontier-status")
        yield SafePlot(id="frontier-plot", empty_text="")
        yield Label("", id="frontier-key")  # the markers' key: wraps (in the x label, plotext dropped it at 120)
        yield FitTable(COLUMNS, id="frontier-table")
        yield Label("", id="frontier-detail", classes="row-detail")

    def set_status(self, text: str) -> None:
        self.query_one("#frontier-status", Label).update(text)

    def show_error(self, text: str) -> None:
        """``text`` instead of a frontier: the last plot and table go (they belonged to another scenario)."""
        self._frame = None
        self._shown = None
        self.generation = -1
        self.query_one("#frontier-plot", SafePlot).set_draw(None)
        self.query_one("#frontier-key", Label).update("")
        self.query_one("#frontier-table", FitTable).set_rows([])
        self.set_status(text)

    def show_for(self, frontier: pd.DataFrame, rec: Any | None, scenario: Any | None = None, *,
                 generation: int = -1) -> None:
        """The frontier beside the recommendation ``rec`` (None while the scenario is being solved): its choice
        marked — listed in its place when it is off the curve — unless it is a fleet (mix mode or copies), which is
        no point of this frontier of single configurations; the status says so (a reviewer saw one member of a
        fleet marked "current" and the other "over limit"). ``scenario`` gives the limits rows are judged by."""
        self._shown = (frontier, rec, scenario)
        self.generation = generation  # the app's scenario generation this frontier belongs to
        self.limits = {k: getattr(scenario, k, None) for k in LIMIT_FIELDS}
        budget_usd = self.limits.get("budget_usd")
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
        self.show(frontier, choice, budget_usd, rec=rec)

    def mark(self, rec: Any | None, generation: int) -> None:
        """Mark ``rec``'s choice on the frontier shown, if it is of the same ``generation`` (the solve finished
        after the frontier)."""
        if self._shown is not None and self.generation == generation and self._shown[1] is not rec:
            self.show_for(self._shown[0], rec, self._shown[2], generation=generation)

    def show(self, frontier: pd.DataFrame, choice: Any | None, budget_usd: float | None = None, *,
             note: str = "", rec: Any | None = None) -> None:
        plot = self.query_one("#frontier-plot", SafePlot)
        table = self.query_one("#frontier-table", FitTable)
        if frontier is None or not len(frontier):
            self._frame = None
            plot.set_draw(None)
            self.query_one("#frontier-key", Label).update("")
            table.set_rows([])
            self.set_status("No feasible candidate: the frontier is empty.")
            return
        col = frontier.attrs.get("ranked_by", "weighted_minutes")  # the minutes the recommendation ranks by
        df = frontier.sort_values("capex_usd")
        self._frame = df
        records = df.to_dict("records")
        fits = [_fits(r) for r in records]
        plotted = [r for r, fit in zip(records, fits) if fit]
        xs = [float(r["capex_usd"]) / 1000.0 for r in plotted]
        ys = [float(r[col]) for r in plotted]
        is_choice = [
            choice is not None and r["accelerator_id"] == choice.accelerator_id
            and int(r["accelerators"]) == int(choice.accelerators)
            for r in records
        ]
        feasible = [_allowed(r) for r in plotted]
        at = [float(r[col]) for r, chosen in zip(records, is_choice) if chosen]  # the choice as the plot ranks it
        y_choice = None if choice is None else (at[0] if at else ranked_minutes(choice, rec, col))
        point = None if choice is None or y_choice is None else (float(choice.capex_usd) / 1000.0, y_choice)
        budget_k = float(budget_usd) / 1000.0 if budget_usd else None
        ylabel = "weighted p80 minutes" if col.endswith("_p80") else "weighted minutes"
        plot.set_draw((lambda plt: _draw(plt, xs, ys, feasible, point, budget_k, ylabel)) if xs else None)
        self.query_one("#frontier-key", Label).update(
            key_text(budget=bool(budget_k), rate=bool(frontier.attrs.get("required_mixes_per_day"))) if xs
            else "")
        rows = [self._row(r, chosen, fit, col) for r, chosen, fit in zip(records, is_choice, fits)]
        off = ""
        if choice is not None and not at:  # off the curve (min_tco ranks TCO; a cheaper, faster point may break a
            where = sum(float(r["capex_usd"]) <= float(choice.capex_usd) for r in records)  # limit): listed in place
            rows.insert(where, self._row({**_choice_record(choice), col: y_choice}, True, True, col))
            off = _off_curve(choice, y_choice, plotted, col, getattr(rec, "objective", None), self.names)
        # what the column holds, also where the full header does not fit (at 120 columns: "p80 min", 8 cells)
        label, short = ("Minutes (p80)", "p80 min") if col.endswith("_p80") else ("Minutes (weighted)", "Minutes")
        if next(c.label for c in table.spec if c.key == "minutes") != label:
            table.set_spec([replace(c, label=label, short=short) if c.key == "minutes" else c for c in COLUMNS])
        table.set_rows(rows)
        misfits = len(df) - len(plotted)
        unfit = f"; {misfits} do not fit the workloads' memory (listed, not plotted)" if misfits else ""
        ranked = ("p80 minutes (the upper ends of the 80 % intervals, as the recommendation ranks them)"
                  if col.endswith("_p80") else "expected minutes")
        self.set_status(f"{len(df)} configurations on the cost ↔ {ranked} frontier, {sum(feasible)} within the "
                        f"scenario's limits{_rate_text(frontier)}{unfit}; what each figure rests on is in the Basis "
                        f"column.{off}{note}")

    def _row(self, rec: dict[str, Any], chosen: bool, fit: bool, col: str) -> dict[str, str]:
        """One table row: a frontier point, or the choice listed off the curve."""
        aid = rec["accelerator_id"]
        return {
            "accelerator": self.names.get(aid, aid), "count": str(int(rec["accelerators"])),
            "nodes": str(int(rec["nodes"])) if "nodes" in rec and not fmt.is_missing(rec["nodes"]) else "—",
            "capex": fmt.money(rec["capex_usd"]), "power": fmt.kw(rec.get("it_power_kw")),
            "minutes": fmt.minutes(rec[col]) if fit else "—",
            "basis": BASIS_LABELS.get(str(rec.get("basis", "")), str(rec.get("basis") or "—")) if fit
            else "does not fit",
            "choice": "◆ current" if chosen else ("does not fit" if not fit else
                                                  ("" if _allowed(rec) else _beyond(rec, self.limits))),
            "note": ", off the curve" if rec.get("off_curve") else "",  # (the row detail's; cells may be cut)
        }

    @on(DataTable.RowHighlighted, "#frontier-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted row on a line of its own, with the full accelerator name and Choice (cells may be cut)."""
        table = self.query_one("#frontier-table", FitTable)
        if 0 <= event.cursor_row < len(table.full_rows):
            r = table.full_rows[event.cursor_row]
            self.query_one("#frontier-detail", Label).update(
                f"{r['accelerator']} · {r['count']} accelerator{'' if str(r['count']) == '1' else 's'} · {r['capex']} · {r['minutes']} min · "
                f"{r.get('basis', '—')}" + (f" · {r['choice']}{r.get('note', '')}" if r.get("choice") else ""))


def key_text(*, budget: bool, rate: bool) -> str:
    """The plot markers' key, on a line of its own that wraps (not plotext's legend box, which sat on the cheapest,
    slowest points; not the x axis label, which plotext dropped where the plot is narrow)."""
    within, beyond = (("● within the limits, at the rate", "○ beyond a limit or below the rate") if rate
                      else ("● within the limits", "○ beyond a limit"))
    return f"{within}  {beyond}  ◆ current choice" + ("  │ vertical line: budget" if budget else "")


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
    # short axis labels: plotext drops an x label that does not fit beside the y label (the markers' key, once in
    # it, went at 120 columns; it is in the view's wrapping key line, :func:`key_text`)
    plt.xlabel("capex, thousand $")
    plt.ylabel(ylabel)
    plt.title("Cost ↔ time: every point is the fastest option at its price")
