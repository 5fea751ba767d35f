"""Batch runs: many scenario files (or directories of them) solved in parallel, one row per scenario.

:func:`run_batch` loads every file (``*.yaml``/``*.yml`` of a directory), solves every valid scenario through
:func:`recommender.api.optimize`, and returns one :class:`BatchRow` per scenario — invalid ones and unreadable
files included, as ``error`` rows — in input order. One scenario's failure never stops the others.

Parallelism goes through joblib (loky processes by default). Work is sent in chunks, and each worker loads
the catalog and the fitted performance model once (both are cached per process), so a warm worker solves a
scenario in milliseconds. To run a large sweep on a cluster, select another joblib backend around the call::

    import joblib
    from dask.distributed import Client   # or: from ray.util.joblib import register_ray; register_ray()
    client = Client("tcp://scheduler:8786")
    with joblib.parallel_config(backend="dask"):    # backend="ray" for Ray
        rows = run_batch(["sweep/"], jobs=-1)

:func:`write_rows` writes rows atomically as CSV, JSON or Markdown (chosen by the file's suffix).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from catalog.atomic import write_text_atomic
from recommender.errors import RecommenderError, ScenarioError
from recommender.format import amount, money, per_day
from recommender.models import summary_basis
from recommender.plan_models import price_confidence, pricing_caveat, spot_rents_note
from recommender.workers import cpu_count, local_worker_init, raise_if_stopped, watch_parent

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog
    from recommender.models import Recommendation, RentQuote, Scenario

__all__ = [
    "COLUMNS",
    "OUTPUT_SUFFIXES",
    "BatchRow",
    "RowStatus",
    "exit_code",
    "expand_paths",
    "run_batch",
    "status_counts",
    "unanswered",
    "write_rows",
]


class RowStatus(StrEnum):
    """Outcome of one scenario of a batch: the optimizer's statuses plus ``error`` (invalid or failed)."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    ERROR = "error"


