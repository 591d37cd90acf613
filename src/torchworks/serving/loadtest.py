"""An async load generator for a torchworks server (or any HTTP JSON endpoint) on loopback.

Two modes, as in every serious load tester:
- closed loop: N clients, each sends its next request when the previous one answered
  (throughput at a given concurrency; the server's speed sets the pace);
- open loop: requests start at a fixed rate whatever the server does (latency under a given
  offered load; queueing shows up as it would with real users).

Both are bounded by a request count and a duration. Targets must be 127.0.0.1 / ::1 /
localhost: this measures our own server, it is not a tool to load someone else's. For
server-sent-event answers the time to the first chunk is recorded as TTFT.
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from torchworks.errors import ConfigError

MAX_OPEN_LOOP_IN_FLIGHT = 2048


@dataclass(frozen=True)
class LoadTestConfig:
    url: str
    body: bytes = b"{}"  # JSON sent with every request
    concurrency: int = 8  # closed loop: clients; open loop: unused
    rate: float | None = None  # requests per second: open loop when set
    requests: int = 1000  # stop after this many requests ...
    duration_s: float = 30.0  # ... or after this long, whichever first
    timeout_s: float = 30.0  # per request
    api_key: str | None = None


@dataclass
class LoadTestResult:
    mode: str
    sent: int
    duration_s: float
    latencies_s: list[float] = field(default_factory=list)  # successful requests only
    ttft_s: list[float] = field(default_factory=list)  # streamed answers only
    errors: Counter[str] = field(default_factory=Counter)  # "HTTP 503", "ReadTimeout", ...
    versions: Counter[str] = field(default_factory=Counter)  # X-Model-Version of answers

    @property
    def ok(self) -> int:
        return len(self.latencies_s)

    @property
    def throughput(self) -> float:
        return self.ok / self.duration_s if self.duration_s > 0 else 0.0

    def percentile(self, q: float, values: list[float] | None = None) -> float:
        """Nearest-rank percentile in seconds (q in 0..100); NaN without data."""
        data = sorted(self.latencies_s if values is None else values)
        if not data:
            return math.nan
        return data[min(len(data) - 1, max(0, math.ceil(q / 100 * len(data)) - 1))]

    def summary(self) -> str:
        ms = [f"{self.percentile(q) * 1000:.2f}" for q in (50, 95, 99)]
        lines = [f"mode {self.mode}: {self.sent} sent, {self.ok} ok, "
                 f"{sum(self.errors.values())} errors in {self.duration_s:.2f} s",
                 f"throughput {self.throughput:.1f} req/s | latency ms P50 {ms[0]} "
                 f"P95 {ms[1]} P99 {ms[2]}"]
        if self.ttft_s:
            lines.append(f"TTFT ms P50 {self.percentile(50, self.ttft_s) * 1000:.2f} "
                         f"P95 {self.percentile(95, self.ttft_s) * 1000:.2f}")
        if self.errors:
            lines.append("errors: " + ", ".join(f"{k} x{v}" for k, v in self.errors.most_common()))
        return "\n".join(lines)

    def plot(self, path: Path, title: str = "") -> Path:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 4))
        ax.hist([x * 1000 for x in self.latencies_s], bins=50, color="#4c72b0")
        for q, style in ((50, "-"), (95, "--"), (99, ":")):
            value = self.percentile(q) * 1000
            ax.axvline(value, color="black", linestyle=style, label=f"P{q} {value:.1f} ms")
        ax.set_xlabel("latency (ms)")
        ax.set_ylabel("requests")
        ax.set_title(title or f"{self.mode}: {self.throughput:.0f} req/s, {self.ok} ok")
        ax.legend()
        fig.tight_layout()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
        plt.close(fig)
        return path


def check_loopback(url: str) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "http":
        raise ConfigError(f"load-test target {url!r} is not an http:// URL (loopback needs no "
                          "TLS)",
                          fix="use e.g. http://127.0.0.1:8000/v1/toy/mlp")
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConfigError(f"refusing to load-test {host!r}: only 127.0.0.1, ::1 and localhost "
                          "are allowed", fix="run the load test on the server's own machine")


class _Connection:
    """A minimal HTTP/1.1 keep-alive client connection: a few times cheaper per request than a
    general client, so the load generator does not steal the CPU the server is measured on.
    Handles Content-Length, chunked (server-sent events) and close-delimited bodies."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, request: bytes) -> tuple[int, dict[str, str], float | None]:
        """Send one request; return (status, lower-cased headers, time of first body byte)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(request)
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.partition(":") for line in head[1:] if line)}
        first = None
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                first = first or time.perf_counter()
                if size == 0:
                    while await self.reader.readuntil(b"\r\n") != b"\r\n":
                        pass  # trailers
                    break
                await self.reader.readexactly(size + 2)
        elif "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
            first = time.perf_counter()
        else:
            await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, first

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def run_load_test(config: LoadTestConfig,
                        stop: asyncio.Event | None = None) -> LoadTestResult:
    """Run until the count or the duration is reached, or `stop` is set."""
    check_loopback(config.url)
    if config.requests < 1 or config.duration_s <= 0 or config.concurrency < 1:
        raise ConfigError("requests, duration and concurrency must be positive")
    parts = urlsplit(config.url)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or 80
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    auth = f"Authorization: Bearer {config.api_key}\r\n" if config.api_key else ""
    request = (f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(config.body)}\r\n"
               f"{auth}\r\n").encode("latin-1") + config.body
    mode = f"open loop {config.rate:g} req/s" if config.rate else \
        f"closed loop x{config.concurrency}"
    result = LoadTestResult(mode=mode, sent=0, duration_s=0.0)
    idle: list[_Connection] = []
    start = time.perf_counter()
    stop_at = start + config.duration_s

    def stopped() -> bool:
        return time.perf_counter() >= stop_at or (stop is not None and stop.is_set())

    async def one() -> None:
        result.sent += 1
        connection = idle.pop() if idle else _Connection(host, port)
        began = time.perf_counter()
        try:
            status, headers, first = await asyncio.wait_for(connection.post(request),
                                                            config.timeout_s)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                asyncio.TimeoutError, ValueError, IndexError) as exc:
            connection.close()
            result.errors[type(exc).__name__] += 1
            return
        idle.append(connection)
        if status >= 400:
            result.errors[f"HTTP {status}"] += 1
            return
        result.latencies_s.append(time.perf_counter() - began)
        result.versions[headers.get("x-model-version", "?")] += 1
        if "event-stream" in headers.get("content-type", "") and first:
            result.ttft_s.append(first - began)

    if config.rate:
        tasks: set[asyncio.Task[None]] = set()
        for i in range(config.requests):
            due = start + i / config.rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            if stopped():
                break
            if len(tasks) >= MAX_OPEN_LOOP_IN_FLIGHT:
                result.errors["client saturated (not sent)"] += 1
                continue
            task = asyncio.create_task(one())
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks)
    else:
        async def client_loop() -> None:
            while result.sent < config.requests and not stopped():
                await one()

        await asyncio.gather(*(client_loop() for _ in range(config.concurrency)))
    result.duration_s = time.perf_counter() - start
    for connection in idle:
        connection.close()
    return result
