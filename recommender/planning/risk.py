"""Choice under uncertainty: which minutes to optimise, and a note when the choice rests on weak figures.

* ``risk: expected`` ranks by the point estimate (``minutes``); ``risk: p80`` by the upper end of the 80 %
  interval (``minutes_high``), so a prediction for an accelerator with no MLPerf result (``specs_only``) or an
  old measurement (``carried``) must be better by its own doubt. ``does_not_fit`` rows have no minutes and are
  never usable.
* The default is p80: every answer of ``optimize()`` is a purchase (min_time, max_throughput and min_tco all buy
  hardware; min_tco with ``consider_cloud`` compares that purchase with renting). Renting bills the hours used,
  so rent figures (``rent_or_buy``, ``cheapest_rent``) stay on expected minutes whatever ``risk`` says.
* :func:`risk_note`: when the chosen configuration rests on ``specs_only`` or ``carried`` figures, the best
  configuration whose figures are all ``measured`` and what choosing it costs or loses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from recommender.format import amount, minutes, money, number, per_day, signed_percent

EXPECTED = "expected"
P80 = "p80"
#: Default when the scenario leaves ``risk`` empty: p80, because every recommendation is a purchase (issue 12).
DEFAULT_RISK = P80
#: Bases a choice is compared with the best all-measured configuration for (a reviewer: 40 x MI325X, every figure
#: predicted, won by 0.04 % over 16 all-measured B200 costing $127,000 less, and nothing said so)
UNCERTAIN_BASES = frozenset({"specs_only", "carried", "predicted"})
TRUSTED_BASES = frozenset({"measured"})


def resolve(risk: str | None) -> str:
    return DEFAULT_RISK if risk is None else risk


def unit_label(unit: str, risk: str | None) -> str:
    """Name of a ranked figure under ``risk``: ``share-weighted minutes`` -> ``share-weighted p80 minutes``,
    ``mixes/day`` -> ``mixes/day at p80 minutes`` under p80 (the interval's upper end); USD unchanged."""
    if resolve(risk) != P80:
        return unit
    if "minutes" in unit:
        return unit.replace("minutes", "p80 minutes")
    return f"{unit} at p80 minutes" if "mixes" in unit else unit


def risk_sentence(risk: str | None, *, given: bool) -> str:
    """One sentence naming the risk setting used (and whether it is the default)."""
    how = "set by the scenario" if given else "the default for a purchase"
    if resolve(risk) == P80:
        return (f"Risk: p80 ({how}): candidates are ranked by the upper end of each minutes figure's 80 % "
                "interval (p80 minutes), so an uncertain figure must be better by its own doubt; rent figures "
                "use expected minutes.")
    return (f"Risk: expected ({how}): candidates are ranked by the point estimates of minutes to train; "
            "the intervals are not used.")


def objective_minutes(minutes: np.ndarray, minutes_high: np.ndarray, risk: str | None) -> np.ndarray:
    """The minutes to rank by: the point estimate, or (p80) the interval's upper end where it is known."""
    if resolve(risk) != P80:
        return minutes
    ok = np.isfinite(minutes_high)
    return np.where(ok, np.fmax(minutes_high, minutes), minutes)


def weighted_minutes(minutes: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Share-weighted minutes per candidate (inf where a positive-share workload has no minutes)."""
    pos = shares > 0
    valid = np.isfinite(minutes) & (minutes > 0)
    usable = np.all(valid[:, pos], axis=1)
    return np.where(usable, np.nansum(np.where(valid, minutes, 0.0) * shares[None, :], axis=1), np.inf)


def ranked_arrays(minutes: np.ndarray, minutes_high: np.ndarray, shares: np.ndarray,
                  risk: str | None) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(share-weighted minutes, mixes per day) per candidate as ``risk`` ranks them (inf / 0 where unusable)."""
    from recommender.planning.solve import MINUTES_PER_DAY

    w = weighted_minutes(objective_minutes(minutes, minutes_high, risk), shares)
    with np.errstate(divide="ignore"):
        return w, np.where(np.isfinite(w), MINUTES_PER_DAY / w, 0.0)


def rows_with(basis: Sequence[Sequence[str]], shares: np.ndarray, bases: frozenset[str], *, every: bool) -> np.ndarray:
    """Candidates whose positive-share workloads have any (``every=False``) or all (``every=True``) of their
    figures on ``bases``."""
    pos = np.flatnonzero(shares > 0)
    test = all if every else any
    return np.array([test(str(b[w]) in bases for w in pos) for b in basis], dtype=bool)


@dataclass(frozen=True)
class RiskNote:
    """Whether the choice rests on weak figures, and the best all-measured alternative."""

    uncertain: bool
    bases: tuple[str, ...]  # the weak bases the choice rests on
    measured_index: int | None  # best feasible candidate with every figure measured
    measured_value: float | None
    chosen_value: float
    partly: bool = False  # its other figures have other bases (predicted, measured)
    any_measured: bool = True  # some candidate, within the limits or not, has every figure measured

    def lines(self, describe: str, measured_describe: str | None, unit: str, sense: str,
              risk: str | None = None) -> list[str]:  # fmt: skip
        """Explanation sentences (empty when the choice rests on measured figures only)."""
        if not self.uncertain:
            return []
        why = {"specs_only": "no MLPerf result for the accelerator", "carried": "measured in an earlier round",
               "predicted": "the performance model's, for a configuration not measured"}
        partly = "in part " if self.partly else ""
        out = [(f"The choice, {describe}, rests {partly}on {' and '.join(self.bases)} figures "
                f"({'; '.join(why[b] for b in self.bases)}).")]  # fmt: skip
        if self.measured_index is None or self.measured_value is None:
            out.append("No configuration with measured figures fits the limits." if self.any_measured else
                       "No configuration has measured figures for every workload (in this round).")
            return out
        gap = self.measured_value - self.chosen_value
        worse = gap > 0 if sense == "min" else gap < 0
        word = "costs" if unit == "usd" else ("loses" if worse else "gains")
        than = relative_words(self.measured_value, self.chosen_value, unit)
        out.append(f"The best choice among measured configurations is {measured_describe}: "
                   f"{_fmt(self.measured_value, unit, risk)}, which {word} {_fmt(abs(gap), unit, risk, small=True)} "
                   f"({than} the choice's {_fmt(self.chosen_value, unit, risk, bare=True)}).")  # fmt: skip
        return out


def relative_words(value: float, chosen: float, unit: str) -> str:
    """``value`` against ``chosen`` in words a buyer reads: ``96 % more time``, ``0.04 % more time``, ``6.1 times as
    long as`` (a reviewer: "loses 134 p80 minutes (514.9 %)"), ``12 % fewer mixes per day``."""
    ratio = value / chosen if chosen else float("inf")
    if ratio >= 2 and np.isfinite(ratio):
        times = f"{ratio:.1f}" if ratio < 10 else f"{ratio:,.0f}"
        size = {"minutes": "long", "usd": "much"}.get(unit, "many")
        return f"{times} times as {size} as"
    more = ratio > 1
    word = {"minutes": "more time" if more else "less time", "usd": "more" if more else "less"}.get(
        unit, "more mixes per day" if more else "fewer mixes per day")
    return f"{signed_percent(ratio - 1).lstrip('+-')} {word} than" if np.isfinite(ratio) else "against"


def _fmt(value: float, unit: str, risk: str | None = None, small: bool = False, bare: bool = False) -> str:
    """A figure of ``unit`` in a sentence (``bare``: without the unit's name, as in "the choice's 1.63")."""
    if unit == "usd":
        return money(value)
    if unit == "minutes":
        shown = amount(value) if small and value < 0.01 else minutes(value)
        return shown if bare else f"{shown} {unit_label('minutes', risk)}"
    shown = per_day(value) if unit == "mixes_per_day" else number(value)
    return shown if bare else f"{shown} {unit_label(unit.replace('_per_day', '/day'), risk)}"


def risk_note(chosen: int, values: np.ndarray, feasible: np.ndarray, basis: Sequence[Sequence[str]],
              shares: np.ndarray, sense: str) -> RiskNote:  # fmt: skip
    """The note for candidate ``chosen`` among ``values`` (objective per candidate) and ``feasible``."""
    pos = np.flatnonzero(shares > 0)
    used = {str(basis[chosen][w]) for w in pos}
    weak = tuple(sorted(used & UNCERTAIN_BASES))
    if not weak:  # the common case: nothing to compare, skip the scan
        return RiskNote(uncertain=False, bases=(), measured_index=None, measured_value=None,
                        chosen_value=float(values[chosen]))  # fmt: skip
    measured = rows_with(basis, shares, TRUSTED_BASES, every=True) if len(values) else feasible
    trusted = feasible & measured
    idx = np.flatnonzero(trusted & np.isfinite(values))
    best = None
    if idx.size:
        best = int(idx[np.argmin(values[idx])] if sense == "min" else idx[np.argmax(values[idx])])
    return RiskNote(uncertain=bool(weak), bases=weak, measured_index=best,
                    measured_value=None if best is None else float(values[best]),
                    chosen_value=float(values[chosen]), partly=bool(used - UNCERTAIN_BASES),
                    any_measured=bool(np.any(measured & np.isfinite(values))))  # fmt: skip
