"""Scenario files: YAML with line numbers, defaults, includes, and errors that point at a line.

A scenario file holds either one scenario (the :class:`~recommender.models.Scenario` fields at top level) or
a list of them::

    version: 1
    defaults:            # merged into every entry; an entry's own key replaces the default's value
      workloads: [{benchmark: bert}]
      prices: quotes.yaml          # a price list of vendor quotes, path relative to this file
    scenarios:
      - {name: low, budget_usd: 200000}
      - {name: high, budget_usd: 900000}

Every entry of ``scenarios:`` is validated on its own: :func:`load_scenarios` returns, per entry, either a
:class:`~recommender.models.Scenario` or an :class:`InvalidScenario` record, so one bad entry never sinks its
siblings. Errors read ``file:line: field.path: message`` (``q3.yaml:12: scenarios[2].budget_usd: must be
greater than 0``): the line of the offending key or list item, list indexes counting from 0 as in the file.

Files are read with ruamel.yaml's round-trip loader, which builds only plain mappings, lists and scalars.
"""

from __future__ import annotations

import copy
import datetime as _dt
import difflib
import json
import os
import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from catalog.registry import closest_ids
from recommender.errors import ScenarioError, UnknownIdError
from recommender.models import CustomWorkload, Scenario, WorkloadSpec
from recommender.scenario.numbers import Usd
from recommender.scenario.safe_io import include_problem, load_yaml, read_text, real_key

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog

__all__ = [
    "SCHEMA_FILES",
    "InvalidScenario",
    "PriceList",
    "Quote",
    "check_ids",
    "json_schema",
    "load_located",
    "load_scenario",
    "load_scenarios",
    "loads_scenarios",
]

PathT = tuple[str | int, ...]


# ======================================================================================= located YAML
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


def format_path(path: PathT) -> str:
    """``("scenarios", 2, "budget_usd")`` -> ``scenarios[2].budget_usd``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def display_name(path: str | Path) -> str:
    """How a file is named in messages: as the user gave it, normalised (``./a/../b.yaml`` -> ``b.yaml``)."""
    return os.path.normpath(str(path))


# --------------------------------------------------------------------------------------------------------
# Loading


def _yaml():  # type: ignore[no-untyped-def]
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    return yaml


def parse_text(text: str, file: str) -> Doc:
    """Parse YAML text; syntax errors, duplicate keys and non-string keys raise ScenarioError with the line."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        node = load_yaml(_yaml(), text, file=file)  # node count, depth, int size limits (safe_io)
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
    locs: dict[PathT, Loc] = {(): Loc(file, 1, ())}
    data = _plain(node, file, (), locs)
    return Doc(data, locs)


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
                    f"keys must be text, got {k!r}", field=format_path(path) or None, file=file, line=line
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


# --------------------------------------------------------------------------------------------------------
# Validation errors -> file:line: field: message


def _resolve(data: Any, loc: tuple[Any, ...]) -> tuple[PathT, PathT]:
    """Split a pydantic error location into (path present in the data, full cleaned path).

    Union member tags (``'str'``, ``'CustomWorkload'``, ``'function-after[...]'``) that pydantic inserts into
    locations are dropped; a last element that is not in the data is a missing key and is kept.
    """
    node = data
    present: list[str | int] = []
    cleaned: list[str | int] = []
    for i, part in enumerate(loc):
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
            present.append(part)
            cleaned.append(part)
        elif i == len(loc) - 1 and isinstance(node, dict) and isinstance(part, str) and not _is_tag(part):
            cleaned.append(part)  # a missing key
        # else: a union member tag (or an index into a non-list) that is not part of the file's structure
    return tuple(present), tuple(cleaned)


_TAG_RE = re.compile(r"^(function-(after|before|wrap|plain)\[.*\]|[A-Z]\w*|str|int|float|bool|list\[.*\]|dict\[.*\]|"
                     r"literal\[.*\]|tagged-union\[.*\]|json-or-python\[.*\]|is-instance\[.*\]|nullable\[.*\]|"
                     r"chain\[.*\]|lax-or-strict\[.*\]|constrained-.*)$")


