"""Soak: mixed traffic from 32 clients with hostile requests and hot swaps, for a bounded time.

Run: .venv/bin/python benchmarks/serve_soak.py [--duration-s 600] [--clients 32]

A `torchworks serve` child process hosts toy-mlp (from a registry: v1, v2 good, v3 corrupt
after publishing), toy-echo, toy-gen and patents-check. Each client loops over a weighted mix
of well-formed requests (predict, check, generate with and without streaming) and hostile ones
(out-of-range sampling, NaN / lone-surrogate bodies, a claim flood, cross-site unloads with
text/plain, streams dropped mid-way). Every `--swap-every-s` the management API loads the next
of v1, v2, v3 (refused: checksum) and "newest" (falls back past v3). The table: requests by
kind and outcome, P50/P95/P99 of the well-formed ones per service, RSS of the server at start
and end. What must hold: 0 failed well-formed requests; hostile ones get 4xx, never 5xx.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx
import torch
from _serving import environment

from torchworks.serving import toy
from torchworks.serving.local import free_port, wait_ready
from torchworks.serving.registry import publish

CLAIMS = ("1. A support pole comprising a base and a telescoping shaft.\n"
          "2. The support pole of claim 1, wherein the base is weighted.\n"
          "3. The support pole of claim 2, wherein the shaft locks at two heights.\n")


def flood(claims: int) -> str:
    return "1. A pole.\n" + "".join(f"{i}. The support pole of claim 1, wherein part {i} is "
                                    "steel.\n" for i in range(2, claims + 1))


FLOOD = flood(8000)  # --flood-claims replaces it
JSON = {"content-type": "application/json"}

# (kind, service, weight, well_formed, request builder) -> method, path, body bytes, headers
MIX = [
    ("mlp", "toy-mlp", 30, True, lambda: ("/v1/toy/mlp", {"features": [0.1] * 64})),
    ("echo", "toy-echo", 15, True, lambda: ("/v1/toy/echo", {"x": random.random()})),
    ("check", "patents-check", 15, True, lambda: ("/v1/patents/check", {"claims": CLAIMS})),
    ("generate", "toy-gen", 10, True, lambda: ("/v1/toy/generate", {
        "prompt": "A method", "max_new_tokens": 16, "stream": False, "temperature": 0.7,
        "top_p": 0.9, "seed": random.randrange(1000)})),
    ("stream", "toy-gen", 5, True, lambda: ("/v1/toy/generate", {
        "prompt": "A device", "max_new_tokens": 16})),
    ("bad-sampling", "toy-gen", 4, False, lambda: ("/v1/toy/generate", random.choice([
        {"prompt": "x", "temperature": 1, "top_p": 1e-300},
        {"prompt": "x", "temperature": 1, "seed": 10**30},
        {"prompt": "x", "repetition_penalty": 1e300}]))),
    ("nan-body", "toy-mlp", 4, False, lambda: ("/v1/toy/mlp", b'{"features": [NaN]}')),
    ("surrogate", "toy-echo", 3, False, lambda: ("/v1/toy/echo", b'{"x": "\\ud800"}')),
    ("claim-flood", "patents-check", 1, False, lambda: ("/v1/patents/check",
                                                        {"claims": FLOOD})),
    ("cross-site", "admin", 3, False, lambda: ("/v1/models/toy-mlp/unload", b"{}")),
    ("disconnect", "toy-gen", 4, False, lambda: ("/v1/toy/generate", {
        "prompt": "A long one", "max_new_tokens": 4000})),
]


def build_registry(root: Path) -> None:
    for version in ("1", "2", "3"):
        weights = root.parent / f"w{version}" / toy.MLP_WEIGHTS
        weights.parent.mkdir(parents=True)
        torch.save(toy.build_mlp(hidden=1024, seed=int(version)).state_dict(), weights)
        publish(root, "toy-mlp", weights, format="torch-state-dict", precision="fp32",
                version=version)
    corrupt = root / "toy-mlp" / "3" / toy.MLP_WEIGHTS
    corrupt.write_bytes(corrupt.read_bytes()[:-100])  # truncated after publishing


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def one(client: httpx.AsyncClient, kind: str, path: str, body: object) -> str:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = dict(JSON)
    if kind == "cross-site":
        headers = {"content-type": "text/plain", "origin": "http://evil.example"}
    if kind in ("stream", "disconnect"):
        async with client.stream("POST", path, content=content, headers=headers) as reply:
            events = 0
            async for line in reply.aiter_lines():
                events += line.startswith("data: ")
                if kind == "disconnect" and events >= 3:
                    return "dropped"
            return str(reply.status_code)
    reply = await client.post(path, content=content, headers=headers)
    return str(reply.status_code)


async def client_loop(url: str, stop: asyncio.Event, log: list) -> None:
    weights = [m[2] for m in MIX]
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        while not stop.is_set():
            kind, service, _, well_formed, build = random.choices(MIX, weights)[0]
            path, body = build()
            began = time.perf_counter()
            try:
                outcome = await one(client, kind, path, body)
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
            log.append((kind, service, well_formed, outcome, time.perf_counter() - began))


async def swapper(url: str, stop: asyncio.Event, every_s: float, swaps: list) -> None:
    order = ["2", "3", None, "1"]
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        i = 0
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), every_s)
                return
            except asyncio.TimeoutError:
                pass
            version = order[i % len(order)]
            i += 1
            began = time.perf_counter()
            reply = await client.post("/v1/models/toy-mlp/load",
                                      json={} if version is None else {"version": version})
            swaps.append((version or "newest", reply.status_code,
                          reply.json().get("version", "-"), time.perf_counter() - began))


async def soak(url: str, clients: int, duration_s: float, every_s: float):
    stop = asyncio.Event()
    log: list = []
    swaps: list = []
    tasks = [asyncio.create_task(client_loop(url, stop, log)) for _ in range(clients)]
    tasks.append(asyncio.create_task(swapper(url, stop, every_s, swaps)))
    await asyncio.sleep(duration_s)
    stop.set()
    await asyncio.gather(*tasks)
    return log, swaps


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration-s", type=float, default=600)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--swap-every-s", type=float, default=60)
    parser.add_argument("--timeout-s", type=float, default=5.0,
                        help="the server's per-request timeout (a claim flood stops at it)")
    parser.add_argument("--flood-claims", type=int, default=8000,
                        help="claims in a claim-flood request (0: no floods)")
    args = parser.parse_args()
    global FLOOD
    FLOOD = flood(args.flood_claims)
    if args.flood_claims == 0:
        MIX[:] = [m for m in MIX if m[0] != "claim-flood"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "models"
        build_registry(root)
        port = free_port()
        server_log = (Path(tmp) / "server.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "torchworks", "serve", "--port", str(port), "--services",
             "toy-mlp,toy-echo,toy-gen,patents-check", "--models", str(root), "--no-web",
             "--timeout-s", str(args.timeout_s), "--torch-threads", "1",
             "--log-level", "warning"], stderr=server_log, text=True)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url, alive=lambda: process.poll() is None, timeout_s=300)
            rss_start = rss_mib(process.pid)
            log, swaps = asyncio.run(soak(url, args.clients, args.duration_s,
                                          args.swap_every_s))
            rss_end = rss_mib(process.pid)
        finally:
            process.terminate()
            stopped = time.perf_counter()
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
            server_log.close()
            shutdown_s = time.perf_counter() - stopped
            tail = (Path(tmp) / "server.log").read_text().splitlines()[-15:]
    print(environment())
    print(f"soak: {args.clients} clients, {args.duration_s:.0f} s, swap every "
          f"{args.swap_every_s:.0f} s, server --timeout-s {args.timeout_s}, claim floods of "
          f"{args.flood_claims} claims")
    outcomes: dict[str, Counter] = defaultdict(Counter)
    for kind, _, _, outcome, _ in log:
        outcomes[kind][outcome] += 1
    print(f"{'kind':<13} {'well-formed':>11}  outcomes")
    for kind, _, _, well_formed, _ in MIX:
        print(f"{kind:<13} {'yes' if well_formed else 'no':>11}  "
              f"{dict(sorted(outcomes[kind].items()))}")
    failed = [e for e in log if e[2] and e[3] not in ("200",)]
    server_errors = [e for e in log if e[3].startswith("5")]
    print(f"well-formed requests: {sum(e[2] for e in log)}, failed: {len(failed)} "
          f"({dict(Counter((e[0], e[3]) for e in failed))}); 5xx of any kind: "
          f"{len(server_errors)}")
    print(f"{'service':<14} {'n':>6} {'P50 ms':>8} {'P95 ms':>8} {'P99 ms':>8}")
    by_service: dict[str, list[float]] = defaultdict(list)
    for _, service, well_formed, outcome, seconds in log:
        if well_formed and outcome == "200":
            by_service[service].append(seconds)
    for service, values in sorted(by_service.items()):
        print(f"{service:<14} {len(values):>6} {percentile(values, .5) * 1e3:>8.1f} "
              f"{percentile(values, .95) * 1e3:>8.1f} {percentile(values, .99) * 1e3:>8.1f}")
    print("swaps (asked, HTTP, serving, seconds):",
          ", ".join(f"{a}->{s}:{v} {t:.1f}s" for a, s, v, t in swaps) or "none")
    print(f"server RSS: start {rss_start:.0f} MiB, end {rss_end:.0f} MiB "
          f"({rss_end - rss_start:+.0f} MiB); SIGTERM to exit: {shutdown_s:.1f} s "
          f"(exit code {process.returncode})")
    print("server log tail:\n  " + "\n  ".join(tail))


if __name__ == "__main__":
    main()
