"""Request latency measured from arrival to the last byte written (ASGI middleware).

A timer started inside the route handler misses what a client waits for before and after it:
the body upload and parse, the queue in front of the handler, validation, and writing the
answer (a server P50 of 55 ms against 87-104 ms seen by clients at concurrency 32). This
middleware sits outermost: the clock starts when the request's headers have arrived and stops
when the final body chunk (the last SSE event, for a stream) has been handed to the server.

Only successful (2xx) answers of model routes are observed, labelled by the model and by the
version that answered (the `X-Model-Version` response header).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from torchworks.serving.metrics import ServerMetrics


class ArrivalTimer:
    def __init__(self, app: Any, metrics: ServerMetrics, route_model: Mapping[str, str],
                 version_header: str) -> None:
        self.app = app
        self.metrics = metrics
        self.route_model = route_model  # path -> model name, filled as routes are added
        self.version_header = version_header.lower().encode()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        model = self.route_model.get(scope.get("path", "")) if scope["type"] == "http" else None
        if model is None:
            await self.app(scope, receive, send)
            return
        arrived = time.perf_counter()
        answered: dict[str, Any] = {}

        async def timed_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answered["status"] = message["status"]
                answered["version"] = dict(message.get("headers") or []).get(
                    self.version_header, b"unknown").decode("latin-1")
            await send(message)
            if (message["type"] == "http.response.body" and not message.get("more_body")
                    and 200 <= answered.get("status", 0) < 300):
                self.metrics.latency(model, answered["version"]).observe(
                    time.perf_counter() - arrived)

        await self.app(scope, receive, timed_send)
