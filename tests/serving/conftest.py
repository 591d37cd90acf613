"""A real uvicorn server on 127.0.0.1 (a free port) in a background thread, per test."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from prometheus_client.parser import text_string_to_metric_families

from torchworks.serving.app import ServerConfig, create_app
from torchworks.serving.local import free_port


@dataclass
class RunningServer:
    url: str
    app: object
    client: httpx.Client

    def metric(self, name: str, **labels: str) -> float:
        """Sum of the samples called `name` whose labels include `labels`."""
        text = self.client.get("/metrics").text
        total = 0.0
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and all(sample.labels.get(k) == v
                                               for k, v in labels.items()):
                    total += sample.value
        return total


@pytest.fixture
def serve() -> Iterator[Callable[..., RunningServer]]:
    started: list[tuple[uvicorn.Server, threading.Thread, httpx.Client]] = []

    def start(specs: Sequence[object], **config: object) -> RunningServer:
        app = create_app(specs, ServerConfig(**config))  # type: ignore[arg-type]
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="on"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        started.append((server, thread, client))
        while client.get("/readyz").json()["loading"]:  # models load in the background
            if time.monotonic() > deadline:
                raise RuntimeError("test server did not finish loading its models")
            time.sleep(0.02)
        return RunningServer(f"http://127.0.0.1:{port}", app, client)

    yield start
    for server, thread, client in started:
        client.close()
        server.should_exit = True
        thread.join(timeout=30)
