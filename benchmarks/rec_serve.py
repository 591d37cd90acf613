"""Recommendations/s and latency for top-100 over a 100k-item catalogue: batched vs unbatched,
in-process and through HTTP (`torchworks serve` in a child process), side by side.

    .venv/bin/python benchmarks/rec_serve.py [--items 100000 --k 100 --requests 400]

The model is a random-init two-tower (dim 64): serving cost does not depend on the weights.
"In-process" calls `RecPredictor.predict` directly (one request per call, or batches of
--batch); "HTTP" runs closed-loop clients against the real server (concurrency 1 = nothing to
batch; concurrency --concurrency = the server's dynamic batcher fills batches). The reference
system claims 5000 QPS on a GPU; this prints where we stand on the machine it runs on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from torchworks.serving.local import free_port, wait_ready


def make_bundle(root: Path, items: int, users: int, dim: int, history_len: int) -> Path:
    from torchworks.engine.checkpoint import build_state, save_checkpoint
    from torchworks.recipes.recsys.index import ItemIndex
    from torchworks.recipes.recsys.models.two_tower import TwoTower, TwoTowerConfig
    from torchworks.recipes.recsys.tasks import ModelSettings
    from torchworks.recipes.recsys.vocab import NUM_RESERVED, Vocab

    bundle = root / "bundle"
    bundle.mkdir(parents=True)
    n_items, n_users = items + NUM_RESERVED, users + NUM_RESERVED
    model = TwoTower(TwoTowerConfig(n_users, n_items, 22, dim, 2 * dim)).eval()
    settings = ModelSettings("two-tower", dim=dim)
    extra = {
        "settings": settings.__dict__,
        "history_len": history_len,
        "num_users": n_users,
        "num_items": n_items,
        "num_categories": 22,
        "data": "synthetic",
    }
    save_checkpoint(bundle / "retrieval.pt", build_state(model, None, step=0, epoch=0, extra=extra))
    with torch.no_grad():
        ItemIndex(model.item_vectors()).save(bundle / "item_index.pt")
    Vocab(f"u{i}" for i in range(users)).save(bundle / "users.vocab.json")
    Vocab(f"i{i}" for i in range(items)).save(bundle / "items.vocab.json")
    Vocab(f"c{i}" for i in range(20)).save(bundle / "categories.vocab.json")
    rng = np.random.default_rng(0)
    np.save(
        bundle / "user_history.npy",
        rng.integers(NUM_RESERVED, n_items, (n_users, history_len)).astype(np.int32),
    )
    np.save(bundle / "item_category.npy", rng.integers(2, 22, n_items))
    return bundle


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def in_process(
    bundle: Path, k: int, requests: int, batch: int
) -> list[tuple[str, float, float, float]]:
    from torchworks.recipes.recsys.service import RecommendRequest, RecPredictor

    predictor = RecPredictor(bundle)
    reqs = [RecommendRequest(user_id=f"u{i % 10000}", k=k) for i in range(requests)]
    predictor.predict(reqs[:batch])  # warm-up
    rows = []
    for size in (1, batch):
        latencies = []
        started = time.perf_counter()
        for s in range(0, requests, size):
            t0 = time.perf_counter()
            predictor.predict(reqs[s : s + size])
            latencies += [time.perf_counter() - t0] * len(reqs[s : s + size])
        elapsed = time.perf_counter() - started
        rows.append(
            (
                f"in-process, batch {size}",
                requests / elapsed,
                percentile(latencies, 50),
                percentile(latencies, 95),
            )
        )
    return rows


def over_http(
    bundle: Path, k: int, requests: int, concurrency: int, threads: int, max_batch: int
) -> list[tuple[str, float, float, float]]:

    from torchworks.serving.loadtest import LoadTestConfig, run_load_test
    from torchworks.serving.registry import publish

    models = bundle.parent / "models"
    publish(models, "rec-recommend", bundle, format="torchworks-rec-bundle", precision="fp32")
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "torchworks",
        "serve",
        "--services",
        "rec-recommend",
        "--models",
        str(models),
        "--port",
        str(port),
        "--no-web",
        "--log-level",
        "warning",
        "--torch-threads",
        str(threads),
        "--max-batch-size",
        str(max_batch),
    ]
    child = subprocess.Popen(cmd)
    rows = []
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, alive=lambda: child.poll() is None, timeout_s=180)
        body = json.dumps({"user_id": "u1", "k": k}).encode()
        for clients in (1, concurrency):
            cfg = LoadTestConfig(
                url=f"{url}/v1/rec/recommend",
                body=body,
                concurrency=clients,
                requests=requests,
                duration_s=120,
            )
            result = asyncio.run(run_load_test(cfg))
            if result.errors:
                print(f"HTTP concurrency {clients}: errors {dict(result.errors)}")
            rows.append(
                (
                    f"HTTP, concurrency {clients}",
                    result.throughput,
                    result.percentile(50) * 1000,
                    result.percentile(95) * 1000,
                )
            )
    finally:
        child.terminate()
        child.wait(60)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument(
        "--batch", type=int, default=32, help="in-process batch and server max batch"
    )
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        bundle = make_bundle(Path(tmp), args.items, args.users, args.dim, 50)
        rows = in_process(bundle, args.k, args.requests, args.batch)
        rows += over_http(bundle, args.k, args.requests, args.concurrency, args.threads, args.batch)
    print(
        f"\nrec-recommend: top-{args.k} of {args.items} items, dim {args.dim}, two-tower, "
        f"exact index ({'faiss' if _has_faiss() else 'torch matmul'})"
    )
    print(
        f"machine: {platform.machine()} {os.cpu_count()} CPUs, torch {torch.__version__}, "
        f"{args.threads} torch threads, no GPU"
        if not torch.cuda.is_available()
        else ""
    )
    print(f"{'variant':28s} {'rec/s':>9s} {'P50 ms':>9s} {'P95 ms':>9s} {'x unbatched':>12s}")
    base = {"in": rows[0][1], "HT": rows[2][1]}
    for name, rps, p50, p95 in rows:
        print(f"{name:28s} {rps:9.1f} {p50:9.2f} {p95:9.2f} {rps / base[name[:2]]:12.2f}")
    print("reference claim: 5000 QPS (on a GPU); timings on a shared CPU are noisy")


def _has_faiss() -> bool:
    import importlib.util

    return importlib.util.find_spec("faiss") is not None


if __name__ == "__main__":
    main()
