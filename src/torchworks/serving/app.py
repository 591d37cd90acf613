"""The FastAPI app: one route per hosted spec, model management, health, metrics, docs.

Routes: `POST /v1/{spec.route}` (predict, or generate with SSE), `GET /v1/models`,
`POST /v1/models/{name}/load` (body `{"version": "2"}`, or empty for the newest servable),
`POST /v1/models/{name}/unload`, `GET /healthz`, `GET /readyz`, `GET /metrics`, `GET /docs`.
"/" is left free: pass `static_dir` to serve a page there (the workbench).

Status codes: 401 no/unknown key, 403 key without that model (or without `admin` for loads)
or a foreign Origin / Host (origin.py), 415 a state-changing request not sent as JSON,
413 body too large, 400 malformed JSON or non-UTF-8, 422 invalid input (names the field),
409 a version refused (rejected by its gate, checksum mismatch) or a load already running,
503 model not loaded / queue full / draining, 504 request timeout.
"""

import asyncio
import contextlib
import json
import logging
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from pydantic import BaseModel

from torchworks.errors import ConfigError
from torchworks.serving.auth import KeyRing
from torchworks.serving.batching import QueueFull
from torchworks.serving.continuous import Scheduler, TokenEvent
from torchworks.serving.docs import (
    MANAGEMENT_ERRORS,
    MODEL_ERRORS,
    SSE_EVENT,
    add_docs,
    add_method_not_allowed,
)
from torchworks.serving.fast_predict import FastPredict, Guards, PredictRoute
from torchworks.serving.generation import GenerationResult, GenerationSpec
from torchworks.serving.hosting import HostedModel, LoadBusy, LoadedVersion, LoadFailed
from torchworks.serving.limits import BodyLimit
from torchworks.serving.metrics import ServerMetrics
from torchworks.serving.origin import LOOPBACK_HOSTS, OriginGuard
from torchworks.serving.registry import ModelStore, VersionRefused, validate_name
from torchworks.serving.service import EncodedJson, ServiceSpec
from torchworks.serving.shutdown import RETRY_AFTER_S, Drain, DrainCutoff
from torchworks.serving.startup import Startup
from torchworks.serving.timing import ArrivalTimer
from torchworks.serving.validation import JsonGuard, validation_error_response

log = logging.getLogger("torchworks.serving")
T = TypeVar("T")
VERSION_HEADER = "X-Model-Version"  # which version answered: lets clients see a hot swap


@dataclass
class ServerConfig:
    models_dir: Path | None = None  # registry root: models/<name>/<version>/
    api_keys: KeyRing | None = None  # None: no auth (only sensible on 127.0.0.1)
    static_dir: Path | None = None  # served at "/" when given
    max_body_bytes: int = 1 << 20
    # Host names accepted (DNS-rebinding guard, origin.py); None accepts any Host header.
    allowed_hosts: frozenset[str] | None = LOOPBACK_HOSTS
    drain_timeout_s: float = 30.0  # on shutdown, requests still running then are cut (503)


class LoadRequest(BaseModel):
    version: str | None = None