def _is_tag(part: str) -> bool:
    return bool(_TAG_RE.match(part))


def _unwrap(tp: Any) -> list[Any]:
    """The alternatives of an annotation with Optional/Annotated/Union peeled off."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin is typing.Union or origin is types.UnionType:
        out = []
        for arg in typing.get_args(tp):
            if arg is not type(None):
                out.extend(_unwrap(arg))
        return out
    return [tp]


def _bools_as_numbers(tp: Any, data: Any, path: PathT) -> list[tuple[PathT, bool]]:
    """Where YAML ``true``/``false`` stands for a number: pydantic's lax mode would read it as 1/0."""
    alts = _unwrap(tp)
    if isinstance(data, bool):
        numeric = any(a in (int, float) or typing.get_origin(a) is typing.Annotated
                      and typing.get_args(a)[0] in (int, float) for a in alts)
        return [(path, data)] if numeric and bool not in alts else []
    out: list[tuple[PathT, bool]] = []
    for alt in alts:
        origin = typing.get_origin(alt)
        if isinstance(alt, type) and issubclass(alt, BaseModel) and isinstance(data, dict):
            for key, value in data.items():
                f = alt.model_fields.get(key)
                if f is not None:
                    out.extend(_bools_as_numbers(f.annotation, value, (*path, key)))
        elif origin in (list, tuple) and isinstance(data, list) and typing.get_args(alt):
            for i, value in enumerate(data):
                out.extend(_bools_as_numbers(typing.get_args(alt)[0], value, (*path, i)))
        elif origin is dict and isinstance(data, dict) and len(typing.get_args(alt)) == 2:
            for key, value in data.items():
                out.extend(_bools_as_numbers(typing.get_args(alt)[1], value, (*path, key)))
    return out


def allowed_keys(model: type[BaseModel], path: PathT) -> list[str]:
    """Field names accepted at ``path`` (a mapping) under ``model``; best effort, [] when unknown."""
    current: list[Any] = [model]
    for part in path:
        nxt: list[Any] = []
        for tp in current:
            for alt in _unwrap(tp):
                origin = typing.get_origin(alt)
                if isinstance(alt, type) and issubclass(alt, BaseModel) and isinstance(part, str):
                    f = alt.model_fields.get(part)
                    if f is not None:
                        nxt.append(f.annotation)
                elif origin in (list, tuple, set, frozenset) and isinstance(part, int):
                    args = typing.get_args(alt)
                    if args:
                        nxt.append(args[0])
                elif origin is dict and isinstance(part, str):
                    args = typing.get_args(alt)
                    if len(args) == 2:
                        nxt.append(args[1])
        current = nxt
    keys: list[str] = []
    for tp in current:
        for alt in _unwrap(tp):
            if isinstance(alt, type) and issubclass(alt, BaseModel):
                keys.extend(k for k in alt.model_fields if k not in keys)
    return keys


_SHOULD_RE = re.compile(r"^(Input|List|Dictionary|String|Value|Tuple|Set|Object|Decimal|Date|Datetime|Number) should ")


def humanize(err: dict[str, Any], model: type[BaseModel] | None, cleaned: PathT) -> str:
    """A short message for one pydantic error dict: ``must be greater than 0``, ``unknown key; did you mean ...``."""
    kind = err.get("type", "")
    msg = str(err.get("msg", "invalid"))
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        key = cleaned[-1] if cleaned else ""
        allowed = allowed_keys(model, cleaned[:-1]) if model is not None else []
        close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        if close:
            return f"unknown key (did you mean '{close[0]}'?)"
        if allowed:
            return "unknown key (allowed: " + ", ".join(allowed) + ")"
        return "unknown key"
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix):]
    msg = _SHOULD_RE.sub("must ", msg)
    msg = msg.replace(" after validation", "")
    value = err.get("input")
    if kind.endswith(("_type", "_parsing")) or kind in ("literal_error", "enum"):
        if isinstance(value, str | int | float | bool) or value is None:
            msg += f" (got {value!r})"
        elif isinstance(value, dict):
            msg += " (got a mapping)"
        elif isinstance(value, list):
            msg += " (got a list)"
    return msg


