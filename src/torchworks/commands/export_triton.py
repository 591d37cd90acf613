"""`torchworks export triton`: a registered model as a Triton model repository."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "triton", help="copy a registered ONNX/TorchScript model into a Triton repository",
        description="Writes REPO/<name>/config.pbtxt (dynamic_batching, version_policy) and "
                    "REPO/<name>/<version>/model.{onnx,pt}; rejected versions are skipped.")
    parser.add_argument("--models", type=Path, required=True, metavar="DIR",
                        help="registry root holding DIR/<name>/<version>/")
    parser.add_argument("--name", required=True, help="registered model name")
    parser.add_argument("--out", type=Path, required=True, metavar="REPO",
                        help="Triton model repository to write into")
    parser.add_argument("--max-batch-size", type=int, default=8)
    parser.add_argument("--max-queue-delay-ms", type=float, default=5.0)
    parser.add_argument("--version-policy", choices=["latest", "all"], default="latest")
    parser.add_argument("--instances", type=int, default=1, help="instance_group count")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from torchworks.serving.triton import export_to_triton

    result = export_to_triton(args.models, args.name, args.out,
                              max_batch_size=args.max_batch_size,
                              max_queue_delay_ms=args.max_queue_delay_ms,
                              version_policy=args.version_policy, instance_count=args.instances)
    print(f"wrote {result.model_dir} (versions {', '.join(result.versions)})")
    for line in result.skipped:
        print(f"skipped version {line}")
    return 0
