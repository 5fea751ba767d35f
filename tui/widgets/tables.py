"""DataTable helpers: fixed column widths, so tables look the same however fast their rows arrive."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable


def add_fixed_columns(table: DataTable[Any], columns: list[tuple[str, int]]) -> None:
    """Add ``(label, width)`` columns. Auto-sized columns are resized only when the table next goes idle,
    which rows added from a message handler do not trigger reliably; fixed widths avoid that race."""
    for label, width in columns:
        table.add_column(label, width=width)
