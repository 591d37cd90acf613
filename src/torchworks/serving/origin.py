"""Keep browsers on other sites away from the API: Host, Origin and Content-Type checks.

With no key file (the local default) any page a user opens could otherwise drive the server:

- a cross-site "simple" request (`Content-Type: text/plain`, no preflight) to
  `POST /v1/models/x/unload`: state-changing requests must be `application/json` (a browser
  must preflight that cross-site, and this server answers no CORS), else 415;
- a page whose Origin is not this server (`Origin` differs from `Host`) sending any
  state-changing request: 403;
- DNS rebinding (evil.example resolves to 127.0.0.1, so the page is "same-origin"): the
  `Host` header must name this server: loopback names, the bound address, or names given
  with `--allowed-host`; else 403. `allowed_hosts=None` turns the Host check off (a server
  behind API keys, reached under names it cannot know).

A request without a body needs no Content-Type (curl's `-X POST`); a browser cannot send one
cross-site without an `Origin` header, which is checked.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def allowed_hosts_for(bind_host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """Names a server bound to `bind_host` answers to: loopback names, the address itself
    (unless it is a wildcard), and `extra`."""
    names = set(LOOPBACK_HOSTS) | {h.lower().strip("[]") for h in extra}
    if bind_host not in ("0.0.0.0", "::", ""):
        names.add(bind_host.lower().strip("[]"))
    return frozenset(names)


@functools.lru_cache(maxsize=256)  # a handful of Host values per server; urlsplit costs us
def _hostname(netloc: str) -> str:
    """'Example.COM:8000' -> 'example.com'; '[::1]:80' -> '::1'."""
    return (urlsplit(f"//{netloc}").hostname or "").lower()


class OriginGuard:
    """ASGI middleware applying the three checks above before the app sees the request."""

    def __init__(self, app: Any, allowed_hosts: frozenset[str] | None) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            found = refusal(dict(scope.get("headers") or []), scope["method"], self.allowed_hosts)
            if found is not None:
                await _reply(send, *found)
                return
        await self.app(scope, receive, send)


def refusal(headers: dict[bytes, bytes], method: str,
            allowed_hosts: frozenset[str] | None) -> tuple[int, str] | None:
    """(status, detail) when the three checks above refuse a request with these headers (one
    dict of the raw header list, as every guard reads it), else None."""
    host = headers.get(b"host", b"").decode("latin-1")
    if allowed_hosts is not None and _hostname(host) not in allowed_hosts:
        return 403, (f"Host {host!r} is not a name this server answers to (a DNS "
                     "rebinding page?); start the server with --allowed-host NAME to add "
                     "it")
    if method in _SAFE_METHODS:
        return None
    origin = headers.get(b"origin")
    if origin is not None:
        origin_text = origin.decode("latin-1")
        if origin_text == "null" or urlsplit(origin_text).netloc.lower() != host.lower():
            return 403, (f"cross-origin request from {origin_text!r} refused: state-"
                         "changing requests must come from this server's own pages or a "
                         "non-browser client")
    content_type = headers.get(b"content-type")
    has_body = headers.get(b"content-length", b"0") != b"0" or b"transfer-encoding" in headers
    if content_type is None and not has_body:
        return None
    media = (content_type or b"").split(b";")[0].strip().lower()
    if media != b"application/json" and not media.endswith(b"+json"):
        return 415, (f"Content-Type {media.decode('latin-1') or '(none)'!r} is not "
                     "accepted: send the body as JSON with 'Content-Type: application/json'")
    return None


async def _reply(send: Any, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
