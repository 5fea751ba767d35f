"""Result models and Markdown of the whole bill and of rent or buy (issue 12), kept beside ``models.py``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from recommender import format as fmt

#: Under every rent table: what the break-even column means, and why it is often empty.
BREAK_EVEN_NOTE = ("break-even = the bought configuration's utilisation at which owning it (capex + energy - "
                   "salvage) costs what the row's rental does, the same work on the row's count billed by the hours "
                   "used; above it buying is cheaper (never: it would take more than 100 %, so renting by the hour is "
                   "cheaper however much the system is used); — for commitments and other accelerators or where renting is "
                   "cheaper at any utilisation")
#: Under every rent table: which configuration a rent row prices (the bought accelerator's too).
RENT_BASIS_NOTE = ("rent = the same work on each accelerator's configuration with the fewest accelerator-hours per "
                   "mix (as: its accelerators; min: its expected minutes to train a mix), copies side by side "
                   "where the work needs them")
#: Said once wherever a spot quote is named as a figure to act on (the explanation carries it: text, Markdown and
#: JSON alike; :func:`recommender.planning.plan.say_spot_caveat`): the price counts nothing of what spot capacity
#: costs in lost work.
SPOT_CAVEAT = ("spot capacity can be reclaimed at any time, so runs are interrupted and restart from their "
               "checkpoints; the price counts no lost work and no guarantee of capacity")


def is_spot(pricing: str) -> bool:
    """Whether a quote's pricing is (or includes) spot capacity."""
    return "spot" in pricing.split("+")


def pricing_caveat(pricing: str | None) -> str | None:
    """The caveat a rent quote's pricing carries wherever the quote is named: :data:`SPOT_CAVEAT` for spot capacity,
    else None (batch and sweep rows' ``rent_caveat`` column)."""
    return SPOT_CAVEAT if pricing is not None and is_spot(pricing) else None


def spot_rents_note(which: str) -> str:
    """The spot caveat said once under many rows (batch Markdown and summary, sweep summaries): ``Spot prices among
    the cheapest rents (which): …``, ``which`` naming the rows (their names, or how many)."""
    return f"Spot prices among the cheapest rents ({which}): {SPOT_CAVEAT}."


class FrozenModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _amount(x: float | None) -> str:
    return fmt.amount(x, missing="")


class BillLine(FrozenModel):
    """One line of the whole bill (issue 12): what, how many, unit price, total, and the sources."""

    item: str = Field(description="accelerators, host per node, NICs per node, scale-out network (tier) ...")
    quantity: float = Field(description="How many (accelerators, nodes or network ports).")
    unit_usd: float = Field(description="Unit price, USD.")
    total_usd: float = Field(description="quantity x unit price, USD.")
    sources: list[str] = Field(default_factory=list, description="Where the unit price comes from.")


class RentQuote(FrozenModel):
    """Renting the scenario's work from one row of the cloud price list."""

    provider: str
    accelerator_id: str
    pricing: str = Field(description="on_demand, spot, commit_1y or commit_3y; or a commitment's whole terms within "
                         "the years then a cheaper way for the rest, e.g. commit_3y+commit_1y, commit_3y+on_demand.")
    usd_per_accelerator_hour: float
    rent_usd_per_year: float
    rent_pv_usd: float = Field(description="Present value of renting over the scenario's years, USD.")
    break_even_utilization: float | None = Field(
        default=None, description="Utilisation at which buying costs what renting by the hour does (None: renting "
        "is cheaper at any utilisation; pay-per-hour rows of the bought accelerator only): the bought "
        "configuration's utilisation at which owning it (capex + energy - salvage) costs what this quote's rental of "
        "the same work, on its `accelerators`, does.")
    source: str
    as_of: str
    accelerators: int | None = Field(
        default=None, description="The configuration the quote rents: the accelerator's count with the fewest "
        "accelerator-hours per mix (copies side by side where the work needs them).")
    minutes: float | None = Field(
        default=None, description="Minutes to train one mix (share-weighted) on the configuration the quote rents "
        "(`accelerators`), expected minutes.")
    confidence: str | None = Field(
        default=None, description="The price row's confidence (H high, M medium, L low: e.g. an aggregator's "
        "listing; None when the price list gives none); a quote of two rows (commit_3y+on_demand) has the weaker.")
    notes: str | None = Field(default=None, description="The price row's notes: why its confidence is what it is.")

    accelerator_name: str | None = Field(
        default=None, description="The accelerator's display name, as the explanation names it (set on a "
        "recommendation's `cheapest_rent`, the rent decision's quote).")


