"""`torchworks train rec`: two-tower, DIN or SASRec on a prepared dataset (shared engine)."""

from __future__ import annotations

import argparse
import os

from torchworks.config import add_arguments, from_args
from torchworks.recipes.recsys.config import RecTrainConfig

EXAMPLES = """examples:
  torchworks rec synth --out data/synth.csv && torchworks rec prepare data/synth.csv --out data/rec
  torchworks train rec --config src/torchworks/recipes/recsys/configs/sasrec.yaml
  torchworks train rec --model two-tower --data data/rec --out runs/tt --epochs 20 --batch-size 1024
  torchworks train rec --model din --data data/rec --out runs/din
  torchworks train rec --out runs/sasrec --resume                       # continue a stopped run
  torchworks train rec --data data/week2 --init-from runs/week1/checkpoints/best.pt --out runs/week2
  torchrun --nproc-per-node 2 -m torchworks train rec --config .../sasrec.yaml   # DDP
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "rec",
        help="train two-tower / DIN / SASRec recommenders on the shared engine",
        description="Train a recommendation model on a dataset from `torchworks rec prepare`; "
        "validates every few epochs (full-ranking NDCG@10, or AUC for DIN) and keeps "
        "best.pt. Runs under torchrun for DDP.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser, RecTrainConfig)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from torchworks.recipes.recsys.train import train

    cfg = from_args(RecTrainConfig, args)
    summary = train(cfg)
    if os.environ.get("RANK", "0") != "0":
        return 0
    valid = "  ".join(f"{k} {v:.4f}" for k, v in summary.valid.items())
    grown = f"  grown rows {summary.grown_rows}" if summary.grown_rows else ""
    print(
        f"{summary.model}: {summary.steps} steps in {summary.train_seconds:.1f}s "
        f"({summary.samples_per_second:.0f} samples/s, {summary.device}, {summary.precision})  "
        f"valid {valid}{grown} -> {cfg.out}"
    )
    print(f"next: torchworks rec eval {cfg.out}/checkpoints/best.pt --data {cfg.data}")
    return 0
