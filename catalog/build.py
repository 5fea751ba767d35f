"""Rebuild the shipped catalog (``catalog/data``) from the MLPerf results and hardware tables.

    python -m catalog.build [--shared ../shared]

Imports every round folder under ``<shared>/mlperf/training`` with our importer, joins the accelerator table
with the reference prices of ``defaults.csv`` (``launch_price_usd`` stays as history, not the reference),
and copies ``defaults.csv`` (followed by the project's own planning assumptions, ``catalog/planning_assumptions.csv``),
``cloud_prices.csv``, the alias table and the attribution (SOURCES.md). Every file is written atomically.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from pathlib import Path
from typing import Any

from catalog import DATA_DIR
from catalog.atomic import write_text_atomic
from catalog.mlperf import AliasTable, import_rounds, write_json_atomic, write_results_csv
from catalog.registry import is_round_name, round_key
from catalog.schema import ACCELERATOR_COLUMNS

_PRICE_FIELDS = {
    "reference_price_usd": "value",
    "reference_price_source": "source",
    "reference_price_confidence": "confidence",
    "reference_price_as_of": "as_of",
}


def build_accelerators(accelerators_csv: Path, defaults_csv: Path) -> str:
    """accelerators.csv with the reference price (and its source, confidence, as-of) of defaults.csv."""
    with open(defaults_csv, newline="", encoding="utf-8") as f:
        prices = {
            row["applies_to"]: row for row in csv.DictReader(f) if row["parameter"] == "reference_price_usd"
        }
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=ACCELERATOR_COLUMNS, lineterminator="\n")
    w.writeheader()
    with open(accelerators_csv, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            p = prices.get(row["accelerator_id"])
            for col, src in _PRICE_FIELDS.items():
                row[col] = p[src] if p else ""
            w.writerow({c: row.get(c, "") for c in ACCELERATOR_COLUMNS})
    unknown = set(prices) - set(_ids(accelerators_csv))
    if unknown:
        raise SystemExit(f"{defaults_csv}: reference prices for unknown accelerator ids {sorted(unknown)}")
    return out.getvalue()


def _ids(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as f:
        return [r["accelerator_id"] for r in csv.DictReader(f)]


#: The project's planning assumptions (utilisation, salvage, cost of capital, rack units, the PCIe chassis rule):
#: same columns as defaults.csv; appended to the shipped defaults.csv so they are read like every other default.
PLANNING_ASSUMPTIONS_CSV = Path(__file__).resolve().parent / "planning_assumptions.csv"


def build_defaults(defaults_csv: Path, assumptions_csv: Path = PLANNING_ASSUMPTIONS_CSV) -> str:
    """defaults.csv: the shared file byte for byte, then the rows of ``assumptions_csv`` (same header; a
    (parameter, applies_to) already in the shared file is an error: one definition per figure)."""
    with open(defaults_csv, encoding="utf-8", newline="") as f:
        shared = f.read()
    with open(assumptions_csv, encoding="utf-8", newline="") as f:
        own = list(csv.reader(f))
    header = next(csv.reader(io.StringIO(shared)))
    if not own or own[0] != header:
        raise SystemExit(f"{assumptions_csv}: header must be {','.join(header)}")
    keys = {(r["parameter"], r["applies_to"]) for r in csv.DictReader(io.StringIO(shared))}
    twice = sorted({(r[0], r[1]) for r in own[1:]} & keys)
    if twice:
        raise SystemExit(f"{assumptions_csv}: rows also in {defaults_csv}: {twice}")
    newline = "\r\n" if "\r\n" in shared else "\n"
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows(own[1:])
    return (shared if shared.endswith(("\n", "\r")) else shared + newline) + out.getvalue()


def _copy_atomic(src: Path, dst: Path) -> None:
    with open(src, encoding="utf-8", newline="") as f:  # byte-for-byte (keeps CRLF files as they are)
        write_text_atomic(dst, f.read())


def shipped_report(report: dict[str, Any], training: Path) -> dict[str, Any]:
    """The import report as shipped: the same on every machine and every rebuild of the same data (paths
    relative to the results tree, no wall-clock time), so a rebuild changes the file only when the data does."""
    roots = [str(training) + os.sep, str(training.resolve()) + os.sep]

    def relative(path: str) -> str:
        root = next((r for r in roots if path.startswith(r)), None)
        return path[len(root):] if root is not None else path

    out = {k: v for k, v in report.items() if k != "seconds"}
    out["items"] = [{**item, "path": relative(item["path"])} for item in report["items"]]
    out["unreadable_folders"] = {relative(path): why for path, why in report.get("unreadable_folders", {}).items()}
    return out


def build(shared: Path, out: Path = DATA_DIR) -> None:
    hw = shared / "hardware"
    training = shared / "mlperf" / "training"
    out.mkdir(parents=True, exist_ok=True)
    _copy_atomic(hw / "accelerator_aliases.csv", out / "accelerator_aliases.csv")
    write_text_atomic(out / "defaults.csv", build_defaults(hw / "defaults.csv"))
    _copy_atomic(hw / "cloud_prices.csv", out / "cloud_prices.csv")
    write_text_atomic(out / "accelerators.csv", build_accelerators(hw / "accelerators.csv", hw / "defaults.csv"))
    rounds = sorted((d for d in training.iterdir() if d.is_dir() and is_round_name(d.name)),
                    key=lambda d: round_key(d.name))
    rows, report = import_rounds(rounds, aliases=AliasTable.from_csv(out / "accelerator_aliases.csv"))
    write_results_csv(rows, out / "results.csv")
    write_json_atomic(shipped_report(report.to_dict(), training), out / "import_report.json")
    _copy_atomic(hw / "SOURCES.md", out / "SOURCES.md")
    lic = training / "v5.0" / "LICENSE.md"
    if lic.is_file():
        _copy_atomic(lic, out / "MLPERF_LICENSE.md")
    print(f"catalog: {report.rows} results ({report.rows_scored} scored, {report.duplicates} re-submissions) "
          f"from {len(rounds)} rounds -> {out}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m catalog.build", description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--out", type=Path, default=DATA_DIR)
    args = ap.parse_args(argv)
    if not (args.shared / "mlperf" / "training").is_dir():
        print(f"{args.shared}: no mlperf/training folder", file=sys.stderr)
        return 2
    build(args.shared, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
