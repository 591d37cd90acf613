"""LLM serving throughput: `torchworks serve` (continuous batching) against llama-cpp-python's
OpenAI-compatible server (`python -m llama_cpp.server`), both driven by the same load generator.

    PYTHONPATH=src .venv/bin/python benchmarks/llm_serve.py --threads 1 --concurrency 1,8,32 \\
        --new-tokens 32 --rounds 1 --ours eager-fp32,int4-g32 --llama-cpp f32,q4_1

Every server runs in its own process with `--threads` compute threads (ours:
`--torch-threads`; llama.cpp: `--n_threads/--n_threads_batch`) and is started once; then each
round runs every (concurrency, server) pair in turn, so drift in machine load hits all alike.
Load: closed loop, `c` clients each sending `--requests-per-client` requests one after another,
greedy, `--new-tokens` at most. Every request's prompt starts differently (its number), so no
server reuses another request's prompt cache. Aggregate tok/s = generated tokens (as each
server reports them) over wall time; the table shows the median over rounds.

Our variants are served the way a user serves them: `torchworks export llm --variants NAME`
builds, gates and publishes the variant into a registry (kept in `--workdir`, so a rerun reuses
it), then `torchworks serve --models DIR` serves its newest approved version. llama.cpp serves
the shipped Q4_1 GGUF and the f32 / q8_0 files its quantizer writes from it (see _llama_cpp).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import _llama_cpp
import httpx

from torchworks.llm.load import EMBEDDED_NAME, embedded_gguf_path, ensure_embedded
from torchworks.serving.local import free_port
from torchworks.serving.registry import ModelStore

PROMPT = ("A reconfigurable solar collector comprises a telescoping base with a fixed tube and a "
          "mounting post, a removable support pole, and a panel array that moves from a deployed "
          "horizontal position to a collapsed vertical position. In one embodiment the array")
PEERS = {"eager-fp32": "f32", "onnx": "f32", "int8-packed": "q8_0", "int4-g32": "q4_1"}
ROOT = Path(__file__).resolve().parent.parent


class Server:
    """One server process: how to start it, how to ask it for one completion."""

    def __init__(self, name: str, command: list[str], ready_path: str, route: str,
                 body: Callable[[str, int], dict], tokens: Callable[[dict], int],
                 port: int) -> None:
        self.name, self.command, self.ready_path, self.route = name, command, ready_path, route
        self.body, self.tokens = body, tokens
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, log: Path) -> None:
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}"
               f"{os.environ.get('PYTHONPATH', '')}"}
        self.log = log
        self.process = subprocess.Popen(self.command, stdout=log.open("wb"),
                                        stderr=subprocess.STDOUT, env=env)

    def wait_ready(self, timeout_s: float = 600) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + self.ready_path, timeout=5).status_code == 200:
                    return
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} not ready after {timeout_s:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def ours(variant: str, registry: Path, threads: int, max_running: int) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "torchworks", "serve", "--services", "llm", "--port",
               str(port), "--models", str(registry), "--torch-threads", str(threads),
               "--max-running", str(max_running), "--no-web", "--log-level", "warning"]
    return Server(f"torchworks {variant}", command, "/readyz", "/v1/llm/generate",
                  lambda prompt, n: {"prompt": prompt, "max_new_tokens": n, "stream": False},
                  lambda answer: int(answer["generated_tokens"]), port)


def llama_cpp(kind: str, model: Path, threads: int, n_ctx: int) -> Server:
    port = free_port()
    return Server(f"llama.cpp {kind}",
                  _llama_cpp.server_command(sys.executable, model, port, threads, n_ctx),
                  "/v1/models", "/v1/completions",
                  lambda prompt, n: {"prompt": prompt, "max_tokens": n, "temperature": 0.0,
                                     "repeat_penalty": 1.0, "stream": False},
                  lambda answer: int(answer["usage"]["completion_tokens"]), port)


def registry_for(variant: str, workdir: Path, threads: int) -> Path:
    """A registry whose newest approved version of the embedded model is `variant`: version 1
    (the fp32 reference) for eager-fp32, else what `torchworks export llm` publishes."""
    root = workdir / f"registry-{variant}"
    ensure_embedded(root)
    if variant != "eager-fp32" and not _newest_is(root, variant):
        print(f"  torchworks export llm --variants {variant} (gate and publish, once)", flush=True)
        subprocess.run([sys.executable, "-m", "torchworks", "export", "llm", "--variants",
                        variant, "--models-dir", str(root), "--no-claim-checker", "--threads",
                        str(threads)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        if not _newest_is(root, variant):
            raise RuntimeError(f"{variant} was not approved by the gate; see "
                               f"{root / EMBEDDED_NAME}")
    return root


def _newest_is(root: Path, variant: str) -> bool:
    usable = [v for v in ModelStore(root).versions(EMBEDDED_NAME)
              if v.manifest.status != "rejected"]
    return bool(usable) and usable[-1].manifest.extra.get("variant") == variant


def drive(server: Server, concurrency: int, per_client: int, new_tokens: int,
          offset: int) -> tuple[float, float, float]:
    """Closed loop at `concurrency`: (aggregate generated tok/s, tokens per request, P50
    request latency s)."""
    latencies: list[float] = []

    def client(number: int) -> int:
        made = 0
        with httpx.Client(base_url=server.url, timeout=3600) as http:
            for k in range(per_client):
                prompt = f"Application {offset + number * per_client + k}. {PROMPT}"
                started = time.perf_counter()
                answer = http.post(server.route, json=server.body(prompt, new_tokens))
                answer.raise_for_status()
                latencies.append(time.perf_counter() - started)
                made += server.tokens(answer.json())
        return made

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        tokens = sum(pool.map(client, range(concurrency)))
    wall = time.perf_counter() - started
    return tokens / wall, tokens / (concurrency * per_client), statistics.median(latencies)


def refuse_fallback(server: Server) -> None:
    """Stop when the server skipped the version asked for and serves an older one.

    The registry falls back to the newest version that loads, which keeps a real server up but
    made an earlier run of this benchmark report eager-fp32's speed under the q8_0 name.
    """
    skipped = [line for line in server.log.read_text(errors="replace").splitlines()
               if "start-up: skipped" in line]
    if skipped:
        raise RuntimeError(f"{server.name} does not serve the version asked for: {skipped[0]}")


@contextlib.contextmanager
def running(servers: list[Server], workdir: Path) -> Iterator[None]:
    try:
        for server in servers:  # one at a time: loading does not compete with loading
            server.start(workdir / f"{server.name.replace(' ', '-')}.log")
            server.wait_ready()
            refuse_fallback(server)
            drive(server, 1, 1, 4, 10**6)  # warm-up: first-call work, connections
        yield
    finally:
        for server in servers:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ours", default="eager-fp32,int4-g32",
                        help="our variants to serve (each gated by `torchworks export llm`)")
    parser.add_argument("--llama-cpp", default="f32,q4_1",
                        help=f"llama.cpp files to serve, of {','.join(_llama_cpp.KINDS)} "
                        "('none' to skip)")
    parser.add_argument("--threads", default="1", help="comma list; servers restart per count")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--requests-per-client", type=int, default=2)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--n-ctx", type=int, default=2048, help="llama.cpp context")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/torchworks-llm-serve"),
                        help="registries, llama.cpp files and server logs (kept for reruns)")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    variants = [v for v in args.ours.split(",") if v and v != "none"]
    kinds = [] if args.llama_cpp == "none" else args.llama_cpp.split(",")
    if kinds and not _llama_cpp.installed():
        print("llama-cpp-python is not installed (make llama-cpp): llama.cpp rows left out")
        kinds = []
    args.workdir.mkdir(parents=True, exist_ok=True)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load average {load} (other "
          f"jobs share it: timings are noisy); python {platform.python_version()}")
    print(f"closed loop, {args.requests_per_client} requests per client, up to {args.new_tokens} "
          f"greedy tokens each, {args.rounds} round(s); median aggregate generated tok/s")
    files = _llama_cpp.llama_cpp_files(embedded_gguf_path(), args.workdir, tuple(kinds)) \
        if kinds else {}
    for threads in (int(t) for t in args.threads.split(",")):
        servers = [ours(v, registry_for(v, args.workdir, threads), threads, max(levels))
                   for v in variants]
        servers += [llama_cpp(k, f, threads, args.n_ctx) for k, f in files.items()]
        results: dict[tuple[str, int], list[tuple[float, float, float]]] = {}
        with running(servers, args.workdir):
            for round_no in range(args.rounds):
                for level in levels:
                    for server in servers:
                        results.setdefault((server.name, level), []).append(drive(
                            server, level, args.requests_per_client, args.new_tokens,
                            round_no * 10_000))
                print(f"  {threads} thread(s): round {round_no + 1}/{args.rounds} done; load "
                      f"average {os.getloadavg()[0]:.2f}", flush=True)
        print_table(threads, servers, levels, results)


def print_table(threads: int, servers: list[Server], levels: list[int],
                results: dict[tuple[str, int], list[tuple[float, float, float]]]) -> None:
    def tps(name: str, level: int) -> float:
        found = results.get((name, level))
        return statistics.median(r[0] for r in found) if found else float("nan")

    print(f"\n{threads} thread(s): aggregate generated tok/s (tokens per request, P50 latency s)")
    print(f"{'server':22s} " + " ".join(f"{'c=' + str(c):>22s}" for c in levels))
    for server in servers:
        cells = []
        for level in levels:
            runs = results[(server.name, level)]
            per_request = statistics.median(r[1] for r in runs)
            latency = statistics.median(r[2] for r in runs)
            cells.append(f"{tps(server.name, level):7.1f} ({per_request:4.1f}, {latency:5.2f})")
        print(f"{server.name:22s} " + " ".join(f"{c:>22s}" for c in cells))
    for server in servers:
        variant = server.name.removeprefix("torchworks ")
        peer = f"llama.cpp {PEERS.get(variant, '')}"
        if variant != server.name and any(s.name == peer for s in servers):
            print(f"{server.name} / {peer}: " + ", ".join(
                f"c={c} {tps(server.name, c) / tps(peer, c):.2f}x" for c in levels))


if __name__ == "__main__":
    main()
