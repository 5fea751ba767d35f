"""The shape of the code: small modules and functions, no import cycles, the layering tui -> recommender -> catalog."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("catalog", "recommender", "tui")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80

#: Known exceptions: none. Nothing may be added here.
KNOWN_LONG_MODULES: set[str] = set()
KNOWN_LONG_FUNCTIONS: set[str] = set()
KNOWN_CYCLE_MODULES: set[str] = set()


def _files() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def test_no_module_over_600_lines() -> None:
    long = {_rel(p): n for p in _files() if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert set(long) <= KNOWN_LONG_MODULES, long


def test_no_function_over_80_lines() -> None:
    long = []
    for path in _files():
        if _rel(path) in KNOWN_LONG_FUNCTIONS:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{_rel(path)}:{node.lineno} {node.name} ({n} lines)")
    assert not long, long


def test_api_is_a_short_orchestration() -> None:
    assert len((REPO / "recommender" / "api.py").read_text().splitlines()) < 300


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _graph() -> dict[str, set[str]]:
    """Module -> project modules it imports (anywhere in the file, lazy imports included)."""
    names = {_module_name(p): p for p in _files()}
    graph: dict[str, set[str]] = {}
    for mod, path in names.items():
        deps: set[str] = set()
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    pkg = mod.split(".")[: len(mod.split(".")) - node.level + (1 if is_pkg else 0)]
                    base = ".".join(pkg + ([base] if base else []))
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            for t in targets:
                while t and t not in names:
                    t = t.rpartition(".")[0]
                if t and t != mod:
                    deps.add(t)
        graph[mod] = deps
    return graph


def test_no_import_cycles() -> None:
    """Between modules (a package's __init__ re-exporting its own modules is not a cycle)."""
    graph = _graph()
    graph = {m: {d for d in ds if not (m.startswith(d + ".") and (REPO / d.replace(".", "/") / "__init__.py").exists())}
             for m, ds in graph.items()}  # fmt: skip
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            if state.get(d) == 1:
                cycle = stack[stack.index(d):] + [d]
                if not set(cycle) <= KNOWN_CYCLE_MODULES:
                    cycles.append(cycle)
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, cycles


@pytest.mark.parametrize(("package", "forbidden"), [("catalog", {"recommender", "tui"}), ("recommender", {"tui"})])
def test_layering_tui_recommender_catalog(package: str, forbidden: set[str]) -> None:
    """tui -> recommender -> catalog: a lower layer never imports a higher one (the CLI's `tui` command is the
    one lazy entry point into the app)."""
    allowed = {"recommender.commands.tui"}
    bad = sorted(f"{m} -> {d}" for m, ds in _graph().items() if m.split(".")[0] == package and m not in allowed
                 for d in ds if d.split(".")[0] in forbidden)  # fmt: skip
    assert not bad, bad


def test_planning_and_scenario_do_not_reach_up() -> None:
    """Inside recommender: scenario and planning never import the front door (api) or the commands."""
    bad = sorted(f"{m} -> {d}" for m, ds in _graph().items()
                 if m.startswith(("recommender.scenario", "recommender.planning", "recommender.format",
                                  "recommender.models"))
                 for d in ds if d in ("recommender.api", "recommender.cli") or d.startswith("recommender.commands"))
    assert not bad, bad


def test_a_figures_basis_helpers_live_outside_the_models_and_are_re_exported() -> None:
    """models.py stood at 598 of the 600 lines: a figure's basis and its source helpers moved to their own module,
    which imports nothing of the project; models.py re-exports the same objects for its importers."""
    from recommender import basis, models

    names = ("Basis", "CUSTOM_SOURCE_PREFIX", "custom_source", "is_custom_estimate", "is_custom_measurement",
             "summary_basis")  # fmt: skip
    assert all(getattr(models, n) is getattr(basis, n) for n in names)
    assert not _graph()["recommender.basis"]
    assert len((REPO / "recommender" / "models.py").read_text().splitlines()) <= MAX_MODULE_LINES - 20
