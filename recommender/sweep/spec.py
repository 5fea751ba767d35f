"""Sweep files: a base scenario and axes, read with the scenario files' located YAML reader.

::

    version: 1
    name: capacity-2027            # optional; default: the file name
    base:                          # a scenario, as in a scenario file (paths relative to this file)
      objective: min_time
      workloads: [{benchmark: bert}]
    axes:                          # scenario field -> values; the sweep is their cross product
      workloads:                   # named variants: label -> value
        language: [{benchmark: bert}]
        vision: [{benchmark: resnet}, {benchmark: unet3d}]
      prices:
        reference: {}
        quotes: prices/vendor-quotes.yaml
      power_limit_kw: [20, 40, 80]                                       # a list of values
      budget_usd: {from: 100000, to: 50000000, steps: 40, scale: log}    # a range

Every value of every axis is validated (with the other axes at their first value) before any work, and
errors read ``file:line: field: message`` like scenario files (``sweep.yaml:14: axes.budget_usd[2]: must be
greater than 0``).
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError

from recommender.errors import ScenarioError
from recommender.models import Scenario
from recommender.sweep import _internals as I
from recommender.sweep.axes import Axis, Layout, range_values

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog

__all__ = ["MAX_RANGE_STEPS", "Plan", "SweepError", "SweepFile", "load_sweep", "sweep_schema"]

#: Largest ``steps`` of one range axis.
MAX_RANGE_STEPS = 1_000_000
_TOP_KEYS = ("version", "name", "base", "axes")
_AXIS_FIELDS = tuple(k for k in Scenario.model_fields if k not in ("version", "name"))


class SweepError(ScenarioError):
    """An invalid sweep file; ``errors`` holds every problem found (each ``file:line: field: message``)."""

    def __init__(self, errors: list[Exception]) -> None:
        first = errors[0]
        super().__init__(getattr(first, "message", str(first)), field=getattr(first, "field", None),
                         file=getattr(first, "file", None), line=getattr(first, "line", None))
        self.errors = errors


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Range(_Frozen):
    """Evenly spaced values from `from` to `to` (both included)."""

    from_: float = Field(alias="from", description="First value.")
    to: float = Field(description="Last value.")
    steps: PositiveInt = Field(le=MAX_RANGE_STEPS, description="Number of values (>= 1).")
    scale: Literal["linear", "log"] = Field(default="linear",
                                            description="linear: equal differences; log: equal ratios (> 0).")


class SweepFile(_Frozen):
    """A sweep: a base scenario and axes; one scenario per combination of axis values."""

    version: Literal[1] = Field(default=1, description="Sweep file format version (currently 1).")
    name: str | None = Field(default=None, min_length=1, description="Name of the sweep. Default: the file name.")
    base: dict[str, Any] = Field(description="The scenario every combination starts from (a scenario file's "
                                             "fields; file paths relative to this file).")
    axes: dict[str, Range | list[Any] | dict[str, Any]] = Field(
        min_length=1, description="Scenario field -> a list of values, a range {from, to, steps, scale}, or "
                                  "named variants {label: value} (price lists, workload mixes). The first axis "
                                  "varies slowest.")


def sweep_schema() -> dict[str, Any]:
    """JSON Schema of sweep files (the committed ``recommender/sweep.schema.json``)."""
    schema = SweepFile.model_json_schema(by_alias=True)
    schema["properties"]["axes"]["propertyNames"] = {"enum": list(_AXIS_FIELDS)}
    out: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Sweep file"}
    out.update({k: v for k, v in schema.items() if k != "title"})
    return out


def schema_text() -> str:
    return json.dumps(sweep_schema(), indent=2) + "\n"


@dataclass
class Plan:
    """A loaded sweep: everything a worker needs to build any of its scenarios (small, picklable)."""

    file: str
    name: str
    base: dict[str, Any]  # the validated scenario with every axis at its first value
    axes: tuple[Axis, ...]
    fingerprint: str
    #: what the fingerprint covers, one hash each (``file and axes``, ``catalog``, ``--explain``): a refused
    #: ``--resume`` names the one that differs
    parts: dict[str, str] = field(default_factory=dict)
    layout: Layout = field(init=False)

    def __post_init__(self) -> None:
        self.layout = Layout(tuple(len(a) for a in self.axes), tuple(a.is_limit for a in self.axes))

    @property
    def total(self) -> int:
        return self.layout.total

    def for_run(self, catalog_fingerprint: str | None, explain: bool) -> Plan:
        """This plan with a fingerprint that also covers what a run depends on beyond the file: the catalog
        (a re-imported round changes every answer) and ``--explain`` (explained rows carry more columns'
        contents), so ``--resume`` never mixes rows of two catalogs or of explained and plain runs."""
        payload = f"{self.fingerprint}|{catalog_fingerprint or ''}|{bool(explain)}"
        parts = {"the scenario file or its axes": self.fingerprint, "the catalog": (catalog_fingerprint or "")[:16],
                 "--explain": "with" if explain else "without", **_described(self.base, self.axes)}
        return Plan(self.file, self.name, self.base, self.axes, hashlib.sha256(payload.encode()).hexdigest()[:16],
                    parts)

    def group_data(self, group: int) -> dict[str, Any]:
        """Scenario data of a group: the base with the group's non-limit axis values."""
        data = dict(self.base)
        for a, k in self.layout.group_digits(group).items():
            data.update(self.axes[a].updates[k])
        return data

    def scenario_data(self, index: int) -> dict[str, Any]:
        data = dict(self.base)
        for a, k in enumerate(self.layout.digits(index)[0]):
            data.update(self.axes[a].updates[int(k)])
        data["name"] = f"{self.name}[{index}]"
        return data


