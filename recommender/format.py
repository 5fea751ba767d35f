"""The one formatting module: numbers, money, power and minutes people read and type (CLI, Markdown, batch, TUI).

Pure functions (no Textual), so they are tested on their own.
"""

from __future__ import annotations

import math
import re
from typing import Any

_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9}
_NUMBER_RE = re.compile(r"^([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)\s*([kmb]?)$", re.IGNORECASE)


def parse_number(text: str) -> float:
    """Parse what a person types for an amount: ``325000``, ``325,000``, ``$325k``, ``1.2M``, ``40 kW``.

    Raises ``ValueError`` with a short message when the text is not a number.
    """
    cleaned = text.strip().replace(",", "").replace("_", "").replace("$", "").replace(" ", "")
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


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(value != value)  # noqa: PLR0124 - NaN-like values (pd.NA, numpy NaN) are not equal to themselves
    except (TypeError, ValueError):
        return True


def money(value: Any) -> str:
    """``$325,000`` (whole dollars); ``—`` when missing."""
    if is_missing(value):
        return "—"
    v = float(value)
    sign = "-" if v < 0 else ""
    return f"{sign}${abs(v):,.0f}"


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
