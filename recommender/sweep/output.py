"""Sweep results on disk: a Parquet dataset written chunk by chunk, or CSV for small sweeps.

``OUT.parquet`` is a directory of Parquet files (the layout Dask, Spark and pyarrow write and read as one
table): every finished chunk becomes one complete file, written to a hidden temporary name and renamed, so a
sweep killed at any moment (even SIGKILL) leaves only complete chunks, readable with
``pyarrow.parquet.read_table("OUT.parquet")`` or ``pandas.read_parquet("OUT.parquet")``. Each file carries the
sweep's fingerprint (its file and axes, and for a CLI run the catalog and ``--explain``: ``Plan.for_run``), so
``--resume`` refuses to mix the rows of two different sweeps.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from catalog.atomic import write_atomic
from recommender.errors import ScenarioError

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from recommender.sweep.spec import Plan

FINGERPRINT_KEY = b"recommender.sweep"


class ParquetOut:
    """Writes chunks as part files of a Parquet dataset directory (memory: one chunk at a time)."""

    def __init__(self, path: str | Path, plan: Plan, *, resume: bool) -> None:
        self.path = Path(path)
        self.plan = plan
        self.done = np.zeros(plan.total, dtype=bool)
        self.parts = 0
        self.notes: list[str] = []  # what resuming found and did (the CLI prints them)
        if self.path.exists():
            if not resume:
                raise ScenarioError(f"{self.path} already exists: pass --resume to finish it, or remove it")
            self._load_done()
        elif resume:
            pass  # nothing to resume: start from scratch
        self.path.mkdir(parents=True, exist_ok=True)

    def _load_done(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self.path.is_dir():
            raise ScenarioError(f"{self.path} is not a sweep output (a directory of Parquet files)")
        from recommender.sweep.engine import arrow_schema

        columns = arrow_schema(self.plan).names
        for f in sorted(self.path.glob("part-*.parquet")):
            try:
                schema = pq.read_schema(f)
                meta = schema.metadata or {}
                same = meta.get(FINGERPRINT_KEY, b"").decode() == self.plan.fingerprint
                idx = pq.read_table(f, columns=["index"]).column("index").to_numpy() if same else None
            except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
                # truncated or damaged by something else (this writer renames only complete files): keep it
                # aside, hidden from Parquet readers, and solve its scenarios again
                aside = f.with_name(f".{f.name}.unreadable")
                f.replace(aside)
                self.notes.append(f"{f} is unreadable ({str(exc).splitlines()[0]}): moved aside to {aside.name}; "
                                  "its scenarios are solved again")  # fmt: skip
                continue
            if not same:
                raise ScenarioError(f"{f} was written by a different sweep ({self._difference(meta)}); write to a "
                                    "new --out")
            if schema.names != columns:  # readers take the first part's columns: a new column would vanish
                raise ScenarioError(f"{f} was written by another version of recommender "
                                    f"({_columns_differ(schema.names, columns)}); write to a new --out")
            self.done[idx] = True
            self.parts = max(self.parts, int(f.stem.split("-")[1]) + 1)

    def _difference(self, meta: dict[bytes, bytes]) -> str:
        """What differs from the sweep that wrote ``meta``, e.g. ``another catalog``; every possibility for a
        file that does not record it."""
        try:
            theirs = json.loads(meta.get(b"recommender.sweep.parts", b"{}").decode())
        except (ValueError, UnicodeDecodeError):
            theirs = {}
        ours = self.plan.parts
        if not isinstance(theirs, dict):
            theirs = {}
        differ = [k for k in ours if k in theirs and theirs[k] != ours[k]]
        if not differ:
            return "another file or other axes, another catalog, or with/without --explain"
        words = {"the scenario file or its axes": "another scenario file or other axes", "the catalog": "another "
                 "catalog", "--explain": f"written {theirs.get('--explain')} --explain, this run is "
                 f"{ours.get('--explain')}", "the base scenario": "another base scenario"}  # fmt: skip
        if "the base scenario" in theirs:  # outputs that record each axis: name the ones that differ
            differ = [k for k in differ if k != "the scenario file or its axes"]
            fields = [k for k in dict.fromkeys([*ours, *theirs]) if k.startswith("axis ")]
            for k in fields:
                if k not in ours or k not in theirs:
                    differ.append(f"{k} {'removed' if k not in ours else 'added'}")
                elif ours[k] != theirs[k]:
                    words[k] = f"{k}: {theirs[k].split(' (#')[0]} written, this run {ours[k].split(' (#')[0]}"
                    if theirs[k].split(" (#")[0] == ours[k].split(" (#")[0]:
                        words[k] = f"{k}: other values between the same ends"
            differ = list(dict.fromkeys(differ))
        return "; ".join(words.get(k, k) for k in differ) or "another scenario file or other axes"

    def write(self, table: pa.Table) -> None:
        import pyarrow.parquet as pq

        name = f"part-{self.parts:06d}.parquet"
        self.parts += 1
        write_atomic(self.path / name, lambda tmp: pq.write_table(table, tmp, compression="zstd"))
        self.done[table.column("index").to_numpy()] = True

    def close(self) -> None:
        for tmp in self.path.glob(".part-*.tmp"):  # left by a killed run
            tmp.unlink(missing_ok=True)


def _columns_differ(theirs: list[str], ours: list[str]) -> str:
    """``its columns lack rent_caveat`` / ``… have old_column too`` / ``… are in another order``."""
    lack, extra = [c for c in ours if c not in theirs], [c for c in theirs if c not in ours]
    words = [*([f"lack {', '.join(lack)}"] if lack else []), *([f"have {', '.join(extra)} too"] if extra else [])]
    return f"its columns {' and '.join(words) if words else 'are in another order'}"


class CsvOut:
    """Small sweeps: rows kept in memory and written atomically as CSV, sorted by index, at the end."""

    def __init__(self, path: str | Path, plan: Plan) -> None:
        self.path = Path(path)
        self.plan = plan
        self.done = np.zeros(plan.total, dtype=bool)
        self.tables: list[pa.Table] = []

    def write(self, table: pa.Table) -> None:
        self.tables.append(table)
        self.done[table.column("index").to_numpy()] = True

    def close(self) -> None:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        from recommender.sweep.engine import arrow_schema

        if not self.done.all():  # interrupted or failed: a partial CSV would read as a finished sweep (and
            return  # replace a complete one); the previous file, if any, stays as it was
        table = pa.concat_tables(self.tables) if self.tables else arrow_schema(self.plan).empty_table()
        table = table.sort_by("index")
        write_atomic(self.path, lambda tmp: pcsv.write_csv(table, tmp))


#: Largest sweep written as CSV (rows are held in memory until the end).
CSV_MAX_ROWS = 200_000


def open_output(path: str | Path, plan: Plan, *, resume: bool) -> Any:
    import os

    suffix = Path(path).suffix.lower()
    parent = Path(path).parent
    if not parent.is_dir():  # as `batch`: a typo in a folder name made a tree of new folders
        raise ScenarioError(f"--out: directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):  # known before any scenario is solved, not after
        raise ScenarioError(f"--out: directory {str(parent)!r} is not writable")
    if suffix == ".parquet":
        return ParquetOut(path, plan, resume=resume)
    if suffix == ".csv":
        if resume:
            raise ScenarioError("--resume needs a .parquet output (CSV is written once, at the end)")
        if plan.total > CSV_MAX_ROWS:
            raise ScenarioError(f"{plan.total:,} scenarios are too many for CSV (at most {CSV_MAX_ROWS:,}); "
                                "write .parquet")
        return CsvOut(path, plan)
    raise ScenarioError(f"{path}: the output must end in .parquet (or .csv for small sweeps)")


#: Columns every sweep output has; a file without them is not one (``--summary`` of a foreign file).
REQUIRED_COLUMNS = ("index", "status", "accelerator_id")


def read_results(path: str | Path, columns: list[str] | None = None) -> Any:
    """The rows of a sweep output (Parquet dataset or CSV) as a pandas DataFrame sorted by index.

    ``frame.attrs`` holds ``axes`` and, for Parquet, ``total`` (the sweep's scenario count, so an interrupted
    output can be told from a finished one). A missing, empty, unreadable or foreign file raises
    :class:`~recommender.errors.ScenarioError` naming it.
    """
    p = Path(path)
    if not p.exists():
        raise ScenarioError(f"{p}: no such sweep output")
    try:
        frame = _read_csv(p, columns) if p.suffix.lower() == ".csv" else _read_parquet(p, columns)
    except ScenarioError:
        raise
    except Exception as exc:  # pyarrow / pandas parser errors: the file is not a sweep output
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ScenarioError(f"{p}: not a readable sweep output ({reason})") from exc
    missing = [c for c in REQUIRED_COLUMNS if (columns is None or c in columns) and c not in frame.columns]
    if missing:
        raise ScenarioError(f"{p}: not a sweep output (no {', '.join(missing)} column"
                            f"{'s' if len(missing) > 1 else ''}; `recommender sweep` writes them)")
    return frame.sort_values("index").reset_index(drop=True) if "index" in frame else frame


def _read_csv(p: Path, columns: list[str] | None) -> Any:
    import pandas as pd

    if p.is_dir():
        raise ScenarioError(f"{p}: is a directory, not a CSV sweep output")
    try:
        frame = pd.read_csv(p, usecols=columns)
    except pd.errors.EmptyDataError:
        raise ScenarioError(f"{p}: empty file, not a sweep output") from None
    cols = list(frame.columns)
    if columns is None and cols[:1] == ["index"] and "status" in cols:
        # the writer's layout: index, the axes, then the results from status on — so an axis named like a
        # result (risk, objective) is an axis (a reviewer's CSV summary lost its `risk` axis)
        frame.attrs["axes"] = cols[1 : cols.index("status")]
    return frame


def _read_parquet(p: Path, columns: list[str] | None) -> Any:
    import pyarrow.parquet as pq

    if p.is_dir() and not any(p.glob("*.parquet")):
        raise ScenarioError(f"{p}: holds no results yet (no part-*.parquet files; an interrupted sweep "
                            "that finished no chunk)")
    table = pq.read_table(p, columns=columns)
    frame = table.to_pandas()
    meta = table.schema.metadata or {}
    if meta.get(b"recommender.sweep.axes"):
        frame.attrs["axes"] = json.loads(meta[b"recommender.sweep.axes"])
    if meta.get(b"recommender.sweep.total"):
        frame.attrs["total"] = int(meta[b"recommender.sweep.total"])
    return frame