def load_sweep(path: str | Path, *, catalog: Catalog | None = None) -> Plan:
    """Read and validate a sweep file; raise :class:`SweepError` with every located problem."""
    doc = I.parse_file(path)
    file = doc.locs[()].file
    data = doc.data
    if not isinstance(data, dict):
        raise SweepError([ScenarioError("a sweep file is a mapping with `base:` and `axes:`", file=file, line=1)])
    errors = _check_top(doc)
    given = data.get("axes") if isinstance(data.get("axes"), dict) else {}
    unknown = {f"axes.{k}" for k in given if k not in _AXIS_FIELDS}
    if any(getattr(e, "field", None) not in unknown for e in errors):
        raise SweepError(errors)  # the file's shape is wrong: nothing below can be read
    name = data.get("name") or Path(path).stem
    incl = I.includes(file, Path(path).parent)
    axes_raw = {k: v for k, v in data["axes"].items() if k in _AXIS_FIELDS}
    firsts: dict[str, tuple[Any, tuple[Any, ...]]] = {}
    specs: list[tuple[str, list[tuple[Any, Any, tuple[Any, ...]]], bool]] = []
    failed: set[str] = set(data["axes"]) - set(axes_raw)
    for fld, raw in axes_raw.items():
        values, named, errs = _axis_values(doc, fld, raw)
        errors += errs
        if values:
            specs.append((fld, values, named))
            firsts[fld] = (values[0][1], values[0][2])
        else:
            failed.add(fld)
    # every problem in one run (a reviewer fixed an unknown axis, then met `steps: 0`, then five more): the
    # readable axes are validated even when others are not, leaving out what follows from the unreadable ones
    if errors:
        later = _validated_axes(doc, specs, firsts, name, incl, catalog)[1]
        raise SweepError(errors + [e for e in later if not _about(e, failed)])
    (axes, base_scenario), errors = _validated_axes(doc, specs, firsts, name, incl, catalog)
    if errors:
        raise SweepError(errors)
    assert base_scenario is not None
    base = base_scenario.model_dump()
    for ax in axes:
        base.update(ax.updates[0])
    return Plan(file, name, base, tuple(axes), _fingerprint(base, axes))


def _validated_axes(doc: Any, specs: list[tuple[str, list[tuple[Any, Any, tuple[Any, ...]]], bool]],
                    firsts: dict[str, tuple[Any, tuple[Any, ...]]], name: str, incl: Any,
                    catalog: Catalog | None) -> tuple[tuple[list[Axis], Scenario | None], list[Exception]]:  # fmt: skip
    """The axes with each value's scenario update (and the first valid scenario), and every value's errors."""
    base_doc = doc.sub(("base",))
    axes: list[Axis] = []
    base_scenario: Scenario | None = None
    seen: set[str] = set()
    errors: list[Exception] = []
    for fld, values, named in specs:
        updates = []
        for _label, value, at in values:
            result = _validate(doc, base_doc, firsts, fld, value, at, name, incl, catalog)
            if isinstance(result, Scenario):
                updates.append(_update(result, fld))
                base_scenario = base_scenario or result
            else:
                errors += [e for e in result if str(e) not in seen and not seen.add(str(e))]  # type: ignore[func-returns-value]
        axes.append(Axis(fld, tuple(v[0] for v in values), tuple(updates), named))
    return (axes, base_scenario), errors


def _about(e: Exception, fields: set[str]) -> bool:
    """Is ``e`` about one of ``fields`` (an axis whose values could not be read: its scenario errors follow
    from that, e.g. "give at least one limit" when the only limit axis failed)?"""
    field = getattr(e, "field", None) or ""
    return any(field == f or field.startswith((f"{f}.", f"{f}[", f"axes.{f}", f"base.{f}")) for f in fields)


