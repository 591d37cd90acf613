"""`torchworks predict mnist --model FILE IMAGE.png ...`: classify digit images."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "mnist", help="classify digit images with an exported MNIST model",
        description="Classify PNG/JPEG digit images with a model from `torchworks export "
                    "torchscript|onnx` (.pt or .onnx).")
    parser.add_argument("--model", type=Path, required=True, help="exported model (.pt or .onnx)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per image")
    parser.add_argument("images", type=Path, nargs="+", metavar="IMAGE", help="image files")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from torchworks.recipes.vision.predict import predict

    for result in predict(args.model, list(args.images)):
        if args.json:
            print(json.dumps(dataclasses.asdict(result)))
        else:
            print(f"{result.image}: {result.label} (p={result.probability:.3f})")
    return 0
