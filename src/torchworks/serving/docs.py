"""The API's docs pages from a packaged copy of Swagger UI / ReDoc, and its declared errors.

FastAPI's default `/docs` loads Swagger UI from a CDN, so offline (this project's normal
case) the page is blank. The JavaScript and CSS come from the `fastapi-offline` package's
static folder instead (PyPI, the `serve` extra), served under `/docs-static`.

`ERROR_RESPONSES` is what the routes declare in the OpenAPI document for the statuses the
server really sends, with the body it really sends (`ErrorBody`), so a client generated from
the document, or schemathesis, finds what it was told.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from torchworks.errors import require

STATIC_PREFIX = "/docs-static"


class ErrorItem(BaseModel):
    loc: list[str | int] = Field(description="where: ['body', 'field', 0, ...]")
    msg: str
    type: str | None = None
    input: str | None = Field(None, description="a short excerpt of the offending input")


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer: `detail` is a sentence, or one item per invalid field (422)."""

    detail: str | list[ErrorItem]
    message: str | None = Field(None, description="422: all field errors in one line")


# One server-sent event of a generation stream (the schema applies to each event, as in
# OpenAPI 3.2's itemSchema): `data` is JSON text, or the terminator `[DONE]`.
SSE_EVENT: dict[str, Any] = {
    "type": "object", "required": ["data"],
    "properties": {
        "data": {"type": "string", "description": 'a token {"text", "token_id"}, then the '
                 'GenerationResult, then "[DONE]"; or a final {"error", "finish_reason"}'},
        "event": {"type": "string"}, "id": {"type": "string"}}}


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("malformed JSON or a body that is not UTF-8"),
    401: _error("missing or unknown API key (when the server has a key file)"),
    403: _error("the key may not use this model, or a foreign Origin / Host header"),
    413: _error("body larger than the server's --max-body-bytes"),
    415: _error("a state-changing request whose body is not application/json"),
    422: _error("invalid input: every error names its field"),
}
MODEL_ERRORS: dict[int | str, dict[str, Any]] = {
    **COMMON_ERRORS,
    500: _error("the model failed on this request (its batch mates are still answered)"),
    503: _error("model not loaded, queue full, or the server is shutting down (Retry-After)"),
    504: _error("no answer within the service's timeout; the work was stopped"),
}
MANAGEMENT_ERRORS: dict[int | str, dict[str, Any]] = {
    **COMMON_ERRORS,
    404: _error("no such model on this server"),
    409: _error("version refused (rejected by its gate, checksum mismatch) or a load running"),
    500: _error("the version failed to load or warm up; the previous one keeps serving"),
}


def add_docs(app: FastAPI) -> None:
    """`/docs` (Swagger UI) and `/redoc` from the packaged static files (create the app with
    `docs_url=None, redoc_url=None`)."""
    package = require("fastapi_offline", "serve")
    static = Path(package.__file__).resolve().parent / "static"
    app.mount(STATIC_PREFIX, StaticFiles(directory=static), name="docs-static")
    title = f"{app.title} - docs"

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=title,
                                   swagger_js_url=f"{STATIC_PREFIX}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{STATIC_PREFIX}/swagger-ui.css",
                                   swagger_favicon_url=f"{STATIC_PREFIX}/favicon.png")

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url=app.openapi_url or "/openapi.json", title=title,
                              redoc_js_url=f"{STATIC_PREFIX}/redoc.standalone.js",
                              redoc_favicon_url=f"{STATIC_PREFIX}/favicon.png",
                              with_google_fonts=False)


def add_method_not_allowed(app: FastAPI, path: str, allowed: str = "POST") -> None:
    """Answer other methods on a POST route with 405 + `Allow`, even with a static site
    mounted at "/" (which would otherwise catch a GET and answer 404)."""

    async def not_allowed() -> JSONResponse:
        return JSONResponse({"detail": f"{path} takes {allowed} only"}, status_code=405,
                            headers={"Allow": allowed})

    app.add_api_route(path, not_allowed, methods=["GET", "HEAD", "PUT", "PATCH", "DELETE"],
                      include_in_schema=False)
