"""`torchworks bench serve`: load-test a running server on this machine."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="load-test a local server: P50/P95/P99, throughput, errors, histogram",
        description="Closed loop (N clients) by default, open loop with --rate. Targets on "
                    "127.0.0.1 / ::1 / localhost only.")
    parser.add_argument("--url", required=True,
                        help="endpoint, e.g. http://127.0.0.1:8000/v1/toy/mlp")
    parser.add_argument("--body", default="{}",
                        help="JSON request body, or @FILE to read it from a file")
    parser.add_argument("--concurrency", type=int, default=8, help="closed-loop clients")
    parser.add_argument("--rate", type=float, default=None,
                        help="open loop: start this many requests per second")
    parser.add_argument("--requests", type=int, default=1000, help="stop after this many")
    parser.add_argument("--duration", type=float, default=30.0, help="stop after this many s")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-request timeout, s")
    parser.add_argument("--api-key", default=None, help="sent as Authorization: Bearer KEY")
    parser.add_argument("--png", type=Path, default=None, help="write a latency histogram")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from torchworks.errors import ConfigError, require
    from torchworks.serving.loadtest import LoadTestConfig, run_load_test

    require("httpx", "serve")
    body = args.body
    if body.startswith("@"):
        path = Path(body[1:])
        if not path.is_file():
            raise ConfigError(f"body file {path} does not exist")
        body = path.read_text(encoding="utf-8")
    config = LoadTestConfig(url=args.url, body=body.encode("utf-8"),
                            concurrency=args.concurrency, rate=args.rate,
                            requests=args.requests, duration_s=args.duration,
                            timeout_s=args.timeout, api_key=args.api_key)
    result = asyncio.run(run_load_test(config))
    print(result.summary())
    if args.png:
        print(f"histogram: {result.plot(args.png)}")
    return 0 if result.ok and not result.errors else 1