def price_confidence(q: Any) -> str | None:
    """``price confidence L: aggregator only; …``: what a rent decision says after the price it rests on when the
    price row's confidence is not high (its notes say why); None for a high or ungraded price."""
    grade = getattr(q, "confidence", None)
    if grade is None or grade == "H":
        return None
    notes = getattr(q, "notes", None)
    return f"price confidence {grade}" + (f": {notes}" if notes else "")


class RentOrBuy(FrozenModel):
    """Buy versus rent for the chosen configuration and the scenario's work (issue 12)."""

    utilization: float = Field(description="Share of the year the bought system trains the work.")
    mixes_per_year: float
    buy_tco_usd: float = Field(description="Present value of buying (capex, energy, salvage), USD.")
    buy_usd_per_year: float = Field(description="Equivalent yearly cost of buying, USD.")
    quotes: list[RentQuote] = Field(
        default_factory=list, description="The cheapest quote of each pricing model for the chosen accelerator, "
        "then the cheapest cloud alternative of any accelerator.")
    cheapest: RentQuote | None = Field(default=None, description="The cheapest way to rent the work.")


#: Under the TCO: what it does not count (``defaults.csv`` has no maintenance, support or operations row).
TCO_EXCLUDES = "no maintenance, support or staff cost is counted (defaults.csv has no sourced figure for them)"


def tco_lines(c: Any, assumptions: Sequence[Any]) -> list[tuple[str, float, str]]:
    """What takes a configuration's capex to its TCO, as lines of its bill (item, total USD, source): the energy over
    the years, the salvage as a negative line with its source, the TCO. A TCO below capex is thus read as what it
    is: the resale (``salvage_fraction`` of capex after ``years``, discounted) outweighing the energy. Empty when the
    configuration has no financed TCO."""
    if c.salvage_usd is None or c.energy_usd is None:
        return []
    found = {a.parameter: a for a in assumptions}
    years, salvage, rate = found.get("years"), found.get("salvage_fraction"), found.get("cost_of_capital")
    span = f"{years.value:g} years" if years is not None else "the years"
    discount = f" at {fmt.percent(rate.value)} a year" if rate is not None else ""
    out = [(f"energy, {span}{fmt.at_utilization(c.utilization)}", c.energy_usd,
            "average draw x PUE x energy_usd_per_kwh x utilisation (Assumptions), present value")]  # fmt: skip
    if c.salvage_usd > 0:
        share = f"{fmt.percent(salvage.value)} of capex" if salvage is not None else "resale"
        out.append((f"salvage, {share} after {span}", -c.salvage_usd,
                    source_text(salvage) if salvage is not None else "salvage_fraction"))  # fmt: skip
    out.append((f"TCO (present value{discount})", c.tco_usd,
                f"capex + energy - salvage; {TCO_EXCLUDES}"))  # fmt: skip
    return out


def source_text(a: Any) -> str:
    """An assumption as a bill line's source: the figure, where it comes from, its confidence and date."""
    extra = ", ".join(x for x in (a.confidence and f"confidence {a.confidence}", a.as_of) if x)
    return f"{a.parameter}[{a.applies_to}] {a.source}" + (f" ({extra})" if extra else "")


def rack_limit_text(a: Any, *, full: bool = False) -> str:
    """``at 20 kW a rack: rack_power_limit_kw[air_cooled_standard] (confidence M, 2025)``: the defaults.csv row the
    rack count rests on (a buyer's review: "N racks" with no limit in the Assumptions); ``full``: with its source,
    where no Assumptions list follows (the CLI's text). Empty without a row."""
    if a is None:
        return ""
    per = f"at {fmt.amount(a.value)} {'kW' if a.unit.lower() == 'kw' else a.unit} a rack"
    if full:
        return f"{per}: {source_text(a)}"
    extra = ", ".join(x for x in (a.confidence and f"confidence {a.confidence}", a.as_of) if x)
    return f"{per}: {a.parameter}[{a.applies_to}]" + (f" ({extra})" if extra else "")


