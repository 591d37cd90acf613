"""Soak: `torchworks serve` with every default service under mixed and hostile traffic.

Run: .venv/bin/python benchmarks/serve_soak.py --duration-s 600 --swap-every-s 60 \
         --flood-claims 8000

A `torchworks serve` child process on 127.0.0.1 hosts what `make run` hosts (no --services:
the LLM (SmolLM2-135M, generate and SSE stream), patents summarize, draft and check, rec
recommend), with a model registry holding rec-recommend v1, v2 and a corrupt v3. `--clients`
closed-loop clients send the weighted mix of `_soak_traffic.py`: well-formed requests to every
service, and hostile ones (out-of-range sampling, NaN / lone-surrogate bodies, claim floods,
cross-site unloads, dropped streams). Every `--swap-every-s` the management API loads the next
of rec-recommend v1, v3 (refused: checksum), "newest" (falls back past v3 to v2) and v2.

Printed: requests by kind and outcome, P50/P95/P99 per service (well-formed, answered),
server RSS at start, after warm-up and at the end with its timeline, the swaps, and one
PASS/FAIL line against the goals: 0 failed well-formed requests, no 5xx, check P99 < 1 s, RSS
flat after warm-up (the rule is printed with the figures). Exit code 1 on FAIL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _serving import environment
from _soak_report import print_server_tails, report
from _soak_traffic import REC, Kind, build_rec_registry, mix

from torchworks.serving.local import free_port, wait_ready

JSON = {"content-type": "application/json"}


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def one(client: httpx.AsyncClient, kind: Kind) -> str:
    path, body = kind.build()
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = kind.headers or JSON
    if not kind.stream:
        return str((await client.post(path, content=content, headers=headers)).status_code)
    async with client.stream("POST", path, content=content, headers=headers) as reply:
        if reply.status_code != 200:
            return str(reply.status_code)
        events, done, error = 0, False, False
        async for line in reply.aiter_lines():
            if not line.startswith("data: "):
                continue
            events += 1
            done = done or line == "data: [DONE]"
            error = error or '"error"' in line or '"finish_reason": "timeout"' in line
            if kind.name == "disconnect" and events >= 3:
                return "dropped"
        return "sse-error" if error or not done else "200"


async def client_loop(url: str, kinds: list[Kind], stop: asyncio.Event, log: list) -> None:
    weights = [k.weight for k in kinds]
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        while not stop.is_set():
            kind = random.choices(kinds, weights)[0]
            began = time.perf_counter()
            try:
                outcome = await one(client, kind)
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
            log.append((kind, outcome, time.perf_counter() - began))


async def swapper(url: str, stop: asyncio.Event, every_s: float, swaps: list) -> None:
    order = ["1", "3", None, "2"]
    async with httpx.AsyncClient(base_url=url, timeout=300) as client:
        for i in range(10**9):
            try:
                await asyncio.wait_for(stop.wait(), every_s)
                return
            except asyncio.TimeoutError:
                pass
            version = order[i % len(order)]
            began = time.perf_counter()
            reply = await client.post(f"/v1/models/{REC}/load",
                                      json={} if version is None else {"version": version})
            swaps.append((version or "newest", reply.status_code,
                          reply.json().get("version", "-"), time.perf_counter() - began))


async def rss_sampler(pid: int, stop: asyncio.Event, every_s: float, samples: list) -> None:
    began = time.perf_counter()
    while True:
        samples.append((time.perf_counter() - began, rss_mib(pid)))
        try:
            await asyncio.wait_for(stop.wait(), every_s)
            samples.append((time.perf_counter() - began, rss_mib(pid)))
            return
        except asyncio.TimeoutError:
            pass


# A /healthz round trip every 0.5 s from a process of its own (the clients' event loop would
# add its own lag): the server does no work for it, so its time is the wait for the server's
# event loop (and for the GIL). One line per probe: seconds.
PROBE = """
import http.client, sys, time
host, port = sys.argv[1], int(sys.argv[2])
while True:
    began = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=60)
    connection.request("GET", "/healthz")
    connection.getresponse().read()
    connection.close()
    print(time.perf_counter() - began, flush=True)
    time.sleep(0.5)
