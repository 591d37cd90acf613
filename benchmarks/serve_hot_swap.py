"""Hot swap under load: zero failed requests while versions are swapped or refused.

Run: .venv/bin/python benchmarks/serve_hot_swap.py [--concurrency 8]

A server (own process) serves toy-mlp v1 from a temporary registry while a closed-loop load
runs. Meanwhile the management API loads v2 (good), v3 (corrupt weights: load fails), v4
(rejected by its quality gate) and v5 (good). Every request must succeed; the table shows
which version answered how many, and how long each management call took.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

import httpx
import torch
from _serving import environment, server

from torchworks.serving import toy
from torchworks.serving.loadtest import LoadTestConfig, run_load_test
from torchworks.serving.registry import publish, set_status


def build_registry(root: Path, hidden: int) -> None:
    for version, seed in (("1", 1), ("2", 2), ("4", 4), ("5", 5)):
        weights = root.parent / f"w{version}" / toy.MLP_WEIGHTS
        weights.parent.mkdir(parents=True)
        torch.save(toy.build_mlp(hidden=hidden, seed=seed).state_dict(), weights)
        publish(root, "toy-mlp", weights, format="torch-state-dict", precision="fp32",
                version=version)
    broken = root.parent / "w3" / toy.MLP_WEIGHTS
    broken.parent.mkdir()
    broken.write_bytes(b"truncated checkpoint")
    publish(root, "toy-mlp", broken, format="torch-state-dict", precision="fp32", version="3")
    set_status(root, "toy-mlp", "4", "rejected", "accuracy 0.41 < gate 0.90")


async def scenario(url: str, concurrency: int) -> tuple[object, list[tuple[str, int, float, str]]]:
    body = json.dumps({"features": [0.1] * 64}).encode()
    stop = asyncio.Event()
    load = asyncio.create_task(run_load_test(
        LoadTestConfig(url=f"{url}/v1/toy/mlp", body=body, concurrency=concurrency,
                       requests=10**7, duration_s=300), stop))
    calls = []
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        await asyncio.sleep(1.0)
        for version in ("2", "3", "4", "5"):
            began = time.perf_counter()
            response = await client.post("/v1/models/toy-mlp/load", json={"version": version})
            detail = response.json().get("detail", "swapped")
            calls.append((version, response.status_code, time.perf_counter() - began,
                          str(detail)[:70]))
            await asyncio.sleep(1.0)
    stop.set()
    return await load, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--hidden", type=int, default=1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "models"
        build_registry(root, args.hidden)
        with server(service="mlp", hidden=args.hidden, models=root, max_batch_size=32,
                    max_queue_delay_ms=2.0) as url:
            httpx.post(f"{url}/v1/models/toy-mlp/load", json={"version": "1"}, timeout=60)
            result, calls = asyncio.run(scenario(url, args.concurrency))
    print(environment())
    print(f"toy-mlp hidden={args.hidden}, closed loop x{args.concurrency} during all loads")
    print(f"{'load version':<13} {'HTTP':>4} {'seconds':>8}  answer")
    for version, status, seconds, detail in calls:
        print(f"{version:<13} {status:>4} {seconds:>8.2f}  {detail}")
    print(result.summary())
    print("answered by version: " + ", ".join(f"v{k}: {v}" for k, v in
                                               sorted(result.versions.items())))
    failed = sum(result.errors.values())
    print(f"failed requests during swaps: {failed} (goal 0: {'met' if failed == 0 else 'NOT met'})")


if __name__ == "__main__":
    main()
