"""Before/after on a busy shared machine: two source trees side by side under the same load.

    PYTHONPATH=src .venv/bin/python benchmarks/rec_serve_ab.py --trees /work/main,. --http
    PYTHONPATH=src .venv/bin/python benchmarks/rec_serve_ab.py --trees /work/main,. --index

Wall-clock rec/s on a machine other jobs share swings by 2x from minute to minute, so one run
of rec_serve.py per tree compares the load, not the code. Here the trees take turns:
`--http` starts one `torchworks serve` per tree (each tree's own `src/`) on the same bundle
and drives them alternately with the closed-loop load tester (concurrency 32, top-100 of 100k
items, as rec_serve.py), printing each round's server CPU per request (from /proc: what the
lead's quiet re-run turns into rec/s) beside rec/s and P95; `--index` imports each tree's
`recipes/recsys/index.py` into this process and alternates their exact searches per batch size.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from rec_serve import cpu_seconds, make_bundle

from torchworks.serving.local import free_port, wait_ready


def http_rounds(trees: list[Path], rounds: int, requests: int, threads: int) -> None:
    from torchworks.serving.loadtest import LoadTestConfig, run_load_test
    from torchworks.serving.registry import publish

    cpu: dict[Path, list[float]] = {t: [] for t in trees}
    with tempfile.TemporaryDirectory() as tmp:
        bundle = make_bundle(Path(tmp), 100_000, 10_000, 64, 50, 100)
        models = bundle.parent / "models"
        publish(models, "rec-recommend", bundle, format="torchworks-rec-bundle", precision="fp32")
        servers = {}
        for tree in trees:
            port = free_port()
            servers[tree] = (subprocess.Popen(
                [sys.executable, "-m", "torchworks", "serve", "--services", "rec-recommend",
                 "--models", str(models), "--port", str(port), "--no-web", "--log-level",
                 "warning", "--torch-threads", str(threads), "--max-batch-size", "256"],
                env={**os.environ, "PYTHONPATH": str(tree / "src")}), f"http://127.0.0.1:{port}")
        body = json.dumps({"user_id": "u1", "k": 100}).encode()
        try:
            for child, url in servers.values():
                wait_ready(url, alive=lambda c=child: c.poll() is None, timeout_s=300)
                asyncio.run(run_load_test(LoadTestConfig(  # warm-up
                    url=f"{url}/v1/rec/recommend", body=body, concurrency=32, requests=500)))
            for r in range(rounds):
                for tree, (child, url) in servers.items():
                    before = cpu_seconds(child.pid)
                    result = asyncio.run(run_load_test(LoadTestConfig(
                        url=f"{url}/v1/rec/recommend", body=body, concurrency=32,
                        requests=requests, duration_s=120)))
                    ms = (cpu_seconds(child.pid) - before) / max(result.ok, 1) * 1000
                    cpu[tree].append(ms)
                    print(f"round {r} {tree}: {result.ok} ok, {sum(result.errors.values())} "
                          f"errors, {result.throughput:.0f} rec/s, P95 "
                          f"{result.percentile(95) * 1000:.1f} ms, server CPU {ms:.3f} "
                          f"ms/request, load {os.getloadavg()[0]:.1f}", flush=True)
        finally:
            for child, _ in servers.values():
                child.terminate()
                child.wait(60)
    for tree, values in cpu.items():
        print(f"{tree}: server CPU per request median {statistics.median(values):.3f} ms "
              f"(min {min(values):.3f}) over {len(values)} rounds")


def index_rounds(trees: list[Path], rounds: int, precision: str) -> None:
    indexes = []
    gen = torch.Generator().manual_seed(0)
    centres = torch.randn(256, 64, generator=gen)
    vectors = centres[torch.randint(0, 256, (100_002,), generator=gen)]
    vectors = vectors + 0.5 * torch.randn(100_002, 64, generator=gen)
    for n, tree in enumerate(trees):
        name = f"_index_tree{n}"
        spec = importlib.util.spec_from_file_location(
            name, tree / "src/torchworks/recipes/recsys/index.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
        indexes.append(module.ItemIndex(vectors, module.SearchOptions(precision=precision)))
    rng = np.random.default_rng(0)
    for batch in (32, 128, 256):
        queries = torch.randn(batch, 64)
        rows = np.repeat(np.arange(batch), 100)  # 100 banned items per row, as served
        banned = (rows, rng.integers(2, len(vectors), len(rows)))
        per_row: list[list[float]] = [[] for _ in trees]
        for _ in range(rounds):
            for index, times in zip(indexes, per_row, strict=True):
                start = time.process_time()
                index.search(queries, 100, banned)
                times.append((time.process_time() - start) / batch * 1e6)
        cells = ", ".join(f"{tree}: {statistics.median(t):.1f}"
                          for tree, t in zip(trees, per_row, strict=True))
        print(f"{precision}, {torch.get_num_threads()} thread(s), batch {batch}: CPU us per "
              f"query (median of {rounds}) {cells}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", required=True, help="two or more source trees, comma-separated")
    parser.add_argument("--http", action="store_true", help="servers over HTTP, concurrency 32")
    parser.add_argument("--index", action="store_true", help="the item index in-process")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=2000, help="per HTTP round")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--precision", default="int8", help="index precision for --index")
    args = parser.parse_args()
    trees = [Path(t).resolve() for t in args.trees.split(",")]
    torch.set_num_threads(args.threads)
    if args.index:
        index_rounds(trees, max(args.rounds, 5), args.precision)
    if args.http:
        http_rounds(trees, args.rounds, args.requests, args.threads)


if __name__ == "__main__":
    main()
