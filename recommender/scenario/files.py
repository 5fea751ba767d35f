"""The file-facing models (scenario files, price lists, custom workload files) and their JSON Schemas."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from recommender.models import CustomWorkload, FrozenModel, Scenario, WorkloadSpec
from recommender.scenario.numbers import AsOf, Usd


class Quote(FrozenModel):
    """One vendor quote: the price of one accelerator model."""

    accelerator_id: str = Field(description="Accelerator id, e.g. nvidia-a100-pcie-80gb.")
    price_usd: Usd = Field(description="Quoted price per accelerator in USD (without host).")
    vendor: str | None = Field(default=None, description="Who quoted the price.")
    as_of: AsOf | None = Field(default=None, description="Date of the quote: YYYY, YYYY-MM or YYYY-MM-DD.")
    note: str | None = Field(default=None, description="Anything else about the quote (validity, volume...).")


class PriceList(FrozenModel):
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
        "WorkloadEntry", __base__=FrozenModel, __doc__=WorkloadSpec.__doc__, **workload_fields
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
        "ScenarioFile", __base__=FrozenModel, __doc__="One scenario: the scenario's fields at the top level.",
        **_file_fields(optional=False),
    )
    partial = create_model(  # type: ignore[call-overload]
        "ScenarioEntry", __base__=FrozenModel,
        __doc__="A scenario (or the defaults of a scenarios list); complete once merged with `defaults`.",
        **_file_fields(optional=True),
    )
    multi = create_model(
        "ScenarioListFile", __base__=FrozenModel,
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
    "scenario": Path(__file__).parents[1].joinpath("scenario.schema.json"),
    "price-list": Path(__file__).parents[1].joinpath("price-list.schema.json"),
    "workload": Path(__file__).parents[1].joinpath("workload.schema.json"),
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
    """Editors complete benchmark ids and tasks: ``benchmark`` and ``like`` list the registry's ids, ``task``
    its tasks."""
    from catalog.registry import BENCHMARKS, TASKS

    for name in ("WorkloadEntry", "CustomWorkload", "CustomWorkloadFile"):
        model = schema.get("$defs", {}).get(name) or (schema if schema.get("title") == name else None)
        for prop, values in (("benchmark", list(BENCHMARKS)), ("like", list(BENCHMARKS)), ("task", list(TASKS))):
            spec = (model or {}).get("properties", {}).get(prop)
            if spec is None:
                continue
            for alt in spec.get("anyOf", [spec]):
                if alt.get("type") == "string":
                    alt["enum"] = values


def schema_text(kind: str = "scenario") -> str:
    """The schema as committed: indented JSON with a final newline."""
    return json.dumps(json_schema(kind), indent=2, sort_keys=False) + "\n"
