"""Importer for the official MLPerf Training results layout.

::

    <round>/<Submitter>/systems/<system_id>.json
    <round>/<Submitter>/results/<system_id>/<benchmark>/result_<i>.txt
    <round>/<Submitter>/results/<system_id>/<benchmark>/scaling.json   (optional)

Scoring follows MLCommons' results summarizer: a run's time is ``(run_stop - run_start)`` in minutes; a run is
a success when it has a ``run_start``, a ``run_stop`` with ``metadata.status == "success"`` and no unparsable
``:::MLLOG`` line; the olympic mean drops the k fastest and the (k - failed) slowest runs (k = 4 for unet3d,
1 otherwise; more than k failures = no score); the result is multiplied by ``scaling.json``'s factor.

Nothing here raises on irregular data: every skipped or unscoreable item is recorded in :class:`ImportReport`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from catalog import registry
from catalog.atomic import write_text_atomic
from catalog.schema import RESULT_COLUMNS

MLLOG_PREFIX = ":::MLLOG"
_RESULT_FILE_RE = re.compile(r"^result_\d+\.txt$")
_TRAILING_COMMA_RE = re.compile(r",(\s*[}\]])")


# --------------------------------------------------------------------------------------------------- report


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
            "seconds": round(self.seconds, 3),
            "items": [asdict(i) for i in self.items],
        }


def _reason_class(reason: str) -> str:
    """The reason without its specifics (numbers, names), for summaries."""
    return re.sub(r"\d+(\.\d+)?", "N", reason.split(":")[0]).strip()


# ----------------------------------------------------------------------------------------------- aliases


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
    return Path(__file__).parent / "data" / "accelerator_aliases.csv"


# ------------------------------------------------------------------------------------------------ scoring


@dataclass
class RunResult:
    path: Path
    success: bool
    minutes: float | None
    reason: str = ""  # why not a success
    fingerprint: str = ""  # run_start/run_stop timestamps
    meta: dict[str, Any] = field(default_factory=dict)  # submission_* values


def parse_run(path: Path) -> RunResult:
    """Parse one result_<i>.txt (cut-down MLLOG) into a run."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return RunResult(path, False, None, f"unreadable log: {exc.strerror or exc}")
    start = stop = None
    stop_status = None
    garbled = 0
    meta: dict[str, Any] = {}
    for line in text.splitlines():
        idx = line.find(MLLOG_PREFIX)
        if idx < 0:
            continue
        try:
            ev = json.loads(line[idx + len(MLLOG_PREFIX):])
            key = ev["key"]
            t = _event_time_ms(ev)
        except (ValueError, KeyError, TypeError):
            garbled += 1
            continue
        if key == "run_start" and start is None:
            start = t
        elif key == "run_stop":
            stop = t
            md = ev.get("metadata") or {}
            stop_status = md.get("status") if isinstance(md, dict) else None
        elif key.startswith("submission_") and key not in meta:
            meta[key] = ev.get("value")
    fp = f"{start}-{stop}"
    if garbled:
        return RunResult(path, False, None, f"unparsable MLLOG line(s): {garbled}", fp, meta)
    if start is None:
        return RunResult(path, False, None, "no run_start", fp, meta)
    if stop is None:
        return RunResult(path, False, None, "no run_stop (truncated or aborted run)", fp, meta)
    if stop_status != "success":
        return RunResult(path, False, None, f"run_stop status {stop_status!r}", fp, meta)
    minutes = (stop - start) / 60000.0
    if minutes < 0:
        return RunResult(path, False, None, "run_stop before run_start", fp, meta)
    return RunResult(path, True, minutes, "", fp, meta)


def _event_time_ms(ev: dict[str, Any]) -> float:
    if "time_ms" in ev:
        return float(ev["time_ms"])
    if "time_s" in ev:
        return float(ev["time_s"]) * 1000.0
    raise KeyError("time_ms")


