"""Shutdown that ends every request with an answer, even past the drain timeout.

On SIGTERM uvicorn stops accepting connections and waits for running requests; past its
graceful timeout it cancels them, and a cancelled request answers a plain 500 with a traceback
in the log (a stream is cut with no final event). Here the server owns the cut instead:

- from the first moment of shutdown the app is `draining`: new requests on open connections
  and `/readyz` answer 503 with `Retry-After`;
- at `drain_timeout_s` every request still running is cut by `DrainCutoff`: one that has not
  started its answer gets 503 + `Retry-After`, an SSE stream gets a final
  `data: {"error": ..., "finish_reason": "shutdown"}` event and ends, and each cut is logged;
- uvicorn's own timeout is set a little later, so it never has to cancel anything itself.

`DrainingServer` is the uvicorn server that starts the drain; `serve_app` runs an app with it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("torchworks.serving")
RETRY_AFTER_S = 5  # what a cut or refused client is told: another replica, or this one again
CUT_GRACE_S = 5.0  # uvicorn's timeout past ours: time for the cut answers to be written


class Drain:
    """The app's shutdown state, shared by the server (`begin`) and the middleware."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.draining = False
        self.cut = False
        self._on_cut: set[Callable[[], None]] = set()  # one per running request

    def watch(self, on_cut: Callable[[], None]) -> Callable[[], None]:
        """Call `on_cut` at the cut-off (unless the returned function is called first)."""
        self._on_cut.add(on_cut)
        return lambda: self._on_cut.discard(on_cut)

    def _cut_now(self) -> None:
        self.cut = True
        for on_cut in list(self._on_cut):
            on_cut()

    def begin(self) -> None:
        """Shutdown started (call in the server's event loop): drain, cut at the timeout."""
        if self.draining:
            return
        self.draining = True
        asyncio.get_running_loop().call_later(self.timeout_s, self._cut_now)
        log.info("shutdown: draining; requests still running in %.1f s will be cut",
                 self.timeout_s)


class DrainCutoff:
    """ASGI middleware: cuts each request still running at the drain's cut-off (module doc).

    The request runs in its own task; at the cut-off that task is cancelled and the answer
    written here. (Racing a second task per request against an event cost two tasks and an
    `asyncio.wait` on every request.)"""

    def __init__(self, app: Any, drain: Drain) -> None:
        self.app = app
        self.drain = drain

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.drain.cut:
            await unavailable(send)
            return
        progress = {"started": False, "stream": False, "done": False, "cut": False}

        async def guarded_send(message: dict[str, Any]) -> None:
            if progress["cut"]:
                return  # the cut-off answer owns the connection now
            if message["type"] == "http.response.start":
                progress["started"] = True
                content_type = dict(message.get("headers") or []).get(b"content-type", b"")
                progress["stream"] = content_type.startswith(b"text/event-stream")
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                progress["done"] = True
            await send(message)

        task = asyncio.current_task()
        assert task is not None

        def on_cut() -> None:
            progress["cut"] = True
            task.cancel()

        arrived = time.perf_counter()
        unwatch = self.drain.watch(on_cut)
        try:
            await self.app(scope, receive, guarded_send)
            return
        except asyncio.CancelledError:
            if not progress["cut"]:
                raise
            if hasattr(task, "uncancel"):  # Python 3.11+: this cancel is handled here
                task.uncancel()
        finally:
            unwatch()
        what = f"{scope['method']} {scope['path']}"
        age = time.perf_counter() - arrived
        if not progress["started"]:
            await unavailable(send, what, age)
        elif not progress["done"]:
            log.warning("shutdown: cut %s after %.1f s: %s", what, age,
                        "stream ended with an error event" if progress["stream"]
                        else "response body truncated")
            tail = b""
            if progress["stream"]:
                event = {"error": "the server shut down before this generation finished; "
                                  "retry", "finish_reason": "shutdown"}
                tail = f"data: {json.dumps(event)}\n\n".encode()
            await send({"type": "http.response.body", "body": tail, "more_body": False})


async def unavailable(send: Any, cut: str | None = None, age_s: float = 0.0) -> None:
    """503 + Retry-After, closing the connection; `cut` names a request cut at the drain's
    cut-off before its answer started (logged, with its age)."""
    if cut is not None:
        log.warning("shutdown: cut %s after %.1f s: answered 503", cut, age_s)
    body = json.dumps({"detail": "the server is shutting down; retry in a few seconds"}).encode()
    await send({"type": "http.response.start", "status": 503,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"retry-after", str(RETRY_AFTER_S).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def _server_class() -> type:
    import uvicorn

    class DrainingServer(uvicorn.Server):
        """uvicorn's server, telling the app's `Drain` the moment shutdown starts."""

        def __init__(self, config: uvicorn.Config, drain: Drain) -> None:
            super().__init__(config)
            self.drain = drain

        async def shutdown(self, sockets: Any = None) -> None:
            self.drain.begin()
            await super().shutdown(sockets)

    return DrainingServer


def draining_server(app: Any, **config: Any) -> Any:
    """A uvicorn server for an app from `create_app` (uvicorn.Config keywords), whose graceful
    timeout leaves room for the app's own cut-off."""
    import uvicorn

    drain: Drain = app.state.drain
    config.setdefault("timeout_graceful_shutdown", drain.timeout_s + CUT_GRACE_S)
    # Below info the access log prints nothing, yet uvicorn still formats each line's client
    # address and path first: no access log at all then.
    config.setdefault("access_log", str(config.get("log_level", "info")).lower()
                      in ("trace", "debug", "info"))
    return _server_class()(uvicorn.Config(app, **config), drain)