def validation_errors(exc: ValidationError, doc: Doc, model: type[BaseModel] | None) -> list[ScenarioError]:
    """One ScenarioError per pydantic error, located in ``doc``; duplicates dropped.

    Model validators name their field at the start of the message (``"workloads: the shares sum to 0"``);
    that field is moved into the path so the error points at the field's line.
    """
    out: list[ScenarioError] = []
    seen: set[str] = set()
    for err in exc.errors(include_url=False):
        present, cleaned = _resolve(doc.data, tuple(err.get("loc", ())))
        message = humanize(err, model, cleaned)
        head = _HEAD_RE.match(message)
        parts = _head_parts(head.group(1)) if head else ()
        if (head and model is not None and err.get("type") == "value_error" and len(present) == len(cleaned)
                and parts[0] in allowed_keys(model, cleaned)):
            cleaned = (*cleaned, *parts)
            present, _ = _resolve(doc.data, cleaned)
            message = head.group(2)
        where = doc.loc(present)
        shown = where.path + cleaned[len(present):]
        error = ScenarioError(message, field=format_path(shown) or None, file=where.file, line=where.line)
        if str(error) not in seen:
            seen.add(str(error))
            out.append(error)
    return out


_HEAD_RE = re.compile(r"^([a-z_][a-z0-9_]*(?:\[\d+\]|\.[a-z_][a-z0-9_]*)*): (.+)$", re.DOTALL)


def _head_parts(head: str) -> PathT:
    """``workloads[0].share`` -> ``("workloads", 0, "share")`` (the field a model validator's message names)."""
    return tuple(int(p) if p.isdigit() else p for p in re.findall(r"[a-z_][a-z0-9_]*|\d+", head))


def _get(data: Any, path: PathT) -> Any:
    for part in path:
        data = data[part]
    return data


def error_at(doc: Doc, path: PathT, message: str, cls: type[ScenarioError] = ScenarioError) -> ScenarioError:
    """A ScenarioError (or subclass) located at ``path`` of ``doc``."""
    present, _ = _resolve(doc.data, path)
    where = doc.loc(present)
    shown = where.path + tuple(path[len(present):])
    return cls(message, field=format_path(shown) or None, file=where.file, line=where.line)


# ======================================================================================= file-facing models


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Quote(_Frozen):
    """One vendor quote: the price of one accelerator model."""

    accelerator_id: str = Field(description="Accelerator id, e.g. nvidia-a100-pcie-80gb.")
    price_usd: Usd = Field(description="Quoted price per accelerator in USD (without host).")
    vendor: str | None = Field(default=None, description="Who quoted the price.")
    as_of: str | None = Field(default=None, description="Date of the quote, e.g. 2026-03.")
    note: str | None = Field(default=None, description="Anything else about the quote (validity, volume...).")


class PriceList(_Frozen):
    """A price list of vendor quotes, in its own file or inline as a scenario's ``prices:`` list.

    When several quotes name the same accelerator, the lowest price is used.
    """

    version: Literal[1] = Field(default=1, description="Price list format version (currently 1).")
    quotes: list[Quote] = Field(min_length=1, description="The quotes, one per accelerator and vendor.")


class CustomWorkloadFile(CustomWorkload):
    """A custom workload in its own file (referenced by a scenario's ``workloads[].custom: path``)."""

    version: Literal[1] = Field(default=1, description="Custom workload format version (currently 1).")


