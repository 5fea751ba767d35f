"""Recommendation panel: the choice, its cost and power, minutes per workload, limits, sensitivity, alternatives.

The panel fits its width: below :data:`WIDE` cells the workload table abbreviates the basis (the full citations
follow the table, numbered), below :data:`NARROW` it also drops the share and the 80 % interval;
the alternatives table moves "why it lost" below itself, then drops the objective column.
Accelerator, count, minutes, capex and basis are never dropped. Every basis the library can give is shown:
measured, carried, predicted, specs only, does not fit.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, ProgressBar, Static

from recommender import format as fmt
from recommender.report import rent_terms

OBJECTIVE_TEXT = {
    "min_time": "share-weighted minutes to train",
    "max_throughput": "mixes trained per day",
    "min_tco": "total cost of ownership",
}
LIMIT_TEXT = {
    "budget": "budget", "power": "power limit", "rack_units": "rack space", "max_nodes": "node limit",
    "max_accelerators": "accelerator limit", "memory": "memory per accelerator",
    "required_mixes": "required mixes/day",
}  # fmt: skip


#: Panel widths (cells) below which secondary columns give way (see the module docstring).
WIDE = 90
NARROW = 56

#: Short basis labels (narrow screens) and the long form when the library gives no citation.
BASIS_SHORT = {"measured": "measured", "carried": "carried", "predicted": "predicted", "specs_only": "specs only",
               "does_not_fit": "does not fit"}
BASIS_LONG = {"predicted": "predicted (derived estimate)",
              "specs_only": "specs only (no MLPerf result for this accelerator; derived from its specifications)",
              "does_not_fit": "does not fit (the workload does not fit this configuration's memory)"}
#: How each basis is set in the tables (measured firm, derived figures in italics).
BASIS_STYLE = {"measured": "bold", "carried": "", "predicted": "italic", "specs_only": "italic",
               "does_not_fit": "dim"}
CACHED_TEXT = "Cached: the answer last computed for these same inputs — the fresh solve replaces it."
STALE_TEXT = ("⚠ Answer for the last valid scenario — fix the highlighted field to update it.")
#: A fleet's configuration lists a workload it trains at least this share of (below: it never trains it).
SERVES_SHOWN = 5e-4
#: The headline's qualifier of a solver status when the Required row says the rate is not met.
REQUIRED_UNMET = "required rate not met"
SOLVE_FAILED_TEXT = "⚠ Answer for the last scenario that solved — this one could not be solved (see the status above)."


#: The legend under the workload table: every basis a minutes figure can have.
BASIS_LEGEND = (f"Bases — measured: the MLPerf Training result of this configuration (cited), {fmt.CUSTOM_MEASURED_NOTE} "
                "· carried: measured in "
                "an earlier round (named), moved to this round by the model's trend · predicted: the performance "
                "model, not an MLPerf result, with its 80 % interval · specs only: no MLPerf result for the "
                "accelerator, from its specifications (its interval calibrated on earlier first results) · does "
                "not fit: the workload exceeds the memory, no minutes.")


def carried_from(source: str | None) -> tuple[str | None, str, str]:
    """``(round, rest, how)`` of a carried figure's source: ``("v3.0", "closed, available, Dell, system",
    "28.89 min in v3.0 → 27.78 by the trend; model 28.87; combined 50:50")`` for ``"carried from v3.0 closed,
    available · Dell · system · 28.89 min in v3.0 → …"`` (``how``: the library's note of how it was carried)."""
    text = (source or "").strip().removeprefix("carried from").strip()
    parts = [p.strip() for p in text.split("·")]
    if not parts or not parts[0]:
        return None, "", ""
    how = parts.pop() if len(parts) > 1 and "by the trend" in parts[-1] else ""
    rnd, _, division_status = parts[0].partition(" ")
    return rnd, ", ".join(p for p in [division_status.strip(), *parts[1:]] if p), how


