"""The front door for well-formed predict requests: every guard in one pass, then the model.

Profiled at concurrency 32 (benchmarks/rec_serve.py), a predict request went through eleven
ASGI layers before the model saw it: FastAPI's error, telemetry and body-limit middleware, our
five guards (arrival timer, drain cut-off, origin, body limit, JSON guard), each with its own
`dict(headers)`, send wrapper or receive replay, and the JSON guard's second full parse of the
body. They cost more server CPU per request than uvicorn's HTTP parsing and the model's share
of a batched search together.

`FastPredict` wraps the whole middleware stack (outermost). For `POST` to a predict route it
asks each guard's own question once, from one header dict: draining? Host, Origin and
Content-Type allowed (`origin.refusal`)? `Content-Length` within the limit? Body one message
with no non-finite number or lone surrogate (`validation.find_unsafe_value`)? API key good?
Body valid for the route's pydantic model? Then it runs the route's own `answer()` (the one the
FastAPI route runs), writes the answer with the headers Starlette's `Response` writes, records
the latency as `ArrivalTimer` does, and answers 503 at the drain's cut-off as `DrainCutoff`
does.

Whenever any answer would be a refusal or an error it is not sure of, it hands the request,
body replayed, to the stack behind it, where each guard and FastAPI write exactly the answer
they always wrote (the hostile, schemathesis and deadline tests pin those). Only an error raised
by the model itself (`HTTPException` from `answer`: 422, 503, 504, ...) is written here, by
FastAPI's own `http_exception_handler`, since running the model again is not an option.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from pydantic import BaseModel, ValidationError

from torchworks.serving.metrics import ServerMetrics
from torchworks.serving.origin import refusal
from torchworks.serving.shutdown import Drain, unavailable
from torchworks.serving.validation import find_unsafe_value, replaying

log = logging.getLogger("torchworks.serving")
JSON_TYPE = (b"content-type", b"application/json")


@dataclass(frozen=True)
class PredictRoute:
    model: str
    request_type: type[BaseModel]
    check_key: Callable[[Request], Awaitable[None]] | None  # None: the server has no keys
    answer: Callable[[Any], Awaitable[tuple[bytes, str]]]  # the route's body: (JSON, version)


@dataclass(frozen=True)
class Guards:
    """What the guard middlewares are configured with, for the front door to ask the same."""

    drain: Drain
    allowed_hosts: frozenset[str] | None
    max_body_bytes: int
    metrics: ServerMetrics
    version_header: bytes  # lower-case name of the header saying which version answered


class FastPredict:
    def __init__(self, app: Any, routes: Mapping[str, PredictRoute], guards: Guards) -> None:
        self.app = app  # the whole middleware stack: every guard, then FastAPI
        self.routes = routes  # path -> route, filled as predict routes are added
        self.guards = guards

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        route = self.routes.get(scope.get("path", "")) if scope["type"] == "http" else None
        if route is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        arrived = time.perf_counter()
        guards = self.guards
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if (guards.drain.draining or guards.drain.cut or not declared.isdigit()
                or int(declared) > guards.max_body_bytes
                or refusal(headers, "POST", guards.allowed_hosts) is not None):
            await self.app(scope, receive, send)  # the guards behind say no, as they always did
            return
        message = await receive()
        replay = replaying(message, receive)
        raw = message.get("body", b"")
        if (message.get("type") != "http.request" or message.get("more_body") or not raw
                or len(raw) > guards.max_body_bytes or find_unsafe_value(raw) is not None):
            await self.app(scope, replay, send)
            return
        request = Request(scope, replay) if route.check_key is not None else None
        try:
            if route.check_key is not None:
                await route.check_key(request)  # type: ignore[arg-type]
            body = route.request_type.model_validate_json(raw)
        except (HTTPException, ValidationError):
            await self.app(scope, replay, send)  # 401/403 or FastAPI naming the bad field
            return
        await self._answer(route, body, scope, replay, send, arrived)

    async def _answer(self, route: PredictRoute, body: BaseModel, scope: dict[str, Any],
                      receive: Any, send: Any, arrived: float) -> None:
        """`answer(body)` written out, cut with a 503 at the drain's cut-off (DrainCutoff)."""
        task = asyncio.current_task()
        assert task is not None
        cut = False

        def on_cut() -> None:
            nonlocal cut
            cut = True
            task.cancel()

        started = False
        unwatch = self.guards.drain.watch(on_cut)
        try:
            try:
                payload, version = await route.answer(body)
            except HTTPException as exc:
                response = await http_exception_handler(Request(scope, receive), exc)
                started = True
                await response(scope, receive, send)
                return
            # The headers Starlette's Response(payload, media_type=JSON, headers=...) writes.
            started = True
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(self.guards.version_header, version.encode("latin-1")),
                                    (b"content-length", str(len(payload)).encode()),
                                    JSON_TYPE]})
            await send({"type": "http.response.body", "body": payload})
        except asyncio.CancelledError:
            if not cut:
                raise
            if hasattr(task, "uncancel"):  # Python 3.11+: this cancel is handled here
                task.uncancel()
            what, age = f"POST {scope['path']}", time.perf_counter() - arrived
            if not started:
                await unavailable(send, what, age)
            else:
                log.warning("shutdown: cut %s after %.1f s: response body truncated", what, age)
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        finally:
            unwatch()
        self.guards.metrics.latency(route.model, version).observe(time.perf_counter() - arrived)