def _file_fields(*, optional: bool) -> dict[str, Any]:
    """Scenario fields as written in files: ``prices`` may be a file path or a list of quotes, a workload's
    ``custom`` may be a file path, ``name`` defaults to the file name. ``optional`` makes every field optional
    (the ``defaults:`` block and the entries of ``scenarios:``, which are complete only once merged)."""
    workload_fields: dict[str, Any] = {}
    for name, info in WorkloadSpec.model_fields.items():
        ann: Any = info.annotation
        if name == "custom":
            ann = CustomWorkload | str | None
            info = _copy_field(info, description=(info.description or "") + " Or a path to a custom workload file.")
        workload_fields[name] = (ann, info)
    workload = create_model(  # type: ignore[call-overload]
        "WorkloadEntry", __base__=_Frozen, __doc__=WorkloadSpec.__doc__, **workload_fields
    )
    fields: dict[str, Any] = {}
    for name, info in Scenario.model_fields.items():
        ann = info.annotation
        if name == "workloads":
            ann = list[workload]  # type: ignore[valid-type]
        elif name == "prices":
            ann = dict[str, Usd] | list[Quote] | str
            info = _copy_field(info, description=(info.description or "")
                               + " Or a list of vendor quotes, or a path to a price list file.")
        elif name == "name":
            info = _copy_field(info, description=(info.description or "")
                               + " Default: the file name (with [index] in a scenarios list).")
        if optional:
            ann = ann | None
            info = _copy_field(info, default=None)
        fields[name] = (ann, info)
    return fields


def _copy_field(info: Any, **changes: Any) -> Any:
    from pydantic.fields import FieldInfo

    kwargs: dict[str, Any] = {"description": info.description}
    if info.default_factory is not None:
        kwargs["default_factory"] = info.default_factory
    elif not info.is_required():
        kwargs["default"] = info.default
    kwargs.update(changes)
    if "default" in changes:
        kwargs.pop("default_factory", None)
    new = FieldInfo(**kwargs)
    new.metadata = list(info.metadata)
    return new


@lru_cache(maxsize=1)
def _file_models() -> dict[str, type[BaseModel]]:
    single = create_model(  # type: ignore[call-overload]
        "ScenarioFile", __base__=_Frozen, __doc__="One scenario: the scenario's fields at the top level.",
        **_file_fields(optional=False),
    )
    partial = create_model(  # type: ignore[call-overload]
        "ScenarioEntry", __base__=_Frozen,
        __doc__="A scenario (or the defaults of a scenarios list); complete once merged with `defaults`.",
        **_file_fields(optional=True),
    )
    multi = create_model(
        "ScenarioListFile", __base__=_Frozen,
        __doc__="Several scenarios sharing a `defaults:` block; each entry is validated and solved on its own.",
        version=(Literal[1], Field(default=1, description="Scenario file format version (currently 1).")),
        defaults=(partial | None, Field(  # type: ignore[valid-type]
            default=None, description="Fields merged into every entry of `scenarios` (an entry's key wins).")),
        scenarios=(list[partial], Field(  # type: ignore[valid-type]
            min_length=1, description="The scenarios; names must be unique within the file.")),
    )
    return {"single": single, "multi": multi}


#: Committed JSON Schema files (generated by :func:`json_schema`; a test fails when they drift).
SCHEMA_FILES: dict[str, Path] = {
    "scenario": Path(__file__).with_name("scenario.schema.json"),
    "price-list": Path(__file__).with_name("price-list.schema.json"),
    "workload": Path(__file__).with_name("workload.schema.json"),
}

_SCHEMA_IDS = {
    "scenario": "Scenario file (one scenario, or `scenarios:` with `defaults:`)",
    "price-list": "Price list of vendor quotes",
    "workload": "Custom workload with its measurements",
}


def json_schema(kind: str = "scenario") -> dict[str, Any]:
    """The JSON Schema of a scenario file (``kind="scenario"``), a price list or a custom workload file."""
    from pydantic import TypeAdapter

    if kind == "scenario":
        models = _file_models()
        schema = TypeAdapter(models["single"] | models["multi"]).json_schema()  # type: ignore[operator]
    elif kind == "price-list":
        schema = PriceList.model_json_schema()
    elif kind == "workload":
        schema = CustomWorkloadFile.model_json_schema()
    else:
        raise ValueError(f"unknown schema kind {kind!r}; choose from {', '.join(SCHEMA_FILES)}")
    _add_benchmark_enum(schema)
    out: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": _SCHEMA_IDS[kind]}
    out.update(schema)
    return out


