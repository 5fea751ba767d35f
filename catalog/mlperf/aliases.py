"""Raw MLPerf accelerator names -> accelerator ids (``accelerator_aliases.csv``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AliasTable:
    """Raw MLPerf accelerator names -> accelerator ids, matched on (raw name, raw memory) together."""

    by_name_memory: dict[tuple[str, str], str]
    by_name: dict[str, set[str]]

    @classmethod
    def from_csv(cls, path: Path) -> AliasTable:
        by_nm: dict[tuple[str, str], str] = {}
        by_n: dict[str, set[str]] = {}
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                raw = _norm(row["raw_name"])
                mem = _norm(row.get("memory_raw") or "")
                acc = (row.get("accelerator_id") or "").strip()
                by_nm[(raw, mem)] = acc
                if acc:
                    by_n.setdefault(raw, set()).add(acc)
        return cls(by_nm, by_n)

    def lookup(self, raw_name: str, memory_raw: str) -> tuple[str | None, bool]:
        """(accelerator_id or None, known) — known=False means the name is in no alias row."""
        key = (_norm(raw_name), _norm(memory_raw))
        if key in self.by_name_memory:
            return (self.by_name_memory[key] or None), True
        ids = self.by_name.get(_norm(raw_name))
        if ids and len(ids) == 1:
            return next(iter(ids)), True
        return None, False


def _norm(s: str) -> str:
    return " ".join(str(s).split()).casefold()


def default_alias_path() -> Path:
    return Path(__file__).resolve().parents[1] / "data" / "accelerator_aliases.csv"
