"""Request deadlines that hold inside the model thread, even in code that never checks them.

A loaded version has one worker thread. The HTTP handler gives up on a request at its timeout
(504), but a thread cannot be cancelled: a request whose work grows faster than its size (a
quadratic loop over 8,000 items) would go on consuming that only thread for minutes, and every
request behind it would time out too. Two ways out, both keyed to the batch's deadline:

- cooperative: code running under `enforce` may call `remaining()` (seconds left, to size its
  work) or `check()` (raise `DeadlineExceeded` now) at convenient points;
- enforced: a watchdog thread raises `DeadlineExceeded` *in* the worker thread when the deadline
  passes, or when the event loop `stop`s the `Limit` because every request it served is gone
  (CPython's `PyThreadState_SetAsyncExc`). It lands at the next Python bytecode: a Python loop
  stops within microseconds; a long C call (one big torch op) finishes first.

`DeadlineExceeded` is a BaseException so that a predictor's own `except Exception` cannot
swallow it. Python itself swallows one that lands in a `__del__` or weakref callback (seen in
the soak: "Exception ignored in WeakSet._remove"), so it is raised again every `REFIRE_S` until
the body has left `enforce`; a pending one is cleared on leaving, so it never lands in code
after the guarded call. A predictor interrupted this way must not keep
half-updated state across requests (the request/response predictors here keep none).
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

REFIRE_S = 0.2  # raise again after this long while the body has not left


class DeadlineExceeded(BaseException):
    """The request (or batch) ran past its deadline; its work was stopped."""


_local = threading.local()


def remaining() -> float | None:
    """Seconds left for the work running in this thread; None when it has no deadline."""
    deadline = getattr(_local, "deadline", None)
    return None if deadline is None else deadline - time.perf_counter()


def check() -> None:
    """Raise DeadlineExceeded if this thread's current work is past its deadline."""
    left = remaining()
    if left is not None and left <= 0:
        raise DeadlineExceeded("past the request's deadline")


class Limit:
    """The deadline of one piece of work; another thread may end it early with `stop` (every
    request it was for has gone: cut at shutdown, or the client left)."""

    def __init__(self, deadline: float | None) -> None:
        self.deadline = math.inf if deadline is None else deadline  # time.perf_counter()
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True
        _WATCHDOG.reschedule(self, time.perf_counter())


@dataclass(eq=False)
class _Watch:
    thread_id: int
    limit: Limit
    fired: bool = False
    next_fire: float = 0.0  # no earlier than this (time.perf_counter())


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    """Schedule `exc` in another thread (None clears a scheduled, undelivered one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc is not None else None)


class _Watchdog:
    """One daemon thread for the process, sleeping until the earliest armed deadline."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._watches: list[_Watch] = []
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def enforce(self, limit: Limit) -> Iterator[None]:
        watch = _Watch(threading.get_ident(), limit)
        previous, _local.deadline = getattr(_local, "deadline", None), limit.deadline
        with self._cond:
            self._watches.append(watch)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="deadline-watchdog",
                                                daemon=True)
                self._thread.start()
            self._cond.notify()
        try:
            yield
        finally:
            with self._cond:
                if watch in self._watches:
                    self._watches.remove(watch)
                if watch.fired:
                    _raise_in(watch.thread_id, None)
            _local.deadline = previous

    def reschedule(self, limit: Limit, deadline: float) -> None:
        with self._cond:
            limit.deadline = min(limit.deadline, deadline)
            self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.perf_counter()
                for watch in self._watches:
                    if watch.limit.deadline <= now and watch.next_fire <= now:
                        watch.fired = True
                        watch.next_fire = now + REFIRE_S
                        _raise_in(watch.thread_id, DeadlineExceeded)
                wait = min((max(w.limit.deadline, w.next_fire) for w in self._watches),
                           default=math.inf) - now
                self._cond.wait(min(max(wait, 0.001), 60.0))  # inf: until notified (or 60 s)


_WATCHDOG = _Watchdog()


def enforce(limit: Limit | float | None) -> contextlib.AbstractContextManager[None]:
    """Run the body under `limit` (or a `time.perf_counter()` deadline; None: no limit): past
    it, or once the limit is stopped, `DeadlineExceeded` is raised inside the body. Nesting is
    not supported."""
    if limit is None:
        return contextlib.nullcontext()
    return _WATCHDOG.enforce(limit if isinstance(limit, Limit) else Limit(limit))
