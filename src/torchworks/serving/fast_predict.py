"""A direct path for well-formed predict requests, past FastAPI's router and dependency solver.

Profiled at concurrency 32, routing one `POST /v1/<route>` through Starlette's router, FastAPI's
dependency solver (the API-key check), its body parsing and its Response object took about
half of the server's CPU per request, more than the model's batched search. This ASGI layer
sits inside every guard middleware (timer, drain, origin, body limit, JSON guard) and in front
of the FastAPI app. For a predict path it checks the key, parses and validates the body with
the route's own pydantic model in one pass, and answers with the same code the FastAPI route
runs (`answer`), so status codes, bodies and metrics are the same.

Anything it is not sure of goes to the FastAPI app unchanged, with the body replayed: a body
that does not validate (FastAPI then writes the 400/422 it always wrote), a request with no
JSON content type, every other path and method. An `HTTPException` from the key check or the
model (401, 403, 503, 504, ...) is written by FastAPI's own `http_exception_handler`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from torchworks.serving.validation import replaying


@dataclass(frozen=True)
class PredictRoute:
    request_type: type[BaseModel]
    check_key: Callable[[Request], Awaitable[None]]
    answer: Callable[[Any], Awaitable[Response]]  # the FastAPI route's own body


class FastPredict:
    def __init__(self, app: Any, routes: Mapping[str, PredictRoute]) -> None:
        self.app = app
        self.routes = routes  # path -> route, filled as predict routes are added

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        route = self.routes.get(scope.get("path", "")) if scope["type"] == "http" else None
        if route is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        message = await receive()  # BodyLimit has buffered the whole (bounded) body
        replay = replaying(message, receive)
        raw = message.get("body", b"")
        if message.get("type") != "http.request" or message.get("more_body") or not raw:
            await self.app(scope, replay, send)
            return
        request = Request(scope, replay)
        try:
            await route.check_key(request)
        except HTTPException as exc:
            await (await http_exception_handler(request, exc))(scope, replay, send)
            return
        try:
            body = route.request_type.model_validate_json(raw)
        except ValidationError:
            await self.app(scope, replay, send)  # FastAPI names the problem, as it always has
            return
        try:
            response = await route.answer(body)
        except HTTPException as exc:
            response = await http_exception_handler(request, exc)
        await response(scope, replay, send)
