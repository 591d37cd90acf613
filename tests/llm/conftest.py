"""A tiny Llama built in-process (tokenizer trained on the patent sample), and a real server."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import httpx
import pytest

from torchworks.llm.load import LoadedLM, load_causal_lm
from torchworks.llm.tiny import build_tiny_lm


def patent_texts(patents_dir: Path) -> list[str]:
    rows = [json.loads(line) for line in (patents_dir / "patents.jsonl").open(encoding="utf-8")]
    return [r["description"][:4000] + " ".join(r["claims"])[:2000] for r in rows]


@pytest.fixture(scope="session")
def tiny_lm_dir(tmp_path_factory: pytest.TempPathFactory, patents_dir: Path) -> Path:
    return build_tiny_lm(tmp_path_factory.mktemp("tiny-llama"), patent_texts(patents_dir))


@pytest.fixture(scope="session")
def tiny_lm(tiny_lm_dir: Path) -> LoadedLM:
    return load_causal_lm(tiny_lm_dir)


@pytest.fixture
def serve() -> Iterator[Callable[..., httpx.Client]]:
    """Start `create_app(specs)` under uvicorn on a free 127.0.0.1 port, wait until its models
    are loaded, and hand back a client."""
    import uvicorn

    from torchworks.serving.app import ServerConfig, create_app

    running: list[tuple[uvicorn.Server, threading.Thread, httpx.Client]] = []

    def start(specs: Sequence[object], **config: object) -> httpx.Client:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        app = create_app(specs, ServerConfig(**config))  # type: ignore[arg-type]
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
        running.append((server, thread, client))
        while not client.get("/readyz").json()["ready"]:  # models load after startup
            assert time.monotonic() < deadline, client.get("/readyz").text
            time.sleep(0.05)
        return client

    yield start
    for server, thread, client in running:
        client.close()
        server.should_exit = True
        thread.join(timeout=30)
