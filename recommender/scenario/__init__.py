"""Scenario files: YAML with line numbers, defaults, includes, and errors that point at a line.

A scenario file holds either one scenario (the :class:`~recommender.models.Scenario` fields at top level) or
a list of them::

    version: 1
    defaults:            # merged into every entry; an entry's own key replaces the default's value
      workloads: [{benchmark: bert}]
      prices: quotes.yaml          # a price list of vendor quotes, path relative to this file
    scenarios:
      - {name: low, budget_usd: 110k}
      - {name: high, budget_usd: "$900,000"}

Every entry of ``scenarios:`` is validated on its own: :func:`load_scenarios` returns, per entry, either a
:class:`~recommender.models.Scenario` or an :class:`InvalidScenario` record, so one bad entry never sinks its
siblings. Errors read ``file:line: field.path: message`` (``q3.yaml:12: scenarios[2].budget_usd: must be
greater than 0``): the line of the offending key or list item, list indexes counting from 0 as in the file.

Modules: :mod:`.located` (YAML with locations), :mod:`.messages` (pydantic errors -> located messages),
:mod:`.files` (file models, JSON Schemas), :mod:`.includes` (price lists, custom workload files, one entry's
validation), :mod:`.loader` (defaults, ``scenarios:`` lists, :func:`resolve_scenario`), :mod:`.ids` (the one
id checker), :mod:`.safe_io` (bounded reading and YAML composition), :mod:`.numbers` (finite, bounded numbers).
"""

from __future__ import annotations

from typing import Any

#: Public names and the module that defines them, imported on first use: ``recommender.models`` imports
#: :mod:`.numbers` from this package, and :mod:`.files` imports ``recommender.models``, so an eager
#: ``__init__`` would make the two packages' first imports depend on each other's order.
_LAZY = {
    "SCHEMA_FILES": "files", "PriceList": "files", "Quote": "files", "json_schema": "files", "schema_text": "files",
    "check_ids": "ids", "closest": "ids", "known_ids": "ids",
    "InvalidScenario": "loader", "load_located": "loader", "load_scenario": "loader", "load_scenarios": "loader",
    "loads_scenarios": "loader", "resolve_scenario": "loader",
    "display_name": "located", "parse_file": "located", "parse_text": "located",
    "validation_errors": "messages",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'recommender.scenario' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"recommender.scenario.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "SCHEMA_FILES",
    "InvalidScenario",
    "PriceList",
    "Quote",
    "check_ids",
    "closest",
    "display_name",
    "json_schema",
    "known_ids",
    "load_located",
    "load_scenario",
    "load_scenarios",
    "loads_scenarios",
    "parse_file",
    "parse_text",
    "resolve_scenario",
    "schema_text",
    "validation_errors",
]
