"""The one formatting module: numbers, money, power and minutes people read and type (CLI, Markdown, batch, TUI).

Money for people is ``$108,000`` (:func:`money`); machine output (JSON, CSV) keeps plain numbers. What people
type — in the TUI or in a scenario file — is read by :func:`parse_number` / :func:`parse_money`
(``110k``, ``1.2M``, ``$325,000``). Pure functions (no Textual), so they are tested on their own.
"""

from __future__ import annotations

import math
import re
from typing import Any

#: How the legends under the tables (CLI, Markdown, TUI) extend ``measured`` to a custom workload's own measurement.
CUSTOM_MEASURED_NOTE = "or, for a custom workload, your own measurement (its source says so; not an MLPerf result)"

_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9}
_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:e[+-]?\d+)?[^\d.,]*$", re.IGNORECASE)
_NUMBER_RE = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*([kmb]?)$", re.IGNORECASE)


def parse_number(text: str) -> float:
    """Parse what a person types for an amount: ``325000``, ``325,000``, ``$325k``, ``1.2M``, ``40 kW``, ``1e3``.

    Raises ``ValueError`` with a short message when the text is not a number.
    """
    cleaned = text.strip().replace("_", "").replace("$", "").replace(" ", "")
    if "," in cleaned and not _THOUSANDS_RE.match(cleaned):  # 110.000,50 or 1,2,3 would be read as 110 or 123
        raise ValueError(f"not a number: {text.strip()!r} (commas only between thousands: 1,250,000.50)")
    cleaned = cleaned.replace(",", "")
    cleaned = re.sub(r"(?i)(kw|usd|/kwh)$", "", cleaned)
    if not cleaned:
        raise ValueError("enter a number")
    m = _NUMBER_RE.match(cleaned)
    if not m:
        raise ValueError(f"not a number: {text.strip()!r}")
    value = float(m.group(1)) * _SUFFIX.get(m.group(2).lower(), 1.0)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def parse_money(value: Any) -> Any:
    """A money amount as a scenario file may write it (``110k``, ``1.2M``, ``"$325,000"``, ``110000``) -> float.

    Numbers pass through; ``true``/``false`` are refused (YAML would otherwise read them as 1/0); anything
    else is returned unchanged for the model's own type check. Raises ``ValueError`` for text that is not an
    amount.
    """
    if isinstance(value, bool):  # ValueError, not TypeError: pydantic reports only the former as the field's error
        raise ValueError(f"must be a number, not {str(value).lower()}")  # noqa: TRY004
    if isinstance(value, str):
        try:
            return parse_number(value.removesuffix(" USD").removesuffix("USD"))
        except ValueError:
            raise ValueError(f"must be an amount such as 110000, 110k, 1.2M or $110,000 (got {value!r})") from None
    return value


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(value != value)  # noqa: PLR0124 - NaN-like values (pd.NA, numpy NaN) are not equal to themselves
    except (TypeError, ValueError):
        return True


def shorten(text: Any, width: int) -> str:
    """``text`` cut to ``width`` characters, the cut marked with "…" ("—" when missing)."""
    s = "—" if is_missing(text) else str(text)
    return s if len(s) <= width else s[: width - 1] + "…"


def money(value: Any, missing: str = "—") -> str:
    """``$325,000`` (whole dollars); ``missing`` when missing."""
    if is_missing(value):
        return missing
    v = float(value)
    sign = "-" if v < 0 else ""
    if abs(v) >= 1e15:  # beyond float's whole-dollar precision ("$990,000,000,000,000,128"): 3 significant digits
        return f"{sign}${abs(v):.3g}"
    return f"{sign}${abs(v):,.0f}"


def at_utilization(utilization: Any) -> str:
    """`` at 58.0 % utilisation`` (the share of the year an energy bill counts); empty when unknown."""
    return "" if is_missing(utilization) else f" at {percent(utilization)} utilisation"


def tco_terms(c: Any) -> str:
    """``TCO $69,820 (present value: capex $71,390 + energy $4,908 - salvage $6,478)`` of a configuration (the
    three terms, so a TCO below capex reads as the resale it is)."""
    if is_missing(getattr(c, "salvage_usd", None)):
        return f"TCO {money(c.tco_usd)} (present value)"
    return (f"TCO {money(c.tco_usd)} (present value: capex {money(c.capex_usd)} + energy {money(c.energy_usd)} "
            f"- salvage {money(c.salvage_usd)})")


def kw(value: Any) -> str:
    """``10.2 kW``; ``—`` when missing."""
    if is_missing(value):
        return "—"
    v = float(value)
    return f"{v:,.1f} kW" if v < 100 else f"{v:,.0f} kW"


def minutes(value: Any) -> str:
    """Minutes to train, with sensible precision: ``2.35``, ``27.8``, ``1,234``."""
    if is_missing(value):
        return "—"
    v = float(value)
    if v < 10:
        return f"{v:.2f}"
    if v < 100:
        return f"{v:.1f}"
    return f"{v:,.0f}"


def number(value: Any, digits: int = 2) -> str:
    if is_missing(value):
        return "—"
    return f"{float(value):,.{digits}f}"


def plain_number(value: Any) -> str:
    """A number as an editable field shows it: ``325000``, ``0.086``, ``40`` (no grouping)."""
    if is_missing(value):
        return ""
    v = float(value)
    if v.is_integer():
        return str(int(v))
    return f"{v:g}"


def percent(value: Any, digits: int = 1) -> str:
    if is_missing(value):
        return "—"
    return f"{float(value) * 100:.{digits}f} %"


