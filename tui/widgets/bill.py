"""The issue-12 figures of a recommendation: the whole bill with sources, both power figures, the yearly cost and
present-value TCO, and rent or buy.

Read from the library's result by the names of ``recommender.models`` (``Configuration.bill`` of ``BillLine``,
``racks``, ``it_power_kw`` = provisioned, ``average_draw_kw``, ``energy_usd_per_year``, ``yearly_cost_usd``,
``tco_usd``; ``Recommendation.rent_or_buy`` of ``RentOrBuy``/``RentQuote``, ``cloud_decision``,
``cheapest_rent``). A result without them (an older library) shows nothing here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from recommender import format as fmt


def has_bill(rec: Any) -> bool:
    return bool(rec is not None and rec.choice is not None and getattr(rec.choice, "bill", None))


#: A defaults.csv row id in a bill line's item: "scale-out network (ib_ndr400_1tier_le_64_nodes; proxy for Ethernet)".
_ROW_ID = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


def short_item(item: str) -> str:
    """A bill line's item without its defaults.csv row ids, for a bill with no source column (below the wide width):
    the id, one long token, was folded mid-word at 80 columns ("(ib_ndr400_2tie" / "r_le_1024_nodes" / ")"). The
    wide bill's sources and the CLI's name the row; the rest of the bracket (a proxy note) stays."""
    text = _ROW_ID.sub("", item)
    text = re.sub(r"\(\s*[;,]\s*", "(", text)  # "(; proxy for Ethernet)" -> "(proxy for Ethernet)"
    return re.sub(r"\s*\(\s*\)", "", text)  # "scale-out network ()" -> "scale-out network"


#: A defaults.csv row id in a source: ``parameter[applies_to]`` ("network_cost_usd_per_node[ib_ndr400_1tier_le_64_nodes]").
_SOURCE_ID = re.compile(r"\b([a-z0-9]+(?:_[a-z0-9]+)+)(\[[A-Za-z0-9_.-]+\])")


class SourceCell:
    """A wide bill's Source cell that folds no row id mid-token: an id wider than the column breaks before its
    ``[`` (``network_cost_usd_per_node`` / ``[ib_ndr400_2tier_le_1024_nodes]``, each part whole); the rest wraps at
    spaces. (The column folded "network_cost_usd_per_node[ib_ndr" / "400_2tier_le_1024_nodes]".) Only a part wider
    than the whole column is still folded, as a last resort."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.measure import Measurement

        parts = _SOURCE_ID.sub(lambda m: f"{m.group(1)} {m.group(2)}", self.text).split()
        return Measurement(max(map(len, parts), default=1), len(self.text)).clamp(max_width=options.max_width)

    def __rich_console__(self, console: Any, options: Any) -> Any:
        width = options.max_width
        text = _SOURCE_ID.sub(lambda m: m.group(0) if len(m.group(0)) <= width else f"{m.group(1)}\n{m.group(2)}",
                              self.text)  # fmt: skip
        yield Text(text, overflow="fold")


def bill_table(c: Any, name: Callable[[str], str], *, wide: bool, assumptions: Sequence[Any] = ()) -> Table:
    """The bill of one copy of ``c``: item, quantity, unit, total and (wide) the sources, down to its TCO — the
    energy and the salvage (negative, with its basis) after the capex, as the CLI's bill has them
    (``recommender.plan_models.tco_lines``), so capex + energy − salvage = TCO adds up on screen."""
    from recommender.plan_models import tco_lines

    table = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
    copies = f" (per copy, {fmt.count(c.count)} copies)" if getattr(c, "count", 1) > 1 else ""  # as the CLI says it
    table.add_column(f"{fmt.count(c.accelerators)} × {name(c.accelerator_id)}{copies}", overflow="fold")
    table.add_column("Qty", justify="right", no_wrap=True)
    table.add_column("Unit", justify="right", no_wrap=True)
    table.add_column("Total", justify="right", no_wrap=True)
    if wide:
        table.add_column("Source", overflow="fold", style="dim")
    for line in c.bill:
        cells: list[Any] = [Text(line.item if wide else short_item(line.item)), fmt.plain_number(round(line.quantity, 2)), fmt.money(line.unit_usd),
                 fmt.money(line.total_usd)]
        if wide:
            cells.append(SourceCell("; ".join(line.sources) or "—"))  # ids whole (and brackets not markup)
        table.add_row(*cells)
    table.add_row(Text("Capex", style="bold"), "", "", Text(fmt.money(c.capex_usd), style="bold"),
                  *([""] if wide else []))
    for item, total, source in tco_lines(c, assumptions):
        style = "bold" if item.startswith("TCO") else ""
        table.add_row(Text(item[:1].upper() + item[1:], style=style), "", "", Text(fmt.money(total), style=style),
                      *([SourceCell(source)] if wide else []))
    return table


def power_text(c: Any) -> str:
    """Provisioned IT power and the expected average draw in training (both figures)."""
    racks = getattr(c, "racks", None)
    rack = f" in {racks} rack{'s' if racks != 1 else ''}" if racks else ""
    limit = getattr(c, "rack_power_limit", None)  # the row the count rests on (the app lists no Assumptions)
    if rack and limit is not None:
        from recommender.plan_models import rack_limit_text

        rack += f" ({rack_limit_text(limit)})"
    draw = getattr(c, "average_draw_kw", None)
    avg = f" · average draw in training {fmt.kw(draw)}" if draw is not None else ""
    return f"provisioned {fmt.kw(c.it_power_kw)} IT{rack}{avg} · PUE {c.pue:.2f}"


def cost_text(c: Any, years: float) -> str:
    per_year = getattr(c, "yearly_cost_usd", None)
    energy = getattr(c, "energy_usd_per_year", None)
    parts = [f"TCO {fmt.money(c.tco_usd)} (present value over {fmt.plain_number(years)} years)"]
    if per_year is not None:
        parts.append(f"{fmt.money(per_year)} a year")
    if energy is not None:  # at the utilisation it is charged at (a fleet's copies: their busy share)
        util = getattr(c, "utilization", None)
        parts.append(f"energy {fmt.money(energy)} a year" + (f" at {fmt.percent(util)} utilisation" if util else ""))
    return " · ".join(parts)


def _rented(q: Any) -> str:
    """" × 8 (28.2 min a mix)": the configuration a quote rents and its minutes to train a mix, as the CLI's and the
    Markdown's "as" and "minutes" columns say (empty when unknown)."""
    if not getattr(q, "accelerators", None):
        return ""
    minutes = getattr(q, "minutes", None)
    return f" × {fmt.count(q.accelerators)}" + ("" if minutes is None else f" ({fmt.minutes(minutes)} min a mix)")


def rent_text(rec: Any, name: Callable[[str], str]) -> Text | None:
    """Rent or buy: the buy figure, the cheapest cloud, the break-even utilisation of each pay-per-hour quote."""
    r = getattr(rec, "rent_or_buy", None)
    if r is None:
        return None
    out = Text()
    out.append("Rent or buy: ", style="bold")
    out.append(f"buying costs {fmt.money(r.buy_tco_usd)} (present value, {fmt.money(r.buy_usd_per_year)} a year) with "
               f"energy at the work's {fmt.percent(r.utilization, 0)} utilisation.")
    c = getattr(rec, "choice", None)
    own = getattr(c, "utilization", None)
    if own is not None and abs(own - r.utilization) > 5e-4:  # the same work as the rent, not the TCO above's
        out.append(f" (The TCO above counts {fmt.percent(own, 0)}: the scenario's utilisation.)")
    decision = getattr(rec, "cloud_decision", None)
    if decision:
        out.append(f" Decision: {decision}.", style="bold")
    q = r.cheapest
    if q is not None:
        first, _, then = q.pricing.partition("+")  # a commitment's whole terms, then another way for the rest
        rate = f"${q.usd_per_accelerator_hour:.2f}/accelerator-hour" + (
            f" for its whole terms, then {then.replace('_', ' ')}" if then else "")  # fmt: skip
        count = _rented(q)
        out.append(f"\nCheapest cloud (each accelerator at its most efficient count): {q.provider} "
                   f"{name(q.accelerator_id)}{count} {first.replace('_', ' ')} at {rate} — "
                   f"{fmt.money(q.rent_usd_per_year)} a year, "
                   f"{fmt.money(q.rent_pv_usd)} present value ({fmt.shorten(q.source, 60)}, {q.as_of})")
    for q in r.quotes:  # the break-even with the CLI's precision (a reviewer: 10 % here, 9.9 % there)
        if q.break_even_utilization is None:
            continue
        what = f"renting {name(q.accelerator_id)}{_rented(q)} from {q.provider} {q.pricing.replace('_', ' ')}"
        if q.break_even_utilization > 1:  # (a reviewer: "above 137 % utilisation", a share no system reaches)
            out.append(f"\nBreak-even: buying never beats {what} at any utilisation (it would need "
                       f"{fmt.percent(q.break_even_utilization, 0)})")
        else:
            out.append(f"\nBreak-even: buying beats {what} above {fmt.percent(q.break_even_utilization)} utilisation")
    return out


def plan_section(rec: Any, name: Callable[[str], str], years: float, *, wide: bool) -> RenderableType:
    """Bill, power, cost and rent-or-buy of every configuration bought (empty when the result has no bill)."""
    if not has_bill(rec):
        return Text("")
    parts: list[RenderableType] = []
    for c in rec.configurations or [rec.choice]:
        parts.append(bill_table(c, name, wide=wide, assumptions=getattr(rec, "assumptions", None) or ()))
        lines = Text()
        lines.append("Power: ", style="bold")
        lines.append(power_text(c) + "\n")
        lines.append("Cost: ", style="bold")
        lines.append(cost_text(c, years))
        parts.append(lines)
    rent = rent_text(rec, name)
    if rent is not None:
        parts.append(rent)
    return Group(*parts)
