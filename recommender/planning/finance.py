"""Financing: the present value of capex, energy and salvage over the depreciation life.

With ``r`` the annual cost of capital, ``Y`` the years, energy paid at the end of each year and the hardware
resold at the end of year ``Y`` for ``salvage_fraction x capex``::

    annuity(r, Y) = sum_{y=1..Y} (1 + r)^-y        (= Y when r = 0; fractional years pro rata)
    TCO           = capex + energy_per_year x annuity(r, Y) - salvage_fraction x capex x (1 + r)^-Y
    yearly cost   = TCO / annuity(r, Y)             (the equivalent annual cost)

Renting (``cloud.py``) uses the same annuity, so both sides of rent-or-buy are in today's dollars.
All functions take floats or numpy arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


def annuity_factor(rate: float, years: float) -> float:
    """Present value of 1 USD paid at the end of each year for ``years`` (fractional last year pro rata)."""
    if years <= 0:
        return 0.0
    if rate == 0:
        return float(years)
    whole = math.floor(years)
    value = (1 - (1 + rate) ** -whole) / rate
    part = years - whole
    if part > 0:
        value += part * (1 + rate) ** -(whole + 1)
    return value


def discount(rate: float, years: float) -> float:
    """Present value of 1 USD paid in ``years``."""
    return (1 + rate) ** -years


def tco_pv_usd(capex_usd: Any, energy_usd_per_year: Any, *, years: float, cost_of_capital: float,
               salvage_fraction: float) -> Any:  # fmt: skip
    """Present value of owning: capex + discounted energy - discounted salvage."""
    return (capex_usd + energy_usd_per_year * annuity_factor(cost_of_capital, years)
            - salvage_fraction * capex_usd * discount(cost_of_capital, years))  # fmt: skip


def yearly_cost_usd(tco_pv: Any, *, years: float, cost_of_capital: float) -> Any:
    """Equivalent annual cost of a present value (what a level yearly payment over ``years`` is worth)."""
    a = annuity_factor(cost_of_capital, years)
    return tco_pv / a if a > 0 else tco_pv


@dataclass(frozen=True)
class Financing:
    """The financing terms of a scenario (each resolved to an Assumption by ``sources.scenario_value``)."""

    years: float
    cost_of_capital: float
    salvage_fraction: float

    def tco(self, capex_usd: Any, energy_usd_per_year: Any) -> Any:
        return tco_pv_usd(capex_usd, energy_usd_per_year, years=self.years, cost_of_capital=self.cost_of_capital,
                          salvage_fraction=self.salvage_fraction)  # fmt: skip

    def yearly(self, tco_pv: Any) -> Any:
        return yearly_cost_usd(tco_pv, years=self.years, cost_of_capital=self.cost_of_capital)

    def pv_of_yearly(self, usd_per_year: Any) -> Any:
        return usd_per_year * annuity_factor(self.cost_of_capital, self.years)