def amount(value: Any, missing: str = "n/a") -> str:
    """A figure in a sentence or a report: ``1,234``, ``123``, ``27.8``, ``2.35``, ``0.086``; ``missing`` when
    missing or not finite."""
    if is_missing(value) or not math.isfinite(float(value)):
        return missing
    x = float(value)
    ax = abs(x)
    if x.is_integer() and ax < 1e15:
        return f"{int(x):,}"
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 100:
        return f"{x:.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    if ax >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def count(value: Any, missing: str = "—") -> str:
    """A count people read — accelerators, nodes, copies — with thousands separators: ``1,180``; ``missing`` when
    missing. (Machine output, JSON and CSV columns, keeps plain numbers.)"""
    return missing if is_missing(value) else f"{round(float(value)):,}"


#: a whole number with thousands separators (memory GB, TFLOPS, watts in the catalog table): the same rule
whole = count


def per_day(value: Any, missing: str = "—", against: float | None = None) -> str:
    """Mixes per day as people read them, about three significant figures: ``2,481``, ``73.7``, ``1.87``,
    ``0.835`` (a rate from predicted minutes: more digits would be false precision); ``missing`` when missing or
    not finite. ``against``: a rate it is compared with (the required one): when the two would read alike but
    differ, enough digits to tell them apart (``199.7`` short of ``200``, not ``200``)."""
    if is_missing(value) or not math.isfinite(float(value)):
        return missing
    x = float(value)
    if abs(x) >= 99.95:  # whole mixes from 100 up: "2,481", not "2,480.53" nor "2.48e+03"
        text = f"{x:,.0f}"
    elif x == 0:
        text = "0"
    else:
        r = float(f"{x:.3g}")
        text = f"{r:.{max(0, 2 - math.floor(math.log10(abs(r))))}f}"
    if against is not None and x != against and text == per_day(against):
        for digits in range(1, 7):
            if f"{x:,.{digits}f}" != f"{float(against):,.{digits}f}":
                return f"{x:,.{digits}f}"
    return text


def shortfall(rate: float, required: float, unit: str = "mixes/day") -> str:
    """A rate below the required one, as a buyer reads it: ``trains 73.7 mixes/day at p80, 126 short of the
    required 200`` (``unit`` names the rate: ``mixes/day at p80``)."""
    return (f"trains {per_day(rate, against=required)} {unit}, {per_day(required - rate)} short of the required "
            f"{amount(required)}")


def break_even(utilization: Any, missing: str = "—") -> str:
    """A rent-or-buy break-even utilisation as a table cell: ``10.3 %``; above 100 % no utilisation reaches it, so
    it says so in words: ``never (needs 137 %)``; ``missing`` when there is none."""
    if is_missing(utilization):
        return missing
    return percent(utilization) if float(utilization) <= 1 else f"never (needs {percent(utilization, 0)})"




def signed_points(pct: Any, missing: str = "—") -> str:
    """A signed figure already in percent, one decimal, no unit: ``+21.8``, ``-3.0``; ``missing`` when missing
    (an error's bias: + = predicted slower than measured)."""
    return missing if is_missing(pct) else f"{float(pct):+.1f}"


def signed_percent(rel: float) -> str:
    """A relative change as a signed percentage with enough digits to be non-zero: ``+12 %``, ``-0.4 %``."""
    v = rel * 100
    if v == 0 or abs(v) >= 10:
        return f"{v:+.0f} %"
    digits = min(6, max(1, -math.floor(math.log10(abs(v)))))  # (a $16 overrun of $2M read "+0.00 %")
    return f"{v:+.{digits}f} %"


_LIMIT_UNITS = {"power": " kW", "rack_units": " U"}


def limit(name: str, value: Any) -> str:
    """A value in the unit of the scenario limit ``name``: budget ``$110,000``, power ``40 kW``, rack ``42 U``,
    node and accelerator counts plain."""
    if name == "budget":
        return money(value, missing="n/a")
    return amount(value) + _LIMIT_UNITS.get(name, "")


def limits(names: list[str], together: bool = False, label: Any = str) -> str:
    """Binding limits as text: ``budget, power``, or ``budget + power (together)`` when they bind only together
    (relaxing one alone buys nothing better); ``label`` names each."""
    if together and len(names) > 1:
        return " + ".join(label(n) for n in names) + " (together)"
    return ", ".join(label(n) for n in names)


def round_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About ``count`` round axis ticks (steps of 1, 2, 2.5 or 5 × 10^k) covering ``[lo, hi]``."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        return [lo]
    raw = (hi - lo) / max(count - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    v = first
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 10))
        v += step
    return ticks


def log_ticks(lo: float, hi: float) -> list[float]:
    """Round ticks for a log axis: 1, 2, 5 × 10^k within ``[lo, hi]`` (``round_ticks`` when that gives < 2)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo <= 0 or hi <= 0:
        return []
    if hi < lo:
        lo, hi = hi, lo
    ticks = [m * 10**k for k in range(math.floor(math.log10(lo)), math.floor(math.log10(hi)) + 1)
             for m in (1, 2, 5) if lo <= m * 10**k <= hi]
    if len(ticks) > 7:
        ticks = [t for t in ticks if str(t).lstrip("0.").startswith("1")] or ticks
    return ticks if len(ticks) >= 2 else round_ticks(lo, hi, 4)


def tick_label(value: float) -> str:
    """A tick as people read it: ``50``, ``2.5``, ``1,000``, ``0.2``."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.6g}"
