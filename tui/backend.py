"""The app's only door into the library: every call the TUI makes to ``catalog`` and ``recommender``.

These are the same public functions a library user calls (``catalog.load``, ``catalog.rank``,
``recommender.optimize``, ``recommender.frontier``, ``recommender.scenario.load_scenario``). Keeping them in
one module makes the app easy to test (inject replacements through ``RecommenderApp``'s constructor) and
easy to keep in step with the library.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from recommender import format as fmt
from recommender.planning.relax import (  # noqa: F401 - the app's names for them (defined in the library)
    Infeasibility,
    Miss,
    candidates,
    infeasibility,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from catalog import Catalog
    from recommender.models import Recommendation, Scenario

OptimizeFn = Callable[["Scenario", "Catalog"], "Recommendation"]
FrontierFn = Callable[["Scenario", "Catalog"], "pd.DataFrame"]
ModelReport = tuple["pd.DataFrame", "pd.DataFrame | None", str]


class ModelReportFn(Protocol):
    """``(catalog, *, cached_only=False) -> (by_benchmark, points, source)``; with ``cached_only`` the cached
    summary or None, never the evaluation (the Model view reads the cache on a visit, evaluates only when asked)."""

    def __call__(self, cat: Catalog, *, cached_only: bool = False) -> ModelReport | None: ...


REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = REPO_ROOT / "examples"

#: The built-in seed scenario, shipped as package data: a copy of ``examples/seed.yaml`` (a test keeps the two
#: equal), so an installed package opens the same seed as the source tree.
SEED_PATH = Path(__file__).with_name("seed.yaml")


# ------------------------------------------------------------------------------------------------ catalog
def load_catalog() -> Catalog:
    import catalog

    return catalog.load()


def accelerator_names(cat: Catalog) -> dict[str, str]:
    acc = cat.accelerators
    return {str(a): str(n) for a, n in zip(acc["accelerator_id"], acc["name"])}


def liquid_only_names(cat: Catalog) -> list[str]:
    """Names (without a bracketed note) of the accelerators sold liquid-cooled only (``costs.liquid_only_parts``:
    NVL72-class racks and parts whose catalog notes say "Liquid-cooled"), for the cooling field."""
    from recommender.planning.costs import liquid_only_parts

    names = accelerator_names(cat)
    return [names.get(a, a).split(" (")[0] for a in liquid_only_parts(cat.accelerators, cat.defaults)]


#: Longest accelerator name the allow-list shows whole beside its price; longer ones drop their bracketed note.
ALLOW_NAME_CHARS = 34


def priced_accelerators(cat: Catalog, scenario: Scenario | None = None) -> list[tuple[str, str]]:
    """``(label, id)`` of accelerators with a reference price or a scenario price, by name."""
    from recommender import format as fmt

    prices = dict(scenario.prices) if scenario is not None else {}
    out = []
    for rec in cat.accelerators.to_dict("records"):
        aid = rec["accelerator_id"]
        price = prices.get(aid, rec.get("reference_price_usd"))
        if fmt.is_missing(price):
            continue
        name = str(rec["name"])
        if len(name) > ALLOW_NAME_CHARS:  # the price was cut off ("GB200 (per Blackwell GPU in Grace-Blackwell…")
            name = name.split(" (")[0]
        if len(name) > ALLOW_NAME_CHARS:
            name = name[: ALLOW_NAME_CHARS - 1].rstrip() + "…"
        out.append((f"{name} · {fmt.money(price)}", aid))
    return sorted(out, key=lambda t: t[0].lower())


def benchmark_choices(cat: Catalog | None = None) -> list[tuple[str, str]]:
    """``(label, id)`` of the registry's benchmarks: those the catalog's latest round scored first, then the
    earlier ones, each by name — so "+ Add workload" adds a current benchmark (a reviewer: it added DLRM, retired
    since v3.0, whose estimate flipped the answer; the list was in no obvious order)."""
    from catalog.registry import BENCHMARKS

    res = cat.results if cat is not None else None
    current = set() if res is None else set(res.loc[res["round"] == cat.latest_round, "benchmark"].astype(str))
    choices = [(f"{b.name} ({b.id})", b.id) for b in BENCHMARKS.values()]
    return sorted(choices, key=lambda t: (bool(current) and t[1] not in current, t[0].lower()))


def rank(cat: Catalog, row: dict[str, Any], metric: str = "minutes") -> tuple[str, pd.DataFrame]:
    """The same-configuration ranking for a results row: same benchmark, accelerator, count and division.

    ``metric``: ``"minutes"`` (time to train) or ``"energy"`` (energy to train: MLPerf Power results only).
    """
    import catalog

    names = accelerator_names(cat)
    bench, acc, n, division = row["benchmark"], row.get("accelerator_id"), row.get("accelerators"), row["division"]
    kwargs: dict[str, Any] = {"division": division, "catalog": cat, "metric": metric}
    from recommender import format as fmt

    if not fmt.is_missing(acc):
        kwargs["accelerator"] = acc
    if not fmt.is_missing(n):
        kwargs["accelerators"] = int(n)
    frame = catalog.rank(bench, **kwargs)
    what = f"{fmt.count(n)} × {names.get(acc, acc)}" if not fmt.is_missing(n) and not fmt.is_missing(acc) else "this system"
    plural = "s" if len(frame) != 1 else ""
    if metric == "energy":
        if not len(frame):
            return (f"Same configuration: {what} on {bench}, {division} division — no MLPerf Power result "
                    "(energy was not measured for this configuration)"), frame
        title = (f"Same configuration: {what} on {bench}, {division} division — {len(frame)} MLPerf Power "
                 f"result{plural}, lowest energy to train first (ranked within each round; “vs lowest energy” is "
                 "derived, not an MLPerf result)")
    else:
        title = (f"Same configuration: {what} on {bench}, {division} division — {len(frame)} result{plural}, "
                 "fastest first (ranked within each round; “vs fastest” is derived, not an MLPerf result)")
    return title, frame


# ---------------------------------------------------------------------------------------------- scenarios
def default_scenario_path() -> Path:
    """The seed scenario: ``examples/seed.yaml`` in a source tree, else the copy shipped in the package."""
    example = EXAMPLES_DIR / "seed.yaml"
    return example if example.is_file() else SEED_PATH


def is_shipped_example(path: Path) -> bool:
    """True for the seed and the examples (saving offers a new file rather than overwriting them)."""
    p = path.resolve()
    return p == SEED_PATH.resolve() or EXAMPLES_DIR.resolve() in p.parents


def parse_scenario(data: dict[str, Any] | Scenario) -> Scenario:
    """Validate a dict into a Scenario; raises ScenarioError naming the field."""
    from recommender.models import parse_scenario as _parse

    return _parse(data)


def _other_errors(scenarios: Any, path: str | Path, first: Exception) -> list[str]:
    """The errors after ``first`` of the invalid entry it belongs to (``file:line: field: message`` each)."""
    try:
        entries = scenarios.load_scenarios(path)
    except Exception:  # noqa: BLE001 - a whole-file problem: ``first`` says it
        return []
    for entry in entries:
        errors = [str(e) for e in getattr(entry, "errors", ())]
        if errors and errors[0] == str(first):
            return errors[1:]
    return []


def load_scenario(path: str | Path, name: str | None = None) -> Scenario:
    """Read a scenario YAML file through the library's loader (errors carry ``file:line``); ``name`` picks one
    of a file's ``scenarios:``."""
    try:
        scenarios = importlib.import_module("recommender.scenario")
    except ModuleNotFoundError:  # pragma: no cover - until the batch helper's loader lands
        scenarios = None
    if scenarios is not None and hasattr(scenarios, "load_scenario"):
        from recommender.errors import ScenarioError

        try:
            return scenarios.load_scenario(path, name=name)
        except ScenarioError as exc:
            if name is None and "choose one by name" in exc.message:  # (the command line; ctrl+o asks)
                raise ScenarioError(f"{exc.message} — open it with `recommender tui {path} --name NAME`",
                                    field=exc.field, file=exc.file, line=exc.line) from None
            rest = _other_errors(scenarios, path, exc)  # (a reviewer fixed one error, to meet the next on reopening)
            if rest:
                raise ScenarioError("\n".join([exc.message, *rest]), field=exc.field, file=exc.file,
                                    line=exc.line) from None
            raise
    from ruamel.yaml import YAML

    from recommender.errors import ScenarioError

    try:
        data = YAML(typ="safe").load(Path(path).read_text())
    except Exception as exc:  # noqa: BLE001 - any parse error is shown to the user
        raise ScenarioError(f"cannot read: {exc}", file=str(path)) from None
    return parse_scenario(data)


