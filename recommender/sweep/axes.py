"""Axes of a sweep and the lazy cross product: scenario ``index`` <-> one value index per axis.

The first axis varies slowest (like nested loops written top-down). Axes over limits (budget, power, rack
space, node and accelerator counts) only move the feasibility line over a shared candidate table; every other
axis (workload mix, price list, years...) changes the table. Scenarios are therefore processed per *group*
(one combination of the non-limit axes) and, within a group, per *limit combination* ``j``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from recommender.sweep._internals import LIMIT_FIELDS

#: Output column of an axis whose scenario field is also a result column's name: the `accelerators` axis is the
#: allow-list (its labels), the `accelerators` result the chosen count; each keeps a column of its own.
AXIS_COLUMNS: dict[str, str] = {"accelerators": "allowed_accelerators"}


@dataclass(frozen=True)
class Axis:
    """One axis: the scenario field it sets, the label of each value (what the output column shows) and the
    resolved update of each value (scenario fields -> plain data, references to files already read)."""

    field: str
    labels: tuple[Any, ...]
    updates: tuple[dict[str, Any], ...]
    named: bool = False  # labels are names of variants (a mapping in the file), not the values themselves

    @property
    def column(self) -> str:
        """The axis's column in the sweep's rows (its field, unless a result column has that name)."""
        return AXIS_COLUMNS.get(self.field, self.field)

    @property
    def is_limit(self) -> bool:
        return self.field in LIMIT_FIELDS

    def __len__(self) -> int:
        return len(self.labels)


def range_values(start: float, stop: float, steps: int, scale: str) -> list[float]:
    """``steps`` values from ``start`` to ``stop`` inclusive, evenly spaced (``linear``) or by ratio (``log``)."""
    if steps == 1:
        return [float(start)]
    if scale == "log":
        values = np.geomspace(start, stop, steps)
    else:
        values = np.linspace(start, stop, steps)
    out = [float(v) for v in values]
    out[0], out[-1] = float(start), float(stop)
    return [_tidy(v) for v in out]


def _tidy(v: float) -> float:
    """12 significant digits: 316227.76601683795 -> 316227.766017 (stable labels, exact endpoints)."""
    if v == 0 or not math.isfinite(v):
        return v
    return float(f"{v:.12g}")


@dataclass(frozen=True)
class Layout:
    """Index arithmetic of a cross product of axes (sizes in file order)."""

    sizes: tuple[int, ...]
    limit: tuple[bool, ...]

    @property
    def total(self) -> int:
        return math.prod(self.sizes) if self.sizes else 1

    @property
    def strides(self) -> tuple[int, ...]:
        out, acc = [], 1
        for n in reversed(self.sizes):
            out.append(acc)
            acc *= n
        return tuple(reversed(out))

    def _sub(self, is_limit: bool) -> list[int]:
        return [a for a, lim in enumerate(self.limit) if lim == is_limit]

    @property
    def groups(self) -> int:
        return math.prod(self.sizes[a] for a in self._sub(False))

    @property
    def per_group(self) -> int:
        return math.prod(self.sizes[a] for a in self._sub(True))

    def digits(self, index: np.ndarray) -> np.ndarray:
        """[n, axes] value index of every axis for scenario indices."""
        index = np.asarray(index, dtype=np.int64)
        out = np.empty((index.size, len(self.sizes)), dtype=np.int64)
        for a, (size, stride) in enumerate(zip(self.sizes, self.strides, strict=True)):
            out[:, a] = (index // stride) % size
        return out

    def _mixed(self, axes: list[int], code: np.ndarray | int) -> np.ndarray:
        """[n, len(axes)] digits of a mixed-radix code over ``axes`` (the last varies fastest)."""
        code = np.atleast_1d(np.asarray(code, dtype=np.int64))
        out = np.empty((code.size, len(axes)), dtype=np.int64)
        for k in range(len(axes) - 1, -1, -1):
            size = self.sizes[axes[k]]
            out[:, k] = code % size
            code = code // size
        return out

    def index_of(self, group: int, js: np.ndarray) -> np.ndarray:
        """Scenario indices of limit combinations ``js`` within ``group``."""
        js = np.asarray(js, dtype=np.int64)
        strides = np.array(self.strides, dtype=np.int64)
        g_axes, l_axes = self._sub(False), self._sub(True)
        base = int((self._mixed(g_axes, group)[0] * strides[g_axes]).sum()) if g_axes else 0
        if not l_axes:
            return np.full(js.size, base, dtype=np.int64)
        return base + (self._mixed(l_axes, js) * strides[l_axes]).sum(axis=1)

    def group_digits(self, group: int) -> dict[int, int]:
        """Axis position -> value index of the non-limit axes of ``group``."""
        g_axes = self._sub(False)
        if not g_axes:
            return {}
        return dict(zip(g_axes, (int(d) for d in self._mixed(g_axes, group)[0]), strict=True))

    def group_of(self, index: np.ndarray) -> np.ndarray:
        """Group of each scenario index."""
        d = self.digits(index)
        g = np.zeros(d.shape[0], dtype=np.int64)
        for a in self._sub(False):
            g = g * self.sizes[a] + d[:, a]
        return g
