"""Dynamic batching off vs on, same model, same server code, at concurrency 1, 8 and 32.

Run: .venv/bin/python benchmarks/serve_batching.py [--hidden 4096] [--duration 4]

The model is toy-mlp (64 -> H -> H -> 10, fp32, one torch thread). At batch 1 its forward is a
matrix-vector product that reads all weights per request; batched it is one matrix product, so
the cost per item falls. Goal: at concurrency 32, >= 4x the unbatched throughput at no worse P95.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from _serving import environment, server

from torchworks.serving.loadtest import LoadTestConfig, run_load_test


def measure(url: str, concurrency: int, duration: float) -> object:
    body = json.dumps({"features": [0.01 * i for i in range(64)]}).encode()
    config = LoadTestConfig(url=f"{url}/v1/toy/mlp", body=body, concurrency=concurrency,
                            requests=100_000, duration_s=duration)
    asyncio.run(run_load_test(LoadTestConfig(url=config.url, body=body, concurrency=concurrency,
                                             requests=2 * concurrency)))  # warm connections
    return asyncio.run(run_load_test(config))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=4096)
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per cell")
    parser.add_argument("--max-batch-size", type=int, default=32)
    parser.add_argument("--max-queue-delay-ms", type=float, default=2.0)
    args = parser.parse_args()
    levels = (1, 8, 32)
    results: dict[str, dict[int, object]] = {}
    for mode, batch in (("off", 1), ("on", args.max_batch_size)):
        with server(service="mlp", hidden=args.hidden, max_batch_size=batch,
                    max_queue_delay_ms=args.max_queue_delay_ms) as url:
            results[mode] = {c: measure(url, c, args.duration) for c in levels}
    print(environment())
    print(f"model toy-mlp hidden={args.hidden}; batching on: max_batch_size="
          f"{args.max_batch_size}, max_queue_delay_ms={args.max_queue_delay_ms}; "
          f"{args.duration:g} s closed loop per cell")
    print(f"{'conc':>4} | {'off req/s':>9} {'on req/s':>9} {'ratio':>6} | "
          f"{'off P95 ms':>10} {'on P95 ms':>10} {'ratio':>6} | errors off/on")
    for c in levels:
        off, on = results["off"][c], results["on"][c]
        p95_off, p95_on = off.percentile(95) * 1000, on.percentile(95) * 1000
        print(f"{c:>4} | {off.throughput:>9.1f} {on.throughput:>9.1f} "
              f"{on.throughput / off.throughput:>5.2f}x | {p95_off:>10.1f} {p95_on:>10.1f} "
              f"{p95_on / p95_off:>5.2f}x | {sum(off.errors.values())}/{sum(on.errors.values())}")
    c32_ratio = results["on"][32].throughput / results["off"][32].throughput
    p95_ok = results["on"][32].percentile(95) <= results["off"][32].percentile(95)
    print(f"goal at c=32: >= 4x throughput and P95 no worse -> {c32_ratio:.2f}x, "
          f"P95 {'no worse' if p95_ok else 'WORSE'}")


if __name__ == "__main__":
    main()
