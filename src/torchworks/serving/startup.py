"""Start-up loading: every hosted service loads at once, and /readyz says where each one stands.

Loading one service after another made the server's time to ready the sum of all of them.
Here each service's `load_initial` runs as its own task: `spec.load` goes to a worker thread
(HostedModel), so a MiniLM load, a model conversion and a recommender bundle proceed side by
side, and services that share weights meet in the model pool instead of loading twice. A
service that fails is reported with its reason and the others still come up.

Per service the state is "loading", "ready", "failed" (with `reason`) or "unloaded" (after
`POST /v1/models/<name>/unload`), with `load_s`, the seconds its start-up load took.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from dataclasses import dataclass
from typing import Literal

from torchworks.serving.hosting import HostedModel, release_free_heap

log = logging.getLogger("torchworks.serving")
State = Literal["loading", "ready", "failed", "unloaded"]


@dataclass
class ServiceState:
    state: State = "loading"
    reason: str = ""
    started: float = 0.0
    load_s: float | None = None

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {"state": self.state, "load_s": self.load_s}
        if self.reason:
            body["reason"] = self.reason
        return body


class Startup:
    """The start-up loads of one server and what /readyz reports about them."""

    def __init__(self, hosted: dict[str, HostedModel]) -> None:
        self.hosted = hosted
        self.services = {name: ServiceState() for name in hosted}

    async def load_all(self) -> None:
        await asyncio.gather(*(self._load(model) for model in self.hosted.values()))
        release_free_heap()
        freeze_start_up_objects()

    async def _load(self, model: HostedModel) -> None:
        status = self.services[model.name]
        status.started = time.perf_counter()
        try:
            await model.load_initial()
        except Exception as exc:  # the server stays up; /readyz says why
            self.failed(model.name, str(exc))
            log.error("could not load %s: %s", model.name, exc)
            return
        finally:
            status.load_s = round(time.perf_counter() - status.started, 2)
        self.ready(model.name)

    def ready(self, name: str) -> None:
        self.services[name].state, self.services[name].reason = "ready", ""

    def failed(self, name: str, reason: str) -> None:
        self.services[name].state, self.services[name].reason = "failed", reason

    def unloaded(self, name: str) -> None:
        self.services[name].state, self.services[name].reason = "unloaded", ""

    @property
    def loading(self) -> bool:
        return any(s.state == "loading" for s in self.services.values())

    def readiness(self, draining: bool) -> tuple[bool, dict[str, object]]:
        """(ready, the /readyz body): ready when not draining and every service serves."""
        models = {m.name: (m.current.version if m.current else None)
                  for m in self.hosted.values()}
        ready = not draining and all(models.values())
        errors = {n: s.reason for n, s in self.services.items() if s.state == "failed"}
        return ready, {"ready": ready, "loading": self.loading, "draining": draining,
                       "services": {n: s.as_json() for n, s in self.services.items()},
                       "models": models, "load_errors": errors}


def freeze_start_up_objects() -> None:
    """Take what is alive after start-up (libraries, models, tokenizers: ~445k objects with
    every default service) out of the cyclic garbage collector's sight (`gc.freeze`). A full
    collection scanned them all while holding the GIL, 0.5-0.7 s on a busy 2-core host, at
    every hot swap (`hosting._dispose` collects) and every automatic full collection, and every
    request in flight waited; after the freeze a full collection takes under a millisecond.
    Frozen objects are still freed by reference counting; only cyclic garbage of a version
    loaded at start-up and swapped out later stays (once per such version)."""
    gc.collect()
    gc.freeze()