def olympic_minutes(times: list[float], failed: int, k: int) -> float | None:
    """MLCommons' olympic mean: failed runs count as the slowest; None when more than k runs failed."""
    if failed > k:
        return None
    ordered = sorted(times)
    kept = ordered[k: len(ordered) - (k - failed)]
    if not kept:
        return None
    return sum(kept) / len(kept)


def read_scaling_factor(folder: Path) -> tuple[float, str]:
    """(factor, note). A missing file means 1.0; an unusable one means 1.0 plus a note."""
    p = folder / "scaling.json"
    if not p.is_file():
        return 1.0, ""
    try:
        value = json.loads(p.read_text(encoding="utf-8"))["scaling_factor"]
        factor = float(value)
        if not factor > 0:
            raise ValueError(value)
        return factor, ""
    except (ValueError, KeyError, TypeError, OSError) as exc:
        return 1.0, f"unusable scaling.json ({exc.__class__.__name__}); factor 1 used"


# ---------------------------------------------------------------------------------------------- systems


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
    if value is None:
        return None
    try:
        f = float(str(value).strip())
    except ValueError:
        m = re.match(r"^\s*(\d+)", str(value))
        return int(m.group(1)) if m else None
    return int(f) if f == int(f) else None


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


# ----------------------------------------------------------------------------------------------- import


def is_mlperf_round_dir(path: Path) -> bool:
    """A round directory holds submitter folders with ``systems/`` or ``results/`` inside."""
    if not path.is_dir():
        return False
    for sub in path.iterdir():
        if sub.is_dir() and ((sub / "systems").is_dir() or (sub / "results").is_dir()):
            return True
    return False


def import_rounds(
    round_dirs: Iterable[Path | str],
    *,
    round_name: str | None = None,
    aliases: AliasTable | None = None,
) -> tuple[list[dict[str, Any]], ImportReport]:
    """Import and score one or more round directories.

    Returns (rows, report); rows are dicts with the columns of ``catalog.schema.RESULT_COLUMNS``. Raises
    :class:`catalog.errors.CatalogError` only for unusable input (missing directory, not an
    MLPerf layout); everything irregular inside a round is reported, not raised.
    """
    import time

    from catalog.errors import CatalogError

    t0 = time.perf_counter()
    dirs = [Path(d) for d in round_dirs]
    if not dirs:
        raise CatalogError("no round directory given")
    if round_name and len(dirs) > 1:
        raise CatalogError("--round names one round: give one ROUND_DIR with it")
    for d in dirs:
        if not d.exists():
            raise CatalogError(f"{d}: no such directory")
        if not d.is_dir():
            raise CatalogError(f"{d}: not a directory")
        if not is_mlperf_round_dir(d):
            raise CatalogError(
                f"{d}: not an MLPerf Training results layout (expected <Submitter>/systems and "
                f"<Submitter>/results folders)"
            )
    names = [round_name or d.resolve().name for d in dirs]
    if round_name and not registry.is_round_name(round_name):
        raise CatalogError(f"--round: {round_name!r} is not a round name (expected e.g. v5.1)")
    for d, name in zip(dirs, names):
        if not registry.is_round_name(name):
            raise CatalogError(f"{d}: cannot tell the round from the folder name {name!r}; pass --round vX.Y")

    aliases = aliases or AliasTable.from_csv(default_alias_path())
    report = ImportReport(rounds=names)
    rows: list[dict[str, Any]] = []
    fingerprints: dict[str, str] = {}
    order = sorted(zip(dirs, names), key=lambda dn: registry.round_key(dn[1]))
    for d, name in order:
        rows.extend(_import_round(d, name, aliases, report, fingerprints))
    report.rows = len(rows)
    report.rows_scored = sum(1 for r in rows if r["minutes"] is not None)
    report.duplicates = sum(1 for r in rows if r["duplicate_of"])
    report.seconds = time.perf_counter() - t0
    return rows, report


