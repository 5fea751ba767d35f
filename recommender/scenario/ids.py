"""The one id checker: unknown benchmark and accelerator ids of a scenario, with the closest known ones."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from catalog.registry import TASKS, closest_ids
from recommender.cache import per_catalog
from recommender.errors import ScenarioError, UnknownIdError
from recommender.models import Scenario, field_path
from recommender.scenario.located import Doc, PathT
from recommender.scenario.messages import error_at

#: The benchmark standing in for a custom workload file that could not be read, so the rest of its entry is
#: still checked (no id: YAML text cannot hold a NUL); not reported as an unknown benchmark beside the file's error.
UNREAD = "\x00unread custom workload"

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog


def known_ids(catalog: Catalog | None = None) -> tuple[list[str], dict[str, str]]:
    """(benchmark ids, {accelerator id: display name}) from the registry and the catalog."""
    return _known_ids(_loaded(catalog))


def _loaded(catalog: Catalog | None) -> Catalog:
    if catalog is None:
        import catalog as _catalog

        return _catalog.load()
    return catalog


@per_catalog(maxsize=8)
def _known_ids(catalog: Catalog) -> tuple[list[str], dict[str, str]]:
    from catalog.registry import BENCHMARKS

    acc = catalog.accelerators
    table = dict(zip(acc["accelerator_id"].astype(str), acc["name"].astype(str), strict=True))
    measured = set(catalog.results["benchmark"].dropna().astype(str))
    return list(BENCHMARKS) + sorted(measured - set(BENCHMARKS)), table


def host_keys(catalog: Catalog | None = None) -> tuple[list[str], dict[str, str]]:
    """What a ``host_cost_usd_per_node`` mapping may name: the platforms of the defaults' host rows, and (apart)
    the accelerators that take no host cost, with why (NVL72 racks include it; some are not sold as servers)."""
    return _host_keys(_loaded(catalog))


@per_catalog(maxsize=8)
def _host_keys(catalog: Catalog) -> tuple[list[str], dict[str, str]]:
    from recommender.planning.costs import NVL72, node_kind

    d = catalog.defaults
    platforms = sorted(set(d.loc[d["parameter"] == "host_cost_usd_per_node", "applies_to"].astype(str)))
    not_nodes: dict[str, str] = {}
    for a, form in zip(catalog.accelerators["accelerator_id"].astype(str), catalog.accelerators["form_factor"],
                       strict=True):
        kind = node_kind(a, form if isinstance(form, str) else None, d)
        if kind == NVL72:
            not_nodes[a] = (f"{a} is sold in NVL72 racks whose per-GPU price includes the host (defaults.csv); "
                            "give its price in `prices`, not a host cost")
        elif kind is None:
            not_nodes[a] = f"{a} is not sold as servers ({form if isinstance(form, str) else 'no'} form factor): no host cost"
    return platforms, not_nodes


#: The one 'closest known ids' rule (defined in the id registry).
closest = closest_ids


def check_ids(scenario: Scenario | Mapping[str, Any], doc: Doc | None = None,
              catalog: Catalog | None = None) -> list[ScenarioError]:
    """Unknown benchmark and accelerator ids of a scenario, each naming the closest known ids, and custom
    workloads named like a benchmark.

    ``scenario`` may also be the scenario's plain data before it validates (what is not a string where an id
    belongs is skipped: the schema reports it), so an entry's unknown ids are said with its other errors.
    ``doc`` (the scenario's located source) puts file and line on each error.
    """
    data = scenario.model_dump() if isinstance(scenario, Scenario) else scenario
    benchmarks, accelerators = known_ids(catalog)
    bench_set = set(benchmarks)
    out: list[ScenarioError] = []

    def bad(path: PathT, kind: str, value: Any, known: Iterable[str], names: dict[str, str] | None) -> None:
        if not isinstance(value, str) or value in known:
            return
        near = closest(value, known, names)
        hint = f" (closest known: {', '.join(near)})" if near else ""
        msg = f"unknown {kind} {value!r}{hint}"
        if doc is not None:
            out.append(error_at(doc, path, msg, UnknownIdError))  # type: ignore[arg-type]
        else:
            out.append(UnknownIdError(msg, field=field_path(path)))

    def clash(path: PathT, msg: str) -> None:
        out.append(error_at(doc, path, msg) if doc is not None else ScenarioError(msg, field=field_path(path)))

    for i, w in enumerate(_items(data.get("workloads"))):
        w = w if isinstance(w, Mapping) else {}
        custom = w.get("custom") if isinstance(w.get("custom"), Mapping) else {}
        if isinstance(custom.get("name"), str) and custom["name"] in bench_set:  # predict() and the tables know it by its name
            clash(("workloads", i, "custom", "name"),
                  f"{custom['name']!r} is an MLPerf benchmark's id; give the custom workload another name")
        if w.get("benchmark") not in (None, UNREAD) and str(w["benchmark"]).strip():  # (empty: the schema says so)
            bad(("workloads", i, "benchmark"), "benchmark", w["benchmark"], bench_set, None)
        if custom.get("like") is not None:
            bad(("workloads", i, "custom", "like"), "benchmark", custom["like"], bench_set, None)
        if custom.get("task") is not None:
            bad(("workloads", i, "custom", "task"), "task", custom["task"], TASKS, None)
        for j, m in enumerate(_items(custom.get("measurements"))):
            if isinstance(m, Mapping):
                bad(("workloads", i, "custom", "measurements", j, "accelerator_id"), "accelerator",
                    m.get("accelerator_id"), accelerators, accelerators)
    for key in ("accelerators", "exclude"):
        for j, a in enumerate(_items(data.get(key))):
            bad((key, j), "accelerator", a, accelerators, accelerators)
    prices = data.get("prices") if isinstance(data.get("prices"), Mapping) else {}
    for a in prices:
        bad(("prices", a), "accelerator", a, accelerators, accelerators)
    notes = data.get("price_notes") if isinstance(data.get("price_notes"), Mapping) else {}
    for a in notes:
        if a not in prices:
            bad(("price_notes", a), "accelerator", a, accelerators, accelerators)
    hosts = data.get("host_cost_usd_per_node")
    if isinstance(hosts, Mapping):  # a platform (defaults.csv host row) or an accelerator sold in nodes
        platforms, not_nodes = host_keys(catalog)
        for key in hosts:
            if isinstance(key, str) and key in not_nodes:
                clash(("host_cost_usd_per_node", key), not_nodes[key])
            else:
                bad(("host_cost_usd_per_node", key), "platform or accelerator", key, [*platforms, *accelerators],
                    accelerators)
    for j, q in enumerate(_items(data.get("quotes"))):  # a price list that fails to validate: said with its errors
        if isinstance(q, Mapping):
            bad(("quotes", j, "accelerator_id"), "accelerator", q.get("accelerator_id"), accelerators, accelerators)
    return out


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []
