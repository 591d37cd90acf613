"""Dynamic batching for request/response models (Triton's and LitServe's idea).

Requests for one model version queue up; a single worker takes the first one, waits at most
`max_queue_delay_ms` for more, up to `max_batch_size`, and runs `Predictor.predict` on the
whole batch in the version's own thread (the event loop keeps accepting requests meanwhile).
While a batch runs, the next one accumulates, so under load batches fill without waiting.

Failure is per item: `predict` may return an Exception in place of one response. If `predict`
raises for a batch of several, each item is re-run alone, so one poisonous input (say, one that
makes a tensor op throw) fails only its own request and its batch-mates are still answered.

Deadlines hold in the thread too (deadline.py): a batch runs under the earliest deadline of its
requests; past it the work is stopped, the requests whose deadline passed fail, and the others
are re-run alone under their own. So no request holds the version's only thread past its own
timeout, however slow its input makes `predict`.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from torchworks.env.cpu import usable_cores
from torchworks.serving.deadline import DeadlineExceeded, Limit, enforce
from torchworks.serving.metrics import ServerMetrics
from torchworks.serving.service import Predictor


def default_torch_threads(cores: int | None = None) -> int:
    """Torch intra-op threads per model thread when the server is not told (`--torch-threads`):
    half the cores this process may use, at least 1.

    A server runs one model thread per loaded version, and the LLM's decode, a recommender's
    search and the Python-bound services (checker, summarizer) run at the same time next to
    the event loop. Torch's own default (every core for each op) makes one busy model thread's
    OpenMP team take every core; when a member of that team is descheduled, each of the
    hundreds of small ops of a decode step waits a scheduler slice for it. Measured on a busy
    2-core host (benchmarks/serve_contention.py): a 16-row SmolLM2 decode step took 3.0-4.8 s
    with 2 threads and 0.45-0.53 s with 1, and a check request next to it waited longer too.
    """
    return max(1, (usable_cores() if cores is None else cores) // 2)


def model_thread(name: str) -> ThreadPoolExecutor:
    """The one thread a loaded version runs in, with the server's torch thread count.

    OpenMP thread counts are per calling thread: a new Python thread would otherwise use every
    core for each op, which thrashes when the server was told to use fewer (measured here: a
    batch-8 MLP forward took 60 ms on a busy 2-core machine with 2 threads, 5 ms with 1).
    """
    threads = None
    if "torch" in sys.modules:
        threads = sys.modules["torch"].get_num_threads()

    def init() -> None:
        if threads is not None:
            sys.modules["torch"].set_num_threads(threads)

    return ThreadPoolExecutor(1, thread_name_prefix=name, initializer=init)


class QueueFull(Exception):
    """More requests are waiting than the model's queue bound: answer 503 at once."""


@dataclass
class _Item:
    request: BaseModel
    future: asyncio.Future[BaseModel]
    enqueued: float
    deadline: float | None  # time.perf_counter() instant; None: no limit (the warm-up)


