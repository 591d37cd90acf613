"""A small OpenAI-compatible server in front of any `Backend`: for tests and local trials.

It answers `POST /v1/chat/completions` (whole or streamed as server-sent events, ending with
`data: [DONE]`) and `GET /v1/models`, checks a bearer key when one is set, and binds
127.0.0.1. Requests run one at a time (a lock), which is what one in-process model can do;
production traffic belongs on vLLM / SGLang / TensorRT-LLM / Triton, which speak the same API.
"""

# No `from __future__ import annotations`: FastAPI must see the request classes defined below.

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from torchworks.errors import require
from torchworks.recipes.patents.draft.backends import Backend, GenerateParams


def openai_app(backend: Backend, api_key: str = "", model_name: str = "default") -> Any:
    fastapi = require("fastapi", "serve")
    responses = require("fastapi.responses", "serve")
    from pydantic import BaseModel, Field

    class ChatMessage(BaseModel):
        role: str
        content: str

    class ChatRequest(BaseModel):
        model: str = model_name
        messages: list[ChatMessage] = Field(min_length=1)
        max_tokens: int = Field(128, ge=1, le=4096)
        temperature: float = Field(0.0, ge=0.0, le=2.0)
        top_p: float = Field(1.0, gt=0.0, le=1.0)
        stop: list[str] | str | None = None
        seed: int | None = None
        stream: bool = False

    app = fastapi.FastAPI(title="torchworks OpenAI-compatible dev server")
    lock = threading.Lock()

    def authorize(request: Any) -> None:
        if api_key and request.headers.get("authorization") != f"Bearer {api_key}":
            raise fastapi.HTTPException(status_code=401, detail="invalid API key")

    @app.get("/v1/models")
    def models(request: fastapi.Request) -> dict:
        authorize(request)
        return {"object": "list", "data": [{"id": model_name, "object": "model"}]}

    @app.post("/v1/chat/completions")
    def chat(body: ChatRequest, request: fastapi.Request) -> Any:
        authorize(request)
        stop = (body.stop,) if isinstance(body.stop, str) else tuple(body.stop or ())
        params = GenerateParams(max_new_tokens=body.max_tokens, temperature=body.temperature,
                                top_p=body.top_p, stop=stop, seed=body.seed)
        messages = [m.model_dump() for m in body.messages]
        ident = f"chatcmpl-{uuid.uuid4().hex[:12]}"
        if body.stream:
            return responses.StreamingResponse(_events(backend, lock, messages, params, ident,
                                                       model_name),
                                               media_type="text/event-stream")
        with lock:
            text = backend.generate(messages, params)
        return {"id": ident, "object": "chat.completion", "created": int(time.time()),
                "model": model_name,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": text}}],
                "usage": {"completion_tokens": backend.count_tokens(text)}}

    return app


def _events(backend: Backend, lock: threading.Lock, messages: list, params: GenerateParams,
            ident: str, model_name: str) -> Iterator[str]:
    with lock:
        for piece in backend.stream(messages, params):
            chunk = {"id": ident, "object": "chat.completion.chunk", "model": model_name,
                     "choices": [{"index": 0, "delta": {"content": piece},
                                  "finish_reason": None}]}
            yield f"data: {json.dumps(chunk)}\n\n"
    yield "data: [DONE]\n\n"


@dataclass
class RunningServer:
    url: str  # base URL (for the OpenAI server: ending in /v1, as OpenAIBackend wants it)
    server: Any
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_server(backend: Backend, *, host: str = "127.0.0.1", port: int = 0,
                 api_key: str = "", model_name: str = "default") -> RunningServer:
    """Serve `backend` in a background thread; port 0 picks a free one."""
    return serve_app(openai_app(backend, api_key, model_name), host=host, port=port,
                     path="/v1")


def serve_app(app: Any, *, host: str = "127.0.0.1", port: int = 0, path: str = "",
              lifespan: str = "off") -> RunningServer:
    """Run any ASGI app with uvicorn in a daemon thread until `stop()`; waits until it listens."""
    import socket

    uvicorn = require("uvicorn", "serve")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, port))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan=lifespan))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        server.should_exit = True
        raise RuntimeError(f"the server on {host}:{sock.getsockname()[1]} did not start")
    return RunningServer(f"http://{host}:{sock.getsockname()[1]}{path}", server, thread)
