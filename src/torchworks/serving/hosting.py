"""Live model versions: load next to the serving one, warm up, swap atomically, drain, unload.

A `HostedModel` owns the version that takes traffic (`current`) for one spec. Each loaded
version has its own runner (a `Batcher` for request/response specs, a `Scheduler` for
generation specs) and a count of requests using it. A request reads `current` and takes a
use in the same event-loop tick (no await between), so a swap can never strand it:

    load(v2):  spec.load(dir) in a thread -> runner starts -> warm-up request through the
               runner -> `current` = v2 (one assignment) -> wait until v1 has no users ->
               stop v1's runner -> v1.close() in a thread -> gc.

If loading or warm-up raises, v2 is closed and v1 keeps serving, untouched.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from torchworks.errors import ConfigError, TorchworksError
from torchworks.serving.batching import Batcher
from torchworks.serving.continuous import Scheduler
from torchworks.serving.generation import GenerationResult, GenerationSpec
from torchworks.serving.metrics import ServerMetrics
from torchworks.serving.registry import Manifest, ModelStore
from torchworks.serving.service import EncodedJson, ServiceSpec

log = logging.getLogger("torchworks.serving")
EMBEDDED = "embedded"  # version label of the spec's built-in default (load(None))
WARMUP_TIMEOUT_S = 300.0  # first calls may compile / allocate: longer than a request's timeout


class LoadFailed(TorchworksError):
    """A version could not be loaded or failed its warm-up; the old one keeps serving."""


class LoadBusy(TorchworksError):
    """Another load or unload of the same model is in progress."""


@dataclass
class LoadedVersion:
    version: str
    model: Any  # Predictor or GenerationModel
    runner: Batcher | Scheduler
    manifest: Manifest | None
    loaded_at: float = field(default_factory=time.time)
    skipped: list[str] = field(default_factory=list)  # newer versions passed over, and why
    users: int = 0
    _idle: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self._idle.set()

    def acquire(self) -> None:
        self.users += 1
        self._idle.clear()

    def release(self) -> None:
        self.users -= 1
        if self.users == 0:
            self._idle.set()

    async def drained(self) -> None:
        await self._idle.wait()


class HostedModel:
    """One served name: its spec, its current version and the load/unload lifecycle."""

    def __init__(self, spec: ServiceSpec | GenerationSpec, store: ModelStore | None,
                 metrics: ServerMetrics) -> None:
        self.spec = spec
        self.store = store
        self.metrics = metrics
        self.current: LoadedVersion | None = None
        self._lock = asyncio.Lock()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def is_generation(self) -> bool:
        return isinstance(self.spec, GenerationSpec)

    def available_versions(self) -> list[dict[str, object]]:
        if self.store is None:
            return []
        return [{"version": v.version, "status": v.manifest.status,
                 "status_reason": v.manifest.status_reason, "format": v.manifest.format,
                 "precision": v.manifest.precision, "metrics": v.manifest.metrics}
                for v in self.store.versions(self.name)]

    def has_registered_versions(self) -> bool:
        return self.store is not None and bool(self.store.versions(self.name))

    async def load(self, version: str | None = None) -> LoadedVersion:
        """Load `version` (None: newest servable, or the embedded default if none exist)."""
        if self._lock.locked():
            raise LoadBusy(f"a load or unload of '{self.name}' is already in progress",
                           fix="wait for it to finish, then retry")
        async with self._lock:
            loop = asyncio.get_running_loop()
            directory, label, manifest = None, EMBEDDED, None
            skipped = []
            if version is not None or self.has_registered_versions():
                if self.store is None:
                    raise ConfigError(f"cannot load version {version}: this server has no "
                                      "model registry", fix="start it with --models DIR")
                info = await loop.run_in_executor(  # the checksum reads every file
                    None, self.store.resolve, self.name, version, skipped)  # VersionRefused
                for reason in skipped:
                    log.warning("loading '%s': skipped %s", self.name, reason)
                directory, label, manifest = info.path, info.version, info.manifest
            try:
                model = await loop.run_in_executor(None, self.spec.load, directory)
            except Exception as exc:
                self.metrics.model_loads.labels(self.name, label, "load_failed").inc()
                raise LoadFailed(f"loading '{self.name}' version {label} failed: {exc!r}",
                                 fix="the previous version keeps serving; fix the files or "
                                     "the recipe's load()") from exc
            loaded = LoadedVersion(label, model, self._runner(model, label), manifest,
                                   skipped=skipped)
            loaded.runner.start()
            try:
                await self._warm_up(loaded)
            except Exception as exc:
                await self._dispose(loaded)
                self.metrics.model_loads.labels(self.name, label, "warmup_failed").inc()
                raise LoadFailed(f"'{self.name}' version {label} failed its warm-up: {exc!r}",
                                 fix="the previous version keeps serving") from exc
            old, self.current = self.current, loaded
            self.metrics.model_loaded.labels(self.name, label).set(1)
            self.metrics.model_loads.labels(self.name, label, "success").inc()
            if old is not None:
                self.metrics.model_loaded.labels(self.name, old.version).set(0)
                await self._dispose(old)
            return loaded

    async def load_initial(self) -> LoadedVersion:
        """At start-up: the newest servable version, else older ones, newest first."""
        versions = self.store.versions(self.name) if self.store else []
        for info in versions:
            if info.manifest.status == "rejected":
                log.warning("start-up: '%s' version %s is rejected by its gate (%s); not "
                            "loaded", self.name, info.version,
                            info.manifest.status_reason or "no reason recorded")
        candidates = [v.version for v in versions if v.manifest.status != "rejected"]
        if not candidates:
            return await self.load()
        failures = []
        for version in reversed(candidates):
            try:
                loaded = await self.load(version)
            except TorchworksError as exc:
                log.warning("start-up: skipped '%s' version %s: %s", self.name, version,
                            exc.message)
                failures.append(exc.message)
                continue
            if failures:
                log.warning("start-up: '%s' serves version %s after skipping %d newer",
                            self.name, version, len(failures))
            return loaded
        raise LoadFailed(f"no version of '{self.name}' could be loaded:\n  - "
                         + "\n  - ".join(failures))

    async def unload(self, *, collect: bool = True) -> None:
        """Stop taking traffic, let in-flight requests finish, free the version's memory.
        `collect=False` skips the full garbage collection (at exit, when the memory goes back
        with the process anyway: one collection per model made an idle Ctrl-C take seconds)."""
        async with self._lock:
            old, self.current = self.current, None
            if old is not None:
                self.metrics.model_loaded.labels(self.name, old.version).set(0)
                await self._dispose(old, collect=collect)

    def _runner(self, model: Any, version: str) -> Batcher | Scheduler:
        spec = self.spec
        if isinstance(spec, GenerationSpec):
            return Scheduler(model, name=spec.name, version=version, metrics=self.metrics,
                             max_running=spec.max_running, max_waiting=spec.max_waiting,
                             max_prefill_batch=spec.max_prefill_batch, timeout_s=spec.timeout_s)
        return Batcher(model, model=spec.name, version=version,
                       max_batch_size=spec.max_batch_size,
                       max_queue_delay_ms=spec.max_queue_delay_ms, metrics=self.metrics)

    async def _warm_up(self, loaded: LoadedVersion) -> None:
        request = loaded.model.warmup_request()
        runner = loaded.runner
        timeout = max(self.spec.timeout_s, WARMUP_TIMEOUT_S)
        if isinstance(runner, Scheduler):
            result = await asyncio.wait_for(_last_event(runner, request, timeout), timeout)
            if result.finish_reason == "timeout":
                raise TimeoutError("warm-up generation timed out")
            return
        result = await asyncio.wait_for(runner.submit(request), timeout)
        if isinstance(result, EncodedJson):
            self.spec.response_type.model_validate_json(result)  # what it says it encodes
        elif not isinstance(result, self.spec.response_type):
            raise TypeError(f"warm-up answered {type(result).__name__}, "
                            f"not {self.spec.response_type.__name__}")

    async def _dispose(self, loaded: LoadedVersion, *, collect: bool = True) -> None:
        await loaded.drained()
        await loaded.runner.aclose()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, loaded.model.close)
        loaded.model = None
        if collect:
            gc.collect()
            await loop.run_in_executor(None, release_free_heap)  # walks every arena


async def _last_event(scheduler: Scheduler, request: Any, timeout_s: float) -> GenerationResult:
    async for event in scheduler.submit(request, record=False, timeout_s=timeout_s).events():
        if isinstance(event, GenerationResult):
            return event
    raise RuntimeError("generation ended without a result")


def release_free_heap() -> None:
    """Hand the heap that start-up or a swap freed (conversions, the copies a model load makes
    and drops, the old version) back to the OS: glibc keeps freed arenas mapped, so RSS would
    stay at the peak and creep up with every swap. A no-op where the C library has no
    malloc_trim."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        trim = None
    if trim is not None:
        trim(0)