def bill_markdown(configurations: list[Any], assumptions: Sequence[Any] = ()) -> list[str]:
    """The whole bill of each configuration bought, each line with its sources, down to its TCO (energy and the
    salvage as lines: :func:`tco_lines`); power and yearly cost."""
    out: list[str] = []
    for c in configurations:
        if not c.bill:
            continue
        copies = f" (per copy; {fmt.count(c.count)} copies)" if c.count > 1 else ""
        out += [(f"## Bill: {fmt.count(c.accelerators)} x {c.accelerator_name or c.accelerator_id} in {fmt.count(c.nodes)} "
                 f"node{'s' if c.nodes != 1 else ''}{copies}"), "",
                "| item | quantity | unit | total | source |", "|---|---:|---:|---:|---|"]  # fmt: skip
        for ln in c.bill:
            out.append(f"| {ln.item} | {_amount(ln.quantity)} | {fmt.money(ln.unit_usd)} | "
                       f"{fmt.money(ln.total_usd)} | {'; '.join(ln.sources)} |")  # fmt: skip
        out.append(f"| **capex** | | | **{fmt.money(c.capex_usd)}** | |")
        for item, total, source in tco_lines(c, assumptions):
            bold = "**" if item.startswith("TCO") else ""
            out.append(f"| {bold}{item}{bold} | | | {bold}{fmt.money(total)}{bold} | {source} |")
        out.append("")
        parts = [f"Provisioned IT power {_amount(c.it_power_kw)} kW"]
        if c.racks is not None:
            limit = getattr(c, "rack_power_limit", None)
            parts[0] += f" in {c.racks} rack{'s' if c.racks != 1 else ''}" + (f" ({rack_limit_text(limit)})"
                                                                             if limit is not None else "")
        if c.average_draw_kw is not None:
            parts.append(f"expected average draw in training {_amount(c.average_draw_kw)} kW")
        if c.energy_usd_per_year is not None:
            parts.append(f"energy {fmt.money(c.energy_usd_per_year)} a year{fmt.at_utilization(c.utilization)} "
                         f"(PUE {c.pue:.2f})")
        line = "; ".join(parts) + "."
        if c.yearly_cost_usd is not None:
            line += f" {fmt.tco_terms(c)}, i.e. {fmt.money(c.yearly_cost_usd)} a year."
        if c.salvage_usd is not None and c.tco_usd < c.capex_usd:
            line += " The TCO is below capex: the resale outweighs the energy."
        out += [line, ""]
    return out

def buy_terms(r: RentOrBuy, choice: Any) -> str:
    """``: capex $249,800 + energy $11,963 - salvage $17,001`` of a rent table's buy figure (the same work's TCO,
    energy at the work's utilisation): a figure below capex then reads as the resale it holds. Empty when unknown."""
    if choice is None or getattr(choice, "salvage_usd", None) is None:
        return ""
    energy = r.buy_tco_usd - choice.capex_usd + choice.salvage_usd
    return (f": capex {fmt.money(choice.capex_usd)} + energy {fmt.money(energy)} - salvage "
            f"{fmt.money(choice.salvage_usd)}")


def rent_minutes(q: Any) -> str:
    """A rent row's minutes to train one mix on the configuration it rents ("—" unknown)."""
    return "—" if getattr(q, "minutes", None) is None else fmt.minutes(q.minutes)


def rent_markdown(r: RentOrBuy | None, choice: Any = None) -> list[str]:
    if r is None:
        return []
    out = ["## Rent or buy", "",
           (f"Buy: {fmt.money(r.buy_tco_usd)} (present value{buy_terms(r, choice)}; "
            f"{fmt.money(r.buy_usd_per_year)} a year) with energy at "
            f"the work's utilisation, {fmt.percent(r.utilization)} ({_amount(r.mixes_per_year)} mixes a year; the "
            "configuration's TCO above counts the utilisation its energy line states)."), "",
           ("| provider | accelerator | as | min | pricing | USD/acc-h | rent (present value) | vs buy | "
            "break-even utilisation | source |"), "|---|---|--:|--:|---|---:|---:|---:|---:|---|"]  # fmt: skip
    for q in r.quotes:
        be = fmt.break_even(q.break_even_utilization)
        out.append(f"| {q.provider} | {q.accelerator_id} | {fmt.count(q.accelerators or None)} | {rent_minutes(q)} | {q.pricing} | "
                   f"{q.usd_per_accelerator_hour:.2f} | "
                   f"{fmt.money(q.rent_pv_usd)} | {q.rent_pv_usd / r.buy_tco_usd:.2f}x | {be} | "
                   f"{q.source} ({q.as_of}) |")  # fmt: skip  # in full, as the bill's sources are
    out += ["", RENT_BASIS_NOTE[0].upper() + RENT_BASIS_NOTE[1:] + "; " + BREAK_EVEN_NOTE + "."]
    if r.cheapest is not None:
        word = "cheaper" if r.cheapest.rent_pv_usd < r.buy_tco_usd else "dearer"
        out.append("")
        spot = " (a spot price: see the caveat under Why)" if is_spot(r.cheapest.pricing) else ""
        out.append(f"Cheapest rent: {r.cheapest.provider} {r.cheapest.accelerator_id} {r.cheapest.pricing}, "
                   f"{fmt.money(r.cheapest.rent_pv_usd)}, {word} than buying{spot}.")  # fmt: skip
    return out + [""]
