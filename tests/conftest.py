"""Shared fixtures. ``shared_dir`` is the read-only ../shared folder beside the checkout (CI lays it there)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _find_shared() -> Path | None:
    for cand in [os.environ.get("MLPERF_SHARED_DIR"), REPO.parent / "shared", REPO.parent.parent / "shared"]:
        if cand and (Path(cand) / "mlperf" / "training").is_dir():
            return Path(cand)
    return None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    d = _find_shared()
    if d is None:
        if os.environ.get("CI"):
            pytest.fail("../shared (MLPerf results) is missing beside the checkout")
        pytest.skip("../shared not present")
    return d


@pytest.fixture(autouse=True, scope="session")
def _isolated_model_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never write to the user's cache; one fitted model is shared by the whole session."""
    if "MLPERF_RECOMMENDER_CACHE" not in os.environ:
        os.environ["MLPERF_RECOMMENDER_CACHE"] = str(tmp_path_factory.mktemp("model-cache"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run that collected no tests is a failure, never a silent green (pytest's exit 5 becomes 1)."""
    if session.testscollected == 0 and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