class Batcher:
    """Queue + worker for one loaded version. `submit` is called from the event loop."""

    def __init__(self, predictor: Predictor, *, model: str, version: str, max_batch_size: int,
                 max_queue_delay_ms: float, metrics: ServerMetrics, max_queue: int = 1024) -> None:
        if max_batch_size < 1:
            raise ValueError("max_batch_size must be at least 1")
        self.predictor = predictor
        # the answers as JSON bodies where the predictor encodes them itself (service.py)
        self._answer = getattr(predictor, "predict_json", None) or predictor.predict
        self.max_batch_size = max_batch_size
        self.max_delay_s = max(0.0, max_queue_delay_ms) / 1000.0
        self.max_queue = max_queue
        self._waiting = metrics.waiting.labels(model, version)  # set on every submit
        self._queue_time = metrics.queue_time.labels(model, version)  # observed per item
        self._compute_time = metrics.compute_time.labels(model, version)
        self._batch_size = metrics.batch_size.labels(model, version)
        self._queue: asyncio.Queue[_Item] = asyncio.Queue()
        self._executor = model_thread(f"batch-{model}-{version}")
        self._worker: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._worker = asyncio.get_running_loop().create_task(self._run())

    async def submit(self, request: BaseModel, deadline: float | None = None) -> Any:
        """The response, or raise the item's exception (ValueError: the input was bad).

        `deadline` (a `time.perf_counter()` instant) also bounds the work done for it."""
        if self._queue.qsize() >= self.max_queue:
            raise QueueFull(f"{self._queue.qsize()} requests already waiting")
        future: asyncio.Future[BaseModel] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Item(request, future, time.perf_counter(), deadline))
        self._waiting.set(self._queue.qsize())
        return await future

    async def aclose(self) -> None:
        """Finish everything queued, then stop the worker and its thread."""
        await self._queue.join()
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        self._executor.shutdown(wait=True)

    async def _collect(self) -> list[_Item]:
        batch = [await self._queue.get()]
        deadline = time.perf_counter() + self.max_delay_s
        while len(batch) < self.max_batch_size:
            if not self._queue.empty():
                batch.append(self._queue.get_nowait())
                continue
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(self._queue.get(), left))
            except asyncio.TimeoutError:
                break
        return batch

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = await self._collect()
            self._waiting.set(self._queue.qsize())
            live = [item for item in batch if not item.future.done()]  # timed out / cancelled
            try:
                if live:
                    started = time.perf_counter()
                    for item in live:
                        self._queue_time.observe(started - item.enqueued)
                    limit = Limit(min((i.deadline for i in live if i.deadline is not None),
                                      default=None))
                    _stop_when_all_gone(live, limit)
                    results = await loop.run_in_executor(
                        self._executor, self._predict, [item.request for item in live],
                        [item.deadline for item in live], limit)
                    self._compute_time.observe(time.perf_counter() - started)
                    self._batch_size.observe(len(live))
                    for item, result in zip(live, results, strict=True):
                        if item.future.done():
                            continue
                        if isinstance(result, BaseException):
                            item.future.set_exception(result)
                        else:
                            item.future.set_result(result)
            finally:
                for _ in batch:
                    self._queue.task_done()

    def _predict(self, requests: Sequence[BaseModel], deadlines: Sequence[float | None],
                 limit: Limit | None = None) -> list[BaseModel | BaseException]:
        """Runs in the version's thread; never raises (errors become per-item results)."""
        if limit is None:
            limit = Limit(min((d for d in deadlines if d is not None), default=None))
        try:
            with enforce(limit):
                results = list(self._answer(requests))
        except DeadlineExceeded:
            now = time.perf_counter()
            return [TimeoutError("the request's deadline passed while its batch ran")
                    if len(requests) == 1 or limit.stopped
                    or (deadline is not None and deadline <= now)
                    else self._predict([request], [deadline])[0]
                    for request, deadline in zip(requests, deadlines, strict=True)]
        except Exception as exc:
            if len(requests) == 1:
                return [exc]
            return [self._predict([request], [deadline])[0]
                    for request, deadline in zip(requests, deadlines, strict=True)]
        if len(results) != len(requests):
            error = RuntimeError(f"predict returned {len(results)} results for "
                                 f"{len(requests)} requests")
            return [error] * len(requests)
        return results


def _stop_when_all_gone(items: Sequence[_Item], limit: Limit) -> None:
    """Stop the batch's work once no one waits for any of its answers (all timed out or were
    cut at shutdown): its thread is then free for the next batch."""
    pending = {id(item.future) for item in items}

    def gone(future: asyncio.Future[BaseModel]) -> None:
        if future.cancelled():
            pending.discard(id(future))
            if not pending:
                limit.stop()

    for item in items:
        item.future.add_done_callback(gone)