def _add_benchmark_enum(schema: dict[str, Any]) -> None:
    """Editors complete benchmark ids: ``benchmark`` and ``like`` list the registry's ids."""
    from catalog.registry import BENCHMARKS

    for name in ("WorkloadEntry", "CustomWorkload", "CustomWorkloadFile"):
        model = schema.get("$defs", {}).get(name) or (schema if schema.get("title") == name else None)
        for prop in ("benchmark", "like"):
            spec = (model or {}).get("properties", {}).get(prop)
            if spec is None:
                continue
            for alt in spec.get("anyOf", [spec]):
                if alt.get("type") == "string":
                    alt["enum"] = list(BENCHMARKS)


def schema_text(kind: str = "scenario") -> str:
    """The schema as committed: indented JSON with a final newline."""
    return json.dumps(json_schema(kind), indent=2, sort_keys=False) + "\n"


# ======================================================================================= loading scenarios


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


def _load_doc(doc: Doc, *, file: str, base: Path, stem: str, catalog: Catalog | None,
              check: bool) -> list[tuple[Scenario | InvalidScenario, int]]:
    data = doc.data
    if data is None:
        raise ScenarioError("the file is empty; expected a scenario (a mapping) or `scenarios:`", file=file, line=1)
    if not isinstance(data, dict):
        raise ScenarioError(f"the top level must be a mapping (a scenario or `scenarios:`), not a "
                            f"{_kind(data)}", file=file, line=1)
    if "scenarios" not in data and "workloads" not in data:
        if "quotes" in data:
            raise ScenarioError("this is a price list, not a scenario: reference it from a scenario's `prices:` "
                                "(a path relative to the scenario file)", file=file, line=1)
        if "measurements" in data:
            raise ScenarioError("this is a custom workload, not a scenario: reference it from a scenario's "
                                "`workloads: [{custom: <path>}]`", file=file, line=1)
    includes = _Includes(file, base)
    entries: list[tuple[Doc, str, int | None, list[ScenarioError]]] = []  # doc, name, index, early errors
    if "scenarios" in data:
        for key in data:
            if key not in _TOP_KEYS:
                close = difflib.get_close_matches(key, _TOP_KEYS, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else (
                    "a file with `scenarios:` has only version, defaults and scenarios at the top level: "
                    "put shared fields under `defaults:`")
                raise error_at(doc, (key,), f"unknown key ({hint})")
        _check_version(doc)
        defaults = data.get("defaults")
        if defaults is None:
            defaults = {}
        elif not isinstance(defaults, dict):
            raise error_at(doc, ("defaults",), f"must be a mapping of scenario fields, not a {_kind(defaults)}")
        items = data["scenarios"]
        if not isinstance(items, list) or not items:
            what = "an empty list" if isinstance(items, list) else f"a {_kind(items)}"
            raise error_at(doc, ("scenarios",), f"must be a non-empty list of scenarios, not {what}")
        ddoc = doc.sub(("defaults",)) if "defaults" in data and isinstance(data["defaults"], dict) else Doc({}, {})
        entry_locs: dict[int, dict[PathT, Loc]] = {i: {} for i in range(len(items))}
        for p, loc in doc.locs.items():  # one pass: Doc.sub per entry would be quadratic in long lists
            if len(p) >= 2 and p[0] == "scenarios" and isinstance(p[1], int):
                entry_locs[p[1]][p[2:]] = loc
        for i, item in enumerate(items):
            name = f"{stem}[{i}]"
            if not isinstance(item, dict):
                err = error_at(doc, ("scenarios", i), f"must be a mapping of scenario fields, not a {_kind(item)}")
                entries.append((Doc({}, {(): doc.loc(("scenarios", i))}), name, i, [err]))
                continue
            edoc = _merge(ddoc, Doc(item, entry_locs[i]))
            if isinstance(item.get("name"), str):
                name = item["name"]
            elif isinstance(defaults.get("name"), str):
                name = defaults["name"]
            entries.append((edoc, name, i, []))
    else:
        _check_version(doc)
        name = data["name"] if isinstance(data.get("name"), str) else stem
        entries.append((doc, name, None, []))

    out: list[tuple[Scenario | InvalidScenario, int]] = []
    first_line: dict[str, int] = {}
    for edoc, name, index, early in entries:
        root = edoc.locs[()]
        errors = list(early)
        scenario: Scenario | None = None
        if not errors:
            result = _validate_entry(edoc, name, includes, catalog, check)
            if isinstance(result, Scenario):
                scenario = result
            else:
                errors = result
        if name in first_line and index is not None:
            item = data["scenarios"][index]
            at = doc.loc(("scenarios", index, "name")) if isinstance(item, dict) and "name" in item else root
            errors.insert(0, ScenarioError(f"duplicate scenario name {name!r} (first at line {first_line[name]})",
                                           field=format_path(("scenarios", index, "name")), file=at.file,
                                           line=at.line))
        else:
            first_line.setdefault(name, root.line)
        if errors or scenario is None:
            errors.sort(key=lambda e: (e.file != root.file, e.file or "", e.line or 0))
            out.append((InvalidScenario(name, root.file, root.line, index, tuple(errors)), root.line))
        else:
            out.append((scenario, root.line))
    return out


def _check_version(doc: Doc) -> None:
    if "version" in doc.data and doc.data["version"] != 1:
        raise error_at(doc, ("version",), f"unsupported version {doc.data['version']!r}; this recommender reads "
                                          "version 1")


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    if value is None:
        return "empty value"
    return f"{type(value).__name__} ({value!r})"


def _merge(defaults: Doc, entry: Doc) -> Doc:
    """Shallow merge: the entry's keys replace the defaults' keys; locations follow where each value came from."""
    data = dict(defaults.data)
    data.update(entry.data)
    locs = {p: loc for p, loc in defaults.locs.items() if p and p[0] not in entry.data}
    locs.update(entry.locs)
    return Doc(data, locs)


class _Includes:
    """Files referenced by relative path (price lists, custom workloads), each parsed once per load.

    A path is relative to the file that names it.
    """

    def __init__(self, main_file: str, base: Path) -> None:
        self.dirs: dict[str, Path] = {main_file: base}
        self.main_base = base
        self.cache: dict[str, Doc | ScenarioError] = {}

    def get(self, ref_doc: Doc, path: PathT, ref: str) -> Doc:
        where = ref_doc.loc(path)
        if os.path.isabs(ref):
            real, shown = Path(ref), ref
        else:
            real = self.dirs.get(where.file, self.main_base) / ref
            shown = display_name(os.path.join(os.path.dirname(where.file), ref))
        key = real_key(real)
        if key not in self.cache:
            problem = include_problem(real, shown)  # a regular file within the size limit (scenario.safe_io)
            if problem is not None:
                self.cache[key] = ScenarioError(problem)
            else:
                try:
                    self.cache[key] = parse_file(real, name=shown)
                    self.dirs[shown] = real.parent
                except ScenarioError as exc:
                    self.cache[key] = exc
        found = self.cache[key]
        if isinstance(found, ScenarioError):
            if found.file is None:
                raise ScenarioError(found.message, field=format_path(where.path) or None, file=where.file,
                                    line=where.line)
            raise found
        return found


def _validate_entry(doc: Doc, name: str, includes: _Includes, catalog: Catalog | None,
                    check: bool) -> Scenario | list[ScenarioError]:
    """Resolve references, merge, validate and check ids of one entry."""
    errors: list[ScenarioError] = []
    data = dict(doc.data)
    locs = dict(doc.locs)
    data.setdefault("name", name)
    # -- prices: a mapping, an inline list of quotes, or a price list file
    prices = data.get("prices")
    if isinstance(prices, str | list):
        try:
            if isinstance(prices, str):
                pdoc = includes.get(doc, ("prices",), prices)
                _require_mapping(pdoc, "a price list (`quotes:`)")
                pl_doc, prefix = pdoc, ()
            else:
                pl_doc = Doc({"quotes": prices}, {(): doc.loc(("prices",)),
                                                  **{("quotes",) + p[1:]: l for p, l in locs.items()
                                                     if p[:1] == ("prices",)}})
                prefix = ("prices",)
            try:
                plist = PriceList.model_validate(pl_doc.data)
            except ValidationError as exc:
                raise _Errors(_relocate(validation_errors(exc, pl_doc, PriceList), prefix)) from None
            new_prices, notes, new_locs = _prices_from_quotes(plist, pl_doc)
            data["prices"] = new_prices
            user_notes = data.get("price_notes") if isinstance(data.get("price_notes"), dict) else {}
            data["price_notes"] = {**notes, **user_notes}
            locs = {p: l for p, l in locs.items() if p[:1] != ("prices",)}
            locs[("prices",)] = doc.loc(("prices",))
            for acc, loc in new_locs.items():
                locs[("prices", acc)] = loc
                if acc not in user_notes:
                    locs[("price_notes", acc)] = loc
        except ScenarioError as exc:
            errors.append(exc)
            data["prices"] = {}
        except _Errors as exc:
            errors.extend(exc.errors)
            data["prices"] = {}
    # -- workloads[].custom: a mapping or a custom workload file
    workloads = data.get("workloads")
    if isinstance(workloads, list):
        new_workloads = list(workloads)
        for i, w in enumerate(workloads):
            if isinstance(w, dict) and isinstance(w.get("custom"), str):
                try:
                    cdoc = includes.get(doc, ("workloads", i, "custom"), w["custom"])
                    _require_mapping(cdoc, "a custom workload (name, measurements)")
                    cdata = dict(cdoc.data)
                    if "version" in cdata:
                        _check_version(cdoc)
                        cdata.pop("version")
                    new_workloads[i] = {**w, "custom": cdata}
                    for p, l in cdoc.locs.items():
                        if p:
                            locs[("workloads", i, "custom") + p] = l
                except ScenarioError as exc:
                    errors.append(exc)
                    # keep validating the rest of the entry: stand in a benchmark for the missing file
                    new_workloads[i] = {k: v for k, v in w.items() if k not in ("custom", "benchmark")}
                    new_workloads[i]["benchmark"] = "?"
        data["workloads"] = new_workloads
    edoc = Doc(data, locs)
    bools = _bools_as_numbers(Scenario, data, ())
    errors.extend(error_at(edoc, p, f"must be a number, not {str(v).lower()}") for p, v in bools)
    if bools:  # validate the rest with a stand-in number, so no error follows from the flagged ones
        data = copy.deepcopy(data)
        for p, _ in bools:
            _get(data, p[:-1])[p[-1]] = 1
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        errors.extend(validation_errors(exc, edoc, Scenario))
        return errors
    if errors:
        return errors
    if check:
        errors.extend(check_ids(scenario, edoc, catalog))
    return errors or scenario


class _Errors(Exception):
    def __init__(self, errors: list[ScenarioError]) -> None:
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors


def _relocate(errors: list[ScenarioError], prefix: PathT) -> list[ScenarioError]:
    """Inline price lists are validated as ``quotes``: show them under ``prices`` as written."""
    if not prefix:
        return errors
    out = []
    for e in errors:
        f = e.field or ""
        if f.startswith("quotes"):
            f = "prices" + f[len("quotes"):]
        out.append(ScenarioError(e.message, field=f or None, file=e.file, line=e.line))
    return out


def _require_mapping(doc: Doc, what: str) -> None:
    if not isinstance(doc.data, dict):
        raise ScenarioError(f"must hold {what} as a mapping, not a {_kind(doc.data)}",
                            file=doc.locs[()].file, line=1)


def _prices_from_quotes(plist: PriceList, doc: Doc) -> tuple[dict[str, float], dict[str, str], dict[str, Loc]]:
    prices: dict[str, float] = {}
    notes: dict[str, str] = {}
    locs: dict[str, Loc] = {}
    for j, q in enumerate(plist.quotes):
        if q.accelerator_id in prices and prices[q.accelerator_id] <= q.price_usd:
            continue
        prices[q.accelerator_id] = q.price_usd
        parts = [p for p in (f"quote from {q.vendor}" if q.vendor else "vendor quote", q.as_of, q.note) if p]
        where = doc.loc(("quotes", j, "accelerator_id"))
        notes[q.accelerator_id] = f"{', '.join(parts)} ({where.file}:{where.line})"
        locs[q.accelerator_id] = where
    return prices, notes, locs


# ======================================================================================= unknown ids


_ID_CACHE: dict[str, tuple[list[str], dict[str, str]]] = {}


def known_ids(catalog: Catalog | None = None) -> tuple[list[str], dict[str, str]]:
    """(benchmark ids, {accelerator id: display name}) from the registry and the catalog."""
    from catalog.registry import BENCHMARKS

    if catalog is None:
        import catalog as _catalog

        catalog = _catalog.load()
    cached = _ID_CACHE.get(catalog.fingerprint)
    if cached is None:
        acc = catalog.accelerators
        table = dict(zip(acc["accelerator_id"].astype(str), acc["name"].astype(str), strict=True))
        measured = set(catalog.results["benchmark"].dropna().astype(str))
        benchmarks = list(BENCHMARKS) + sorted(measured - set(BENCHMARKS))
        cached = _ID_CACHE[catalog.fingerprint] = (benchmarks, table)
    return cached[0], cached[1]


#: The one 'closest known ids' rule (defined in the id registry).
closest = closest_ids


def check_ids(scenario: Scenario, doc: Doc | None = None, catalog: Catalog | None = None) -> list[UnknownIdError]:
    """Unknown benchmark and accelerator ids of a scenario, each naming the closest known ids.

    ``doc`` (the scenario's located source) puts file and line on each error.
    """
    benchmarks, accelerators = known_ids(catalog)
    bench_set = set(benchmarks)
    out: list[UnknownIdError] = []

    def bad(path: PathT, kind: str, value: str, known: Iterable[str], names: dict[str, str] | None) -> None:
        near = closest(value, known, names)
        hint = f" (closest known: {', '.join(near)})" if near else ""
        msg = f"unknown {kind} {value!r}{hint}"
        if doc is not None:
            out.append(error_at(doc, path, msg, UnknownIdError))  # type: ignore[arg-type]
        else:
            out.append(UnknownIdError(msg, field=format_path(path)))

    for i, w in enumerate(scenario.workloads):
        if w.benchmark is not None and w.benchmark not in bench_set:
            bad(("workloads", i, "benchmark"), "benchmark", w.benchmark, benchmarks, None)
        if w.custom is not None:
            if w.custom.like is not None and w.custom.like not in bench_set:
                bad(("workloads", i, "custom", "like"), "benchmark", w.custom.like, benchmarks, None)
            for j, m in enumerate(w.custom.measurements):
                if m.accelerator_id not in accelerators:
                    bad(("workloads", i, "custom", "measurements", j, "accelerator_id"), "accelerator",
                        m.accelerator_id, accelerators, accelerators)
    for key in ("accelerators", "exclude"):
        for j, a in enumerate(getattr(scenario, key) or []):
            if a not in accelerators:
                bad((key, j), "accelerator", a, accelerators, accelerators)
    for a in scenario.prices:
        if a not in accelerators:
            bad(("prices", a), "accelerator", a, accelerators, accelerators)
    for a in scenario.price_notes:
        if a not in accelerators and a not in scenario.prices:
            bad(("price_notes", a), "accelerator", a, accelerators, accelerators)
    return out
