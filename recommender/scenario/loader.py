"""Loading scenario files: one scenario or ``scenarios:`` with ``defaults:``, each entry validated on its own."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recommender.errors import ScenarioError
from recommender.models import Scenario, field_path, parse_scenario
from recommender.scenario.includes import Includes, validate_entry
from recommender.scenario.located import Doc, Loc, PathT, display_name, parse_file, parse_text
from recommender.scenario.messages import check_version, error_at, kind_of

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog


@dataclass(frozen=True)
class InvalidScenario:
    """An entry of a scenario file that could not be validated; ``errors`` are ordered by line."""

    name: str
    file: str
    line: int
    index: int | None
    errors: tuple[ScenarioError, ...]

    @property
    def message(self) -> str:
        """All errors, ``; ``-separated (each ``file:line: field: message``)."""
        return "; ".join(str(e) for e in self.errors)

    def first(self) -> ScenarioError:
        return self.errors[0]


def load_scenarios(path: str | Path, *, catalog: Catalog | None = None,
                   check: bool = True) -> list[Scenario | InvalidScenario]:
    """Load every scenario of a file: per entry a Scenario or an InvalidScenario (one bad entry never sinks
    its siblings).

    A file that cannot be read or parsed, or whose top level is malformed (not a mapping, unknown top-level
    key, unsupported ``version``, ``scenarios`` not a non-empty list), raises ScenarioError naming the file
    and line. ``check`` verifies benchmark and accelerator ids against the catalog (loaded when not given).
    """
    return [entry for entry, _ in load_located(path, catalog=catalog, check=check)]


def load_located(path: str | Path, *, catalog: Catalog | None = None,
                 check: bool = True) -> list[tuple[Scenario | InvalidScenario, int]]:
    """:func:`load_scenarios` with the line where each entry starts (1 for a single-scenario file)."""
    file = display_name(path)
    doc = parse_file(path, name=file)
    return _load_doc(doc, file=file, base=Path(path).parent, stem=Path(path).stem, catalog=catalog, check=check)


def loads_scenarios(text: str, *, file: str = "<string>", base_dir: str | Path = ".",
                    catalog: Catalog | None = None, check: bool = True) -> list[Scenario | InvalidScenario]:
    """Like :func:`load_scenarios` for YAML text (files referenced by relative path are read from base_dir)."""
    doc = parse_text(text, file)
    stem = Path(file).stem if file != "<string>" else "scenario"
    located = _load_doc(doc, file=file, base=Path(base_dir), stem=stem, catalog=catalog, check=check)
    return [entry for entry, _ in located]


def load_scenario(path: str | Path, *, name: str | None = None, catalog: Catalog | None = None,
                  check: bool = True) -> Scenario:
    """Load one scenario; raise ScenarioError (file, line, field) on the first problem.

    A file with a ``scenarios:`` list needs ``name`` unless it holds exactly one scenario.
    """
    entries = load_scenarios(path, catalog=catalog, check=check)
    file = display_name(path)
    if name is not None:
        chosen = [e for e in entries if e.name == name]
        if not chosen:
            known = ", ".join(repr(e.name) for e in entries)
            raise ScenarioError(f"no scenario named {name!r}; the file has {known}", file=file)
        entry = chosen[0]
    elif len(entries) == 1:
        entry = entries[0]
    else:
        invalid = [e for e in entries if isinstance(e, InvalidScenario)]
        if invalid:
            raise invalid[0].first()
        known = ", ".join(repr(e.name) for e in entries)
        raise ScenarioError(f"the file holds {len(entries)} scenarios ({known}); choose one by name", file=file)
    if isinstance(entry, InvalidScenario):
        raise entry.first()
    return entry


_TOP_KEYS = ("version", "defaults", "scenarios")


def _assign_duplicates(doc: Doc, entries: list[tuple[Doc, str, int | None, list[ScenarioError]]], file: str) -> None:
    """A repeated key inside one ``scenarios:`` entry makes that entry invalid (its early errors); one outside
    every entry (a top-level key) fails the file, as before."""
    starts = [(e[0].locs[()].line, e[3]) for e in entries if e[2] is not None]
    for line, key in doc.duplicates:
        inside = [errs for start, errs in starts if start <= line]
        error = ScenarioError(f"YAML syntax error: duplicate key {key!r}", file=file, line=line)
        if not inside or line < doc.loc(("scenarios",)).line:
            raise error
        inside[-1].append(error)


def _load_doc(doc: Doc, *, file: str, base: Path, stem: str, catalog: Catalog | None,
              check: bool) -> list[tuple[Scenario | InvalidScenario, int]]:
    data = doc.data
    if data is None:
        raise ScenarioError("the file is empty; expected a scenario (a mapping) or `scenarios:`", file=file, line=1)
    if not isinstance(data, dict):
        raise ScenarioError(f"the top level must be a mapping (a scenario or `scenarios:`), not "
                            f"{kind_of(data)}", file=file, line=1)
    if "scenarios" not in data and "workloads" not in data:
        if "axes" in data:  # (a reviewer: a sweep file in a batch directory read "axes: unknown key")
            raise ScenarioError("this is a sweep, not a scenario: run it with `recommender sweep <file>`",
                                file=file, line=1)
        if "quotes" in data:
            raise ScenarioError("this is a price list, not a scenario: reference it from a scenario's `prices:` "
                                "(a path relative to the scenario file)", file=file, line=1)
        if "measurements" in data:
            raise ScenarioError("this is a custom workload, not a scenario: reference it from a scenario's "
                                "`workloads: [{custom: <path>}]`", file=file, line=1)
    includes = Includes(file, base)
    entries: list[tuple[Doc, str, int | None, list[ScenarioError]]] = []  # doc, name, index, early errors
    if "scenarios" in data:
        entries = _list_entries(doc, stem)
    else:
        check_version(doc)
        name = data["name"] if isinstance(data.get("name"), str) else stem
        entries.append((doc, name, None, []))

    _assign_duplicates(doc, entries, file)
    out: list[tuple[Scenario | InvalidScenario, int]] = []
    first_line: dict[str, int] = {}
    for edoc, name, index, early in entries:
        root = edoc.locs[()]
        errors = list(early)
        scenario: Scenario | None = None
        if not errors:
            result = validate_entry(edoc, name, includes, catalog, check)
            if isinstance(result, Scenario):
                scenario = result
            else:
                errors = result
        if name in first_line and index is not None:
            item = data["scenarios"][index]
            at = doc.loc(("scenarios", index, "name")) if isinstance(item, dict) and "name" in item else root
            errors.insert(0, ScenarioError(f"duplicate scenario name {name!r} (first at line {first_line[name]})",
                                           field=field_path(("scenarios", index, "name")), file=at.file,
                                           line=at.line))
        else:
            first_line.setdefault(name, root.line)
        if errors or scenario is None:
            errors.sort(key=lambda e: (e.file != root.file, e.file or "", e.line or 0))
            out.append((InvalidScenario(name, root.file, root.line, index, tuple(errors)), root.line))
        else:
            out.append((scenario, root.line))
    return out


def _list_entries(doc: Doc, stem: str) -> list[tuple[Doc, str, int | None, list[ScenarioError]]]:
    """The entries of a ``scenarios:`` list, each merged with ``defaults:`` (doc, name, index, early errors)."""
    data = doc.data
    entries: list[tuple[Doc, str, int | None, list[ScenarioError]]] = []
    for key in data:
        if key not in _TOP_KEYS:
            close = difflib.get_close_matches(key, _TOP_KEYS, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else (
                "a file with `scenarios:` has only version, defaults and scenarios at the top level: "
                "put shared fields under `defaults:`")
            raise error_at(doc, (key,), f"unknown key ({hint})")
    check_version(doc)
    defaults = data.get("defaults")
    if defaults is None:
        defaults = {}
    elif not isinstance(defaults, dict):
        raise error_at(doc, ("defaults",), f"must be a mapping of scenario fields, not {kind_of(defaults)}")
    items = data["scenarios"]
    if not isinstance(items, list) or not items:
        what = "an empty list" if isinstance(items, list) else kind_of(items)
        raise error_at(doc, ("scenarios",), f"must be a non-empty list of scenarios, not {what}")
    ddoc = doc.sub(("defaults",)) if "defaults" in data and isinstance(data["defaults"], dict) else Doc({}, {})
    entry_locs: dict[int, dict[PathT, Loc]] = {i: {} for i in range(len(items))}
    for p, loc in doc.locs.items():  # one pass: Doc.sub per entry would be quadratic in long lists
        if len(p) >= 2 and p[0] == "scenarios" and isinstance(p[1], int):
            entry_locs[p[1]][p[2:]] = loc
    for i, item in enumerate(items):
        name = f"{stem}[{i}]"
        if not isinstance(item, dict):
            err = error_at(doc, ("scenarios", i), f"must be a mapping of scenario fields, not {kind_of(item)}")
            entries.append((Doc({}, {(): doc.loc(("scenarios", i))}), name, i, [err]))
            continue
        edoc = _merge(ddoc, Doc(item, entry_locs[i]))
        if isinstance(item.get("name"), str):
            name = item["name"]
        elif isinstance(defaults.get("name"), str):
            name = defaults["name"]
        entries.append((edoc, name, i, []))
    return entries


def _merge(defaults: Doc, entry: Doc) -> Doc:
    """Shallow merge: the entry's keys replace the defaults' keys; locations follow where each value came from."""
    data = dict(defaults.data)
    data.update(entry.data)
    locs = {p: loc for p, loc in defaults.locs.items() if p and p[0] not in entry.data}
    locs.update(entry.locs)
    return Doc(data, locs)


def resolve_scenario(scenario: Any, overrides: Mapping[str, Any]) -> Scenario:
    """A Scenario from a Scenario, a dict or a ``.yaml`` path, with ``overrides`` (scenario fields) applied."""
    for key in overrides:  # (a reviewer: optimize(..., budget=...) said "budget: unknown field", no hint)
        if key not in Scenario.model_fields:
            close = difflib.get_close_matches(key, list(Scenario.model_fields), n=1, cutoff=0.6)
            raise ScenarioError("not a scenario field" + (f" (did you mean {close[0]!r}?)" if close else ""), field=key)
    if isinstance(scenario, (str, Path)):
        p = Path(scenario)
        if p.suffix.lower() not in (".yaml", ".yml"):
            raise ScenarioError(f"{p}: a scenario file must end in .yaml or .yml")
        from recommender.scenario.file_cache import load_scenario_cached

        scenario = load_scenario_cached(p, load_scenario)
    if isinstance(scenario, Scenario):
        if not overrides:
            return scenario
        data = scenario.model_dump(exclude_unset=True)
        data.update(overrides)
        return parse_scenario(data)
    if isinstance(scenario, Mapping):
        data = dict(scenario)
        data.update(overrides)
        return parse_scenario(data)
    raise ScenarioError(f"a scenario must be a Scenario, a dict or a .yaml path, not {type(scenario).__name__}")