def measured_label(source: str | None, accelerators: int) -> str:
    """How a measured figure is cited (MLCommons guidelines: round, division, status, accelerator count), from
    the library's ``source`` (``"v3.1 closed, available · submitter · system"``)."""
    from recommender.models import CUSTOM_SOURCE_PREFIX

    if (source or "").startswith(CUSTOM_SOURCE_PREFIX):  # a custom workload's own measurement
        return f"measured: {source}, {accelerators} accel. — not an MLPerf result"
    parts = [p.strip() for p in (source or "").split("·")]
    if len(parts) >= 3:  # round division, status · submitter · system [· median of n results: lo–hi min]
        median = f"; {parts[3]}" if len(parts) > 3 else ""
        return f"measured: MLPerf Training {parts[0]}, {parts[1]}, {parts[2]}, {accelerators} accel.{median}"
    return f"measured: MLPerf Training{' ' + source if source else ''}, {accelerators} accel."


def basis_text(basis: str, source: str | None, citation: str, accelerators: int | None = None) -> str:
    """How a minutes figure's basis reads in full (``citation`` = the measured result's MLCommons citation;
    ``accelerators``: the configuration's count, which a carried result was measured with)."""
    if basis == "measured":
        return citation
    if basis == "carried":
        rnd, rest, how = carried_from(source)
        if rnd is None:
            return "carried (measured in an earlier round, moved to this round by the model's trend; derived)"
        count = f", {accelerators} accel." if accelerators else ""
        who = f" ({rest}{count})" if rest else ""
        how = f": {how}" if how else ", moved to this round by the model's trend"
        return f"carried: measured in MLPerf Training {rnd}{who}{how} (derived)"
    from recommender.models import is_custom_estimate

    if is_custom_estimate(basis, source):
        return f"{BASIS_LONG['predicted']}: {source}"  # names where the workload's scaling comes from
    if basis == "predicted" and source and source != "model":  # e.g. a result moved to another node layout
        return f"{BASIS_LONG['predicted']}: {source}"
    return BASIS_LONG.get(basis, basis)


def _p80_mixes(c: Any, rec: Any) -> float | None:
    """Mixes per day of one configuration at the upper ends of its minutes' intervals (what risk p80 ranks and
    min_tco checks its required rate with; a reviewer saw only the expected 5.27 beside a requirement met at p80
    by 4.58)."""
    shares = getattr(rec, "workload_shares", None) or {}
    total = sum(shares.get(w.workload, 0.0) for w in c.workloads)
    if total <= 0:
        return None
    weighted = sum(shares.get(w.workload, 0.0) * max(w.minutes_high or w.minutes, w.minutes) for w in c.workloads
                   if shares.get(w.workload, 0.0) > 0)  # fmt: skip
    from recommender.planning.mix_check import MINUTES_PER_DAY

    return MINUTES_PER_DAY * total / weighted if weighted > 0 else None


def required_check(rec: Any, objective: str) -> tuple[float, float, str, bool] | None:
    """``(required, rate, how, met)`` of the scenario's required mixes/day against one configuration's rate (the
    facts' Required row), or None without a rate or for a fleet or a mixes/day objective (its value is the rate).
    Under risk p80 the rate is judged at p80 (as min_tco checks it), whatever the objective; else expected."""
    required = getattr(rec, "required_mixes_per_day", None)
    c = rec.choice
    configs = rec.configurations or [c]
    if not required or c is None or len(configs) != 1 or c.count != 1 or objective == "max_throughput":
        return None
    p80 = _p80_mixes(c, rec) if getattr(rec, "risk", None) == "p80" else None
    if p80 is None:
        return required, c.mixes_per_day, "expected", c.mixes_per_day >= required * (1 - 1e-9)
    # ranked at p80 (a purchase's default), the rate is judged there under every objective, as min_tco checks it
    # (a reviewer: min_time said "met (102.42 expected)" where min_tco found 79.3 at p80 and nothing feasible)
    how = "at p80, as min_tco checks it" if objective == "min_tco" else \
        f"at p80, as min_tco would check it; {fmt.per_day(c.mixes_per_day, against=required)} expected"
    return required, p80, how, p80 >= required * (1 - 1e-9)


