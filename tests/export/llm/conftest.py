"""A tiny Llama model folder, built once per session from the patent sample's text."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import httpx
import pytest

from torchworks.llm.load import LoadedLM, load_causal_lm
from torchworks.llm.local_server import local_server
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


@pytest.fixture
def serve() -> Iterator[Callable[..., httpx.Client]]:
    """Start a real server on 127.0.0.1 hosting `specs`; hand back a client once loaded."""
    with contextlib.ExitStack() as stack:

        def start(specs: Sequence[object], **config: object) -> httpx.Client:
            url = stack.enter_context(local_server(specs, **config))
            return stack.enter_context(httpx.Client(base_url=url, timeout=60))

        yield start
