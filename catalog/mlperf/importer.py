"""Importing round directories: walk the official layout, score every result folder, mark re-submissions."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog import registry
from catalog.mlperf.aliases import AliasTable, default_alias_path
from catalog.mlperf.power import result_energy
from catalog.mlperf.report import ImportReport
from catalog.mlperf.scoring import RunResult, olympic_kept, parse_run, read_scaling_factor
from catalog.mlperf.systems import (
    System,
    _int,
    _load_json_lenient,
    _text,
    normalize_cooling,
    normalize_division,
    normalize_status,
)

#: Every ``result_*.txt`` directly in a benchmark folder is a run log, whatever follows ``result_`` (as the
#: official summarizer globs them): ``result_0.txt``, ``result_221014122029842539091_01.txt``, ...
_RESULT_FILE_RE = re.compile(r"^result_.*\.txt$")


def _inside(path: Path, root: Path) -> bool:
    """True when ``path`` is no symlink leading out of ``root`` (the imported tree)."""
    if not path.is_symlink():
        return True
    try:
        path.resolve(strict=True).relative_to(root)
    except (OSError, ValueError, RuntimeError):
        return False
    return True


@dataclass
class _Walk:
    """What one round's walk shares: the round, the tree's root (no symlink leads out of it), the report."""

    round_name: str
    root: Path
    aliases: AliasTable
    report: ImportReport
    fingerprints: dict[str, str] = field(default_factory=dict)

    def entries(self, folder: Path, where: dict[str, str]) -> list[Path]:
        """The folder's entries, sorted, without symlinks that lead out of the imported tree (reported)."""
        out = []
        try:
            listing = sorted(folder.iterdir())
        except OSError as exc:
            why = f"{exc.strerror or exc}"
            self.report.add("skipped", f"unreadable folder: {why}", folder, **where)
            self.report.unreadable_folders[str(folder)] = why
            return []
        for p in listing:
            if _inside(p, self.root):
                out.append(p)
            else:
                self.report.add("skipped", "symlink leading out of the imported tree not followed", p, **where)
        return out


def result_files(entries: list[Path]) -> list[Path]:
    """The run logs among a folder's entries: every regular ``result_*.txt``."""
    return [p for p in entries if _RESULT_FILE_RE.match(p.name) and p.is_file()]


def is_mlperf_round_dir(path: Path) -> bool:
    """A round directory holds submitter folders with ``systems/`` or ``results/`` inside."""
    if not path.is_dir():
        return False
    for sub in path.iterdir():
        if sub.is_dir() and ((sub / "systems").is_dir() or (sub / "results").is_dir()):
            return True
    return False


_FOLDER_ROUND = re.compile(r"^(?:.*[_\-\s])?(v?\d+\.\d+)$", re.IGNORECASE)


def folder_round(name: str) -> str | None:
    """The round a results folder is named after: ``v5.0``, ``5.0`` or MLCommons' repository name
    ``training_results_v5.0`` (canonical, e.g. ``v5.0``); None when the name holds no round."""
    m = _FOLDER_ROUND.match(name.strip())
    if not m or not registry.is_round_name(m.group(1)):
        return None
    return registry.canonical_round(m.group(1))


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
    if round_name and not registry.is_round_name(round_name):
        raise CatalogError(f"--round: {round_name!r} is not a round name (expected e.g. v5.1)")
    own = folder_round(dirs[0].resolve().name)
    if round_name and own is not None and own != registry.canonical_round(round_name):
        # v2.0's results relabelled as today's round
        raise CatalogError(f"{dirs[0]}: the folder is round {own}; --round {round_name} would relabel its "
                           f"results (give --round only when the folder name is not a round)")  # fmt: skip
    names = []
    for d in dirs:
        name = round_name or folder_round(d.resolve().name)
        if name is None:
            raise CatalogError(f"{d}: cannot tell the round from the folder name {d.resolve().name!r}; "
                               "pass --round vX.Y")
        names.append(registry.canonical_round(name))  # "5.1" and "v5.1" are one round

    aliases = aliases or AliasTable.from_csv(default_alias_path())
    report = ImportReport(rounds=names)
    rows: list[dict[str, Any]] = []
    fingerprints: dict[str, str] = {}
    order = sorted(zip(dirs, names), key=lambda dn: registry.round_key(dn[1]))
    for d, name in order:
        rows.extend(_import_round(_Walk(name, d.resolve(), aliases, report, fingerprints), d))
    report.rows = len(rows)
    report.rows_scored = sum(1 for r in rows if r["minutes"] is not None)
    report.duplicates = sum(1 for r in rows if r["duplicate_of"])
    report.seconds = time.perf_counter() - t0
    return rows, report


