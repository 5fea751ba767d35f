"""Checks of a user catalog folder (``catalog.load(data_dir)``, ``$MLPERF_RECOMMENDER_CATALOG``) before use.

A hand-edited or foreign catalog must not give wrong answers silently: a negative price makes a negative
capex, a zero accelerator count divides by zero, a duplicated result counts twice, a result whose accelerator
id the accelerator table lacks is never matched. :func:`check_files` reads
each CSV as text and reports the first problems as one :class:`~catalog.errors.CatalogError` naming file,
line, row and column: ``results.csv:5: accelerators (row 4): must be a whole number >= 1 (got '8.5')``.
The shipped catalog is checked by its tests, not here.
"""

from __future__ import annotations

import csv
import io
import math
import os
import stat
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from catalog.errors import CatalogError
from catalog.schema import (
    ACCELERATOR_DTYPES,
    CLOUD_PRICE_DTYPES,
    DEFAULTS_DTYPES,
    MAX_MINUTES,
    RESULT_DTYPES,
    RESULT_KEY,
)

__all__ = ["MAX_CATALOG_BYTES", "check_files", "check_user_catalog", "row_problems"]

#: Largest catalog file read (bytes); the shipped results.csv is about 0.5 MB.
MAX_CATALOG_BYTES = 200 * 1024 * 1024
#: How many problems one error message lists.
_SHOWN = 5

Check = Callable[[str], str | None]  # a cell's text -> why it is wrong, or None


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _real(minimum: float, *, strict: bool, maximum: float = math.inf) -> Check:
    op = ">" if strict else ">="

    def check(text: str) -> str | None:
        value = _number(text)
        if value is None or (value <= minimum if strict else value < minimum):
            return f"must be a finite number {op} {minimum:g} (got {text!r})"
        if value > maximum:
            return f"must be at most {maximum:,.0f} (got {text!r})"
        return None

    return check


def _whole(minimum: int) -> Check:
    def check(text: str) -> str | None:
        value = _number(text)
        if value is None or value != int(value) or value < minimum:
            return f"must be a whole number >= {minimum} (got {text!r})"
        return None

    return check


def _column_checks(dtypes: dict[str, str], special: dict[str, Check]) -> dict[str, Check]:
    """A check for every numeric column: ``special`` ones, else finite (Float64) or whole >= 0 (Int64)."""
    checks: dict[str, Check] = {}
    for column, dtype in dtypes.items():
        if column in special:
            checks[column] = special[column]
        elif dtype == "Float64":
            checks[column] = _real(0, strict=False)
        elif dtype == "Int64":
            checks[column] = _whole(0)
    return checks


_RESULTS = _column_checks(RESULT_DTYPES, {
    "minutes": _real(0, strict=True, maximum=MAX_MINUTES), "scaling_factor": _real(0, strict=True),
    "accelerators": _whole(1), "nodes": _whole(1),
})
_ACCELERATORS = _column_checks(ACCELERATOR_DTYPES, {
    "memory_gb": _real(0, strict=True), "tdp_watts": _real(0, strict=True),
    "launch_price_usd": _real(0, strict=True), "reference_price_usd": _real(0, strict=True),
})
_DEFAULTS = _column_checks(DEFAULTS_DTYPES, {})
_CLOUD_PRICES = _column_checks(CLOUD_PRICE_DTYPES, {
    "gpus_per_instance": _whole(1), "usd_per_accelerator_hour": _real(0, strict=True),
})
#: Defaults whose value must be positive (a price, a count, a PUE), by parameter.
_DEFAULT_VALUES: dict[str, Check] = {
    "reference_price_usd": _real(0, strict=True), "accelerators_per_node": _whole(1),
    "pue": _real(1, strict=False), "energy_usd_per_kwh": _real(0, strict=True),
}

#: Per file: numeric checks, the columns that identify a row (no two rows may share them), required columns.
_FILES: dict[str, tuple[dict[str, Check], list[str]]] = {
    "results.csv": (_RESULTS, RESULT_KEY),
    "accelerators.csv": (_ACCELERATORS, ["accelerator_id"]),
    "defaults.csv": (_DEFAULTS, ["parameter", "applies_to"]),
    "cloud_prices.csv": (_CLOUD_PRICES, ["provider", "accelerator_id", "instance_type", "pricing", "region"]),
}


def check_user_catalog(data_dir: Path, files: Iterable[Path]) -> None:
    """Check the files of a user catalog folder (those it holds; borrowed shipped files are not checked). Its
    results' accelerator ids are checked against the accelerator table it uses (its own, else the shipped one)."""
    from catalog import DATA_DIR

    shipped = os.path.realpath(DATA_DIR)
    if os.path.realpath(data_dir) == shipped:
        return
    files = list(files)
    table = next((f for f in files if f.name == "accelerators.csv"), None)
    known = None
    if table is not None:
        ids = _accelerator_ids(table)
        name = "accelerators.csv" if os.path.realpath(table.parent) != shipped else "the shipped accelerators.csv"
        known = (name, ids) if ids is not None else None
    check_files((f for f in files if os.path.realpath(f.parent) != shipped), accelerators=known)


