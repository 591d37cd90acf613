"""JSON that Python parses but no model should see, and validation errors that stay short.

Python's `json` accepts `NaN`, `Infinity`, numbers that overflow to infinity (`1e400`) and
strings with lone surrogates (`"\\ud800"`), none of which is valid JSON (RFC 8259) or can be
encoded back to UTF-8. Unchecked, they reach a model (a NaN feature) or break the error
handler itself (it echoes the input and cannot encode it: a plain-text 500). `JsonGuard`
looks at every JSON request body before the app does and answers 422 naming the field.

`validation_error_response` builds the 422 body from pydantic's errors: each error keeps its
location, message and type, and at most a short excerpt of the offending input, so a 500 KB
list never comes back as a 400 KB error.
"""

from __future__ import annotations

import json
import math
import re
import reprlib
from typing import Any

from fastapi.responses import JSONResponse

MAX_EXCERPT_CHARS = 80
MAX_ERRORS = 20  # errors listed in one answer; the message counts the rest
_REPR = reprlib.Repr()  # keyword arguments only from Python 3.12
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring, _REPR.maxother = 2, 4, 4, 40, 40
_BODY_METHODS = {"POST", "PUT", "PATCH"}
# Every way a body can hold a non-finite number or a lone surrogate leaves one of these in its
# UTF-8 bytes: the constants, an exponent, an integer part too long for a float, a \uD800-
# \uDFFF escape. A body without any (nearly every real one) skips the full parse below.
_MAYBE_UNSAFE = re.compile(rb"NaN|Infinity|\d[eE]|\d{309}|\\u[dD][89a-fA-F]")


class _NonFinite:
    """Stands in for a NaN / infinite number while the body is parsed, so we can say where."""

    def __init__(self, text: str) -> None:
        self.text = text


def find_unsafe_value(body: bytes) -> tuple[list[str | int], str, str] | None:
    """(location, message, error type) of the first non-finite number or unencodable string
    in a JSON body; None when there is none or the body is not JSON at all (the app says
    why then, as a 400)."""
    if b"\x00" not in body and _MAYBE_UNSAFE.search(body) is None:
        return None  # UTF-8 (UTF-16/32 JSON always has zero bytes) with no candidate token
    try:
        value = json.loads(body, parse_constant=_NonFinite,
                           parse_float=lambda s: float(s) if math.isfinite(float(s))
                           else _NonFinite(s))
    except (ValueError, RecursionError):
        return None
    stack: list[tuple[list[str | int], Any]] = [([], value)]
    while stack:
        loc, item = stack.pop()
        if isinstance(item, _NonFinite):
            return (loc, f"{item.text} is not a finite number; JSON numbers must be finite",
                    "finite_number")
        if isinstance(item, str) and not _encodable(item):
            return (loc, "the string holds a lone UTF-16 surrogate (e.g. \\ud800); send "
                         "valid Unicode", "string_unicode")
        if isinstance(item, dict):
            for key, child in item.items():
                if not _encodable(key):
                    return (loc, "a key holds a lone UTF-16 surrogate; send valid Unicode",
                            "string_unicode")
                stack.append(([*loc, key], child))
        elif isinstance(item, list):
            stack.extend(([*loc, i], child) for i, child in enumerate(item))
    return None


def _encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def excerpt(value: Any) -> str:
    """A short, always-encodable rendering of (part of) a request's input."""
    text = value if isinstance(value, str) else _REPR.repr(value)
    if len(text) > MAX_EXCERPT_CHARS:
        text = text[:MAX_EXCERPT_CHARS] + "..."
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def validation_error_response(errors: list[dict[str, Any]], status_code: int = 422
                              ) -> JSONResponse:
    """`{"detail": [{loc, msg, type, input?}], "message": "loc: msg; ..."}` kept short."""
    detail = []
    for error in errors[:MAX_ERRORS]:
        item: dict[str, Any] = {"loc": [p if isinstance(p, int) else excerpt(str(p))
                                        for p in error.get("loc", ())],
                                "msg": excerpt(str(error.get("msg", ""))),
                                "type": str(error.get("type", "value_error"))}
        ctx = error.get("ctx")
        if isinstance(ctx, dict) and "error" in ctx:
            item["msg"] += f" ({excerpt(str(ctx['error']))})"
        if "input" in error:
            item["input"] = excerpt(error["input"])
        detail.append(item)
    message = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in detail)
    if len(errors) > MAX_ERRORS:
        message += f"; and {len(errors) - MAX_ERRORS} more errors"
    return JSONResponse({"detail": detail, "message": message}, status_code=status_code)


def replaying(message: dict[str, Any], receive: Any) -> Any:
    """An ASGI `receive` that first hands back a body message already read, then the rest.

    A middleware that must read the body to judge a request passes it on with this, so the app
    behind it reads the same body again.
    """
    replayed = False

    async def replay() -> dict[str, Any]:
        nonlocal replayed
        if not replayed:
            replayed = True
            return message
        return await receive()

    return replay


class JsonGuard:
    """ASGI middleware: 422 for a JSON body with NaN / Infinity / a lone surrogate.

    Sits inside `BodyLimit`, which has already buffered the (bounded) body into one message.
    Bodies with no content type count as JSON, as FastAPI parses them so.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
        if content_type and b"json" not in content_type.lower():
            await self.app(scope, receive, send)
            return
        message = await receive()
        body = message.get("body", b"")
        problem = find_unsafe_value(body) if body and not message.get("more_body") else None
        if problem is not None:
            loc, msg, kind = problem
            response = validation_error_response([{"loc": ["body", *loc], "msg": msg,
                                                   "type": kind}])
            await response(scope, receive, send)
            return
        await self.app(scope, replaying(message, receive), send)
