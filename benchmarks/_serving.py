"""Shared by the serve_* benchmarks: run a torchworks server in a child process.

The server gets its own process (and its own GIL) so the load generator in the parent does
not slow it down; `torch.set_num_threads` keeps it to the cores we give it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from torchworks.errors import TorchworksError
from torchworks.serving.local import free_port, wait_ready


def child_main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--service", choices=["mlp", "echo"], default="mlp")
    parser.add_argument("--hidden", type=int, default=4096)
    parser.add_argument("--max-batch-size", type=int, default=32)
    parser.add_argument("--max-queue-delay-ms", type=float, default=2.0)
    parser.add_argument("--models", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    import torch
    import uvicorn

    from torchworks.serving import toy
    from torchworks.serving.app import ServerConfig, create_app

    torch.set_num_threads(args.threads)
    spec = (toy.mlp_spec(hidden=args.hidden, max_batch_size=args.max_batch_size,
                         max_queue_delay_ms=args.max_queue_delay_ms)
            if args.service == "mlp" else toy.echo_spec())
    app = create_app([spec], ServerConfig(models_dir=args.models))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


@contextlib.contextmanager
def server(**options: object) -> Iterator[str]:
    """Start the child server with `options` (as its flags); yield its base URL."""

    port = free_port()
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in options.items() if v is not None]
    process = subprocess.Popen([sys.executable, __file__, f"--port={port}", *flags],
                               stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_ready(url, alive=lambda: process.poll() is None, timeout_s=120)
        except TorchworksError as exc:
            raise RuntimeError(f"benchmark server did not start: {exc}: "
                               f"{process.stderr.read()}") from None
        yield url
    finally:
        process.terminate()
        process.wait(60)


def environment() -> str:
    import torch

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load average {load} "
            f"(other jobs share it: timings are noisy); python {platform.python_version()}, "
            f"torch {torch.__version__}")


if __name__ == "__main__":
    child_main()
