"""The import report: every skipped, unscoreable or irregular item, never an exception."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class ReportItem:
    """One skipped, unscoreable or irregular item."""

    kind: str  # "unscoreable" | "skipped" | "warning"
    reason: str
    path: str
    round: str = ""
    submitter: str = ""
    system_id: str = ""
    benchmark_folder: str = ""


@dataclass
class ImportReport:
    rounds: list[str] = field(default_factory=list)
    rows: int = 0
    rows_scored: int = 0
    duplicates: int = 0
    items: list[ReportItem] = field(default_factory=list)
    unmapped_accelerators: dict[str, int] = field(default_factory=dict)  # "name | memory" -> results
    cpu_only_systems: list[str] = field(default_factory=list)
    #: results left unscored because a log could not be read ("round/submitter/system/benchmark_folder")
    unreadable_results: list[str] = field(default_factory=list)
    #: folders that could not be listed (path -> why): whatever results they hold are missing
    unreadable_folders: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, kind: str, reason: str, path: Path | str, **where: str) -> None:
        self.items.append(ReportItem(kind=kind, reason=reason, path=str(path), **where))

    @property
    def unscoreable(self) -> list[ReportItem]:
        return [i for i in self.items if i.kind == "unscoreable"]

    def reason_counts(self, kind: str | None = None) -> Counter[str]:
        return Counter(_reason_class(i.reason) for i in self.items if kind is None or i.kind == kind)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rounds": self.rounds,
            "rows": self.rows,
            "rows_scored": self.rows_scored,
            "duplicates": self.duplicates,
            "unmapped_accelerators": self.unmapped_accelerators,
            "cpu_only_systems": self.cpu_only_systems,
            "unreadable_results": self.unreadable_results,
            "unreadable_folders": self.unreadable_folders,
            "seconds": round(self.seconds, 3),
            "items": [asdict(i) for i in self.items],
        }


def _reason_class(reason: str) -> str:
    """The reason without its specifics (numbers, names), for summaries."""
    return re.sub(r"\d+(\.\d+)?", "N", reason.split(":")[0]).strip()
