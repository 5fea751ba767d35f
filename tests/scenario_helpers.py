"""Shared by the scenario, batch and CLI tests: the bad-file corpus's expected messages and a fast model.

The optimizer runs on :func:`optimize_fakes.fake_predict` (deterministic, no fitting) so these tests check
the file handling, the rows and the exit codes, not the performance model.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from optimize_fakes import fake_predict

DATA = Path(__file__).parent / "data"

#: Every file of tests/data/bad with the exact messages it must produce (paths relative to tests/data).
#: ``file`` errors concern the whole file (it gives one error row); the others are per scenario entry.
BAD_CORPUS: dict[str, list[str]] = {
    "bad/syntax.yaml": [
        (
            "bad/syntax.yaml:6: YAML syntax error: expected ',' or ']', but got ':' "
            "(while parsing a flow sequence that starts on line 5)"
        )
    ],
    "bad/duplicate-key.yaml": ["bad/duplicate-key.yaml:5: YAML syntax error: duplicate key 'budget_usd'"],
    "bad/unknown-key.yaml": ["bad/unknown-key.yaml:3: budjet_usd: unknown key (did you mean 'budget_usd'?)"],
    "bad/wrong-type.yaml": [
        "bad/wrong-type.yaml:2: budget_usd: must be an amount such as 110000, 110k, 1.2M or $110,000 (got 'lots')"
    ],
    "bad/negative-budget.yaml": ["bad/negative-budget.yaml:4: budget_usd: must be greater than 0"],
    "bad/zero-power.yaml": ["bad/zero-power.yaml:4: power_limit_kw: must be greater than 0"],
    "bad/empty-workloads.yaml": ["bad/empty-workloads.yaml:3: workloads: must have at least 1 item, not 0"],
    "bad/zero-shares.yaml": [
        "bad/zero-shares.yaml:5: workloads[0].share: the shares sum to 0; give at least one workload a positive share"
    ],
    "bad/unknown-benchmark.yaml": [
        "bad/unknown-benchmark.yaml:5: workloads[1].benchmark: unknown benchmark 'bertt' (closest known: bert)"
    ],
    "bad/unknown-accelerator.yaml": [
        (
            "bad/unknown-accelerator.yaml:7: accelerators[1]: unknown accelerator 'nvidia-a100-pcie' "
            "(closest known: nvidia-a100-pcie-40gb, nvidia-a100-pcie-80gb)"
        )
    ],
    "bad/missing-reference.yaml": [
        "bad/missing-reference.yaml:5: prices: referenced file not found: bad/prices/no-such-file.yaml"
    ],
    "bad/bad-quote.yaml": [("bad/prices/negative-quote.yaml:6: quotes[1].price_usd: must be greater than 0 (the prices "
                           "of bad/bad-quote.yaml:5)")],
    "bad/duplicate-names.yaml": [
        "bad/duplicate-names.yaml:10: scenarios[2].name: duplicate scenario name 'alpha' (first at line 7)"
    ],
    "bad/mixed.yaml": [
        "bad/mixed.yaml:12: scenarios[1].budget_usd: must be greater than 0",
        "bad/mixed.yaml:17: scenarios[2].workloads[0].shares: unknown key (did you mean 'share'?)",
    ],
    "bad/not-a-mapping.yaml": [
        "bad/not-a-mapping.yaml:1: the top level must be a mapping (a scenario or `scenarios:`), not a list"
    ],
    "bad/unknown-top-key.yaml": ["bad/unknown-top-key.yaml:2: default: unknown key (did you mean 'defaults'?)"],
    "bad/wrong-version.yaml": [
        "bad/wrong-version.yaml:1: version: unsupported version 2; this recommender reads version 1"
    ],
}

#: Files whose whole content is unusable (one error row naming the file).
FILE_ERRORS = {"bad/syntax.yaml", "bad/duplicate-key.yaml", "bad/not-a-mapping.yaml", "bad/unknown-top-key.yaml",
               "bad/wrong-version.yaml"}

#: The valid scenarios that sit in bad files, by file: they must still be solved.
VALID_SIBLINGS: dict[str, list[str]] = {
    "bad/duplicate-names.yaml": ["alpha", "beta"],
    "bad/mixed.yaml": ["good-first", "good-last"],
}

EMPTY_DIR_MESSAGE = "bad/empty-dir: no *.yaml or *.yml files in this directory"


@pytest.fixture
def in_data(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from tests/data so file names in messages are short and exact (``bad/x.yaml``)."""
    monkeypatch.chdir(DATA)
    return DATA


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The optimizer's default performance model replaced by the deterministic fake (in this process)."""
    from recommender import api

    monkeypatch.setattr(api, "_default_predictor", lambda: fake_predict)
    return fake_predict
