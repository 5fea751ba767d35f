"""Tables that fit their width: columns are dropped in a stated order, never the essential ones.

:class:`FitTable` is a ``DataTable`` that keeps every row's full values and, whenever its width changes, shows
the columns that fit: it first shrinks the shrinkable columns (names, systems) to their minimum, then drops
columns by their ``drop`` rank (highest first). Columns with ``drop=0`` are essential and always shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import events
from textual.widgets import DataTable

#: Cells a DataTable adds around each column (padding of one cell on each side).
CELL_PADDING = 2


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    drop: int = 0  # 0 = essential (never dropped); higher ranks are dropped first
    min_width: int | None = None  # shrinks to this before anything is dropped
    short: str | None = None  # the header when the column is narrower than ``label`` (not cut mid-word)
    grow: int = 0  # a shrunk column with a higher rank gets spare cells back first (0: in column order)

    def cells(self, shrunk: bool) -> int:
        return (self.min_width if shrunk and self.min_width else self.width) + CELL_PADDING

    def header(self, width: int) -> str:
        """The label, or the short one when the column is narrower than the label."""
        return self.label if len(self.label) <= width or not self.short else self.short


def fit_columns(columns: list[Column], available: int) -> list[tuple[Column, int]]:
    """The ``(column, width)`` pairs shown in ``available`` cells, in their original order.

    Order of giving way: shrink every column that has a ``min_width``; then drop columns by ``drop`` rank,
    highest first; essential columns (``drop=0``) stay even if they overflow (the table then scrolls). Cells left
    over go back to the shrunk columns by ``grow`` rank (highest first), then in column order.
    """
    shown = list(columns)

    def total(shrunk: bool) -> int:
        return sum(c.cells(shrunk) for c in shown)

    shrunk = total(False) > available
    for col in sorted((c for c in columns if c.drop), key=lambda c: -c.drop):
        if total(shrunk) <= available:
            break
        shown.remove(col)
    if shrunk:  # give back what is left over to the shrunk columns, by grow rank, then in order
        spare = available - total(True)
        widths = {c.key: c.min_width or c.width for c in shown}
        for c in sorted((c for c in shown if c.min_width), key=lambda c: -c.grow):  # (stable: ties in order)
            extra = max(0, min(spare, c.width - widths[c.key]))
            widths[c.key] += extra
            spare -= extra
        return [(c, widths[c.key]) for c in shown]
    return [(c, c.width) for c in shown]


class FitTable(DataTable[Any]):
    """A ``DataTable`` whose columns fit its width (see :func:`fit_columns`). Fill it with :meth:`set_rows`."""

    def __init__(self, columns: list[Column], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.spec = list(columns)
        self.full_rows: list[dict[str, Any]] = []
        self.shown_columns: list[str] = []

    def set_spec(self, columns: list[Column]) -> None:
        self.spec = list(columns)
        self.shown_columns = []  # labels may change under the same keys: rebuild the header
        self._rebuild()

    def on_mount(self) -> None:
        self._rebuild()

    def on_resize(self, event: events.Resize) -> None:
        # Refit on every resize (a no-op when the fit is unchanged): comparing with the last fitted width missed
        # the final size when the table was fitted before layout or mid-layout.
        self._rebuild()

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """Rows as ``{column key: cell}``; missing keys show ``—``."""
        self.full_rows = list(rows)
        self._fill()

    def _rebuild(self) -> None:
        width = self.size.width or self.app.size.width
        fitted = fit_columns(self.spec, max(width - 2, 10))  # room for the vertical scrollbar
        keys = [c.key for c, _ in fitted]
        widths = [w for _, w in fitted]
        if keys == self.shown_columns and widths == getattr(self, "_widths", None):
            return
        self._widths = widths
        row = self.cursor_row
        self.clear(columns=True)
        for c, w in fitted:
            self.add_column(c.header(w), width=w, key=c.key)
        self.shown_columns = keys
        self._fill()
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1), animate=False)

    def _fill(self) -> None:
        self.clear()
        widths = dict(zip(self.shown_columns, self._widths if hasattr(self, "_widths") else []))
        self.add_rows([[_cut(r.get(k, "—"), widths.get(k)) for k in self.shown_columns] for r in self.full_rows])
        self.check_idle()


def _cut(value: Any, width: int | None) -> Any:
    s = value if isinstance(value, str) else str(value)
    if width is None or len(s) <= width or not isinstance(value, str):
        return value
    return s[: width - 1] + "…"


def add_fixed_columns(table: DataTable[Any], columns: list[tuple[str, int]]) -> None:
    """Add ``(label, width)`` columns. Auto-sized columns are resized only when the table next goes idle,
    which rows added from a message handler do not trigger reliably; fixed widths avoid that race."""
    for label, width in columns:
        table.add_column(label, width=width)