class BatchRow(BaseModel):
    """One scenario's result in a batch. Money in USD, power in kW (IT power, before PUE)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="Scenario name (or the file/directory for an error that concerns it whole).")
    file: str = Field(description="Scenario file (as given), or the directory for an empty directory.")
    line: int | None = Field(default=None, description="Line of the scenario in its file (1 for a whole file).")
    status: RowStatus = Field(description="optimal | feasible | infeasible | error.")
    objective: str | None = Field(default=None, description="min_time | max_throughput | min_tco.")
    objective_value: float | None = Field(
        default=None, description="minutes (min_time), mixes per day (max_throughput) or USD (min_tco); minutes "
        "as the scenario's risk ranks them (p80, the intervals' upper ends, by default)."
    )
    risk: str | None = Field(
        default=None, description="Which minutes the choice was ranked by: p80 (the intervals' upper ends) or expected."
    )
    minutes_as_of: str | None = Field(default=None, description="Round the minutes answer for: the catalog's newest "
                                      "(today's software); earlier rounds' results are carried to it.")
    choice: str | None = Field(default=None, description="What to buy, e.g. '8 x nvidia-a30-pcie-24gb (1 node)'.")
    accelerator_id: str | None = Field(default=None, description="Accelerator bought; a fleet of several (mix "
                                       "mode) names them joined by '+', the largest configuration's first.")
    accelerators: int | None = Field(default=None, description="Total accelerators bought.")
    nodes: int | None = Field(default=None, description="Total nodes bought.")
    capex_usd: float | None = Field(default=None, description="Capital cost of everything bought, USD.")
    it_power_kw: float | None = Field(default=None, description="IT power of everything bought, kW.")
    minutes: float | None = Field(
        default=None, description="Share-weighted minutes to train of the mix on the chosen configuration."
    )
    basis: str | None = Field(
        default=None, description="Where the minutes come from: measured | carried | predicted | specs_only, or mixed "
        "(the workloads' or configurations' bases differ)."
    )
    binding: list[str] = Field(default_factory=list, description="Limits that stop a better answer; limits that "
                               "bind only together are one entry joined by '+', e.g. 'budget+power'.")
    cloud_decision: str | None = Field(default=None, description="consider_cloud under min_tco: buy | rent (a "
                                       "rent row's choice is the best purchase, for comparison).")
    cheapest_rent: str | None = Field(default=None, description="consider_cloud: the cheapest rent of the work, "
                                      "e.g. 'nvidia-b300-sxm-270gb (Verda, spot) $20,183 present value'.")
    rent_caveat: str | None = Field(default=None, description="consider_cloud: what the cheapest rent's price does "
                                    "not count, where it is a spot price (spot capacity can be reclaimed at any time "
                                    "…: plan_models.SPOT_CAVEAT); empty otherwise.")
    cheapest_rent_usd: float | None = Field(default=None, description="consider_cloud: present value of the "
                                            "cheapest rent (the figure in cheapest_rent), USD.")
    buy_compared_usd: float | None = Field(default=None, description="consider_cloud: present value of buying "
                                           "(capex + energy - salvage at the work's utilisation) that the rent "
                                           "decision compared with, USD (objective_value counts the scenario's "
                                           "utilisation).")
    cheapest_rent_confidence: str | None = Field(
        default=None, description="consider_cloud: the confidence of the cheapest rent's price (H, M, L: e.g. an "
        "aggregator's listing) and, when it is not high, the price row's notes: 'L: aggregator only; …'.")
    error: str | None = Field(
        default=None, description="Why the scenario has no result (error rows): `file:line: field: message`s."
    )
    explanation: str | None = Field(default=None, description="Why there is no answer (infeasible rows).")
    errors: tuple[str, ...] = Field(
        default=(), exclude=True, description="The error messages one by one (not written to outputs)."
    )


#: Separator of several error messages in :attr:`BatchRow.error`.
ERROR_SEPARATOR = "; "


#: Output columns, in order (CSV header, Markdown table, JSON keys).
COLUMNS: tuple[str, ...] = tuple(k for k, f in BatchRow.model_fields.items() if not f.exclude)

OUTPUT_SUFFIXES = (".csv", ".json", ".md")

_YAML_SUFFIXES = (".yaml", ".yml")

Progress = Callable[[str, int, int], None]
"""``on_progress(phase, done, total)`` with phase ``"load"`` (files) or ``"solve"`` (scenarios)."""


# ------------------------------------------------------------------------------------------------- inputs


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[str], list[BatchRow]]:
    """Files to load (directories expanded to their ``*.yaml``/``*.yml``, sorted) and error rows for paths
    that do not exist or directories without YAML files."""
    items = _expand(paths)
    return [i for i in items if isinstance(i, str)], [i for i in items if isinstance(i, BatchRow)]


def _expand(paths: Iterable[str | Path]) -> list[str | BatchRow]:
    """In input order: a file to load, or an error row for a missing path or a directory without YAML."""
    from recommender.scenario import display_name
    from recommender.scenario.safe_io import path_kind

    items: list[str | BatchRow] = []
    seen: set[str] = set()
    for raw in paths:
        p = Path(raw)
        shown = display_name(raw)
        kind = path_kind(raw)  # "dir", "file", or why it is neither (FIFO, device, link loop, long name)
        if kind == "dir":
            try:
                found = sorted(
                    (c for c in p.iterdir() if c.is_file() and c.suffix.lower() in _YAML_SUFFIXES),
                    key=lambda c: c.name,
                )
            except OSError as exc:
                items.append(_error_row(shown, shown, None, f"{shown}: cannot list: {exc.strerror or exc}"))
                continue
            if not found:
                items.append(_error_row(shown, shown, None, f"{shown}: no *.yaml or *.yml files in this directory"))
            for c in found:
                name = display_name(os.path.join(str(raw), c.name))
                if name not in seen:
                    seen.add(name)
                    items.append(name)
        elif kind == "file":
            if shown not in seen:
                seen.add(shown)
                items.append(shown)
        else:
            items.append(_error_row(shown, shown, None, f"{shown}: {kind}"))
    return items


def _error_row(name: str, file: str, line: int | None, error: str | Sequence[str]) -> BatchRow:
    errors = (error,) if isinstance(error, str) else tuple(error)
    return BatchRow(name=name, file=file, line=line, status=RowStatus.ERROR, error=ERROR_SEPARATOR.join(errors),
                    errors=errors)


# ------------------------------------------------------------------------------------------------- workers


def _catalog_for(data_dir: str | None) -> Catalog:
    import catalog as _catalog

    return _catalog.load(data_dir)


def _load_chunk(files: Sequence[str], data_dir: str | None, parent: int | None = None) -> list[tuple[str, list[Any]]]:
    """Worker: load files; per file a list of (Scenario | InvalidScenario, line), or [(ScenarioError, line)]."""
    from recommender.scenario import load_located

    watch_parent(parent)

    cat = _catalog_for(data_dir)
    out: list[tuple[str, list[Any]]] = []
    for f in files:
        try:
            out.append((f, list(load_located(f, catalog=cat))))
        except ScenarioError as exc:
            out.append((f, [(exc, exc.line or 1)]))
        except Exception as exc:  # noqa: BLE001 - one file's failure never stops the batch
            error = ScenarioError(f"internal error while loading: {type(exc).__name__}: {exc}", file=f)
            out.append((f, [(error, 1)]))
    return out


def _solve_chunk(items: Sequence[tuple[int, str, int | None, Scenario]], data_dir: str | None,
                 options: dict[str, Any], parent: int | None = None) -> list[tuple[int, BatchRow]]:
    """Worker: solve scenarios; (position, row) for each."""
    from recommender.api import optimize

    watch_parent(parent)

    cat = _catalog_for(data_dir)
    out: list[tuple[int, BatchRow]] = []
    for pos, file, line, scenario in items:
        raise_if_stopped()  # jobs=1 solves here, in the CLI's process: a requested stop solves no more rows
        try:
            rec = optimize(scenario, catalog=cat, **options)
            out.append((pos, row_from_recommendation(rec, file=file, line=line)))
        except RecommenderError as exc:
            out.append((pos, _error_row(scenario.name, file, line, _located(exc, file, line))))
        except Exception as exc:  # noqa: BLE001 - one scenario's failure never stops the batch
            out.append((pos, _error_row(scenario.name, file, line,
                                        f"{file}:{line}: internal error: {type(exc).__name__}: {exc}")))
    return out


def _located(exc: RecommenderError, file: str, line: int | None) -> str:
    if isinstance(exc, ScenarioError) and exc.file is None:
        return str(ScenarioError(exc.message, field=exc.field, file=file, line=line))
    text = str(exc)
    return text if text.startswith(file) else f"{file}:{line}: {text}" if line else f"{file}: {text}"


def row_from_recommendation(rec: Recommendation, *, file: str, line: int | None = None) -> BatchRow:
    """The batch row of one recommendation."""
    configs = list(rec.configurations) or ([rec.choice] if rec.choice is not None else [])
    base: dict[str, Any] = {
        "name": rec.scenario,
        "file": file,
        "line": line,
        "status": RowStatus(str(rec.status)),
        "objective": str(rec.objective),
        "objective_value": _round(rec.objective_value, 6),
        "risk": getattr(rec, "risk", None), "minutes_as_of": getattr(rec, "minutes_as_of", None),
        # limits that bind only together are one entry, "budget+power" (each alone would read as binding alone)
        "binding": ["+".join(rec.binding)] if getattr(rec, "binding_together", False) else list(rec.binding),
        "cloud_decision": rec.cloud_decision, "cheapest_rent": _rent_text(rec.cheapest_rent),
        "cheapest_rent_usd": None if rec.cheapest_rent is None else _round(rec.cheapest_rent.rent_pv_usd, 2),
        "buy_compared_usd": (None if rec.cheapest_rent is None or rec.rent_or_buy is None
                             else _round(rec.rent_or_buy.buy_tco_usd, 2)),
        "rent_caveat": pricing_caveat(None if rec.cheapest_rent is None else rec.cheapest_rent.pricing),
        "cheapest_rent_confidence": _confidence_text(rec.cheapest_rent),
    }
    if not configs:
        explanation = " ".join(rec.explanation) or None
        return BatchRow(**base, explanation=explanation)
    parts = []
    for c in configs:
        nodes = f"{c.nodes} node{'s' if c.nodes != 1 else ''}"
        text = f"{c.accelerators} x {c.accelerator_id} ({nodes})"
        parts.append(f"{c.count} x [{text}]" if c.count != 1 else text)
    main = rec.choice if rec.choice is not None else configs[0]
    minutes = main.weighted_minutes if len(configs) == 1 and configs[0].count == 1 else None
    if minutes is None and str(rec.objective) == "min_time":  # mix: each workload on the servers that train it
        minutes = sum(w.share * w.minutes * c.serves.get(w.workload, 0.0) for c in configs for w in c.workloads)
    return BatchRow(
        **base,
        choice=" + ".join(parts),
        # a fleet of several accelerators names them all (a reviewer read a mixed fleet as 23 of its largest one's)
        accelerator_id="+".join(dict.fromkeys([main.accelerator_id] + [c.accelerator_id for c in configs])),
        accelerators=sum(c.accelerators * c.count for c in configs),
        nodes=sum(c.nodes * c.count for c in configs),
        capex_usd=_round(sum(c.capex_usd * c.count for c in configs), 2),
        it_power_kw=_round(sum(c.it_power_kw * c.count for c in configs), 4),
        minutes=_round(minutes, 4),
        basis=summary_basis([c.basis for c in configs]),
    )


def objective_text(objective: str, value: float) -> str:
    """An objective value as a report shows it: ``$69,193`` (min_tco), ``27.1`` minutes, ``17.2`` mixes/day."""
    if objective == "min_tco":
        return money(value)
    return per_day(value) if objective == "max_throughput" else amount(value)


def _rent_text(q: RentQuote | None) -> str | None:
    if q is None:
        return None
    return f"{q.accelerator_id} ({q.provider}, {q.pricing}) {money(q.rent_pv_usd)} present value"


def _confidence_text(q: RentQuote | None) -> str | None:
    """``H``, or ``L: <the price row's notes>`` (:func:`~recommender.plan_models.price_confidence`)."""
    if q is None or q.confidence is None:
        return None
    return (price_confidence(q) or q.confidence).removeprefix("price confidence ")


