"""pydantic validation errors -> ``file:line: field: message`` (short messages, closest keys)."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from recommender.errors import ScenarioError
from recommender.models import field_path
from recommender.scenario.located import Doc, PathT


def present_path(data: Any, loc: tuple[Any, ...]) -> tuple[PathT, PathT]:
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


def bools_as_numbers(tp: Any, data: Any, path: PathT) -> list[tuple[PathT, bool]]:
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
                    out.extend(bools_as_numbers(f.annotation, value, (*path, key)))
        elif origin in (list, tuple) and isinstance(data, list) and typing.get_args(alt):
            for i, value in enumerate(data):
                out.extend(bools_as_numbers(typing.get_args(alt)[0], value, (*path, i)))
        elif origin is dict and isinstance(data, dict) and len(typing.get_args(alt)) == 2:
            for key, value in data.items():
                out.extend(bools_as_numbers(typing.get_args(alt)[1], value, (*path, key)))
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
    bound = {"less_than_equal": "le", "less_than": "lt", "greater_than_equal": "ge", "greater_than": "gt"}.get(kind)
    limit = (err.get("ctx") or {}).get(bound) if bound else None
    if isinstance(limit, int | float) and abs(limit) >= 1e6 and float(limit).is_integer():
        msg = msg.replace(str(int(limit)), f"{int(limit):,}")  # 1,000,000,000,000,000,000, not 1000000000000000000
    value = err.get("input")
    if kind.endswith(("_type", "_parsing")) or kind in ("literal_error", "enum"):
        if isinstance(value, str | int | float | bool) or value is None:
            msg += f" (got {value!r})"
        elif isinstance(value, dict):
            msg += " (got a mapping)"
        elif isinstance(value, list):
            msg += " (got a list)"
    return msg


def check_version(doc: Doc) -> None:
    if "version" in doc.data and doc.data["version"] != 1:
        raise error_at(doc, ("version",), f"unsupported version {doc.data['version']!r}; this recommender reads "
                                          "version 1")


def validation_errors(exc: ValidationError, doc: Doc, model: type[BaseModel] | None) -> list[ScenarioError]:
    """One ScenarioError per pydantic error, located in ``doc``; duplicates dropped.

    Model validators name their field at the start of the message (``"workloads[0].share: the shares sum to 0"``);
    that field is moved into the path so the error points at the field's line.
    """
    out: list[ScenarioError] = []
    seen: set[str] = set()
    for err in exc.errors(include_url=False):
        present, cleaned = present_path(doc.data, tuple(err.get("loc", ())))
        message = humanize(err, model, cleaned)
        head = _HEAD_RE.match(message)
        parts = _head_parts(head.group(1)) if head else ()
        if (head and model is not None and err.get("type") == "value_error" and len(present) == len(cleaned)
                and parts[0] in allowed_keys(model, cleaned)):
            cleaned = (*cleaned, *parts)
            present, _ = present_path(doc.data, cleaned)
            message = head.group(2)
        where = doc.loc(present)
        shown = where.path + cleaned[len(present):]
        line = where.line
        if len(present) < len(cleaned):  # the field is missing: point at a sibling the message names, if any
            parent = get_path(doc.data, present)  # ("required when objective is min_tco" -> the objective line)
            named = [k for k in parent if isinstance(k, str) and re.search(rf"\b{re.escape(k)}\b", message)] \
                if isinstance(parent, dict) else []  # fmt: skip
            if named:
                line = doc.loc((*present, named[0])).line
        error = ScenarioError(message, field=field_path(shown) or None, file=where.file, line=line)
        if str(error) not in seen:
            seen.add(str(error))
            out.append(error)
    return out


_HEAD_RE = re.compile(r"^([a-z_][a-z0-9_]*(?:\[\d+\]|\.[a-z_][a-z0-9_\-]*)*): (.+)$", re.DOTALL)  # keys: ids


def _head_parts(head: str) -> PathT:
    """``workloads[0].share`` -> ``("workloads", 0, "share")`` (the field a model validator's message names)."""
    return tuple(int(p) if p.isdigit() else p for p in re.findall(r"[a-z_][a-z0-9_\-]*|\d+", head))


def get_path(data: Any, path: PathT) -> Any:
    for part in path:
        data = data[part]
    return data


def error_at(doc: Doc, path: PathT, message: str, cls: type[ScenarioError] = ScenarioError) -> ScenarioError:
    """A ScenarioError (or subclass) located at ``path`` of ``doc``."""
    present, _ = present_path(doc.data, path)
    where = doc.loc(present)
    shown = where.path + tuple(path[len(present):])
    return cls(message, field=field_path(shown) or None, file=where.file, line=where.line)


def kind_of(value: Any) -> str:
    """What ``value`` is, with its article: "a list", "an empty value", "a str ('abc')"."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "an empty value"  # (it read "not a empty value")
    shown = repr(value)
    if len(shown) > 60:  # a whole non-YAML file (e.g. /etc/passwd) reads as one long string
        shown = shown[:57] + "…"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name} ({shown})"
