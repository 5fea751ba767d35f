"""Sweep results on disk: a Parquet dataset written chunk by chunk, or CSV for small sweeps.

``OUT.parquet`` is a directory of Parquet files (the layout Dask, Spark and pyarrow write and read as one
table): every finished chunk becomes one complete file, written to a hidden temporary name and renamed, so a
sweep killed at any moment (even SIGKILL) leaves only complete chunks, readable with
``pyarrow.parquet.read_table("OUT.parquet")`` or ``pandas.read_parquet("OUT.parquet")``. Each file carries the
sweep's fingerprint, so ``--resume`` refuses to mix the rows of two different sweeps.
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
        if self.path.exists():
            if not resume:
                raise ScenarioError(f"{self.path} already exists: pass --resume to finish it, or remove it")
            self._load_done()
        elif resume:
            pass  # nothing to resume: start from scratch
        self.path.mkdir(parents=True, exist_ok=True)

    def _load_done(self) -> None:
        import pyarrow.parquet as pq

        if not self.path.is_dir():
            raise ScenarioError(f"{self.path} is not a sweep output (a directory of Parquet files)")
        for f in sorted(self.path.glob("part-*.parquet")):
            meta = pq.read_schema(f).metadata or {}
            if meta.get(FINGERPRINT_KEY, b"").decode() != self.plan.fingerprint:
                raise ScenarioError(f"{f} was written by a different sweep (another file or other axes); "
                                    "write to a new --out")
            idx = pq.read_table(f, columns=["index"]).column("index").to_numpy()
            self.done[idx] = True
            self.parts = max(self.parts, int(f.stem.split("-")[1]) + 1)

    def write(self, table: pa.Table) -> None:
        import pyarrow.parquet as pq

        name = f"part-{self.parts:06d}.parquet"
        self.parts += 1
        write_atomic(self.path / name, lambda tmp: pq.write_table(table, tmp, compression="zstd"))
        self.done[table.column("index").to_numpy()] = True

    def close(self) -> None:
        for tmp in self.path.glob(".part-*.tmp"):  # left by a killed run
            tmp.unlink(missing_ok=True)


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
    suffix = Path(path).suffix.lower()
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


def read_results(path: str | Path, columns: list[str] | None = None) -> Any:
    """The rows of a sweep output (Parquet dataset or CSV) as a pandas DataFrame sorted by index."""
    import pyarrow.parquet as pq

    p = Path(path)
    if p.suffix.lower() == ".csv":
        import pandas as pd

        frame = pd.read_csv(p, usecols=columns)
    else:
        if not p.exists():
            raise ScenarioError(f"{p}: no such sweep output")
        table = pq.read_table(p, columns=columns)
        frame = table.to_pandas()
        axes = (table.schema.metadata or {}).get(b"recommender.sweep.axes")
        if axes:
            frame.attrs["axes"] = json.loads(axes)
    return frame.sort_values("index").reset_index(drop=True) if "index" in frame else frame
