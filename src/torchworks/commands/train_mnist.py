"""`torchworks train mnist`: train, resume or evaluate the MNIST CNN recipe."""

from __future__ import annotations

import argparse
import os

from torchworks.config import add_arguments, from_args
from torchworks.recipes.vision.config import MnistConfig

EXAMPLES = """examples:
  torchworks train mnist --out runs/mnist                      # offline 5k subset, strong CNN
  torchworks train mnist --config src/torchworks/recipes/vision/configs/simple.yaml
  torchworks train mnist --data-dir ~/data/mnist --epochs 15 --amp auto --compile
  torchworks train mnist --out runs/mnist --resume             # continue an interrupted run
  torchworks train mnist --out runs/mnist --resume-from runs/mnist/checkpoints/step-00000400.pt
  torchworks train mnist --out runs/mnist --overwrite          # replace the run in runs/mnist
  torchworks train mnist --eval-only --checkpoint runs/mnist/checkpoints/best.pt
  torchworks train mnist --eval-only --checkpoint CK --test-dir ~/data/fashion  # t10k-* only
  .venv/bin/python -m torch.distributed.run --nproc-per-node 2 -m torchworks train mnist

splits: --val-fraction (default 0.1) of the training images, seeded and per class, is the
validation split: scored every epoch, it picks checkpoints/best.pt. The test split (t10k-*
files, or the offline subset's 1,000 held-out images) is scored once, on the final model, for
metrics.json, and by --eval-only. Offline subset: 3,600 train / 400 validation / 1,000 test.

run folders: --out records its run in run.json. A fresh run refuses a folder that holds
another run (use --resume, --overwrite or a new --out); --resume refuses changed settings
that alter the run (it lists them).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "mnist", help="train the MNIST CNN (simple or strong) on the shared engine",
        description="Train a CNN on MNIST-style IDX data, or on the offline 5k subset when no "
                    "--data-dir is given. Runs under torchrun for DDP.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser, MnistConfig)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from torchworks.recipes.vision.train import evaluate_checkpoint, train

    cfg = from_args(MnistConfig, args)
    if cfg.eval_only:
        result = evaluate_checkpoint(cfg)
        print(f"test accuracy {result.accuracy:.4f}  loss {result.loss:.4f}  "
              f"({result.samples} images) -> {cfg.out / 'eval.json'}")
        return 0
    summary = train(cfg)
    if os.environ.get("RANK", "0") != "0":  # under torchrun only rank 0 reports
        return 0
    if summary.finished:
        print(f"test accuracy {summary.test_accuracy:.4f}  loss {summary.test_loss:.4f}  "
              f"{summary.steps} steps in {summary.train_seconds:.1f}s "
              f"({summary.samples_per_second:.0f} samples/s, {summary.device}, "
              f"{summary.precision}) -> {cfg.out / 'metrics.json'}")
        if summary.best_step is not None:
            print(f"best.pt: step {summary.best_step}, chosen on validation "
                  f"({summary.best_val_accuracy:.4f}); on the test split "
                  f"{summary.best_test_accuracy:.4f}")
    else:
        print(f"stopped after step {summary.steps} as asked; continue with --resume "
              f"--out {cfg.out}")
    return 0
