"""Recommendation panel: the choice, its cost and power, minutes per workload, limits, sensitivity, alternatives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, ProgressBar, Static

from recommender import format as fmt

OBJECTIVE_TEXT = {
    "min_time": "share-weighted minutes to train",
    "max_throughput": "mixes trained per day",
    "min_tco": "total cost of ownership",
}
LIMIT_TEXT = {
    "budget": "budget", "power": "power limit", "rack_units": "rack space", "max_nodes": "node limit",
    "max_accelerators": "accelerator limit", "memory": "memory per accelerator",
}  # fmt: skip


def objective_text(objective: str, value: float | None) -> str:
    if value is None:
        return "—"
    if objective == "min_time":
        return f"{fmt.minutes(value)} min"
    if objective == "max_throughput":
        return f"{fmt.number(value, 2)} mixes/day"
    return fmt.money(value)


class RecommendationPanel(VerticalScroll):
    """Shows a :class:`recommender.models.Recommendation`. ``names`` maps accelerator ids to names."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.names: dict[str, str] = {}
        #: ``(benchmark, accelerators, source) -> citation`` of a measured figure (set by the app).
        self.measured_label: Callable[[str, int, str | None], str] = (
            lambda b, n, src: f"measured: MLPerf Training {src or ''}, {n} accel.")
        self.recommendation: Any = None
        self.years: float = 5.0  # the scenario's TCO horizon (set by the app)
        #: The rows last shown (plain text), for tests and exports.
        self.workload_rows: list[tuple[str, ...]] = []
        self.alternative_rows: list[tuple[str, ...]] = []

    def compose(self) -> ComposeResult:
        yield Label("Loading the catalog…", id="rec-status")
        yield ProgressBar(total=None, show_eta=False, id="rec-progress")
        yield Static("", id="rec-headline")
        yield Static("", id="rec-facts")
        yield Label("Minutes to train per workload", classes="section-label")
        yield Static("", id="rec-workloads")
        yield Label("Measured = the MLPerf Training result of this exact configuration (cited); predicted = "
                    "derived by the performance model, not an MLPerf result, with its 80 % interval.",
                    id="rec-basis-note")
        yield Static("", id="rec-limits")
        yield Label("Alternatives (best of each other accelerator)", classes="section-label")
        yield Static("", id="rec-alternatives")
        yield Label("Why", classes="section-label")
        yield Static("", id="rec-explanation")

    def on_mount(self) -> None:
        self.add_class("-empty")  # the section titles appear with the first recommendation
        self.busy(False)

    def acc_name(self, accelerator_id: str) -> str:
        return self.names.get(accelerator_id, accelerator_id)

    # -- status -------------------------------------------------------------------------------------
    def set_status(self, text: str, *, kind: str = "") -> None:
        label = self.query_one("#rec-status", Label)
        label.update(text)
        label.set_classes(kind)

    def busy(self, on: bool) -> None:
        self.query_one("#rec-progress", ProgressBar).display = on

    # -- content ------------------------------------------------------------------------------------
    def show(self, rec: Any) -> None:
        self.recommendation = rec
        self.remove_class("-empty")
        status = str(rec.status.value if hasattr(rec.status, "value") else rec.status)
        objective = str(rec.objective.value if hasattr(rec.objective, "value") else rec.objective)
        headline = Text()
        if rec.choice is None or status == "infeasible":
            headline.append("No configuration fits the limits", style="bold")
            headline.append(f"  [{status}]", style="bold")
            self.query_one("#rec-headline", Static).set_classes("infeasible")
        else:
            self.query_one("#rec-headline", Static).set_classes("")
            parts = []
            for c in rec.configurations or [rec.choice]:
                copies = f"{c.count} × (" if c.count > 1 else ""
                close = ")" if c.count > 1 else ""
                node_word = "node" if c.nodes == 1 else "nodes"
                parts.append(f"{copies}{c.accelerators} × {self.acc_name(c.accelerator_id)} in {c.nodes} {node_word}{close}")
            headline.append("Buy ", style="bold")
            headline.append(" + ".join(parts), style="bold")
            headline.append(f"   [{status}]")
        self.query_one("#rec-headline", Static).update(headline)
        self.query_one("#rec-facts", Static).update(self._facts(rec, objective))
        self._workloads(rec)
        self.query_one("#rec-limits", Static).update(self._limits(rec))
        self._alternatives(rec, objective)
        lines = Text()
        for sentence in rec.explanation:
            lines.append("• " + sentence + "\n")
        self.query_one("#rec-explanation", Static).update(lines)

    def _facts(self, rec: Any, objective: str) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        c = rec.choice
        obj = f"{objective_text(objective, rec.objective_value)} ({OBJECTIVE_TEXT.get(objective, objective)})"
        if c is None:
            grid.add_row("Objective", objective)
            return grid
        configs = rec.configurations or [c]
        capex = sum(x.capex_usd * x.count for x in configs)
        it_kw = sum(x.it_power_kw * x.count for x in configs)
        fac_kw = sum(x.facility_power_kw * x.count for x in configs)
        tco = sum(x.tco_usd * x.count for x in configs)
        years = self.years
        grid.add_row("Capex", fmt.money(capex))
        grid.add_row("Power", f"{fmt.kw(it_kw)} IT · {fmt.kw(fac_kw)} facility (PUE {c.pue:.2f})")
        grid.add_row("TCO", f"{fmt.money(tco)} over {fmt.plain_number(years)} years (capex + energy)")
        price_src = f" — {c.price_source}" if c.price_source else ""
        grid.add_row("Price", f"{fmt.money(c.price_usd_per_accelerator)} per accelerator{price_src}")
        grid.add_row("Objective", f"{obj} · {fmt.number(c.mixes_per_day, 2)} mixes/day")
        return grid

    def _workloads(self, rec: Any) -> None:
        table = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
        table.add_column("Workload", no_wrap=True)
        table.add_column("Share", justify="right")
        table.add_column("Minutes", justify="right")
        table.add_column("80 % interval", justify="right", no_wrap=True)
        mix = len(rec.configurations) > 1
        if mix:
            table.add_column("Serves", justify="right")
        table.add_column("Basis", overflow="fold")
        self.workload_rows = []
        for c in rec.configurations or ([rec.choice] if rec.choice else []):
            prefix = f"{self.acc_name(c.accelerator_id)}: " if mix else ""
            for w in c.workloads:
                interval = (
                    f"{fmt.minutes(w.minutes_low)}–{fmt.minutes(w.minutes_high)}"
                    if w.minutes_low is not None and w.minutes_high is not None else "—"
                )
                if w.basis == "measured":
                    basis = Text(self.measured_label(w.workload, c.accelerators, w.source), style="bold")
                else:
                    basis = Text("predicted (derived estimate)", style="italic")
                row = (prefix + w.workload, f"{w.share:.2f}", fmt.minutes(w.minutes), interval, basis.plain)
                self.workload_rows.append(row)
                serves = [fmt.percent(c.serves.get(w.workload, 0.0), 0)] if mix else []
                table.add_row(*row[:4], *serves, basis)
        self.query_one("#rec-workloads", Static).update(table)

    def _limits(self, rec: Any) -> Text:
        out = Text()
        out.append("Binding limits: ", style="bold")
        out.append(", ".join(LIMIT_TEXT.get(b, b) for b in rec.binding) or "none — a limit is not what stops a better answer")
        out.append("\n")
        for s in rec.sensitivity:
            pct = f"{(s.factor - 1) * 100:+.0f} %"
            label = {"budget_usd": "budget", "power_limit_kw": "power"}.get(s.parameter, s.parameter)
            out.append(f"What {pct} {label} buys: ", style="bold")
            out.append(s.summary + "\n")
        if not rec.sensitivity:
            out.append("What +10 % buys: ", style="bold")
            out.append("no budget or power limit to relax.\n")
        return out

    def _alternatives(self, rec: Any, objective: str) -> None:
        table = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
        table.add_column("Accelerator", no_wrap=True)
        table.add_column("Count", justify="right")
        table.add_column("Capex", justify="right")
        table.add_column("Objective", justify="right", no_wrap=True)
        table.add_column("Why it lost", overflow="fold")
        self.alternative_rows = []
        for a in rec.alternatives:
            c = a.configuration
            row = (
                self.acc_name(a.accelerator_id),
                str(c.accelerators) if c else "—",
                fmt.money(c.capex_usd) if c else "—",
                objective_text(objective, a.objective_value),
                a.reason,
            )
            self.alternative_rows.append(row)
            table.add_row(*row)
        self.query_one("#rec-alternatives", Static).update(table if rec.alternatives else Text("none"))

    def clear(self) -> None:
        self.recommendation = None
        self.workload_rows = []
        self.alternative_rows = []
        for wid in ("#rec-headline", "#rec-facts", "#rec-limits", "#rec-workloads", "#rec-alternatives",
                    "#rec-explanation"):
            self.query_one(wid, Static).update("")
