"""Shared fixtures: the real sample read once, the MiniLM summarizer loaded once, and a tiny
random-init BART with a tokenizer trained on the sample (the abstractive path, not quality)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from torchworks.recipes.patents.text.readers import Patent, read_patents


@pytest.fixture(scope="session")
def sample_jsonl(patents_dir: Path) -> Path:
    return patents_dir / "patents.jsonl"


@pytest.fixture(scope="session")
def sample_patents(sample_jsonl: Path) -> list[Patent]:
    patents = [p for p in read_patents(sample_jsonl) if isinstance(p, Patent)]
    assert len(patents) == 13
    return patents


@pytest.fixture(scope="session")
def extractive_summarizer():
    from torchworks.recipes.patents.summarize.methods import build_summarizer

    return build_summarizer("extractive", device="cpu")


@pytest.fixture(scope="session")
def sample_summaries(extractive_summarizer, sample_patents: list[Patent]) -> list[str]:
    """The default summaries of all 13 sample patents, computed once for several tests."""
    summaries = extractive_summarizer.summarize(sample_patents)
    assert all(isinstance(s, str) for s in summaries)
    return summaries


@pytest.fixture(scope="session")
def tiny_bart_dir(tmp_path_factory: pytest.TempPathFactory, sample_jsonl: Path) -> Path:
    from torchworks.recipes.patents.summarize.tiny import build_tiny_bart

    texts = [json.loads(line)["description"] for line in sample_jsonl.open()]
    return build_tiny_bart(tmp_path_factory.mktemp("tiny-bart"), texts)