def create_app(specs: Sequence[ServiceSpec | GenerationSpec], config: ServerConfig) -> FastAPI:
    metrics = ServerMetrics()
    store = ModelStore(config.models_dir) if config.models_dir else None
    hosted: dict[str, HostedModel] = {}
    for spec in specs:
        validate_name(spec.name)
        if spec.name in hosted:
            raise ConfigError(f"two services share the model name '{spec.name}'")
        hosted[spec.name] = HostedModel(spec, store, metrics)
    startup = Startup(hosted)  # every service loads at once; /readyz reports each
    drain = Drain(config.drain_timeout_s)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        # Load in the background: /healthz answers at once (alive), /readyz once warmed.
        loading = asyncio.create_task(startup.load_all())
        yield
        drain.draining = True
        if not loading.done():
            loading.cancel()
            await asyncio.gather(loading, return_exceptions=True)
        # The process ends: no full garbage collection per model (freed with the process).
        await asyncio.gather(*(model.unload(collect=False) for model in hosted.values()))

    app = _FrontDoorApp(title="torchworks serve", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Models served by torchworks: see /v1/models. Every error body "
                              "is an ErrorBody; state-changing requests must be JSON.")
    app.state.hosted = hosted
    app.state.drain = drain  # shutdown.draining_server starts it on SIGTERM
    app.state.metrics = metrics
    route_model: dict[str, str] = {}
    fast_routes: dict[str, PredictRoute] = {}  # predict paths FastPredict answers directly

    def key_check(model: str | None, admin: bool = False):
        async def check(request: Request) -> None:  # async: no thread-pool hop per request
            if config.api_keys is None:
                return
            presented = request.headers.get("x-api-key") or ""
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() == "bearer":
                presented = token.strip()
            key = config.api_keys.check(presented) if presented else None
            if key is None:
                raise HTTPException(401, "missing or unknown API key: send "
                                    "'Authorization: Bearer <key>'",
                                    headers={"WWW-Authenticate": "Bearer"})
            target = model or request.path_params.get("name")
            if not key.allows(target, admin):
                raise HTTPException(403, f"this API key may not {'manage' if admin else 'use'} "
                                    f"model '{target}'")
        return check

    def current(model: HostedModel) -> LoadedVersion:
        if drain.draining:
            raise HTTPException(503, "server is shutting down; retry in a few seconds",
                                headers={"Retry-After": str(RETRY_AFTER_S)})
        loaded = model.current
        if loaded is None:
            raise HTTPException(503, f"model '{model.name}' is not loaded: "
                                f"POST /v1/models/{model.name}/load")
        return loaded

    def add_predict_route(model: HostedModel, spec: ServiceSpec) -> None:
        async def answer(body: BaseModel) -> tuple[bytes, str]:
            """(JSON body, version that answered); HTTPException for every refusal."""
            loaded = current(model)
            labels = (model.name, loaded.version)
            start = time.perf_counter()
            loaded.acquire()
            try:
                if spec.admit is not None:
                    spec.admit(body)  # the recipe's cap on work (ValueError: 422)
                result = await _within(
                    loaded.runner.submit(body, deadline=start + spec.timeout_s), spec.timeout_s)
            except asyncio.TimeoutError:
                metrics.count(*labels, "timeout")
                raise HTTPException(504, f"no answer within {spec.timeout_s} s") from None
            except QueueFull as exc:
                metrics.count(*labels, "rejected")
                raise HTTPException(503, f"model '{model.name}' is overloaded: {exc}") from None
            except ValueError as exc:
                metrics.count(*labels, "invalid")
                raise HTTPException(422, [{"loc": ["body"], "msg": str(exc)}]) from None
            except Exception as exc:
                metrics.count(*labels, "error")
                log.exception("predict failed for %s", model.name)
                raise HTTPException(500, f"model '{model.name}' failed: {exc!r}") from None
            finally:
                loaded.release()
            metrics.count(*labels, "success")  # latency: timing.ArrivalTimer / FastPredict
            return response_json(result), loaded.version

        check_key = key_check(model.name)

        async def predict(body: spec.request_type) -> Response:  # type: ignore[name-defined]
            payload, version = await answer(body)
            return Response(payload, media_type="application/json",
                            headers={VERSION_HEADER: version})

        path = f"/v1/{spec.route}"
        route_model[path] = model.name
        fast_routes[path] = PredictRoute(model.name, spec.request_type,
                                         check_key if config.api_keys is not None else None,
                                         answer)
        app.post(path, response_model=spec.response_type, summary=spec.description or spec.name,
                 dependencies=[Depends(check_key)], tags=["models"],
                 responses=MODEL_ERRORS)(predict)
        add_method_not_allowed(app, path)

    def add_generate_route(model: HostedModel, spec: GenerationSpec) -> None:
        async def generate(body: spec.request_type,  # type: ignore[name-defined]
                           response: Response) -> StreamingResponse | GenerationResult:
            loaded = current(model)
            response.headers[VERSION_HEADER] = loaded.version
            assert isinstance(loaded.runner, Scheduler)
            try:
                stream = loaded.runner.submit(body)
            except QueueFull as exc:
                metrics.count(model.name, loaded.version, "rejected")
                raise HTTPException(503, f"model '{model.name}' is overloaded: {exc}") from None
            except ValueError as exc:
                metrics.count(model.name, loaded.version, "invalid")
                raise HTTPException(422, [{"loc": ["body", "prompt"], "msg": str(exc)}]) from None
            loaded.acquire()
            if body.stream:
                return StreamingResponse(_sse(stream.events(), loaded),
                                         media_type="text/event-stream",
                                         headers={"Cache-Control": "no-cache",
                                                  VERSION_HEADER: loaded.version})
            try:
                async for event in stream.events():
                    if isinstance(event, GenerationResult):
                        if event.finish_reason == "timeout":
                            raise HTTPException(504, f"generation did not finish within "
                                                f"{spec.timeout_s} s")
                        return event
            except HTTPException:
                raise
            except ValueError as exc:  # this request's sampling failed (its mates went on)
                raise HTTPException(422, [{"loc": ["body"], "msg": str(exc),
                                           "type": "value_error"}]) from None
            except Exception as exc:
                raise HTTPException(500, f"model '{model.name}' failed: {exc!r}") from None
            finally:
                loaded.release()

        path = f"/v1/{spec.route}"
        route_model[path] = model.name
        app.post(path, response_model=None, summary=spec.description or spec.name,
                 dependencies=[Depends(key_check(model.name))], tags=["generation"],
                 responses={200: {"description": "stream true (default): text/event-stream, "
                                  "one `data: {\"text\", \"token_id\"}` event per token, "
                                  "then the GenerationResult and `data: [DONE]` (or a final "
                                  "`data: {\"error\", \"finish_reason\"}` event); stream "
                                  "false: the GenerationResult",
                                  "model": GenerationResult,
                                  "content": {
                                      "text/event-stream": {"schema": SSE_EVENT}}},
                            **MODEL_ERRORS})(generate)
        add_method_not_allowed(app, path)

    for model in hosted.values():
        if isinstance(model.spec, GenerationSpec):
            add_generate_route(model, model.spec)
        else:
            add_predict_route(model, model.spec)

    def lookup(name: str) -> HostedModel:
        try:
            validate_name(name)
        except ConfigError as exc:
            raise HTTPException(422, exc.message) from None
        if name not in hosted:
            raise HTTPException(404, f"no model '{name}' on this server "
                                f"(serving: {', '.join(sorted(hosted))})")
        return hosted[name]

    @app.get("/v1/models", tags=["management"], dependencies=[Depends(key_check(None))],
             responses={k: MANAGEMENT_ERRORS[k] for k in (401, 403)})
    async def list_models() -> list[dict[str, object]]:
        return [{"name": m.name, "route": f"/v1/{m.spec.route}",
                 "kind": "generation" if m.is_generation else "predict",
                 "serving_version": m.current.version if m.current else None,
                 "versions": m.available_versions()} for m in hosted.values()]

    @app.post("/v1/models/{name}/load", tags=["management"], responses=MANAGEMENT_ERRORS,
              dependencies=[Depends(key_check(None, admin=True))])
    async def load(name: str, body: LoadRequest | None = None) -> dict[str, object]:
        model = lookup(name)
        previous = model.current.version if model.current else None
        try:
            loaded = await model.load(body.version if body else None)
        except (VersionRefused, LoadBusy) as exc:
            raise HTTPException(409, exc.message) from None
        except ConfigError as exc:
            raise HTTPException(422, exc.message) from None
        except LoadFailed as exc:
            raise HTTPException(500, f"{exc.message}; version {previous} keeps serving") from None
        startup.ready(name)
        return {"name": name, "version": loaded.version, "previous": previous,
                "skipped": loaded.skipped}

    @app.post("/v1/models/{name}/unload", tags=["management"], responses=MANAGEMENT_ERRORS,
              dependencies=[Depends(key_check(None, admin=True))])
    async def unload(name: str) -> dict[str, object]:
        model = lookup(name)
        previous = model.current.version if model.current else None
        await model.unload()
        startup.unloaded(name)
        return {"name": name, "unloaded": previous}

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], responses={503: {
        "description": "not ready (loading, a model not loaded, or draining): same body"}})
    async def readyz() -> JSONResponse:
        ready, body = startup.readiness(drain.draining)
        return JSONResponse(body, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["health"], response_class=PlainTextResponse,
             responses={200: {"description": "Prometheus text exposition format"}})
    async def prometheus() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        name = route_model.get(request.url.path)
        malformed = any(e.get("type") == "json_invalid" for e in errors)
        if name is not None:
            loaded = hosted[name].current
            metrics.count(name, loaded.version if loaded else "none", "invalid")
        return validation_error_response(list(errors), 400 if malformed else 422)

    for path in ("/v1/models/{name}/load", "/v1/models/{name}/unload"):
        add_method_not_allowed(app, path)
    add_docs(app)
    if config.static_dir is not None:
        from fastapi.staticfiles import StaticFiles

        app.mount("/", StaticFiles(directory=config.static_dir, html=True), name="static")
    app.add_middleware(JsonGuard)
    app.add_middleware(BodyLimit, max_body_bytes=config.max_body_bytes)
    app.add_middleware(OriginGuard, allowed_hosts=config.allowed_hosts)
    app.add_middleware(DrainCutoff, drain=drain)
    app.add_middleware(ArrivalTimer, metrics=metrics, route_model=route_model,
                       version_header=VERSION_HEADER)
    guards = Guards(drain, config.allowed_hosts, config.max_body_bytes, metrics,
                    VERSION_HEADER.lower().encode())
    app.front_door = lambda stack: FastPredict(stack, fast_routes, guards)
    return app


