"""Run the serving app in a background thread on 127.0.0.1, for benchmarks and tests.

`benchmarks/llm_inference.py` measures generation "through the server", which means real HTTP,
the real scheduler and real SSE; this starts exactly that in-process and waits until the hosted
models are loaded (the server answers before its models finish loading).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from torchworks.errors import TorchworksError


@contextlib.contextmanager
def local_server(specs: Sequence[Any], *, timeout_s: float = 300.0,
                 **config: Any) -> Iterator[str]:
    """Yield the base URL of a server hosting `specs` (ServerConfig fields as keywords)."""
    import httpx
    import uvicorn

    from torchworks.serving.app import ServerConfig, create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(specs, ServerConfig(**config))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while not server.started:
            _check(thread.is_alive() and time.monotonic() < deadline, "did not start")
            time.sleep(0.02)
        with httpx.Client(base_url=url, timeout=30) as client:
            while not (ready := client.get("/readyz").json())["ready"]:
                _check(time.monotonic() < deadline and not ready.get("load_errors"),
                       f"did not load its models: {ready}")
                time.sleep(0.05)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=60)


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise TorchworksError(f"the local server {what}")
