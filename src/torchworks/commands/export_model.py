"""`torchworks export torchscript|onnx --checkpoint PATH --out FILE`, with a parity check.

Works for any checkpoint whose recipe recorded how to rebuild its model (see
`torchworks.export.from_checkpoint`). The exported file is compared with eager PyTorch on a
random batch; the max abs diff is printed and above `--tolerance` the command fails.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    for target, help_text in (("torchscript", "export a checkpoint to TorchScript (traced)"),
                              ("onnx", "export a checkpoint to ONNX (dynamic batch)")):
        parser = subparsers.add_parser(target, help=help_text, description=help_text)
        parser.add_argument("--checkpoint", type=Path, required=True,
                            help="checkpoint from a training run, e.g. <out>/checkpoints/best.pt")
        parser.add_argument("--out", type=Path, required=True, help="file to write")
        parser.add_argument("--tolerance", type=float, default=1e-4,
                            help="max abs diff allowed against eager PyTorch (default: 1e-4)")
        parser.add_argument("--parity-batch", type=int, default=8,
                            help="random inputs used for the parity check (default: 8)")
        if target == "onnx":
            parser.add_argument("--exporter", choices=("dynamo", "torchscript"), default="dynamo",
                                help="torch.export-based (default) or the legacy tracer")
            parser.add_argument("--opset", type=int, default=None, help="ONNX opset version")
        parser.set_defaults(run=run, export_target=target)


def run(args: argparse.Namespace) -> int:
    from torchworks.errors import ConfigError
    from torchworks.export.from_checkpoint import load_model_from_checkpoint
    from torchworks.export.parity import check_parity
    from torchworks.export.runtime import load_exported

    if args.parity_batch < 1 or args.tolerance < 0:
        raise ConfigError("--parity-batch must be >= 1 and --tolerance >= 0")
    loaded = load_model_from_checkpoint(args.checkpoint)
    example = loaded.example_input(batch=2)
    if args.export_target == "onnx":
        from torchworks.export.onnx import export_onnx

        export_onnx(loaded.module, example, args.out, loaded.metadata(), exporter=args.exporter,
                    opset=args.opset)
    else:
        from torchworks.export.torchscript import export_torchscript

        export_torchscript(loaded.module, example, args.out, loaded.metadata())
    report = check_parity(loaded.module, load_exported(args.out).run,
                          loaded.example_input(batch=args.parity_batch, seed=1), args.tolerance)
    print(f"wrote {args.out} ({args.export_target}); parity vs eager on {report.batch} inputs: "
          f"max abs diff {report.max_abs_diff:.3g} (tolerance {report.tolerance:.3g}) "
          f"{'ok' if report.passed else 'FAILED'}")
    report.raise_if_failed(f"{args.out}")
    return 0
