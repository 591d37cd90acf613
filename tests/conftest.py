"""Shared test set-up: markers, paths to the real sample data, GPU skipping."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
PATENTS_DIR = SHARED_DATA / "patents"


def _cuda_available() -> bool:
    try:
        import torch

        return torch.cuda.is_available()
    except Exception:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _cuda_available():
        return
    skip_gpu = pytest.mark.skip(reason="needs a CUDA GPU; none is visible to torch here")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip_gpu)


@pytest.fixture(scope="session")
def patents_dir() -> Path:
    """The real US patent sample beside the repo (../shared/data/patents)."""
    if not PATENTS_DIR.is_dir():
        pytest.skip(f"patent sample not found at {PATENTS_DIR}")
    return PATENTS_DIR
