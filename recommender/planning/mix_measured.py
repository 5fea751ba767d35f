"""Issue 12 in mix mode: when the chosen fleet rests on ``carried`` or ``specs_only`` figures, the best fleet of
configurations whose figures are all ``measured`` (the same mix MILP, limits and objective over those
configurations only) and what choosing it costs or loses."""

from __future__ import annotations

import numpy as np

from recommender import format as fmt
from recommender.models import Configuration, Objective, Status
from recommender.planning import risk as R
from recommender.planning.explain import describe_many, unit_text, value_text
from recommender.planning.feasibility import DOES_NOT_FIT
from recommender.planning.table import Prepared

NONE_FITS = "No fleet of measured configurations fits the limits."
NONE_MEASURED = ("No configuration has measured figures (this round) for the mix's workloads, so there is no fleet "
                 "of measured configurations to compare with.")  # fmt: skip


def measured_mask(p: Prepared) -> np.ndarray:
    """Candidates whose every positive-share workload is ``measured`` (or ``does_not_fit``: no minutes, so the
    MILP never gives it that workload); at least one workload must be measured."""
    basis = p.table.basis
    pos = np.flatnonzero(p.shares > 0)
    ok = R.rows_with(basis, p.shares, R.TRUSTED_BASES | {DOES_NOT_FIT}, every=True)
    some = R.rows_with(basis, p.shares, R.TRUSTED_BASES, every=False)
    return ok & some if pos.size else np.zeros(len(basis), dtype=bool)


def fleet_lines(p: Prepared, chosen: list[Configuration], value: float, fleet: list[Configuration] | None,
                other: float | None, status: Status) -> list[str]:  # fmt: skip
    """The sentence naming the best all-measured ``fleet`` (objective ``other``; None when the restricted mix
    MILP found none) and what it costs or loses against the ``chosen`` fleet (objective ``value``)."""
    if fleet is None or other is None:
        return [NONE_FITS]
    capex_gap = sum(c.capex_usd * c.count for c in fleet) - sum(c.capex_usd * c.count for c in chosen)
    s = p.scenario
    return [fleet_sentence(s.objective, s.risk, describe_many(fleet), other, value, capex_gap, status)]


def fleet_sentence(obj: Objective, risk: str | None, name: str, other: float, value: float, capex_gap: float,
                   status: Status) -> str:  # fmt: skip
    """``The best fleet among measured configurations is …: 41.2 share-weighted p80 minutes, which loses 3.1
    share-weighted p80 minutes (8.1 % more time than the chosen fleet's 38.1); capex $12,000 more.``"""
    unit = unit_text(obj, risk)
    gap = other - value
    sense_min = obj in (Objective.MIN_TCO, Objective.MIN_TIME)
    worse = gap > 0 if sense_min else gap < 0
    # in words, against the chosen fleet's figure (as the single choice's measured note: not "(8.1 %)")
    kind = {Objective.MIN_TCO: "usd", Objective.MIN_TIME: "minutes"}.get(obj, "mixes_per_day")
    rel = f"{R.relative_words(other, value, kind)} the chosen fleet's {fmt.money(value) if kind == 'usd' else fmt.amount(value)}"
    if abs(gap) <= 1e-9 * max(abs(value), 1.0):
        what = "the same objective as the chosen fleet"
    elif obj == Objective.MIN_TCO:
        what = f"{'costs' if worse else 'saves'} {fmt.money(abs(gap))} of TCO ({rel})"
    else:
        what = f"{'loses' if worse else 'gains'} {fmt.amount(abs(gap))} {unit} ({rel})"
    money = fmt.money(abs(capex_gap))
    cap = ("the same capex" if abs(capex_gap) < 0.5 else
           f"capex {money} {'more' if capex_gap > 0 else 'less'}")  # fmt: skip
    other_text = value_text(obj, risk, other)
    out = f"The best fleet among measured configurations is {name}: {other_text}, which {what}; {cap}."
    if status != Status.OPTIMAL:
        out = out[:-1] + " (the solver stopped at its time limit: a better measured fleet may exist)."
    return out
