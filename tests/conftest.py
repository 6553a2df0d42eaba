"""Shared fixtures: paths, small corpora made on the fly, settings isolated from the user's cache."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EVAL = SHARED / "eval"
SEEDS_DIR = ROOT / "data"
FAKES_CSV = EVAL / "fakes_syria" / "fakes_dev.csv"


def seed_files() -> list[Path]:
    return sorted(SEEDS_DIR.glob("0*.txt"))


def require_eval() -> Path:
    """The one gate for tests that need ../shared/eval: skip with the reason on a user's clone, fail under CI."""
    if not EVAL.is_dir():
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"evaluation data missing at {EVAL}: CI must run beside ../shared")
        pytest.skip(f"needs the evaluation data at {EVAL} (beside the checkout); not present in this clone")
    return EVAL


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    return require_eval()


def pytest_runtest_setup(item):
    """Tests marked ``needs_eval`` go through the same gate as the ``eval_dir`` fixture."""
    if item.get_closest_marker("needs_eval") is not None:
        require_eval()


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    """Settings with the gazetteer cache shared across the session but outside the user's home."""
    from pipeline.settings import Settings

    cache = Path(os.environ.get("CLAIMS_ATLAS_TEST_CACHE", ROOT / ".cache" / "test"))
    return Settings(cache_dir=cache, workers=1, progress=False, checkpoint_seconds=0.0)


@pytest.fixture(scope="session")
def worker(settings):
    """The real spaCy pipeline and gazetteer, loaded once per test session."""
    from pipeline.run.worker import Worker

    return Worker(settings)


@pytest.fixture(autouse=True)
def _restore_main_module():
    """Streamlit's AppTest runs app.py as ``__main__``; put the real one back, or every process started
    later with the spawn method (process pools, Dask nannies) would re-run the app on start-up."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main
