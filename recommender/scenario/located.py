"""Located YAML: ruamel.yaml's round-trip reader, and the file and line of every value."""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recommender.errors import ScenarioError
from recommender.models import field_path
from recommender.scenario.safe_io import load_yaml, read_text

PathT = tuple[str | int, ...]


@dataclass(frozen=True)
class Loc:
    """Where a value was written: the file (as the user named it), the 1-based line, the path in that file."""

    file: str
    line: int
    path: PathT


@dataclass
class Doc:
    """Plain data (dicts, lists, str, int, float, bool, None, dates) and the location of every path in it."""

    data: Any
    locs: dict[PathT, Loc] = field(default_factory=dict)
    #: (line, key) of every repeated mapping key (the first value is kept); only a file with ``scenarios:`` is
    #: parsed with them, so one entry's typo invalidates that entry, not its neighbours (:mod:`.loader`)
    duplicates: list[tuple[int, str]] = field(default_factory=list)

    def loc(self, path: PathT) -> Loc:
        """Location of ``path`` or of its nearest located ancestor."""
        for n in range(len(path), -1, -1):
            found = self.locs.get(tuple(path[:n]))
            if found is not None:
                return found
        return next(iter(self.locs.values()))

    def sub(self, path: PathT) -> Doc:
        """The document rooted at ``path`` (locations keep their original file paths)."""
        node = self.data
        for part in path:
            node = node[part]
        n = len(path)
        locs = {p[n:]: loc for p, loc in self.locs.items() if p[:n] == tuple(path)}
        return Doc(node, locs)


def display_name(path: str | Path) -> str:
    """How a file is named in messages: as the user gave it, normalised (``./a/../b.yaml`` -> ``b.yaml``)."""
    return os.path.normpath(str(path))


def _yaml():  # type: ignore[no-untyped-def]
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import RoundTripConstructor

    class RecordingConstructor(RoundTripConstructor):
        """Records a repeated key (line, key) and keeps the first value, instead of failing the whole file."""

        def check_mapping_key(self, node: Any, key_node: Any, mapping: Any, key: Any, value: Any) -> bool:
            if key in mapping:
                self.duplicates.append((key_node.start_mark.line + 1, str(key)))
                return False
            return True

        def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
            """A date YAML cannot build (``2026-02-30``) stays the text written: the field's own check says
            what is wrong at its line (it was an internal error: "day is out of range for month")."""
            try:
                return super().construct_yaml_timestamp(node, values)
            except ValueError:
                return str(node.value)

    RecordingConstructor.add_constructor("tag:yaml.org,2002:timestamp", RecordingConstructor.construct_yaml_timestamp)
    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = RecordingConstructor
    yaml.constructor.duplicates = []
    return yaml


def parse_text(text: str, file: str) -> Doc:
    """Parse YAML text; syntax errors, duplicate keys and non-string keys raise ScenarioError with the line."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = _yaml()
    try:
        node = load_yaml(yaml, text, file=file)  # node count, depth, int size limits (safe_io)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        if "another document" in problem:
            problem = "a scenario file holds one YAML document; found a second one (`---`)"
        elif exc.__class__.__name__ == "DuplicateKeyError":
            dup = re.search(r'duplicate key "(.*?)" with value', problem)
            problem = f"duplicate key {dup.group(1)!r}" if dup else problem
        elif exc.context and exc.context_mark is not None and line is not None and exc.context_mark.line + 1 != line:
            problem += f" ({' '.join(str(exc.context).split())} that starts on line {exc.context_mark.line + 1})"
        raise ScenarioError(f"YAML syntax error: {problem}", file=file, line=line) from None
    except YAMLError as exc:  # pragma: no cover - ruamel marks nearly everything
        raise ScenarioError(f"YAML error: {' '.join(str(exc).split())}", file=file) from None
    duplicates = sorted(yaml.constructor.duplicates)
    if duplicates and not (isinstance(node, dict) and "scenarios" in node):
        line, key = duplicates[0]
        raise ScenarioError(f"YAML syntax error: duplicate key {key!r}", file=file, line=line)
    locs: dict[PathT, Loc] = {(): Loc(file, 1, ())}
    data = _plain(node, file, (), locs)
    return Doc(data, locs, duplicates)


def parse_file(path: str | Path, *, name: str | None = None) -> Doc:
    """Read and parse one YAML file; unreadable or unparsable files raise ScenarioError naming the file."""
    file = name or display_name(path)
    text = read_text(path, file=file)  # regular files only, size-limited, UTF-8 (recommender.scenario.safe_io)
    return parse_text(text, file)


def _key_line(node: Any, key: Any, default: int) -> int:
    try:
        return int(node.lc.key(key)[0]) + 1
    except (KeyError, AttributeError, TypeError):
        pass
    # A key brought in by a YAML merge (``<<: *anchor``): look it up in the merged mappings.
    for item in getattr(node, "merge", None) or []:
        merged = item[1] if isinstance(item, tuple) else item  # (index, map) in older ruamel.yaml
        if isinstance(merged, dict) and key in merged:
            return _key_line(merged, key, default)
    return default


def _plain(node: Any, file: str, path: PathT, locs: dict[PathT, Loc]) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar

    here = locs[path].line
    if isinstance(node, (CommentedMap, dict)):
        out: dict[Any, Any] = {}
        for key, value in node.items():
            k = _plain_scalar(key)
            if not isinstance(k, str):
                line = _key_line(node, key, here)
                raise ScenarioError(
                    f"keys must be text, got {k!r}", field=field_path(path) or None, file=file, line=line
                )
            child = path + (k,)
            locs[child] = Loc(file, _key_line(node, key, here), child)
            out[k] = _plain(value, file, child, locs)
        return out
    if isinstance(node, (CommentedSeq, list)):
        items = []
        for i, value in enumerate(node):
            child = path + (i,)
            try:
                line = int(node.lc.item(i)[0]) + 1  # type: ignore[union-attr]
            except (KeyError, AttributeError, TypeError):
                line = here
            locs[child] = Loc(file, line, child)
            items.append(_plain(value, file, child, locs))
        return items
    if isinstance(node, TaggedScalar):
        return str(node.value)
    return _plain_scalar(node)


def _plain_scalar(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, _dt.datetime | _dt.date):
        return value
    return value