"""


async def soak(url: str, pid: int, kinds: list[Kind], args: argparse.Namespace):
    stop = asyncio.Event()
    log: list = []
    swaps: list = []
    samples: list = []
    probe = subprocess.Popen([sys.executable, "-c", PROBE, "127.0.0.1", url.rsplit(":", 1)[1]],
                             stdout=subprocess.PIPE, text=True)
    tasks = [asyncio.create_task(client_loop(url, kinds, stop, log))
             for _ in range(args.clients)]
    tasks.append(asyncio.create_task(swapper(url, stop, args.swap_every_s, swaps)))
    tasks.append(asyncio.create_task(rss_sampler(pid, stop, 5.0, samples)))
    await asyncio.sleep(args.duration_s)
    stop.set()
    probe.terminate()
    await asyncio.gather(*tasks)
    lags = [float(line) for line in probe.communicate()[0].split()]
    return log, swaps, samples, lags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration-s", type=float, default=600)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--swap-every-s", type=float, default=60)
    parser.add_argument("--warmup-s", type=float, default=60,
                        help="RSS after this long is the reference for flatness (at most a "
                             "third of --duration-s)")
    parser.add_argument("--flood-claims", type=int, default=8000,
                        help="claims in a claim-flood request (0: no floods)")
    parser.add_argument("--server-flag", action="append", default=[], metavar="FLAG",
                        help="extra `torchworks serve` flag, e.g. --server-flag=--timeout-s=5 "
                             "(default: none, as `make run` starts it)")
    parser.add_argument("--server-log", type=Path, default=None, metavar="FILE",
                        help="keep the server's whole log there (default: its tail is printed)")
    args = parser.parse_args()
    warmup_s = min(args.warmup_s, args.duration_s / 3)
    from torchworks.recipes.recsys.service import cached_demo_bundle

    bundle = cached_demo_bundle()  # trained once into the user's cache (the embedded default)
    kinds = mix(bundle, args.flood_claims)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "models"
        build_rec_registry(root, bundle)
        port = free_port()
        server_log = (Path(tmp) / "server.log").open("w")
        command = [sys.executable, "-m", "torchworks", "serve", "--host", "127.0.0.1",
                   "--port", str(port), "--models", str(root), "--no-web", "--log-level",
                   "warning", *args.server_flag]
        process = subprocess.Popen(command, stderr=server_log, text=True,
                                   env={**os.environ, "TQDM_DISABLE": "1"})
        url = f"http://127.0.0.1:{port}"
        try:
            began = time.perf_counter()
            wait_ready(url, alive=lambda: process.poll() is None, timeout_s=600)
            ready_s = time.perf_counter() - began
            services = httpx.get(f"{url}/readyz").json()["models"]
            log, swaps, samples, probe = asyncio.run(soak(url, process.pid, kinds, args))
            metrics_text = httpx.get(f"{url}/metrics").text
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
            if args.server_log is not None:
                shutil.copyfile(Path(tmp) / "server.log", args.server_log)
    print(environment())
    print(f"server: {' '.join(command[1:])}")
    print(f"services (version): {services}; ready after {ready_s:.0f} s")
    print(f"soak: {args.clients} clients, {args.duration_s:.0f} s, rec-recommend swap every "
          f"{args.swap_every_s:.0f} s, claim floods of {args.flood_claims} claims")
    print_server_tails(metrics_text, probe)
    passed = report(kinds, log, swaps, samples, warmup_s)
    print(f"SIGTERM to exit: {shutdown_s:.1f} s (exit code {process.returncode})")
    print("server log tail:\n  " + "\n  ".join(tail))
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
