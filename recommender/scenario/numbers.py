"""Numbers a scenario may hold: finite (no ``.inf``, ``.nan``, ``1e309``), in a sane range, whole where a count.

One annotated type per kind of quantity, used by the file-facing models (:mod:`recommender.models`, the price
lists of :mod:`recommender.scenario.files`). Money (:data:`Usd`, :data:`UsdOrZero`, :data:`UsdPerKwh`) is also
written as people write it — ``110000``, ``110k``, ``1.2M``, ``"$325,000"`` — read by
:func:`recommender.format.parse_money`; the JSON Schema accepts a number or such a string. The upper bounds are far beyond any real purchase; they keep every
derived figure (capex, energy, trainings per day) finite and the solver's coefficients representable, so an
absurd value is an input error at its line instead of an overflow deep in the optimizer.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BeforeValidator, Discriminator, Field, Tag

from recommender.format import parse_money

__all__ = [
    "AS_OF_PATTERN",
    "MAX_COUNT",
    "MAX_MEASUREMENTS",
    "MAX_USD",
    "MAX_WORKLOADS",
    "AsOf",
    "Count",
    "Gb",
    "Kw",
    "Minutes",
    "PerDay",
    "Pue",
    "Share",
    "Usd",
    "UsdOrZero",
    "UsdOrZeroByKey",
    "UsdPerKwh",
    "Years",
]

#: Largest amount of money (USD) a scenario may name: a budget, a price, a host cost.
MAX_USD = 1e18
#: Largest count (accelerators, nodes, rack units).
MAX_COUNT = 1_000_000_000
#: Most workloads in one scenario, and measurements of one custom workload (5,000 custom workloads took
#: 94 s and 5.2 GB to solve; real mixes hold a handful).
MAX_WORKLOADS = 100
MAX_MEASUREMENTS = 1000



def _spelled(*, gt: float | None = None, ge: float | None = None, le: float) -> BeforeValidator:
    """Money as people write it (``110k``, ``"$325,000"``) read before the range check; the JSON Schema
    accepts a number in the range or such a string."""
    return BeforeValidator(parse_money, json_schema_input_type=Annotated[float, Field(gt=gt, ge=ge, le=le)] | str)


Usd = Annotated[float, Field(gt=0, le=MAX_USD, allow_inf_nan=False), _spelled(gt=0, le=MAX_USD)]
UsdOrZero = Annotated[float, Field(ge=0, le=MAX_USD, allow_inf_nan=False), _spelled(ge=0, le=MAX_USD)]


def _number_or_mapping(value: Any) -> str:
    return "Mapping" if isinstance(value, Mapping) else "Number"


#: One amount, or amounts by key (``host_cost_usd_per_node``: by platform or accelerator id). A tagged union, so an
#: error names only the form written (a mapping's bad entry is not also "must be a valid number").
UsdOrZeroByKey = Annotated[Annotated[UsdOrZero, Tag("Number")] | Annotated[dict[str, UsdOrZero], Tag("Mapping")],
                           Discriminator(_number_or_mapping)]
Kw = Annotated[float, Field(gt=0, le=1e12, allow_inf_nan=False)]
Gb = Annotated[float, Field(gt=0, le=1e9, allow_inf_nan=False)]
Minutes = Annotated[float, Field(gt=0, le=1e12, allow_inf_nan=False)]
PerDay = Annotated[float, Field(gt=0, le=1e9, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1e12, allow_inf_nan=False)]
Years = Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)]
UsdPerKwh = Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False), _spelled(gt=0, le=1e6)]
Pue = Annotated[float, Field(ge=1.0, le=10.0, allow_inf_nan=False)]
Count = Annotated[int, Field(gt=0, le=MAX_COUNT)]

#: A quote's date, in a price list file or a cloud price list: a year, a month or a day (the one definition).
AS_OF_PATTERN = r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?"


def _as_of(value: Any) -> Any:
    """``2026``, ``2026-03`` or ``2026-03-15`` (YAML reads the last as a date, the first as a number); a date
    after today is a typo (2062 for 2026)."""
    if isinstance(value, _dt.date):
        value = value.isoformat()[:10]
    elif isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return value  # the str check reports it
    text = value.strip()
    if not re.fullmatch(AS_OF_PATTERN, text) or not is_calendar_date(text):
        raise ValueError(f"must be a date YYYY, YYYY-MM or YYYY-MM-DD (got {value!r})")
    today = _dt.date.today().isoformat()
    if text > today[: len(text)]:
        raise ValueError(f"is after today ({today}; got {value!r}): a quote says when it was made")
    return text


def is_calendar_date(text: str) -> bool:
    """``YYYY-MM-DD`` names a real day (``2026-02-30`` does not); shorter forms always do."""
    if len(text) != 10:
        return True
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


AsOf = Annotated[str, BeforeValidator(_as_of, json_schema_input_type=Annotated[
    str, Field(pattern=f"^{AS_OF_PATTERN}$")])]  # a JSON Schema pattern matches anywhere unless anchored