def _import_round(
    round_dir: Path, round_name: str, aliases: AliasTable, report: ImportReport, fingerprints: dict[str, str]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for sub in sorted(round_dir.iterdir()):
        if not sub.is_dir():
            continue
        if not (sub / "results").is_dir():
            if (sub / "systems").is_dir():
                report.add("skipped", "submitter has systems but no results folder", sub, round=round_name,
                           submitter=sub.name)
            continue
        rows.extend(_import_submitter(sub, round_name, aliases, report, fingerprints))
    return rows


def _import_submitter(
    sub: Path, round_name: str, aliases: AliasTable, report: ImportReport, fingerprints: dict[str, str]
) -> list[dict[str, Any]]:
    submitter = sub.name
    systems: dict[str, System] = {}
    sys_dir = sub / "systems"
    if sys_dir.is_dir():
        for p in sorted(sys_dir.glob("*.json")):
            data, note = _load_json_lenient(p)
            if data is None:
                report.add("warning", note, p, round=round_name, submitter=submitter, system_id=p.stem)
                continue
            if note:
                report.add("warning", note, p, round=round_name, submitter=submitter, system_id=p.stem)
            systems[p.stem] = System(p.stem, data, note)

    rows: list[dict[str, Any]] = []
    for sys_results in sorted((sub / "results").iterdir()):
        if not sys_results.is_dir():
            continue
        system_id = sys_results.name
        where = {"round": round_name, "submitter": submitter, "system_id": system_id}
        # Benchmark folders; logs lying directly under results/<system>/ (v0.7 Alibaba) form one group whose
        # benchmark comes from the logs themselves.
        groups: list[tuple[str, Path, list[Path]]] = []
        loose = sorted(p for p in sys_results.iterdir() if p.is_file() and _RESULT_FILE_RE.match(p.name))
        if loose:
            groups.append(("", sys_results, loose))
        for bdir in sorted(p for p in sys_results.iterdir() if p.is_dir()):
            files = sorted(p for p in bdir.iterdir() if p.is_file() and _RESULT_FILE_RE.match(p.name))
            groups.append((bdir.name, bdir, files))
        if not groups:
            report.add("skipped", "empty system results folder", sys_results, **where)
            continue
        system = systems.get(system_id)
        for folder, bdir, files in groups:
            row = _score_result(round_name, submitter, system_id, system, folder, bdir, files, aliases, report)
            if row is None:
                continue
            key = f"{round_name}/{submitter}/{system_id}/{row['benchmark_folder']}"
            fp = row.pop("_fingerprint")
            if fp:
                if fp in fingerprints:
                    row["duplicate_of"] = fingerprints[fp]
                else:
                    fingerprints[fp] = key
            rows.append(row)
    return rows


def _score_result(
    round_name: str,
    submitter: str,
    system_id: str,
    system: System | None,
    folder: str,
    bdir: Path,
    files: list[Path],
    aliases: AliasTable,
    report: ImportReport,
) -> dict[str, Any] | None:
    where = {"round": round_name, "submitter": submitter, "system_id": system_id, "benchmark_folder": folder}
    runs = [parse_run(p) for p in files]
    if not folder:
        bench_names = {str(r.meta.get("submission_benchmark", "")).strip() for r in runs} - {""}
        if len(bench_names) != 1:
            report.add("skipped", "logs outside a benchmark folder name no single benchmark", bdir, **where)
            return None
        folder = bench_names.pop()
        where["benchmark_folder"] = folder
        report.add("warning", "logs lie directly under results/<system>/; benchmark taken from the logs", bdir,
                   **where)
    benchmark = registry.canonical_benchmark(folder, round_name)
    required = registry.runs_required(benchmark)
    k = registry.olympic_k(benchmark)
    notes: list[str] = []

    # system description
    data = system.data if system else {}
    if system is None:
        notes.append("no system JSON")
        report.add("warning", "no usable system JSON for this results folder", bdir, **where)
    log_meta = next((r.meta for r in runs if r.meta), {})
    division = normalize_division(_text(data, "division", "divison") or str(log_meta.get("submission_division", "")))
    status = normalize_status(_text(data, "status") or str(log_meta.get("submission_status", "")))
    acc_raw = _text(data, "accelerator_model_name", "accelerator")
    mem_raw = _text(data, "accelerator_memory_capacity")
    per_node = _int(data.get("accelerators_per_node"))
    nodes = _int(data.get("number_of_nodes", data.get("number of nodes")))
    if system is not None and nodes is None:
        nodes = 1
        notes.append("number_of_nodes missing; 1 assumed")
    accelerator_id: str | None = None
    if system is not None:
        if acc_raw.upper() in {"N/A", "NA", ""} or per_node == 0:
            sys_key = f"{round_name}/{submitter}/{system_id}"
            if sys_key not in report.cpu_only_systems:
                report.cpu_only_systems.append(sys_key)
            notes.append("CPU-only system (no accelerator)")
        else:
            accelerator_id, _known = aliases.lookup(acc_raw, mem_raw)
            if accelerator_id is None:
                label = f"{acc_raw} | {mem_raw}"
                report.unmapped_accelerators[label] = report.unmapped_accelerators.get(label, 0) + 1
                notes.append("unmapped accelerator name")
    accelerators = nodes * per_node if (nodes is not None and per_node) else None

    # score
    succeeded = [r for r in runs if r.success]
    failed = len(runs) - len(succeeded)
    scaling, scaling_note = read_scaling_factor(bdir)
    if scaling_note:
        notes.append(scaling_note)
        report.add("warning", scaling_note, bdir, **where)
    minutes: float | None = None
    if len(runs) < required:
        reason = f"too few runs: {len(runs)} of {required} required"
        if not runs:
            reason += " (folder holds no result_*.txt)"
    elif failed > k:
        reasons = Counter(r.reason for r in runs if not r.success)
        detail = "; ".join(f"{c}x {r}" for r, c in reasons.most_common(3))
        reason = f"too many failed runs: {failed} failed, at most {k} allowed ({detail})"
    else:
        reason = ""
        if len(runs) > required:
            notes.append(f"{len(runs)} runs found, {required} required; all scored")
        mean = olympic_minutes([r.minutes for r in succeeded if r.minutes is not None], failed, k)
        if mean is None:
            reason = "no score: nothing left after the olympic mean"
        else:
            minutes = mean * scaling
        if failed:
            for r in runs:
                if not r.success:
                    report.add("warning", f"failed run counted as slowest: {r.reason}", r.path, **where)
    if reason:
        notes.insert(0, reason)
        report.add("unscoreable", reason, bdir, **where)

    fingerprint = ""
    if len(runs) >= 1 and all(r.fingerprint not in ("None-None", "") for r in runs):
        fingerprint = hashlib.sha1(
            (benchmark + "|" + "|".join(sorted(r.fingerprint for r in runs))).encode()
        ).hexdigest()

    return {
        "round": round_name,
        "division": division,
        "status": status,
        "submitter": submitter,
        "system_id": system_id,
        "system_name": _text(data, "system_name"),
        "benchmark": benchmark,
        "benchmark_folder": folder,
        "minutes": minutes,
        "runs_required": required,
        "runs_found": len(runs),
        "runs_succeeded": len(succeeded),
        "scaling_factor": scaling,
        "accelerator_id": accelerator_id or "",
        "accelerator_name_raw": acc_raw,
        "accelerator_memory_raw": mem_raw,
        "accelerators": accelerators,
        "accelerators_per_node": per_node,
        "nodes": nodes,
        "host_cpu": _text(data, "host_processor_model_name"),
        "framework": _text(data, "framework", "framework_name"),
        "cooling": normalize_cooling(_text(data, "cooling")),
        "cooling_raw": _text(data, "cooling"),
        "duplicate_of": "",
        "score_note": "; ".join(notes),
        "_fingerprint": fingerprint,
    }


# ------------------------------------------------------------------------------------------------ writing


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
