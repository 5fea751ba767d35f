"""Import hygiene: the dependency direction tui -> recommender -> catalog, and cheap start-up imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True, cwd=REPO).stdout
    return set(out.split())


def test_import_recommender_is_cheap() -> None:
    mods = _modules_after("import recommender")
    for heavy in ["textual", "sklearn", "pulp", "pandas", "tui"]:
        assert heavy not in mods, f"`import recommender` imported {heavy}"


def test_cli_start_up_imports_no_heavy_modules() -> None:
    mods = _modules_after("import recommender.cli")
    for heavy in ["textual", "sklearn", "pulp", "pandas"]:
        assert heavy not in mods, f"`import recommender.cli` imported {heavy}"


def _imports(package: str, *, top_level_only: tuple[str, ...] = ()) -> set[str]:
    """Top-level package names imported anywhere in ``package`` (only at module level for the named files)."""
    found: set[str] = set()
    for path in (REPO / package).rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        nodes = tree.body if path.name in top_level_only else list(ast.walk(tree))
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def test_dependency_direction() -> None:
    assert not {"recommender", "tui", "textual"} & _imports("catalog")
    # The CLI's `tui` command is the one place that may reach the app, and only lazily inside the command.
    recommender_imports = _imports("recommender", top_level_only=("tui.py",))
    assert not {"tui", "textual", "textual_plotext"} & recommender_imports


def test_no_tests_ran_is_a_failure(tmp_path: Path) -> None:
    """pytest's 'no tests ran' (exit 5) is turned into a failure by conftest.py."""
    (tmp_path / "conftest.py").write_text((REPO / "tests" / "conftest.py").read_text())
    (tmp_path / "test_nothing.py").write_text("X = 1\n")
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                         capture_output=True, text=True, cwd=tmp_path, check=False)
    assert res.returncode == 1, res.stdout


def test_loading_the_cached_model_does_not_import_sklearn() -> None:
    """Start-up speed: a process that predicts from the warm disk cache never imports scikit-learn or scipy."""
    from recommender import performance as estimate

    estimate.default_model()  # fit (or load) into this session's cache; the subprocess inherits its location
    code = ("import pandas as pd, recommender\n"
            "out = recommender.predict(pd.DataFrame({'accelerator_id': ['nvidia-a30-pcie-24gb'], "
            "'accelerators': [8], 'benchmark': ['bert']}))\n"
            "assert out['minutes'].notna().all()")
    mods = _modules_after(code)
    assert "sklearn" not in mods and "scipy" not in mods


def test_the_library_imports_without_textual() -> None:
    """The whole library (front door, scenario files, planning, formatting) works in a process without Textual."""
    code = ("import sys; sys.modules['textual'] = None\n"
            "import recommender.api, recommender.scenario, recommender.planning.mix, recommender.planning.single, "
            "recommender.format, recommender.batch")
    mods = _modules_after(code)
    assert "tui" not in mods and "textual_plotext" not in mods