def status_text(rec: Any, objective: str) -> str:
    """The solver status, qualified when the Required row says the rate is not met (the status line above the
    answer read a bare "optimal" there, a helper noticed)."""
    status = rec.status.value if hasattr(rec.status, "value") else str(rec.status)
    check = required_check(rec, objective)
    return f"{status} — {REQUIRED_UNMET}" if check is not None and not check[3] else status


def basis_short(basis: str, source: str | None) -> str:
    """The basis in a few letters (narrow tables): a carried figure names its original round."""
    if basis == "carried":
        rnd, _, _ = carried_from(source)
        return f"carried ({rnd})" if rnd else "carried"
    return BASIS_SHORT.get(basis, basis)


def bases_summary(workloads: list[Any]) -> str:
    """The bases of a configuration's workloads, e.g. ``2 measured, 1 carried (v4.0)``."""
    counts: dict[str, int] = {}
    for w in workloads:
        key = basis_short(w.basis, w.source)
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{n} {k}" for k, n in counts.items()) or "—"


def objective_text(objective: str, value: float | None) -> str:
    if value is None:
        return "—"
    if objective == "min_time":
        return f"{fmt.minutes(value)} min"
    if objective == "max_throughput":
        return f"{fmt.per_day(value)} mixes/day"
    return fmt.money(value)


#: what each risk setting ranks by (issue 12)
RISK_TEXT = {"p80": "p80: ranked by the upper end of the 80 % intervals",
             "expected": "expected: ranked by the point estimates"}


