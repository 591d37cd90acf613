"""The contract a recipe implements to be served: LitServe's idea in a few typed pieces.

A recipe describes its endpoint with a `ServiceSpec`: pydantic request/response types (which
give 422 errors naming the field, and the OpenAPI docs, for free) and a `load` function that
builds a `Predictor` for one model version. The server owns everything else: queueing, dynamic
batching up to `max_batch_size` / `max_queue_delay_ms`, the registry and hot swap, metrics,
auth, limits. The serving layer never imports a recipe; `torchworks.service_catalog` maps
service names to the recipe functions that return their specs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel


class Predictor(Protocol):
    """One loaded model version. `predict` gets a whole batch and answers item by item.

    Returning an Exception in place of one item's response fails only that request (the server
    maps `ValueError` to 422 and anything else to 500); the rest of the batch is answered.
    """

    def predict(self, batch: Sequence[BaseModel]) -> list[BaseModel | Exception]: ...

    # Optional: `predict_json(batch) -> list[EncodedJson | Exception]`, the same answers as
    # JSON bodies. The server calls it in place of `predict` where a predictor has it, so a
    # recipe whose answers are long lists can encode a whole batch in one pass instead of
    # building one Python object per item and serializing each answer again.

    def warmup_request(self) -> BaseModel:
        """A small valid request; the server runs it before a version takes traffic."""
        ...

    def close(self) -> None:
        """Free the version's memory (called on unload and after a hot swap drains)."""
        ...


class EncodedJson(bytes):
    """One answer already encoded as the JSON of the spec's `response_type`, sent as it is
    (the warm-up answer is validated against `response_type` before a version serves)."""


@dataclass(frozen=True)
class ServiceSpec:
    """What the server needs to host one recipe endpoint at `POST /v1/{route}`."""

    name: str  # registry model name: models/<name>/<version>/
    route: str  # e.g. "patents/summarize"
    request_type: type[BaseModel]
    response_type: type[BaseModel]
    load: Callable[[Path | None], Predictor]  # version dir, or None for the embedded default
    max_batch_size: int = 8
    max_queue_delay_ms: float = 5.0
    timeout_s: float = 60.0  # whole request, queue included; the work stops at it too
    # Called with each request before it queues: raise ValueError (the client gets a 422 with
    # its message) to refuse work too large for the service, e.g. a count of items.
    admit: Callable[[BaseModel], None] | None = None
    description: str = ""
    extra: dict[str, Any] | None = None  # recipe-specific knobs the server passes through