def _import_round(walk: _Walk, round_dir: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for sub in walk.entries(round_dir, {"round": walk.round_name}):
        if not sub.is_dir():
            continue
        if not (sub / "results").is_dir():
            if (sub / "systems").is_dir():
                walk.report.add("skipped", "submitter has systems but no results folder", sub,
                                round=walk.round_name, submitter=sub.name)
            continue
        rows.extend(_import_submitter(walk, sub))
    return rows


def _read_systems(walk: _Walk, sub: Path) -> dict[str, System]:
    systems: dict[str, System] = {}
    sys_dir = sub / "systems"
    if not sys_dir.is_dir() or not _inside(sys_dir, walk.root):
        return systems
    for p in walk.entries(sys_dir, {"round": walk.round_name, "submitter": sub.name}):
        if p.suffix != ".json" or not p.is_file():
            continue
        data, note = _load_json_lenient(p)
        if note:
            walk.report.add("warning", note, p, round=walk.round_name, submitter=sub.name, system_id=p.stem)
        if data is not None:
            systems[p.stem] = System(p.stem, data, note)
    return systems


def _import_submitter(walk: _Walk, sub: Path) -> list[dict[str, Any]]:
    submitter = sub.name
    systems = _read_systems(walk, sub)
    rows: list[dict[str, Any]] = []
    for sys_results in walk.entries(sub / "results", {"round": walk.round_name, "submitter": submitter}):
        if not sys_results.is_dir():
            continue
        system_id = sys_results.name
        where = {"round": walk.round_name, "submitter": submitter, "system_id": system_id}
        # Benchmark folders; logs lying directly under results/<system>/ (v0.7 Alibaba) form one group whose
        # benchmark comes from the logs themselves.
        entries = walk.entries(sys_results, where)
        groups: list[tuple[str, Path, list[Path]]] = []
        loose = result_files(entries)
        if loose:
            groups.append(("", sys_results, loose))
        for bdir in (p for p in entries if p.is_dir()):
            groups.append((bdir.name, bdir, result_files(walk.entries(bdir, {**where, "benchmark_folder": bdir.name}))))
        if not groups:
            if str(sys_results) not in walk.report.unreadable_folders:  # (an unreadable one is reported as such)
                walk.report.add("skipped", "empty system results folder", sys_results, **where)
            continue
        for folder, bdir, files in groups:
            row = _score_result(walk, submitter, systems.get(system_id), system_id, folder, bdir, files)
            if row is not None:
                _mark_duplicate(walk, row)
                rows.append(row)
    return rows


def _mark_duplicate(walk: _Walk, row: dict[str, Any]) -> None:
    key = f"{row['round']}/{row['submitter']}/{row['system_id']}/{row['benchmark_folder']}"
    fp = row.pop("_fingerprint")
    if fp:
        if fp in walk.fingerprints:
            row["duplicate_of"] = walk.fingerprints[fp]
        else:
            walk.fingerprints[fp] = key


def _system_fields(walk: _Walk, system: System | None, runs: list[RunResult], bdir: Path,
                   where: dict[str, str], notes: list[str]) -> dict[str, Any]:
    """The row's system columns from the system JSON (falling back to the logs' submission_* values)."""
    report = walk.report
    data = system.data if system else {}
    if system is None:
        notes.append("no system JSON")
        report.add("warning", "no usable system JSON for this results folder", bdir, **where)
    log_meta = next((r.meta for r in runs if r.meta), {})
    acc_raw = _text(data, "accelerator_model_name", "accelerator")
    mem_raw = _text(data, "accelerator_memory_capacity")
    per_node = _count(data, ("accelerators_per_node",), bdir, where, notes, report)
    nodes = _count(data, ("number_of_nodes", "number of nodes"), bdir, where, notes, report)
    if system is not None and nodes is None and not _has_any(data, ("number_of_nodes", "number of nodes")):
        nodes = 1
        notes.append("number_of_nodes missing; 1 assumed")
    accelerator_id = _accelerator(walk, system, acc_raw, mem_raw, per_node, where, notes)
    return {
        "division": normalize_division(_text(data, "division", "divison")
                                       or str(log_meta.get("submission_division", ""))),
        "status": normalize_status(_text(data, "status") or str(log_meta.get("submission_status", ""))),
        "system_name": _text(data, "system_name"),
        "accelerator_id": accelerator_id or "",
        "accelerator_name_raw": acc_raw,
        "accelerator_memory_raw": mem_raw,
        "accelerators": nodes * per_node if (nodes is not None and per_node) else None,
        "accelerators_per_node": per_node,
        "nodes": nodes,
        "host_cpu": _text(data, "host_processor_model_name"),
        "framework": _text(data, "framework", "framework_name"),
        "cooling": normalize_cooling(_text(data, "cooling")),
        "cooling_raw": _text(data, "cooling"),
    }


def _has_any(data: dict[str, Any], keys: tuple[str, ...]) -> bool:
    return any(data.get(k) not in (None, "") for k in keys)


def _count(data: dict[str, Any], keys: tuple[str, ...], bdir: Path, where: dict[str, str], notes: list[str],
           report: ImportReport) -> int | None:
    """A whole, finite, non-negative count from the system JSON; an unusable value is reported and left empty."""
    raw = next((data[k] for k in keys if data.get(k) not in (None, "")), None)
    value = _int(raw)
    if raw is not None and value is None:
        msg = f"unusable {keys[0]} in the system JSON: {str(raw)[:40]!r}; left empty"
        notes.append(msg)
        report.add("warning", msg, bdir, **where)
    return value


def _accelerator(walk: _Walk, system: System | None, acc_raw: str, mem_raw: str, per_node: int | None,
                 where: dict[str, str], notes: list[str]) -> str | None:
    if system is None:
        return None
    report = walk.report
    if acc_raw.upper() in {"N/A", "NA", ""} or per_node == 0:
        sys_key = f"{where['round']}/{where['submitter']}/{where['system_id']}"
        if sys_key not in report.cpu_only_systems:
            report.cpu_only_systems.append(sys_key)
        notes.append("CPU-only system (no accelerator)")
        return None
    accelerator_id, _known = walk.aliases.lookup(acc_raw, mem_raw)
    if accelerator_id is None:
        label = f"{acc_raw} | {mem_raw}"
        report.unmapped_accelerators[label] = report.unmapped_accelerators.get(label, 0) + 1
        notes.append("unmapped accelerator name")
    return accelerator_id


def _score_result(walk: _Walk, submitter: str, system: System | None, system_id: str, folder: str, bdir: Path,
                  files: list[Path]) -> dict[str, Any] | None:
    report = walk.report
    where = {"round": walk.round_name, "submitter": submitter, "system_id": system_id, "benchmark_folder": folder}
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
    benchmark = registry.canonical_benchmark(folder, walk.round_name)
    notes: list[str] = []
    fields = _system_fields(walk, system, runs, bdir, where, notes)
    unread: list[str] = []
    try:
        scaling, scaling_note = read_scaling_factor(bdir)
    except OSError as exc:  # its factor unknown: no score (factor 1 would publish a wrong one)
        scaling, scaling_note = 1.0, ""
        unread.append(f"unreadable scaling.json: {exc.strerror or exc}")
    if scaling_note:
        notes.append(scaling_note)
        report.add("warning", scaling_note, bdir, **where)
    minutes, kept = _time_score(runs, benchmark, scaling, bdir, where, notes, report, unread)
    energy = result_energy(bdir, kept, scaling, fields["nodes"], minutes, walk.root) if kept else None
    if energy is not None:
        for problem in energy.problems:
            report.add("warning", problem, bdir, **where)
    return {
        "round": walk.round_name,
        "submitter": submitter,
        "system_id": system_id,
        "benchmark": benchmark,
        "benchmark_folder": folder,
        "minutes": minutes,
        "runs_required": registry.runs_required(benchmark),
        "runs_found": len(runs),
        "runs_succeeded": sum(1 for r in runs if r.success),
        "scaling_factor": scaling,
        **fields,
        **(energy.columns() if energy is not None else {}),
        "duplicate_of": "",
        "score_note": "; ".join(notes),
        "_fingerprint": _fingerprint(benchmark, runs),
    }


def _time_score(runs: list[RunResult], benchmark: str, scaling: float, bdir: Path, where: dict[str, str],
                notes: list[str], report: ImportReport, unread: list[str]) -> tuple[float | None, list[RunResult]]:
    """(minutes to train or None, the runs the olympic mean kept). Reasons for no score go to notes + report;
    ``unread``: other files of the result that could not be read (its scaling.json)."""
    required = registry.runs_required(benchmark)
    k = registry.olympic_k(benchmark)
    failed = sum(1 for r in runs if not r.success)
    minutes: float | None = None
    kept: list[RunResult] = []
    unreadable = unread + [r.reason for r in runs if r.unreadable]
    if unreadable:  # no failed run: scoring without it would move the score (the olympic mean drops it as slowest)
        reason = "; ".join(unreadable[:2])
        reason += f"; {len(unreadable) - 2} more unreadable files" if len(unreadable) > 2 else ""
        reason += " (no failed run: not scored until it can be read)"
        report.unreadable_results.append(
            f"{where['round']}/{where['submitter']}/{where['system_id']}/{where['benchmark_folder']}")
    elif len(runs) < required:
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
        kept = olympic_kept(runs, k)
        if not kept:
            reason = "no score: nothing left after the olympic mean"
        else:
            minutes = sum(r.minutes for r in kept if r.minutes is not None) / len(kept) * scaling
        for r in runs:
            if not r.success:
                report.add("warning", f"failed run counted as slowest: {r.reason}", r.path, **where)
    if reason:
        notes.insert(0, reason)
        report.add("unscoreable", reason, bdir, **where)
    return minutes, kept


def _fingerprint(benchmark: str, runs: list[RunResult]) -> str:
    if runs and all(r.fingerprint not in ("None-None", "") for r in runs):
        return hashlib.sha1((benchmark + "|" + "|".join(sorted(r.fingerprint for r in runs))).encode()).hexdigest()
    return ""