class _FrontDoorApp(FastAPI):
    """FastAPI with `FastPredict` (fast_predict.py) around its whole middleware stack, so a
    well-formed predict request skips the layers whose checks it asks itself."""

    front_door: Callable[[Any], Any] | None = None

    def build_middleware_stack(self) -> Any:
        stack = super().build_middleware_stack()
        return stack if self.front_door is None else self.front_door(stack)


def response_json(result: BaseModel | EncodedJson) -> bytes:
    """A predict answer's body: the predictor's own encoding (`EncodedJson`: a batch's answers
    built in one pass), else pydantic's one pass to JSON bytes (FastAPI's own path: dump,
    validate again, dump, json.dumps, costs ~6x more, e.g. 130 us vs 20 us for 100 items)."""
    if isinstance(result, EncodedJson):
        return result
    return result.__pydantic_serializer__.to_json(result, by_alias=True)


async def _within(awaitable: Awaitable[T], seconds: float) -> T:
    """`asyncio.wait_for` without its extra task per call where Python has `asyncio.timeout`
    (3.11+; there asyncio.TimeoutError is TimeoutError)."""
    if sys.version_info < (3, 11):
        return await asyncio.wait_for(awaitable, seconds)
    async with asyncio.timeout(seconds):
        return await awaitable


async def _sse(events: AsyncIterator[TokenEvent | GenerationResult],
               loaded: LoadedVersion) -> AsyncIterator[str]:
    """Server-sent events; the finally runs when the client disconnects, cancelling the work."""
    try:
        async for event in events:
            if isinstance(event, TokenEvent):
                payload = {"text": event.text, "token_id": event.token_id}
            else:
                payload = event.model_dump()
            yield f"data: {json.dumps(payload)}\n\n"
        yield "data: [DONE]\n\n"
    except Exception as exc:
        yield f"data: {json.dumps({'error': repr(exc)})}\n\n"
    finally:
        await events.aclose()
        loaded.release()
