"""The one id checker: unknown benchmark and accelerator ids of a scenario, with the closest known ones."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from catalog.registry import TASKS, closest_ids
from recommender.cache import per_catalog
from recommender.errors import ScenarioError, UnknownIdError
from recommender.models import Scenario, field_path
from recommender.scenario.located import Doc, PathT
from recommender.scenario.messages import error_at

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog


def known_ids(catalog: Catalog | None = None) -> tuple[list[str], dict[str, str]]:
    """(benchmark ids, {accelerator id: display name}) from the registry and the catalog."""
    if catalog is None:
        import catalog as _catalog

        catalog = _catalog.load()
    return _known_ids(catalog)


@per_catalog(maxsize=8)
def _known_ids(catalog: Catalog) -> tuple[list[str], dict[str, str]]:
    from catalog.registry import BENCHMARKS

    acc = catalog.accelerators
    table = dict(zip(acc["accelerator_id"].astype(str), acc["name"].astype(str), strict=True))
    measured = set(catalog.results["benchmark"].dropna().astype(str))
    return list(BENCHMARKS) + sorted(measured - set(BENCHMARKS)), table


#: The one 'closest known ids' rule (defined in the id registry).
closest = closest_ids


def check_ids(scenario: Scenario, doc: Doc | None = None, catalog: Catalog | None = None) -> list[ScenarioError]:
    """Unknown benchmark and accelerator ids of a scenario, each naming the closest known ids, and custom
    workloads named like a benchmark.

    ``doc`` (the scenario's located source) puts file and line on each error.
    """
    benchmarks, accelerators = known_ids(catalog)
    bench_set = set(benchmarks)
    out: list[ScenarioError] = []

    def bad(path: PathT, kind: str, value: str, known: Iterable[str], names: dict[str, str] | None) -> None:
        near = closest(value, known, names)
        hint = f" (closest known: {', '.join(near)})" if near else ""
        msg = f"unknown {kind} {value!r}{hint}"
        if doc is not None:
            out.append(error_at(doc, path, msg, UnknownIdError))  # type: ignore[arg-type]
        else:
            out.append(UnknownIdError(msg, field=field_path(path)))

    def clash(path: PathT, msg: str) -> None:
        out.append(error_at(doc, path, msg) if doc is not None else ScenarioError(msg, field=field_path(path)))

    for i, w in enumerate(scenario.workloads):
        if w.custom is not None and w.custom.name in bench_set:  # predict() and the tables know it by its name
            clash(("workloads", i, "custom", "name"),
                  f"{w.custom.name!r} is an MLPerf benchmark's id; give the custom workload another name")
        if w.benchmark is not None and w.benchmark not in bench_set:
            bad(("workloads", i, "benchmark"), "benchmark", w.benchmark, benchmarks, None)
        if w.custom is not None:
            if w.custom.like is not None and w.custom.like not in bench_set:
                bad(("workloads", i, "custom", "like"), "benchmark", w.custom.like, benchmarks, None)
            if w.custom.task is not None and w.custom.task not in TASKS:
                bad(("workloads", i, "custom", "task"), "task", w.custom.task, TASKS, None)
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