def _round(value: float | None, digits: int) -> float | None:
    """Round away float noise (31.095999999999997 -> 31.096) for the written outputs."""
    return None if value is None else round(float(value), digits)


def _rows_for_entries(file: str, entries: list[Any]) -> list[tuple[int, Any]]:
    """(line, Scenario | error BatchRow) per entry of a loaded file, in file order."""
    from recommender.scenario import InvalidScenario

    out: list[tuple[int, Any]] = []
    for e, line in entries:
        if isinstance(e, ScenarioError):
            out.append((line, _error_row(file, file, line, str(e))))
        elif isinstance(e, InvalidScenario):
            out.append((line, _error_row(e.name, e.file, line, [str(x) for x in e.errors])))
        else:
            out.append((line, e))
    return out


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _chunk_size(n: int, jobs: int) -> int:
    # Enough chunks to balance the workers and move the progress bar, few enough to amortise dispatch.
    return max(1, min(64, -(-n // max(1, jobs * 4))))


#: With ``jobs=None``, phases with fewer items than this run in-process: a worker spends ~1 s loading the
#: catalog and ~2-3 s more loading the performance model, against ~1.5 ms to load and ~20 ms to solve a scenario.
AUTO_PARALLEL_MIN = {"load": 1000, "solve": 200}


def _effective_jobs(jobs: int | None, phase: str, n: int) -> int:
    cpus = cpu_count()
    if jobs is None:
        return 1 if n < AUTO_PARALLEL_MIN[phase] else cpus
    if jobs > 0:
        return min(jobs, cpus)  # never more workers than CPUs (the CLI refuses more with a message)
    return max(1, cpus + 1 + jobs)


# ------------------------------------------------------------------------------------------------- run


def run_batch(
    paths: Iterable[str | Path],
    *,
    jobs: int | None = 1,
    catalog: Catalog | None = None,
    on_progress: Progress | None = None,
    backend: str | None = None,
    **options: Any,
) -> list[BatchRow]:
    """Solve every scenario of ``paths`` (files, or directories of ``*.yaml``); one row per scenario.

    ``jobs`` worker processes (``-1`` = all cores; 1 = in this process; None = 1 for small batches and all
    cores for large ones). ``backend`` names a joblib backend
    (default: joblib's, or the one selected with ``joblib.parallel_config``). ``on_progress(phase, done,
    total)`` is called as files load and scenarios are solved. Extra keyword ``options`` go to
    :func:`recommender.api.optimize`. Rows come back in input order; errors never raise.
    """
    from joblib import delayed

    data_dir = str(catalog.data_dir) if catalog is not None else None
    items = _expand(paths)
    files = [i for i in items if isinstance(i, str)]

    def parallel(n_jobs: int) -> Any:
        return _parallel(n_jobs, backend)

    def chunked(phase: str, seq: list[Any], worker: Callable[..., list[Any]], *args: Any) -> Iterable[Any]:
        """Every result of ``worker(chunk, *args)`` over ``seq`` in chunks (any order), reporting progress."""
        if not seq:
            return
        done = 0
        if on_progress:
            on_progress(phase, 0, len(seq))
        n_jobs = _effective_jobs(jobs, phase, len(seq))
        for chunk_result in parallel(n_jobs)(
            delayed(worker)(chunk, *args) for chunk in _chunks(seq, _chunk_size(len(seq), n_jobs))
        ):
            raise_if_stopped()  # SIGTERM's flag (recommender.workers.request_stop): its exception may have been lost
            yield from chunk_result
            done += len(chunk_result)
            if on_progress:
                on_progress(phase, done, len(seq))

    # -- load (files in chunks)
    loaded: dict[str, list[Any]] = dict(chunked("load", files, _load_chunk, data_dir, os.getpid()))

    # -- order rows: per file in order, per entry in order; invalid entries are rows already
    slots: list[BatchRow | None] = []
    work: list[tuple[int, str, int | None, Scenario]] = []
    for f in items:
        if isinstance(f, BatchRow):
            slots.append(f)
            continue
        for line, item in _rows_for_entries(f, loaded[f]):
            if isinstance(item, BatchRow):
                slots.append(item)
            else:
                work.append((len(slots), f, line, item))
                slots.append(None)
    # -- solve (scenarios in chunks). Scenarios with the same workloads go together: the optimizer caches
    # predictions per workload in each process, so a chunk of alike scenarios predicts each workload once.
    work.sort(key=lambda item: _workload_group(item[3]))
    for pos, row in chunked("solve", work, _solve_chunk, data_dir, options, os.getpid()):
        slots[pos] = row
    return [r for r in slots if r is not None]


def _parallel(n_jobs: int, backend: str | None) -> Any:
    """A joblib ``Parallel`` yielding results as they come (a list for backends that cannot)."""
    from joblib import Parallel

    kwargs: dict[str, Any] = {"n_jobs": n_jobs, "return_as": "generator_unordered"}
    if backend is not None:
        kwargs["backend"] = backend
    if n_jobs > 1 and _is_loky(backend):  # local workers end with this process (recommender.workers)
        kwargs.update(initializer=local_worker_init, initargs=(os.getpid(),))
    try:
        return Parallel(**kwargs)
    except ValueError:  # backends built on multiprocessing.Pool (e.g. Ray's) return lists only
        kwargs["return_as"] = "list"
        return Parallel(**kwargs)


def _is_loky(backend: str | None) -> bool:
    if backend is not None:
        return backend == "loky"
    from joblib.parallel import get_active_backend

    return type(get_active_backend()[0]).__name__ == "LokyBackend"


def _workload_group(scenario: Scenario) -> tuple[Any, ...]:
    return tuple((w.name, None if w.custom is None else w.custom.model_dump_json()) for w in scenario.workloads)


def unanswered(status: Any, cloud_decision: str | None) -> bool:
    """Whether a solved scenario has no answer: no purchase fits (``infeasible``) and no decision to rent instead
    (``consider_cloud`` under ``min_tco`` decides ``rent`` when no purchase fits: that is an answer, exit 0; a
    procurement script read exit 1 as a failure). The one rule behind exit code 1 of optimize, batch and sweep."""
    return str(status) == "infeasible" and cloud_decision != "rent"


def exit_code(rows: Iterable[BatchRow]) -> int:
    """0 every scenario has an answer (a recommendation, or a decision to rent); 1 at least one is infeasible with
    no decision to rent (:func:`unanswered`); 2 at least one error (wins)."""
    rows = list(rows)
    if any(r.status == RowStatus.ERROR for r in rows):
        return 2
    if any(unanswered(r.status, r.cloud_decision) for r in rows):
        return 1
    return 0


def status_counts(rows: Sequence[BatchRow]) -> str:
    """``1 optimal, 2 infeasible (1 decided to rent)``: each status's rows, and how many infeasible ones rent."""
    parts = []
    for s in RowStatus:
        n = sum(1 for r in rows if r.status == s)
        rent = sum(1 for r in rows if r.status == s and r.cloud_decision == "rent") if s == RowStatus.INFEASIBLE else 0
        if n:
            parts.append(f"{n} {s.value}" + (f" ({rent} decided to rent)" if rent else ""))
    return ", ".join(parts)


# ------------------------------------------------------------------------------------------------- outputs


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(map(str, value))
    if isinstance(value, StrEnum):
        return value.value
    return value


#: Text starting with one of these is a formula to a spreadsheet (CSV injection): such cells get a leading '.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    """A CSV cell that spreadsheets show as text: numbers as they are, formula-like text prefixed with '."""
    value = "" if value is None else _cell(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def rows_to_csv(rows: Sequence[BatchRow]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        d = r.model_dump()
        writer.writerow([_csv_cell(d[c]) for c in COLUMNS])
    return buf.getvalue()


def rows_to_json(rows: Sequence[BatchRow]) -> str:
    return json.dumps([r.model_dump(mode="json") for r in rows], indent=2) + "\n"


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rows_to_markdown(rows: Sequence[BatchRow]) -> str:
    """A Markdown table of the rows: the file with its line, the objective with the minutes its risk ranks by
    (``min_time, p80 = 31.4 min``; the ``minutes`` column holds expected ones) and, when any scenario considers
    the cloud, its rent-or-buy decision (a reviewer: a "rent" answer showed as a purchase)."""
    cols = ["name", "file", "status", "choice", "capex_usd", "it_power_kw", "minutes", "basis", "objective",
            "binding", *(["cloud_decision"] if any(r.cloud_decision for r in rows) else []), "error"]
    # one last column for "why no answer": an error row's errors, an infeasible row's explanation (its own field
    # in CSV and JSON; a reviewer read an explanation under "error")
    heads = {"minutes": "minutes (expected)", "cloud_decision": "cloud", "error": "error, or why infeasible"}
    out = ["| " + " | ".join(heads.get(c, c) for c in cols) + " |",
           "|" + "|".join("---:" if c in ("capex_usd", "it_power_kw", "minutes") else "---" for c in cols) + "|"]
    for r in rows:
        cells = []
        for c in cols:
            v = getattr(r, c)
            if c == "error" and v is None and r.explanation:
                v = r.explanation
            if v is None:
                cells.append("")
            elif c == "file":
                cells.append(_md_escape(f"{v}:{r.line}" if r.line is not None else str(v)))
            elif c == "capex_usd":
                cells.append(money(v))
            elif c in ("it_power_kw", "minutes"):
                cells.append(f"{v:,.2f}")
            elif c == "objective":
                value = "" if r.objective_value is None else f" = {objective_text(v, r.objective_value)}"
                cells.append(_md_escape(f"{v}{', ' + r.risk if r.risk else ''}{value}"))
            elif c == "cloud_decision":  # "buy: X (AWS, spot)" read as buying from AWS (a reviewer)
                cells.append(_md_escape(f"{v} (cheapest rent: {r.cheapest_rent})" if r.cheapest_rent else str(v)))
            else:
                cells.append(_md_escape(str(_cell(v))))
        out.append("| " + " | ".join(cells) + " |")
    if note := spot_note(rows):
        out += ["", note]
    return "\n".join(out) + "\n"


def spot_note(rows: Sequence[BatchRow]) -> str | None:
    """The spot caveat, once, when a row's cheapest rent is a spot price (Markdown output, the summary on stderr;
    CSV and JSON rows carry it in ``rent_caveat``)."""
    named = [r.name for r in rows if r.rent_caveat is not None]
    if not named:
        return None
    return spot_rents_note(f"{', '.join(named[:5])}{', …' if len(named) > 5 else ''}")


def render(rows: Sequence[BatchRow], fmt: str) -> str:
    """Rows as ``csv``, ``json`` or ``md`` text."""
    if fmt == "csv":
        return rows_to_csv(rows)
    if fmt == "json":
        return rows_to_json(rows)
    if fmt in ("md", "markdown"):
        return rows_to_markdown(rows)
    raise ValueError(f"unknown output format {fmt!r}; use csv, json or md")


#: Atomic write (temp file + rename), shared with the catalog importer.
write_atomic = write_text_atomic


def write_rows(rows: Sequence[BatchRow], path: str | Path) -> None:
    """Write rows to ``path`` (``.csv``, ``.json`` or ``.md``) atomically."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise ValueError(f"{path}: the output must end in .csv, .json or .md")
    write_atomic(path, render(rows, suffix.lstrip(".")))