def check_files(files: Iterable[Path], *, accelerators: tuple[str, frozenset[str]] | None = None) -> None:
    """Check the catalog CSVs ``files`` (results.csv, accelerators.csv, defaults.csv, cloud_prices.csv); CatalogError.
    ``accelerators``: (the table's name for messages, its ids), which a results.csv's accelerator ids must be."""
    for path in files:
        if path.name in _FILES:
            try:
                st = os.stat(path)
            except OSError:
                continue  # load() reports a missing or unreadable file
            known = accelerators if path.name in ("results.csv", "cloud_prices.csv") else None  # (ids that must match)
            _check_cached(str(path), st.st_mtime_ns, st.st_size, st.st_mode, known)


def _accelerator_ids(path: Path) -> frozenset[str] | None:
    """The ids of an accelerator table; None when it cannot be read as one (its own check says why)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_CATALOG_BYTES:
        return None
    return _ids_cached(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _ids_cached(path: str, mtime_ns: int, size: int) -> frozenset[str] | None:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if "accelerator_id" not in (reader.fieldnames or []):
                return None  # load() says the column is missing
            return frozenset(row.get("accelerator_id") or "" for row in reader) - {""}
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


@lru_cache(maxsize=32)
def _check_cached(path: str, mtime_ns: int, size: int, mode: int,
                  accelerators: tuple[str, frozenset[str]] | None = None) -> None:
    if not stat.S_ISREG(mode):
        raise CatalogError(f"{path}: not a regular file")
    if size > MAX_CATALOG_BYTES:
        raise CatalogError(f"{path}: file too large ({size / 1e6:,.0f} MB; at most {MAX_CATALOG_BYTES // 2**20} MB)")
    with open(path, "rb") as fh:
        data = fh.read(MAX_CATALOG_BYTES + 1)
    try:  # "-sig": a byte-order mark (Excel's "CSV UTF-8") is no part of the first column's name
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # exc.object: the bytes after a byte-order mark, which exc.start counts in
        line = exc.object.count(b"\n", 0, exc.start) + 1
        raise CatalogError(f"{path}:{line}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x})") from None
    problems = [message for _, message in row_problems(path, text, Path(path).name, accelerators)]
    if problems:
        more = f" (and {len(problems) - _SHOWN} more)" if len(problems) > _SHOWN else ""
        raise CatalogError("; ".join(problems[:_SHOWN]) + more)


def row_problems(path: str, text: str, kind: str,
                 accelerators: tuple[str, frozenset[str]] | None = None) -> list[tuple[int, str]]:
    """(line, ``path:line: column (row n): why``) of every problem of ``text`` read as the catalog file ``kind``
    (e.g. ``cloud_prices.csv``): numbers out of range, duplicated rows, NUL characters, unreadable CSV; with
    ``accelerators`` (the table's name, its ids) an ``accelerator_id`` that is neither empty nor one of the ids."""
    checks, key = _FILES[kind]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return [(line, f"{path}:{line}: contains a NUL character")]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    key = [c for c in key if c in (reader.fieldnames or [])]  # a user's price list may leave out instance, region
    problems: list[tuple[int, str]] = []
    seen: dict[tuple[str, ...], int] = {}
    try:
        for row_number, row in enumerate(reader, start=1):
            line = reader.line_num
            for column, check in checks.items():
                cell = (row.get(column) or "").strip()
                why = check(cell) if cell else None
                if why is None and cell and column == "value" and row.get("parameter") in _DEFAULT_VALUES:
                    why = _DEFAULT_VALUES[str(row["parameter"])](cell)
                if why is not None:
                    problems.append((line, f"{path}:{line}: {column} (row {row_number}): {why}"))
            accelerator = row.get("accelerator_id") or ""  # empty: a raw name the importer did not map (allowed)
            if accelerators is not None and accelerator and accelerator not in accelerators[1]:
                why = _unknown_accelerator(accelerator, *accelerators)
                problems.append((line, f"{path}:{line}: accelerator_id (row {row_number}): {why}"))
            if key and all(c in row for c in key):
                ident = tuple((row.get(c) or "").strip() for c in key)
                if ident in seen:
                    shown = ", ".join(f"{c}={v!r}" for c, v in zip(key, ident, strict=True))
                    message = f"{path}:{line}: row {row_number}: duplicated row ({shown} also on line {seen[ident]})"
                    problems.append((line, message))
                else:
                    seen[ident] = line
    except csv.Error as exc:
        problems.append((reader.line_num, f"{path}:{reader.line_num}: unreadable CSV: {exc}"))
    return problems


def _unknown_accelerator(accelerator: str, table: str, ids: frozenset[str]) -> str:
    from catalog.registry import closest_ids

    near = closest_ids(accelerator, sorted(ids))
    return (f"unknown accelerator {accelerator!r} (not in {table}" + (f"; closest: {', '.join(near)}" if near else "")
            + "; leave it empty for an accelerator not in the table)")
