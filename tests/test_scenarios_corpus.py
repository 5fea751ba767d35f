"""The bad-file corpus (tests/data/bad): exact ``file:line`` messages from the loader and from the CLI.

Batch behaviour over the same corpus (valid siblings solved, error rows, exit code 2) is in test_batch.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import scenario_helpers
from click.testing import CliRunner
from scenario_helpers import BAD_CORPUS, DATA, FILE_ERRORS, VALID_SIBLINGS

from recommender.cli import cli
from recommender.errors import ScenarioError
from recommender.models import Scenario
from recommender.scenario import InvalidScenario, load_scenario, load_scenarios

fake_model = scenario_helpers.fake_model  # fixture
in_data = scenario_helpers.in_data  # fixture


def test_corpus_is_complete() -> None:
    on_disk = {f"bad/{p.name}" for p in (DATA / "bad").glob("*.yaml")}
    assert on_disk == set(BAD_CORPUS)
    assert (DATA / "bad" / "empty-dir").is_dir() and not list((DATA / "bad" / "empty-dir").glob("*.y*ml"))


@pytest.mark.parametrize("name", sorted(BAD_CORPUS))
def test_loader_messages_are_exact(in_data: Path, name: str) -> None:
    expected = BAD_CORPUS[name]
    if name in FILE_ERRORS:
        with pytest.raises(ScenarioError) as info:
            load_scenarios(name)
        assert [str(info.value)] == expected
        return
    entries = load_scenarios(name)
    messages = [str(e) for entry in entries if isinstance(entry, InvalidScenario) for e in entry.errors]
    assert messages == expected
    valid = [e.name for e in entries if isinstance(e, Scenario)]
    assert valid == VALID_SIBLINGS.get(name, [])


@pytest.mark.parametrize("name", sorted(set(BAD_CORPUS) - set(VALID_SIBLINGS)))
def test_load_scenario_raises_the_first_problem(in_data: Path, name: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(name)
    assert str(info.value) == BAD_CORPUS[name][0]
    assert info.value.file is not None and info.value.line is not None


@pytest.mark.parametrize("name", sorted(BAD_CORPUS))
def test_cli_optimize_reports_each_problem_and_exits_2(in_data: Path, fake_model: object, name: str) -> None:
    result = CliRunner().invoke(cli, ["optimize", name, "--format", "json"])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[: len(BAD_CORPUS[name])] == BAD_CORPUS[name]
    if not result.stdout:  # the file itself is unreadable (no entries): nothing to print
        assert name not in VALID_SIBLINGS
        return
    import json

    records = json.loads(result.stdout)
    records = records if isinstance(records, list) else [records]
    solved = [r for r in records if r["status"] != "error"]
    assert [r["scenario"] for r in solved] == VALID_SIBLINGS.get(name, [])
    assert all(r["status"] in ("optimal", "feasible", "infeasible") for r in solved)
    errors = [r for r in records if r["status"] == "error"]  # each invalid entry keeps its place, with its lines
    assert errors and all(r["error"] and r["error"].split("; ")[0] in result.stderr for r in errors)


def test_the_api_front_door_reads_files_through_the_loader(in_data: Path) -> None:
    from optimize_fakes import fake_predict

    from recommender.api import optimize

    rec = optimize("good/valid.yaml", predictor=fake_predict)
    assert rec.scenario == "valid" and rec.status.value == "optimal"
    with pytest.raises(ScenarioError) as info:
        optimize("bad/unknown-key.yaml", predictor=fake_predict)
    assert str(info.value) == BAD_CORPUS["bad/unknown-key.yaml"][0]
