"""Run and wait for a server on 127.0.0.1: for benchmarks, tests and the dev tools.

"Through the server" means real HTTP, the real batcher or scheduler and real SSE. A server
answers before its models finish loading, so everything that starts one (in a thread here, or as
a `torchworks serve` child process) waits on `/readyz` through `wait_ready`.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from torchworks.errors import TorchworksError


def free_port() -> int:
    """A loopback port nobody listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, *, alive: Callable[[], bool] = lambda: True,
               timeout_s: float = 300.0) -> None:
    """Poll `url`/readyz until 200; fail early if the server died or its models failed to load."""
    import httpx

    deadline = time.monotonic() + timeout_s
    last = "no answer"
    while True:
        try:
            reply = httpx.get(f"{url}/readyz", timeout=5)
            if reply.status_code == 200:
                return
            body = reply.json()
            last = str(body)
            if body.get("load_errors") and not body.get("loading"):
                raise TorchworksError(f"the server at {url} could not load its models: {last}")
        except httpx.HTTPError as exc:
            last = repr(exc)
        if not alive():
            raise TorchworksError(f"the server at {url} exited before it was ready ({last})")
        if time.monotonic() > deadline:
            raise TorchworksError(f"the server at {url} was not ready after {timeout_s:.0f} s "
                                  f"({last})")
        time.sleep(0.1)


@contextlib.contextmanager
def local_server(specs: Sequence[Any], *, timeout_s: float = 300.0,
                 **config: Any) -> Iterator[str]:
    """Yield the base URL of an in-process server hosting `specs` (ServerConfig fields as
    keywords), once its models are loaded."""
    from torchworks.serving.app import ServerConfig, create_app
    from torchworks.serving.shutdown import draining_server

    port = free_port()
    app = create_app(specs, ServerConfig(**config))
    server = draining_server(app, host="127.0.0.1", port=port, log_level="warning")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, alive=thread.is_alive, timeout_s=timeout_s)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=60)
