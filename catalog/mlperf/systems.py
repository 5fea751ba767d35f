"""System JSONs: lenient parsing and normalised fields (division, status, cooling, counts)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TRAILING_COMMA_RE = re.compile(r",(\s*[}\]])")


def _load_json_lenient(path: Path) -> tuple[dict[str, Any] | None, str]:
    """Parse a system JSON. Trailing commas are repaired (noted); anything else unusable returns None."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return None, f"unreadable system JSON: {exc.strerror or exc}"
    try:
        data = json.loads(text)
    except ValueError as exc:
        try:
            data = json.loads(_TRAILING_COMMA_RE.sub(r"\1", text))
        except ValueError:
            return None, f"invalid system JSON: {exc}"
        note = "system JSON repaired (trailing comma)"
    else:
        note = ""
    if not isinstance(data, dict):
        return None, "invalid system JSON: not an object"
    return data, note


def _text(d: dict[str, Any], *keys: str) -> str:
    for k in keys:
        v = d.get(k)
        if v is None:
            continue
        if isinstance(v, (dict, list)):
            continue
        s = str(v).strip()
        if s:
            return s
    return ""


def _int(value: Any) -> int | None:
    """A non-negative whole count, or None: "8", 8, 8.0, "8 (per node)" -> 8; "Infinity", NaN, 8.5, -1,
    true, lists -> None (the caller reports the field as unusable)."""
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    try:
        f = float(str(value).strip())
    except ValueError:
        m = re.match(r"^\s*(\d+)", str(value))
        return int(m.group(1)) if m else None
    if not math.isfinite(f) or f < 0 or f != int(f) or f > 1e9:
        return None
    return int(f)


def normalize_division(raw: str) -> str:
    s = raw.strip().lower()
    if s.startswith("clos"):
        return "closed"
    if s.startswith("open"):
        return "open"
    return s


def normalize_status(raw: str) -> str:
    """available | preview | rdi (research, development, internal)."""
    s = raw.strip().lower()
    if not s:
        return ""
    if "preview" in s:
        return "preview"
    if "research" in s or s in {"rdi", "rdo"}:
        return "rdi"
    if s.startswith("avail") or "prem" in s or "cloud" in s:
        return "available"
    return s


def normalize_cooling(raw: str) -> str:
    s = raw.strip().lower()
    if not s or s in {"todo", "n/a", "na", "-"}:
        return ""
    if "immersion" in s:
        return "immersion"
    if "liquid" in s or "water" in s or "neptune" in s or s == "l2a":
        return "liquid"
    if "air" in s:
        return "air"
    return ""


@dataclass
class System:
    system_id: str
    data: dict[str, Any]
    note: str = ""
