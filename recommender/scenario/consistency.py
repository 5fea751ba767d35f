"""Checks that a custom workload's own measurements do not contradict each other (a typo, not spread)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

#: Measurements further apart than this factor contradict each other: two of one configuration, or a larger
#: count of one accelerator slower than a smaller count.
CONTRADICTION_FACTOR = 2.0


def contradiction(measurements: Sequence[Any]) -> str | None:
    """Why the measurements (``accelerator_id``, ``accelerators``, ``nodes``, ``minutes``) contradict each other
    (``measurements[j].minutes: …``), or None: one configuration measured more than :data:`CONTRADICTION_FACTOR`
    apart, or more accelerators of one kind taking over that factor longer than fewer (they were pooled into a
    figure nobody measured and called "measured" — a reviewer's 40 min on 8 and 400 min on 64 became 126 on 8)."""
    seen: dict[tuple[str, int, int | None], int] = {}
    for j, m in enumerate(measurements):
        i = seen.setdefault((m.accelerator_id, m.accelerators, m.nodes), j)
        low, high = sorted((measurements[i].minutes, m.minutes))
        if high > CONTRADICTION_FACTOR * low:
            return (f"measurements[{j}].minutes: {m.minutes:g} min contradicts measurements[{i}] "
                    f"({measurements[i].minutes:g} min) of the same configuration; fix or remove one")
    by_count = sorted(enumerate(measurements), key=lambda jm: (jm[1].accelerator_id, jm[1].accelerators))
    for (i, a), (j, b) in pairwise(by_count):  # neighbouring counts of one accelerator
        if a.accelerator_id == b.accelerator_id and b.accelerators > a.accelerators and (
                b.minutes > CONTRADICTION_FACTOR * a.minutes):
            return (f"measurements[{j}].minutes: {b.minutes:g} min on {b.accelerators} accelerators contradicts "
                    f"measurements[{i}] ({a.minutes:g} min on {a.accelerators}): more accelerators of one kind do "
                    "not take over twice as long; fix or remove one")
    return None
