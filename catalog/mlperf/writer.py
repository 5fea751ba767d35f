"""Writing the imported catalog: atomically, through :mod:`catalog.atomic`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from catalog.atomic import write_text_atomic
from catalog.schema import RESULT_COLUMNS


def write_results_csv(rows: list[dict[str, Any]], out_path: Path) -> None:
    """Write results.csv atomically (:func:`catalog.atomic.write_text_atomic`)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=RESULT_COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else _fmt(r.get(k))) for k in RESULT_COLUMNS})
    write_text_atomic(out_path, buf.getvalue())


def write_json_atomic(obj: Any, out_path: Path) -> None:
    write_text_atomic(out_path, json.dumps(obj, indent=1) + "\n")


def _fmt(v: Any) -> Any:
    if isinstance(v, float):
        return format(v, ".10g")
    return v
