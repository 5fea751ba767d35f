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
