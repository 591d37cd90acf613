"""What the HTTP server adds: a no-op model's P50 through HTTP vs the same call in-process.

Run: .venv/bin/python benchmarks/serve_overhead.py [--requests 2000]

The model is toy-echo (returns its input). In-process is `predictor.predict([request])`;
through HTTP is one closed-loop client on 127.0.0.1 (keep-alive), which includes JSON parsing,
validation, the batching queue (max_queue_delay_ms=0), the model thread hop and the response.
Goal: under 2 ms added at P50.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from _serving import environment, server

from torchworks.serving import toy
from torchworks.serving.loadtest import LoadTestConfig, run_load_test


def in_process_p50(requests: int) -> float:
    predictor = toy.echo_spec().load(None)
    request = toy.EchoRequest(x=1.0)
    samples = []
    for _ in range(requests):
        began = time.perf_counter()
        predictor.predict([request])
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    local = in_process_p50(args.requests)
    with server(service="echo") as url:
        config = LoadTestConfig(url=f"{url}/v1/toy/echo", body=b'{"x": 1.0}', concurrency=1,
                                requests=args.requests, duration_s=60)
        asyncio.run(run_load_test(LoadTestConfig(url=config.url, body=config.body, requests=50)))
        http = asyncio.run(run_load_test(config))
    print(environment())
    print(f"toy-echo, {args.requests} sequential requests, one keep-alive connection")
    print(f"{'path':<12} {'P50 ms':>8} {'P95 ms':>8} {'P99 ms':>8}")
    print(f"{'in-process':<12} {local * 1000:>8.4f}")
    print(f"{'HTTP':<12} {http.percentile(50) * 1000:>8.3f} {http.percentile(95) * 1000:>8.3f} "
          f"{http.percentile(99) * 1000:>8.3f}")
    added = (http.percentile(50) - local) * 1000
    print(f"server overhead at P50: {added:.3f} ms (goal < 2 ms: "
          f"{'met' if added < 2 else 'NOT met'}); errors: {sum(http.errors.values())}")


if __name__ == "__main__":
    main()