def _check_top(doc: Any) -> list[Exception]:
    data = doc.data
    errors: list[Exception] = []
    for key in data:
        if key not in _TOP_KEYS:
            close = difflib.get_close_matches(key, _TOP_KEYS, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(_TOP_KEYS)
            errors.append(I.error_at(doc, (key,), f"unknown key ({hint})"))
    if errors:
        return errors
    plain = {k: v for k, v in data.items() if k != "axes"}
    try:
        _Top.model_validate({**plain, "axes": data.get("axes")})
    except ValidationError as exc:
        return I.validation_errors(exc, doc, _Top)
    for fld in data["axes"]:
        if fld not in _AXIS_FIELDS:
            close = difflib.get_close_matches(fld, _AXIS_FIELDS, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "an axis is a scenario field"
            errors.append(I.error_at(doc, ("axes", fld), f"unknown scenario field ({hint})"))
    return errors


class _Top(_Frozen):
    version: Literal[1] = 1
    name: str | None = Field(default=None, min_length=1)
    base: dict[str, Any]
    axes: dict[str, Any] = Field(min_length=1)


def _axis_values(doc: Any, fld: str, raw: Any) -> tuple[list[tuple[Any, Any, tuple[Any, ...]]], bool, list[Exception]]:
    """(label, raw value, path of the value in the file) of every value of one axis, and errors."""
    here = ("axes", fld)
    if isinstance(raw, dict) and raw and set(raw) & {"from", "to", "steps", "scale"}:
        try:
            r = Range.model_validate(raw)
        except ValidationError as exc:
            return [], False, I.validation_errors(exc, doc.sub(here), Range)
        if r.scale == "log" and (r.from_ <= 0 or r.to <= 0):
            return [], False, [I.error_at(doc, (*here, "from" if r.from_ <= 0 else "to"),
                                          "a log range needs values greater than 0")]
        return [(v, v, here) for v in range_values(r.from_, r.to, r.steps, r.scale)], False, []
    if isinstance(raw, dict) and raw:
        return [(str(k), v, (*here, k)) for k, v in raw.items()], True, []
    if isinstance(raw, list) and raw:
        errors: list[Exception] = []
        out = []
        for k, v in enumerate(raw):
            if isinstance(v, dict | list):
                errors.append(I.error_at(doc, (*here, k), "a list axis holds plain values (numbers, text); give "
                                                          "structured values names: `{label: value, ...}`"))
            elif v in [o[1] for o in out] and type(v) in {type(o[1]) for o in out}:
                errors.append(I.error_at(doc, (*here, k), f"duplicate value {v!r}"))
            else:
                out.append((v, v, (*here, k)))
        return out, False, errors
    what = "an empty list" if raw == [] else "an empty mapping" if raw == {} else f"{type(raw).__name__} {raw!r}"
    return [], False, [I.error_at(doc, here, "must be a list of values, a range {from, to, steps} or named "
                                             f"variants {{label: value}}, not {what}")]


def _validate(doc: Any, base_doc: Any, firsts: dict[str, tuple[Any, tuple[Any, ...]]], fld: str, value: Any,
              at: tuple[Any, ...], name: str, incl: Any, catalog: Any) -> Scenario | list[Exception]:
    """Validate the base with every axis at its first value and ``fld`` at ``value`` (located at ``at``)."""
    data = dict(base_doc.data) if isinstance(base_doc.data, dict) else {}
    locs = dict(base_doc.locs)
    for f, (v, where) in {**firsts, fld: (value, at)}.items():
        data[f] = v
        locs = {p: loc for p, loc in locs.items() if not (p and p[0] == f)}
        n = len(where)
        for p, loc in doc.locs.items():
            if p[:n] == where:
                locs[(f, *p[n:])] = loc
    data["name"] = name
    return I.validate_entry(I.make_doc(data, locs), name, incl, catalog)


def _update(s: Scenario, fld: str) -> dict[str, Any]:
    keys = [fld, "price_notes"] if fld == "prices" else [fld]
    return {k: s.model_dump(include={k})[k] for k in keys}


def _described(base: dict[str, Any], axes: tuple[Axis, ...]) -> dict[str, str]:
    """The base scenario's hash and each axis' values in words (``axis budget_usd`` -> ``3 values, 100000 …
    1000000 (#1a2b3c)``), so a refused ``--resume`` can name the axis that differs."""

    def digest(value: Any) -> str:
        return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:6]

    fields = {a.field for a in axes}
    out = {"the base scenario": digest({k: v for k, v in _cited(base).items() if k not in fields})}
    for a in axes:
        ends = f"{a.labels[0]}" if len(a) == 1 else f"{a.labels[0]} … {a.labels[-1]}"
        out[f"axis {a.field}"] = (f"{len(a)} value{'s' if len(a) != 1 else ''}, {ends} "
                                  f"(#{digest([_cited(u) for u in a.updates])})")
    return out


def _cited(data: dict[str, Any]) -> dict[str, Any]:
    """Scenario data without the price notes, which cite files as the working directory spells them
    ("../prices/q.yaml:8" or "/home/…/q.yaml:8"): a fingerprint must not change with where a sweep is run from
    (``--resume`` from another directory was refused as "other values")."""
    return {k: v for k, v in data.items() if k != "price_notes"}


def _fingerprint(base: dict[str, Any], axes: list[Axis]) -> str:
    payload = json.dumps([_cited(base), [(a.field, a.labels, [_cited(u) for u in a.updates]) for a in axes]],
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
