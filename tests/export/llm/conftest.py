"""A tiny Llama model folder, built once per session from the patent sample's text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from torchworks.llm.load import LoadedLM, load_causal_lm
from torchworks.llm.tiny import build_tiny_lm


@pytest.fixture(scope="session")
def tiny_texts(patents_dir: Path) -> list[str]:
    rows = [json.loads(line) for line in (patents_dir / "patents.jsonl").open(encoding="utf-8")]
    return [r["description"][:4000] + " ".join(r["claims"])[:2000] for r in rows]


@pytest.fixture(scope="session")
def tiny_lm_dir(tmp_path_factory: pytest.TempPathFactory, tiny_texts: list[str]) -> Path:
    return build_tiny_lm(tmp_path_factory.mktemp("tiny-llama"), tiny_texts)


@pytest.fixture(scope="session")
def tiny_lm(tiny_lm_dir: Path) -> LoadedLM:
    return load_causal_lm(tiny_lm_dir)
