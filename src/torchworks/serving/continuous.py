"""Iteration-level (continuous) batching for one loaded generation model version.

The loop, one iteration per model step, all model calls in the version's single thread:

1. drop waiting requests whose deadline passed or whose client left;
2. admit up to `max_prefill_batch` waiting requests while fewer than `max_running` run;
3. in the thread: `release` sequences that left, `prefill` the admitted prompts, `decode` one
   token for every sequence that was already running, and sample next tokens;
4. back in the event loop: append each token, stream its text, finish sequences that hit a
   stop token, a stop string, `max_new_tokens`, the context limit or their deadline.

New requests therefore join between two decode steps and never wait for the running batch to
finish (the point of Orca / vLLM scheduling). See generation.py for the model contract.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from torchworks.serving.batching import QueueFull, model_thread
from torchworks.serving.generation import GenerationModel, GenerationRequest, GenerationResult
from torchworks.serving.metrics import ServerMetrics
from torchworks.serving.sampling import SamplingParams, make_generator, sample_each


@dataclass
class TokenEvent:
    """One streamed token: `text` is the newly printable text (may be empty while held back)."""

    token_id: int
    text: str


@dataclass
class _Sequence:
    request: GenerationRequest
    prompt: list[int]
    params: SamplingParams
    arrival: float
    deadline: float
    events: asyncio.Queue[TokenEvent | GenerationResult | BaseException]
    max_new: int
    seed: int | None = None
    record: bool = True
    generator: Any = None
    state: Any = None
    generated: list[int] = field(default_factory=list)
    emitted: str = ""
    last_token_at: float = 0.0
    cancelled: bool = False
    finish: str | None = None


class GenerationStream:
    """The events of one queued request: TokenEvents, then one GenerationResult.

    Leaving the iteration early (client disconnected) or calling `cancel` frees the sequence
    at the scheduler's next step.
    """

    def __init__(self, seq: _Sequence, wakeup: asyncio.Event) -> None:
        self._seq = seq
        self._wakeup = wakeup

    @property
    def prompt_tokens(self) -> int:
        return len(self._seq.prompt)

    def cancel(self) -> None:
        if self._seq.finish is None:
            self._seq.cancelled = True
            self._wakeup.set()

    async def events(self) -> AsyncIterator[TokenEvent | GenerationResult]:
        try:
            while True:
                event = await self._seq.events.get()
                if isinstance(event, BaseException):
                    raise event
                yield event
                if isinstance(event, GenerationResult):
                    return
        finally:
            self.cancel()


class Scheduler:
    """Admission, stepping and streaming for one `GenerationModel` version."""

    def __init__(self, model: GenerationModel, *, name: str, version: str, metrics: ServerMetrics,
                 max_running: int, max_waiting: int, max_prefill_batch: int,
                 timeout_s: float) -> None:
        self.model = model
        self.max_running = max_running
        self.max_waiting = max_waiting
        self.max_prefill_batch = max_prefill_batch
        self.timeout_s = timeout_s
        self._labels = (name, version)
        self._metrics = metrics
        self._waiting: deque[_Sequence] = deque()
        self._running: list[_Sequence] = []
        self._to_release: list[Any] = []
        self._wakeup = asyncio.Event()
        self._executor = model_thread(f"gen-{name}-{version}")
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    def submit(self, request: GenerationRequest, *, record: bool = True,
               timeout_s: float | None = None) -> GenerationStream:
        """Queue a request; raises ValueError (bad prompt, 422) or QueueFull (503) at once.

        `record=False` (the warm-up) keeps the request out of the metrics; `timeout_s`
        replaces the scheduler's per-request timeout.
        """
        if len(self._waiting) >= self.max_waiting:
            raise QueueFull(f"{len(self._waiting)} requests already waiting")
        prompt = list(self.model.encode(request))
        if not prompt:
            raise ValueError("prompt: encodes to no tokens")
        room = self.model.max_context - len(prompt)
        if room < 1:
            raise ValueError(f"prompt: {len(prompt)} tokens leave no room in the model's "
                             f"context of {self.model.max_context}")
        now = time.perf_counter()
        params = SamplingParams(request.temperature, request.top_k, request.top_p,
                                request.repetition_penalty)
        deadline = now + (self.timeout_s if timeout_s is None else timeout_s)
        seq = _Sequence(request, prompt, params, now, deadline, asyncio.Queue(),
                        max_new=min(request.max_new_tokens, room), seed=request.seed,
                        record=record)
        self._waiting.append(seq)
        self._metrics.waiting.labels(*self._labels).set(len(self._waiting))
        self._wakeup.set()
        return GenerationStream(seq, self._wakeup)

    async def aclose(self) -> None:
        """Let running and waiting sequences finish, then stop and free the thread."""
        self._closing = True
        self._wakeup.set()
        if self._task is not None:
            await self._task
        self._executor.shutdown(wait=True)

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._expire()
            if not self._waiting and not self._running:
                if self._to_release:  # a request may arrive meanwhile: look again after
                    await loop.run_in_executor(self._executor, self._release_all)
                    continue
                if self._closing:
                    return
                self._metrics.running.labels(*self._labels).set(0)
                self._metrics.waiting.labels(*self._labels).set(0)
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            admit = []
            while (self._waiting and len(admit) < self.max_prefill_batch
                   and len(self._running) + len(admit) < self.max_running):
                admit.append(self._waiting.popleft())
            running = list(self._running)
            started = time.perf_counter()
            for seq in admit:
                self._metrics.queue_time.labels(*self._labels).observe(started - seq.arrival)
            try:
                new_tokens, tokens = await loop.run_in_executor(
                    self._executor, self._step, admit, running)
            except Exception as exc:  # the model failed: fail exactly the sequences in the step
                for seq in admit + running:
                    self._fail(seq, exc)
                self._running = [s for s in self._running if s not in running]
                continue
            self._metrics.compute_time.labels(*self._labels).observe(time.perf_counter() - started)
            if running:
                self._metrics.batch_size.labels(*self._labels).observe(len(running))
            now = time.perf_counter()
            for seq, token in zip(running, tokens, strict=True):
                if isinstance(token, Exception):
                    self._fail(seq, token)
                else:
                    self._advance(seq, token, now)
            for seq, token in zip(admit, new_tokens, strict=True):
                if isinstance(token, Exception):
                    self._fail(seq, token)
                    continue
                if seq.record:
                    self._metrics.prompt_tokens.labels(*self._labels).inc(len(seq.prompt))
                self._running.append(seq)
                self._advance(seq, token, now)
            self._running = [s for s in self._running if s.finish is None]
            self._metrics.running.labels(*self._labels).set(len(self._running))
            self._metrics.waiting.labels(*self._labels).set(len(self._waiting))

    def _step(self, admit: list[_Sequence], running: list[_Sequence]
              ) -> tuple[list[int | Exception], list[int | Exception]]:
        """Model thread: release, prefill the admitted, decode the running, sample both.

        Failures stay with their sequence: a token slot holds the exception of a sequence
        whose sampling (or, for a prompt, whose prefill) raised, and the rest carry on."""
        self._release_all()
        new_tokens: list[int | Exception] = []
        if admit:
            new_tokens = self._prefill(admit)
        tokens: list[int | Exception] = []
        if running:
            logits = self.model.decode([s.state for s in running],
                                       [s.generated[-1] for s in running])
            tokens = sample_each(logits, [s.params for s in running],
                                 [s.generator for s in running], _seen(running))
        return new_tokens, tokens

    def _prefill(self, admit: list[_Sequence]) -> list[int | Exception]:
        """Prefill the admitted prompts together; if that raises, one at a time, so that one
        poisonous prompt fails alone (the model released what it had allocated)."""
        try:
            states, logits = self.model.prefill([seq.prompt for seq in admit])
        except Exception as exc:
            if len(admit) == 1:
                return [exc]
            return [token for seq in admit for token in self._prefill([seq])]
        device = logits.device
        unseeded: dict[int, Exception] = {}
        for i, (seq, state) in enumerate(zip(admit, states, strict=True)):
            seq.state = state
            try:
                seq.generator = make_generator(seq.seed, device)
            except Exception as exc:  # a seed the generator cannot hold
                unseeded[i] = exc
        tokens = sample_each(logits, [s.params for s in admit], [s.generator for s in admit],
                             _seen(admit))
        return [unseeded.get(i, token) for i, token in enumerate(tokens)]

    def _release_all(self) -> None:
        states, self._to_release = self._to_release, []
        for state in states:
            self.model.release(state)

    def _advance(self, seq: _Sequence, token: int, now: float) -> None:
        if seq.cancelled:
            self._finish(seq, "cancelled", now)
            return
        labels = self._labels
        if seq.record and seq.last_token_at:
            self._metrics.inter_token.labels(*labels).observe(now - seq.last_token_at)
        elif seq.record:
            self._metrics.ttft.labels(*labels).observe(now - seq.arrival)
        seq.last_token_at = now
        reason = None
        if token in self.model.stop_token_ids:
            reason = "stop"
            text = self.model.detokenize(seq.generated)
            cut = len(text)
        else:
            seq.generated.append(token)
            if seq.record:
                self._metrics.generation_tokens.labels(*labels).inc()
            text = self.model.detokenize(seq.generated)
            hits = [i for i in (text.find(s, len(seq.emitted)) for s in seq.request.stop if s)
                    if i >= 0]
            cut = len(text)
            if hits:
                reason, cut = "stop", min(hits)
            elif len(seq.generated) >= seq.max_new:
                reason = "length"
            elif now >= seq.deadline:
                reason = "timeout"
            else:  # hold back an incomplete character and a possible stop-string prefix
                hold = max((len(s) - 1 for s in seq.request.stop), default=0)
                cut = len(text.rstrip("\ufffd")) - hold
        cut = max(cut, len(seq.emitted))
        if token not in self.model.stop_token_ids or cut > len(seq.emitted):
            seq.events.put_nowait(TokenEvent(token, text[len(seq.emitted):cut]))
        seq.emitted = text[:cut]
        if reason is not None:
            self._finish(seq, reason, now)

    def _finish(self, seq: _Sequence, reason: str, now: float) -> None:
        seq.finish = reason
        if seq.state is not None:
            self._to_release.append(seq.state)
            seq.state = None
        if seq.record:
            outcome = {"stop": "success", "length": "success"}.get(reason, reason)
            self._metrics.count(*self._labels, outcome)  # latency: timing.ArrivalTimer
        if reason != "cancelled":
            seq.events.put_nowait(GenerationResult(
                text=seq.emitted, finish_reason=reason, prompt_tokens=len(seq.prompt),
                generated_tokens=len(seq.generated)))

    def _fail(self, seq: _Sequence, exc: BaseException) -> None:
        seq.finish = "error"
        if seq.state is not None:
            self._to_release.append(seq.state)
            seq.state = None
        self._metrics.count(*self._labels, "error")
        seq.events.put_nowait(exc)

    def _expire(self) -> None:
        now = time.perf_counter()
        kept: deque[_Sequence] = deque()
        for seq in self._waiting:
            if seq.cancelled:
                self._finish(seq, "cancelled", now)
            elif now >= seq.deadline:
                self._finish(seq, "timeout", now)
            else:
                kept.append(seq)
        self._waiting = kept
        for seq in self._running:
            if seq.cancelled:
                self._finish(seq, "cancelled", now)
            elif now >= seq.deadline:
                self._finish(seq, "timeout", now)
        self._running = [s for s in self._running if s.finish is None]


def _seen(seqs: list[_Sequence]) -> list[list[int]] | None:
    """Ids each sequence's repetition penalty applies to (prompt + generated so far); built
    only for sequences with a penalty, and None when no sequence in the step has one."""
    if all(s.params.repetition_penalty == 1.0 for s in seqs):
        return None
    return [s.prompt + s.generated if s.params.repetition_penalty != 1.0 else [] for s in seqs]
