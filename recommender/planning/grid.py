"""The candidate grid: which (accelerators, nodes) counts of each accelerator are considered."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

from recommender.models import Scenario
from recommender.planning import costs as C
from recommender.planning import solve as S

if TYPE_CHECKING:  # pragma: no cover

    pass


#: Candidate counts are generated up to this factor over each limit (room for sensitivity and binding checks).
HEADROOM = 1.25


#: Without any limit on a series (min_tco): largest accelerator count generated per accelerator.
MAX_GENERATED_ACCELERATORS = 4096


#: Node counts up to this are enumerated one by one; beyond it in steps of about 4 %.
DENSE_NODES = 64


GRID_STEP = 1.04


def limits_of(s: Scenario) -> S.Limits:
    return S.Limits(
        budget_usd=s.budget_usd,
        power_kw=s.power_limit_kw,
        rack_units=None if s.rack_units is None else float(s.rack_units),
        max_nodes=None if s.max_nodes is None else float(s.max_nodes),
        max_accelerators=None if s.max_accelerators is None else float(s.max_accelerators),
    )


@lru_cache(maxsize=64)
def _grid(dense: int, hard_max_nodes: int) -> tuple[int, ...]:
    """Node counts considered: every count up to ``dense``, then steps of about 4 % up to ``hard_max_nodes``."""
    counts = list(range(1, min(dense, hard_max_nodes) + 1))
    k = float(counts[-1])
    while k < hard_max_nodes:
        k = min(float(hard_max_nodes), max(k + 1, math.floor(k * GRID_STEP)))
        counts.append(int(k))
    return tuple(counts)


def _node_counts(per_unit: dict[str, float], limits: S.Limits, dense: int, hard_max_nodes: int) -> list[int]:
    """Node counts of one series: the grid up to the headroom cap of every limit, plus the first grid count
    beyond it (what a relaxed limit would buy). The grid does not depend on the limits, so predictions made
    for one scenario serve the next (a budget slider stays on cached predictions)."""
    caps = [limit * HEADROOM / per_unit[name] for name, limit in limits.items() if per_unit[name] > 0]
    top = min(caps) if caps else math.inf
    grid = _grid(dense, hard_max_nodes)
    inside = [k for k in grid if k <= top + 1e-9]
    beyond = [k for k in grid if k > top + 1e-9][:1]
    return inside + beyond


def series(spec: C.NodeSpec, price: float, tdp_w: float, limits: S.Limits, *,
           partial_rack: bool = False) -> list[tuple[int, int, int]]:  # fmt: skip
    """(accelerators, nodes, accelerators_per_node) rows of one accelerator. NVL72-class systems come in whole
    racks (multiples of the rack size) unless ``partial_rack`` (then also trays of 4 up to one rack)."""
    rows: set[tuple[int, int, int]] = set()

    def usage(acc_per_node: float, nodes_per_unit: float) -> dict[str, float]:
        acc = acc_per_node * nodes_per_unit
        return {
            "budget": C.capex_usd(acc, nodes_per_unit, price, spec.host_cost_usd),
            "power": C.it_power_kw(acc, nodes_per_unit, tdp_w, spec.power_factor, spec.host_power_kw),
            "rack_units": nodes_per_unit * spec.rack_units,
            "max_nodes": nodes_per_unit,
            "max_accelerators": acc,
        }

    if spec.rack_size and not partial_rack:  # NVL72: whole racks only (issue 12)
        trays_per_rack = spec.rack_size // spec.per_node
        racks = _node_counts(usage(spec.per_node, trays_per_rack), limits, 8,
                             max(1, MAX_GENERATED_ACCELERATORS // spec.rack_size))  # fmt: skip
        return sorted({(r * spec.rack_size, r * trays_per_rack, spec.per_node) for r in racks})
    if spec.rack_size:  # NVL72 with partial_rack: trays of 4 up to one rack, then whole racks
        trays_per_rack = spec.rack_size // spec.per_node
        one = usage(spec.per_node, 1)
        for t in range(1, trays_per_rack + 1):
            if all(one[n] * t <= lim * HEADROOM for n, lim in limits.items()) or t == 1:
                rows.add((t * spec.per_node, t, spec.per_node))
        racks = _node_counts(usage(spec.per_node, trays_per_rack), limits, 8,
                             max(1, MAX_GENERATED_ACCELERATORS // spec.rack_size))  # fmt: skip
        for r in racks:
            if r >= 2:
                rows.add((r * spec.rack_size, r * trays_per_rack, spec.per_node))
        # the tray just beyond a limit (binding check)
        for name, lim in limits.items():
            u = one[name]
            t = math.floor(lim / u + 1e-9) + 1 if u > 0 else 0
            if 1 <= t <= trays_per_rack:
                rows.add((t * spec.per_node, t, spec.per_node))
        return sorted(rows)
    for k in spec.single_node_counts:
        rows.add((k, 1, k))
    for size in spec.multi_node_sizes:
        for n in _node_counts(usage(size, 1), limits, DENSE_NODES, max(1, MAX_GENERATED_ACCELERATORS // size)):
            if n >= 2:
                rows.add((n * size, n, size))
    return sorted(rows)
