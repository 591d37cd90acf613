"""Dynamic batching off vs on, same model, same server code, at concurrency 1, 8 and 32.

Run: .venv/bin/python benchmarks/serve_batching.py [--hidden 4096] [--duration 3] [--rounds 2]

The model is toy-mlp (64 -> H -> H -> 10, fp32, one torch thread). At batch 1 its forward is a
matrix-vector product that reads all weights per request; batched it is one matrix product, so
the cost per item falls. Goal: at concurrency 32, >= 4x the unbatched throughput at no worse P95.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from _serving import environment, server

from torchworks.serving.loadtest import LoadTestConfig, LoadTestResult, run_load_test


def measure(url: str, concurrency: int, duration: float) -> LoadTestResult:
    body = json.dumps({"features": [0.01 * i for i in range(64)]}).encode()
    config = LoadTestConfig(url=f"{url}/v1/toy/mlp", body=body, concurrency=concurrency,
                            requests=100_000, duration_s=duration)
    asyncio.run(run_load_test(LoadTestConfig(url=config.url, body=body, concurrency=concurrency,
                                             requests=2 * concurrency)))  # warm connections
    return asyncio.run(run_load_test(config))


def merge(parts: list[LoadTestResult]) -> LoadTestResult:
    merged = LoadTestResult(mode=parts[0].mode, sent=0, duration_s=0.0)
    for part in parts:
        merged.sent += part.sent
        merged.duration_s += part.duration_s
        merged.latencies_s += part.latencies_s
        merged.errors.update(part.errors)
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=4096)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=2,
                        help="off/on runs alternate this many times per concurrency, so both "
                             "see the same (shared, noisy) machine")
    parser.add_argument("--max-batch-size", type=int, default=32)
    parser.add_argument("--max-queue-delay-ms", type=float, default=2.0)
    args = parser.parse_args()
    levels = (1, 8, 32)
    runs: dict[str, dict[int, list[LoadTestResult]]] = {"off": {}, "on": {}}
    common = {"service": "mlp", "hidden": args.hidden,
              "max_queue_delay_ms": args.max_queue_delay_ms}
    with server(max_batch_size=1, **common) as off_url, \
            server(max_batch_size=args.max_batch_size, **common) as on_url:
        for c in levels:
            for _ in range(args.rounds):
                for mode, url in (("off", off_url), ("on", on_url)):
                    runs[mode].setdefault(c, []).append(measure(url, c, args.duration))
    results = {mode: {c: merge(parts) for c, parts in by_c.items()}
               for mode, by_c in runs.items()}
    print(environment())
    print(f"model toy-mlp hidden={args.hidden}; batching on: max_batch_size="
          f"{args.max_batch_size}, max_queue_delay_ms={args.max_queue_delay_ms}; "
          f"closed loop, {args.rounds} x {args.duration:g} s per cell, off/on interleaved")
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