class RecommendationPanel(VerticalScroll):
    """Shows a :class:`recommender.models.Recommendation`. ``names`` maps accelerator ids to names."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.names: dict[str, str] = {}
        self.recommendation: Any = None
        self.years: float = 5.0  # the scenario's TCO horizon (set by the app)
        self.infeasibility: Any = None  # recommender.planning.relax.Infeasibility of an infeasible answer (set by the app)
        self._mode = ""
        #: The rows last shown (plain text), for tests and exports.
        self.workload_rows: list[tuple[str, ...]] = []
        self.alternative_rows: list[tuple[str, ...]] = []

    def compose(self) -> ComposeResult:
        yield Label(STALE_TEXT, id="rec-stale")
        yield Label(CACHED_TEXT, id="rec-cached")
        yield Label("Loading the catalog…", id="rec-status")
        yield ProgressBar(total=None, show_eta=False, id="rec-progress")
        yield Static("", id="rec-headline")
        # The essential figures first (accelerator, count, nodes, capex, minutes with basis, the binding limit),
        # so they fit a 100x30 or 80x24 terminal without scrolling; the bill and the rest follow.
        yield Static("", id="rec-facts")
        yield Label("Minutes to train per workload", classes="section-label")
        yield Static("", id="rec-workloads")
        yield Static("", id="rec-limits")
        yield Label(BASIS_LEGEND, id="rec-basis-note")
        yield Label("Bill, power and rent or buy", classes="section-label", id="rec-bill-label")
        yield Static("", id="rec-bill")
        yield Static("", id="rec-price")
        yield Label("Alternatives (best of each other accelerator)", classes="section-label")
        yield Static("", id="rec-alternatives")
        yield Label("Why", classes="section-label")
        yield Static("", id="rec-explanation")

    def on_mount(self) -> None:
        self.add_class("-empty")  # the section titles appear with the first recommendation
        self.busy(False)

    def on_resize(self) -> None:
        mode = self.width_mode
        if mode != self._mode and self.recommendation is not None:
            self.show(self.recommendation, self.infeasibility)  # the facts and tables are worded for the width
        self._mode = mode

    @property
    def width_mode(self) -> str:
        """``wide``, ``medium`` or ``narrow`` from the panel's width (which columns the tables show)."""
        width = self.content_size.width or self.app.size.width
        return "wide" if width >= WIDE else ("medium" if width >= NARROW else "narrow")

    @property
    def stale(self) -> bool:
        return self.has_class("-stale")

    def set_stale(self, stale: bool, fields: list[str] | None = None, *, text: str | None = None) -> None:
        """Mark the shown answer as belonging to the last valid scenario (an edited field is invalid); the
        banner names the ``fields`` to fix, or says ``text``."""
        self.set_class(stale, "-stale")
        if stale:
            which = f"fix {', '.join(fields)}" if fields else "fix the highlighted field"
            self.query_one("#rec-stale", Label).update(text or STALE_TEXT.replace("fix the highlighted field", which))

    @property
    def cached(self) -> bool:
        return self.has_class("-cached")

    def set_cached(self, cached: bool) -> None:
        """Mark the shown answer as the one stored for identical inputs, not yet re-checked (tui.warm_start)."""
        self.set_class(cached, "-cached")

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
    def show(self, rec: Any, infeasibility: Any = None) -> None:
        self.recommendation = rec
        self.infeasibility = infeasibility
        self.remove_class("-empty")
        self._mode = self.width_mode
        status = _enum(rec.status)
        objective = _enum(rec.objective)
        headline = Text()
        rent = rent_terms(rec, self.acc_name)  # consider_cloud chose renting: the decision first, as the CLI says it
        if rent is not None:  # (a reviewer: the headline read "Buy …" and "Decision: rent." came pages below)
            headline.append(f"Rent {rent}", style="bold")
        if rec.choice is None or status == "infeasible":
            if rent is None:  # (the rent line says no purchase fits: a reviewer read it twice)
                headline.append("No configuration fits the limits", style="bold")
                headline.append(f"  [{status}]", style="bold")
            self.query_one("#rec-headline", Static).set_classes("" if rent else "infeasible")  # renting answers it
        else:
            self.query_one("#rec-headline", Static).set_classes("")
            parts = []
            for c in rec.configurations or [rec.choice]:
                copies = f"{fmt.count(c.count)} × (" if c.count > 1 else ""
                close = ")" if c.count > 1 else ""
                node_word = "node" if c.nodes == 1 else "nodes"
                big = any("-card chassis" in b.item for b in getattr(c, "bill", ()))  # (a reviewer: it read as usual)
                chassis = f" (a {c.accelerators_per_node}-card PCIe chassis: see Why)" if big else ""
                bases = {w.basis for w in c.workloads}  # (a reviewer: $377k of Gaudi3 under a plain "[optimal]")
                specs = " (specs only: no MLPerf result; see Why)" if bases == {"specs_only"} else ""
                parts.append(f"{copies}{fmt.count(c.accelerators)} × {self.acc_name(c.accelerator_id)} in "
                             f"{fmt.count(c.nodes)} {node_word}"
                             f" of {c.accelerators_per_node}{chassis}{specs}{close}")
            style = "" if rent else "bold"  # under a rent decision the purchase is for comparison, not the answer
            headline.append("\nBest purchase: " if rent else "Buy ", style=style)
            headline.append(" + ".join(parts), style=style)
            check = required_check(rec, objective)  # "[optimal]" above the Required row's "NOT met" read as success
            if check is not None and not check[3]:
                headline.append(f"   [{status} — {REQUIRED_UNMET}]", style="bold")
            elif status != "optimal" or self.width_mode != "narrow":  # narrow: the status line says it
                headline.append(f"   [{status}]")
        self.query_one("#rec-headline", Static).update(headline)
        self.query_one("#rec-facts", Static).update(self._facts(rec, objective))
        self.query_one("#rec-price", Static).update(self._price(rec))
        self._bill(rec)
        self._workloads(rec)
        self.query_one("#rec-limits", Static).update(self._limits(rec))
        self._alternatives(rec, objective)
        lines = Text()
        for sentence in rec.explanation:
            lines.append("• " + sentence + "\n")
        self.query_one("#rec-explanation", Static).update(lines)

    def _facts(self, rec: Any, objective: str) -> Table:
        """Capex and TCO, the objective with the minutes' bases, the binding limit, power — one line each where
        the width allows (the bill and the price's source follow further down)."""
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        c = rec.choice
        # under risk p80 a minutes or mixes/day objective is ranked at the intervals' upper ends: say so
        at = " at p80" if getattr(rec, "risk", None) == "p80" and objective != "min_tco" else ""
        value = f"{objective_text(objective, rec.objective_value)}{at}"
        obj = f"{value} ({OBJECTIVE_TEXT.get(objective, objective)})"
        if c is None:
            grid.add_row("Objective", objective)
            return grid
        configs = rec.configurations or [c]
        capex = sum(x.capex_usd * x.count for x in configs)
        it_kw = sum(x.it_power_kw * x.count for x in configs)
        fac_kw = sum(x.facility_power_kw * x.count for x in configs)
        tco = sum(x.tco_usd * x.count for x in configs)
        yearly = [getattr(x, "yearly_cost_usd", None) for x in configs]
        per_year = (f" · {fmt.money(sum(y * x.count for y, x in zip(yearly, configs)))} a year"
                    if all(y is not None for y in yearly) else "")
        narrow = self.width_mode == "narrow"  # one line a figure where possible: details are further down
        years = f"{fmt.plain_number(self.years)} year{'' if self.years == 1 else 's'}"
        grid.add_row("Capex", f"{fmt.money(capex)} · TCO {fmt.money(tco)} over {years}" if narrow else
                     f"{fmt.money(capex)} · TCO {fmt.money(tco)} over {years} (present value: capex + energy − "
                     f"salvage){per_year}")
        # one configuration's own mixes/day (at expected minutes) beside a time or cost objective; not beside a
        # mixes/day objective (ranked at p80 by default) nor for a fleet, where it would read as the fleet's
        one = len(configs) == 1 and c.count == 1 and objective != "max_throughput"
        p80 = _p80_mixes(c, rec) if one and getattr(rec, "risk", None) == "p80" else None
        req = getattr(rec, "required_mixes_per_day", None)
        at_p80 = f"; {fmt.per_day(p80, against=req)} at p80, as min_tco checks its rate" if p80 and objective == "min_tco" else ""
        mixes = f" · {fmt.per_day(c.mixes_per_day, against=req)} mixes/day (expected{at_p80})" if one else ""
        if narrow:  # the bases are in the workload table right below
            grid.add_row("Objective", f"{value}{mixes}")
        else:
            # the bases of the rows shown: a fleet's configuration lists only the workloads it trains
            bases = bases_summary([w for x in configs for w in x.workloads
                                   if len(configs) == 1 or x.serves.get(w.workload, 0.0) >= SERVES_SHOWN])
            grid.add_row("Objective", f"{obj}{mixes} · bases: {bases}")
        check = required_check(rec, objective)
        if check is not None:  # (a reviewer: the form's rate, ignored without a word under min_time)
            required, rate, how, met = check
            unmet = "" if met or objective == "min_tco" else " — only min_tco enforces the rate"
            grid.add_row("Required", Text(f"{fmt.plain_number(required)} mixes/day: {'met' if met else 'NOT met'} "
                                          f"({fmt.per_day(rate, against=required)} {how}){unmet}", style="" if met else "bold"))
        binding = binding_limits(rec, self.infeasibility)
        grid.add_row("Binding", binding_text(rec, binding) if binding else "no limit binds")
        draw = [getattr(x, "average_draw_kw", None) for x in configs]
        if narrow:
            grid.add_row("Power", f"{fmt.kw(it_kw)} IT · {fmt.kw(fac_kw)} facility")
        elif all(d is not None for d in draw):  # issue 12: provisioned and expected average draw
            avg = sum(d * x.count for d, x in zip(draw, configs))
            grid.add_row("Power", f"{fmt.kw(it_kw)} provisioned IT · {fmt.kw(avg)} average draw · "
                                  f"{fmt.kw(fac_kw)} facility (PUE {c.pue:.2f})")
        else:
            grid.add_row("Power", f"{fmt.kw(it_kw)} IT · {fmt.kw(fac_kw)} facility (PUE {c.pue:.2f})")
        risk = getattr(rec, "risk", None)  # issue 12: which minutes were ranked
        if risk:
            grid.add_row("Risk", risk if narrow else RISK_TEXT.get(risk, risk))
        return grid

    def _price(self, rec: Any) -> Text:
        c = rec.choice
        if c is None:
            return Text("")
        out = Text()
        out.append("Price: ", style="bold")
        out.append(f"{fmt.money(c.price_usd_per_accelerator)} per accelerator"
                   f"{f' — {c.price_source}' if c.price_source else ''}")
        return out

    def _bill(self, rec: Any) -> None:
        from tui.widgets.bill import has_bill, plan_section

        shown = has_bill(rec)
        self.query_one("#rec-bill-label", Label).display = shown
        self.query_one("#rec-bill", Static).display = shown
        self.query_one("#rec-bill", Static).update(
            plan_section(rec, self.acc_name, self.years, wide=self.width_mode == "wide"))

    def _workloads(self, rec: Any) -> None:
        mode = self.width_mode
        table = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
        table.add_column("Workload", overflow="fold", min_width=8)
        if mode != "narrow":  # (a 120-column screen, medium, lost it; the abbreviated basis leaves room)
            table.add_column("Share", justify="right")
        table.add_column("Minutes", justify="right", no_wrap=True)
        if mode != "narrow":
            table.add_column("80 % interval", justify="right", no_wrap=True)
        mix = len(rec.configurations) > 1
        if mix:
            table.add_column("Serves", justify="right")
        table.add_column("Basis", overflow="fold", no_wrap=mode == "medium")
        self.workload_rows = []
        notes: list[str] = []
        for c in rec.configurations or ([rec.choice] if rec.choice else []):
            # a fleet's rows name the configuration (two of one accelerator read alike) and skip what it never trains
            prefix = f"{fmt.count(c.accelerators)} × {self.acc_name(c.accelerator_id)}: " if mix else ""
            for w in c.workloads:
                if mix and c.serves.get(w.workload, 0.0) < SERVES_SHOWN:
                    continue
                fits = w.basis != "does_not_fit"
                interval = (
                    f"{fmt.minutes(w.minutes_low)}–{fmt.minutes(w.minutes_high)}"
                    if fits and w.minutes_low is not None and w.minutes_high is not None else "—"
                )
                long = basis_text(w.basis, w.source, measured_label(w.source, c.accelerators)
                                  if w.basis == "measured" else "", c.accelerators)
                style = BASIS_STYLE.get(w.basis, "italic")
                minutes = fmt.minutes(w.minutes) if fits else "—"
                row = (prefix + w.workload, f"{w.share:.2f}", minutes, interval, long)
                self.workload_rows.append(row)
                cells = [row[0]] + ([row[1]] if mode != "narrow" else []) + [row[2]]
                cells += [interval] if mode != "narrow" else []
                cells += [fmt.percent(c.serves.get(w.workload, 0.0), 0)] if mix else []
                if mode != "wide":
                    short = basis_short(w.basis, w.source)
                    if mode == "narrow" and interval != "—":  # the interval column is gone: keep it here
                        short += f" {interval}"
                    if w.basis in ("measured", "carried") or long != BASIS_LONG.get(w.basis, w.basis):
                        if long not in notes:
                            notes.append(long)
                        short += f" [{notes.index(long) + 1}]"
                    cells.append(Text(short, style=style))
                else:
                    cells.append(Text(long, style=style))
                table.add_row(*cells)
        if not self.workload_rows:  # infeasible: no configuration, no minutes
            self.query_one("#rec-workloads", Static).update(Text("— (no configuration fits the limits)", style="dim"))
        elif notes:
            from rich.console import Group

            lines = Text("\n".join(f"[{i}] {n}" for i, n in enumerate(notes, start=1)), style="dim")
            self.query_one("#rec-workloads", Static).update(Group(table, lines))
        else:
            self.query_one("#rec-workloads", Static).update(table)

    def _limits(self, rec: Any) -> Text:
        out = Text()
        inf = self.infeasibility if _enum(rec.status) == "infeasible" else None
        binding = binding_limits(rec, self.infeasibility)
        out.append("Binding limits: ", style="bold")
        if binding:
            out.append(binding_text(rec, binding))
        elif _enum(rec.status) == "infeasible":
            out.append("not determined (no candidate to compare with the limits)")
        else:
            out.append("none — a limit is not what stops a better answer")
        out.append("\n")
        if inf is not None:
            for line in inf.lines(self.acc_name):
                out.append(line[0], style="bold")
                out.append(line[1] + "\n")
        for s in rec.sensitivity:
            pct = f"{(s.factor - 1) * 100:+.0f} %"
            label = {"budget_usd": "budget", "power_limit_kw": "power"}.get(s.parameter, s.parameter)
            out.append(f"What {pct} {label} buys: ", style="bold")
            out.append(s.summary + "\n")
        if not rec.sensitivity and inf is None:
            out.append("What +10 % buys: ", style="bold")
            out.append("no budget or power limit to relax.\n")
        return out

    def _alternatives(self, rec: Any, objective: str) -> None:
        table = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
        mode = self.width_mode
        table.add_column("Accelerator", overflow="fold", ratio=None)
        table.add_column("Count", justify="right", no_wrap=True)
        table.add_column("Capex", justify="right", no_wrap=True)
        if mode != "narrow":
            table.add_column("Objective", justify="right", no_wrap=True)
        table.add_column("Basis", overflow="fold")
        if mode == "wide":
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
                bases_summary(c.workloads) if c else "—",
            )
            self.alternative_rows.append(row)
            table.add_row(*row[:3], *([row[3]] if mode != "narrow" else []), row[5],
                          *([row[4]] if mode == "wide" else []))
        if rec.alternatives and mode != "wide":  # why each lost, below the table
            from rich.console import Group

            # a reason that names its accelerator already is not prefixed again ("A30: A30: at most …")
            why = Text("\n".join(r[4] if r[4].startswith(f"{r[0]}:") else f"{r[0]}: {r[4]}"
                                 for r in self.alternative_rows), style="dim")  # fmt: skip
            self.query_one("#rec-alternatives", Static).update(Group(table, why))
        else:
            self.query_one("#rec-alternatives", Static).update(table if rec.alternatives else Text("none"))

    def clear(self) -> None:
        self.recommendation = None
        self.workload_rows = []
        self.alternative_rows = []
        for wid in ("#rec-headline", "#rec-facts", "#rec-bill", "#rec-price", "#rec-limits", "#rec-workloads", "#rec-alternatives",
                    "#rec-explanation"):
            self.query_one(wid, Static).update("")


def binding_limits(rec: Any, infeasibility: Any = None) -> list[str]:
    """The limits that bind: the library's, and for an infeasible answer the ones its closest candidate breaks."""
    binding = list(rec.binding)
    if infeasibility is not None and _enum(rec.status) == "infeasible":
        binding += [b for b in infeasibility.violated if b not in binding]
    return binding


def binding_text(rec: Any, binding: list[str]) -> str:
    """``budget, power limit``, or ``budget + power limit (together)`` when the library's limits bind only
    together (not when an infeasible answer's broken limits were added to them)."""
    together = bool(getattr(rec, "binding_together", False)) and binding == list(rec.binding)
    return fmt.limits(binding, together, lambda b: LIMIT_TEXT.get(b, b))


def _enum(value: Any) -> str:
    return str(value.value if hasattr(value, "value") else value)
