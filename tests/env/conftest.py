"""Recorded environments for the doctor's tests: facts files written in `--collect` format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from torchworks.env.facts import Facts, load_facts

FACTS_DIR = Path(__file__).parent / "facts"


@pytest.fixture
def recorded() -> Callable[[str], Facts]:
    """Load tests/env/facts/<name>.json, the way `torchworks doctor --facts` does."""
    return lambda name: load_facts(FACTS_DIR / f"{name}.json")


@pytest.fixture(scope="session")
def machine_facts(tmp_path_factory: pytest.TempPathFactory) -> Facts:
    """This machine's real facts, probed once per session (checkpoints dir not created yet)."""
    from torchworks.env.collect import collect

    base = tmp_path_factory.mktemp("ckpt")
    return collect(checkpoint_dir=str(base / "not" / "yet")).facts