@dataclass(frozen=True)
class ScenarioChoice:
    """One scenario of a file with several (``scenarios:``), as the app offers it to pick."""

    name: str
    #: ``budget $150,000 · min_time``; for an entry that does not validate, its first error (opening it lists all).
    summary: str
    valid: bool = True


def scenario_choices(path: str | Path) -> list[ScenarioChoice]:
    """The scenarios of a file that holds several, to pick one from (then :func:`load_scenario` with its name);
    ``[]`` for a file with one, or one that cannot be read (:func:`load_scenario` then says why)."""
    from recommender.errors import ScenarioError
    from recommender.scenario import InvalidScenario, load_scenarios

    try:
        entries = load_scenarios(path)
    except (ScenarioError, OSError):
        return []
    if len(entries) < 2:
        return []
    choices = []
    for entry in entries:
        if isinstance(entry, InvalidScenario):
            first = entry.first()
            field = re.sub(r"^scenarios\[\d+\]\.", "", first.field or "")  # (its own field: no scenarios[1].)
            field = f"{field}: " if field else ""
            choices.append(ScenarioChoice(entry.name, f"invalid (line {first.line or entry.line}): {field}"
                                                      f"{first.message}", valid=False))
        else:
            budget = f"budget {fmt.money(entry.budget_usd)}" if entry.budget_usd is not None else "no budget"
            choices.append(ScenarioChoice(entry.name, f"{budget} · {entry.objective.value}"))
    return choices


