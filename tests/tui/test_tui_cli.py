"""`recommender tui`: registration, errors before the app starts, and a cheap CLI start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from recommender.cli import cli


def test_tui_command_is_registered_with_help() -> None:
    res = CliRunner().invoke(cli, ["tui", "--help"])
    assert res.exit_code == 0
    assert "SCENARIO" in res.output and "ctrl+q" in res.output


def test_tui_help_names_the_apps_view_keys() -> None:
    """The CLI's help (which may not import the app) names the keys tui/keys.py binds, not the old digits."""
    from tui.keys import VIEW_KEYS, key_display

    text = " ".join(CliRunner().invoke(cli, ["tui", "--help"]).output.split())
    keys = [key_display(key) for key, _, _ in VIEW_KEYS.values()]
    assert f"{keys[0]}-{keys[-1]} switch views" in text, text
    assert all(title in text for _, title, _ in VIEW_KEYS.values())
    assert "1-4" not in text


def test_invalid_scenario_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: bad\nbudget_usd: -5\nworkloads:\n  - benchmark: bert\n")
    res = CliRunner().invoke(cli, ["tui", str(bad)])
    assert res.exit_code == 2
    assert res.output.strip().count("\n") == 0
    assert "bad.yaml:3: budget_usd: must be greater than 0" in res.output
    assert "Traceback" not in res.output


def test_missing_scenario_file_exit_2(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["tui", str(tmp_path / "nope.yaml")])
    assert res.exit_code == 2 and "nope.yaml" in res.output


def test_loading_the_cli_does_not_import_the_app() -> None:
    code = "import recommender.cli, sys; print('tui.app' in sys.modules, 'textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_one_scenario_of_a_multi_scenario_file_opens_by_name(tmp_path: Path, monkeypatch) -> None:
    # a reviewer: a file with `scenarios:` could not be opened in the app at all (no picker, no --name)
    import tui.app

    f = tmp_path / "m.yaml"
    f.write_text("version: 1\nscenarios:\n  - name: small\n    budget_usd: 100000\n    workloads: [{benchmark: bert}]\n"
                 "  - name: big\n    budget_usd: 1000000\n    workloads: [{benchmark: resnet}]\n")  # fmt: skip
    started: list = []
    monkeypatch.setattr(tui.app.RecommenderApp, "run", lambda self: started.append(self))
    res = CliRunner().invoke(cli, ["tui", str(f)])  # no --name: the app starts and asks which (it exited 2)
    assert res.exit_code == 0, res.output
    asks = started.pop()
    assert asks._open_after_start == str(f) and asks.scenario_path is None
    res = CliRunner().invoke(cli, ["tui", str(f), "--name", "big"])
    assert res.exit_code == 0, res.output
    app = started[0]
    assert app.scenario.name == "big" and app.scenario.budget_usd == 1_000_000
    assert app.scenario_path is None  # saving asks for a file of its own: it must not replace the two-scenario file
    res = CliRunner().invoke(cli, ["tui", str(f), "--name", "nope"])
    assert res.exit_code == 2 and "no scenario named 'nope'; the file has 'small', 'big'" in res.output