def default_scenario() -> tuple[Scenario, Path]:
    path = default_scenario_path()
    return load_scenario(path), path


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    """A scenario as a JSON-ready dict (what the form edits)."""
    return scenario.model_dump(mode="json")


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write a scenario as YAML (the library's writer if it has one; else ruamel with defaults left out)."""
    try:
        scenarios = importlib.import_module("recommender.scenario")
    except ModuleNotFoundError:  # pragma: no cover
        scenarios = None
    if scenarios is not None and hasattr(scenarios, "save_scenario"):
        return Path(scenarios.save_scenario(scenario, path) or path)
    from ruamel.yaml import YAML

    data = _whole_numbers(scenario.model_dump(mode="json", exclude_defaults=True))
    data = {"version": 1, **data}
    p = Path(path)
    yaml = YAML()
    yaml.default_flow_style = False
    tmp = p.with_name(p.name + ".tmp")
    with tmp.open("w") as fh:
        fh.write("# mlperf-recommender scenario (saved from the TUI)\n")
        yaml.dump(data, fh)
    tmp.replace(p)
    return p


def _whole_numbers(value: Any) -> Any:
    """Whole floats as integers, all the way down: ``budget_usd: 110000``, not ``110000.0`` (a reviewer)."""
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


# ------------------------------------------------------------------------------------------ solve + model
def optimize(scenario: Scenario, cat: Catalog) -> Recommendation:
    import recommender

    return recommender.optimize(scenario, catalog=cat)


def frontier(scenario: Scenario, cat: Catalog) -> pd.DataFrame:
    import recommender

    return recommender.frontier(scenario, catalog=cat)


def model_is_cached() -> bool:
    """True when the fitted performance model is on disk (or the estimate module cannot tell)."""
    try:
        estimate = importlib.import_module("recommender.performance.store")
    except ModuleNotFoundError:
        return True
    fn = getattr(estimate, "model_is_cached", None)
    if fn is None:
        return True
    try:
        return bool(fn())
    except Exception:  # noqa: BLE001
        return True


def export_recommendation(rec: Recommendation, path: str | Path, fmt: str) -> Path:
    """Write ``rec`` as Markdown or JSON (atomically)."""
    import json

    p = Path(path)
    text = rec.to_markdown() if fmt == "markdown" else json.dumps(rec.to_dict(), indent=2) + "\n"
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(p)
    return p


#: Columns of the Model view's table (numbers; percentages are 0-100).
MODEL_REPORT_COLUMNS = ["group", "results", "model_mdape_pct", "model_bias_pct", "model_coverage_pct",
                        "nearest_linear_mdape_pct", "flops_ratio_mdape_pct"]


def model_report(cat: Catalog, until: str | None = None, *, cached_only: bool = False) -> ModelReport | None:
    """Accuracy of the performance model by benchmark on the forward split (train on rounds before the
    latest, test on the latest), next to the two baselines, from ``recommender.performance.evaluate.evaluate``.
    ``until`` (``recommender tui --model-until``) first drops every result after that round: a development
    evaluation, for whoever is changing the model and must not look at the final test.

    The evaluation refits the model, so its summary is cached beside the fitted model (keyed by the
    catalog's fingerprint and the model's code); the first call takes as long as one fit. ``cached_only``
    returns that cached summary, or None when there is none, and never evaluates.
    """
    from recommender.performance import model_key

    if until is not None:
        from catalog.registry import round_key
        from recommender.errors import ScenarioError
        from recommender.performance.evaluate import catalog_until

        if round_key(until) >= round_key(cat.latest_round):
            raise ScenarioError(f"--model-until {until}: name a round before the catalog's latest "
                                f"({cat.latest_round}); testing on the latest round is the final test")
        cat = catalog_until(cat, until)
    latest = cat.latest_round
    source = (f"trained on rounds before {latest}, tested on {latest} (closed division); MdAPE = median "
              "absolute percentage error of minutes; coverage of the 80 % interval; baselines (their MdAPE): "
              "nearest-linear = the nearest measured count scaled linearly, FLOPS-ratio = the nearest accelerator "
              "by peak FLOPS")
    if until is not None:
        source = f"DEVELOPMENT evaluation, rounds ≤ {until}, not the final test: " + source
    # keyed by the catalog's content and the model's code (a new model version re-evaluates)
    path = model_key.cache_dir() / f"tui-model-report-{cat.fingerprint[:16]}-{model_key.code_fingerprint()}.json"
    cached = _cached_model_report(path)
    if cached is not None:
        return cached[0], cached[1], source + " (cached)"
    if cached_only:
        return None
    frame, points = _evaluate_model(cat)
    _write_model_report(path, frame, points)
    return frame, points, source


def _cached_model_report(path: Path) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The Model view's table and points as cached at ``path``, or None (no file, or an unreadable one)."""
    import json

    import pandas as pd

    if not path.is_file():
        return None
    try:
        cached = json.loads(path.read_text())
        frame = pd.DataFrame(cached["table"], columns=MODEL_REPORT_COLUMNS)
        points = pd.DataFrame(cached["points"], columns=["benchmark", "measured", "predicted"])
    except (ValueError, OSError, KeyError, TypeError):
        return None
    return frame, points


def _write_model_report(path: Path, frame: pd.DataFrame, points: pd.DataFrame) -> None:
    import json

    try:
        from catalog.atomic import write_text_atomic

        write_text_atomic(path, json.dumps({"table": json.loads(frame.to_json(orient="records")),
                                            "points": json.loads(points.to_json(orient="records"))}))
    except OSError:
        pass


def _evaluate_model(cat: Catalog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The forward split's metrics by benchmark (:data:`MODEL_REPORT_COLUMNS`) and predicted vs measured points:
    refits the model (the long part)."""
    import pandas as pd

    from recommender.performance.evaluate import evaluate

    latest = cat.latest_round
    ev = evaluate(cat, splits=("forward",), rounds=1)
    m = ev.metrics
    final = m["split"].astype(str).str.startswith(f"rounds<{latest} / {latest}")
    m = m[final] if final.any() else m
    rows = []
    for group in m["group"].drop_duplicates():
        g = m[m["group"] == group].set_index("method")

        def val(method: str, col: str, g: pd.DataFrame = g) -> float:
            return float(g.loc[method, col]) if method in g.index else float("nan")

        rows.append({
            "group": str(group).removeprefix("benchmark "),
            "results": int(g["n"].max()),
            "model_mdape_pct": val("model", "mdape"),
            "model_bias_pct": val("model", "bias"),
            "model_coverage_pct": val("model", "coverage"),
            "nearest_linear_mdape_pct": val("nearest-linear", "mdape"),
            "flops_ratio_mdape_pct": val("flops-ratio", "mdape"),
        })
    frame = pd.DataFrame(rows, columns=MODEL_REPORT_COLUMNS)
    p = ev.predictions
    if len(p) and "split" in p:
        p = p[p["split"] == p["split"].iloc[-1]] if (p["split"] == f"rounds<{latest} / {latest}").sum() == 0 \
            else p[p["split"] == f"rounds<{latest} / {latest}"]
    points = (pd.DataFrame({"benchmark": p["benchmark"].astype(str), "measured": p["minutes"].astype(float),
                            "predicted": p["model"].astype(float)})
              if len(p) else pd.DataFrame(columns=["benchmark", "measured", "predicted"]))
    return frame, points


# ------------------------------------------------------------------------------------------ infeasible
CandidatesFn = Callable[["Scenario", "Catalog"], "pd.DataFrame"]
