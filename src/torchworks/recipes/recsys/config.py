"""Recipe settings: one dataclass per command is the schema, YAMLs in configs/ hold values.

Kept free of heavy imports so building the CLI parser stays light."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from torchworks.config import field


@dataclass
class RecTrainConfig:
    model: Literal["two-tower", "din", "sasrec", "gru4rec"] = field(
        "sasrec", "which model to train"
    )
    data: Path = field(
        Path("data/rec"), "prepared dataset dir (from `torchworks rec prepare`)"
    )
    out: Path = field(
        Path("runs/rec"), "run dir: checkpoints/, metrics.csv, curves.png, summary.json"
    )
    epochs: int = field(50, "passes over the training examples")
    batch_size: int = field(128, "examples per optimizer step (global, across DDP ranks)")
    lr: float = field(1e-3, "Adam learning rate")
    weight_decay: float = field(0.0, "AdamW weight decay")
    lr_schedule: Literal["constant", "cosine"] = field(
        "constant", "learning rate over the run: constant, or cosine decay to 0 after warmup"
    )
    warmup_steps: int = field(0, "optimizer steps of linear learning-rate warmup from 0")
    dim: int = field(64, "embedding / hidden width")
    blocks: int = field(2, "SASRec self-attention blocks (GRU4Rec: GRU layers)")
    heads: int = field(1, "SASRec attention heads")
    max_len: int = field(200, "SASRec / GRU4Rec sequence length (most recent items)")
    dropout: float = field(0.2, "dropout")
    loss: Literal["full", "gbce"] = field("full", "SASRec loss: full softmax or gSASRec gBCE")
    negatives: int = field(256, "SASRec gBCE: sampled negatives per position")
    window_stride: int = field(
        0, "SASRec: windows end every N items (0 = max_len); targets are each window's last N"
    )
    mask_seen: bool = field(
        False, "SASRec full loss: leave the window's earlier items out of each softmax"
    )
    ctr_negatives: int = field(4, "DIN: sampled non-clicks per click")
    history_len: int = field(50, "two-tower / DIN: recent items the user side sees")
    temperature: float = field(0.05, "two-tower softmax temperature")
    softmax: Literal["in-batch", "catalogue"] = field(
        "in-batch", "two-tower loss: in-batch negatives with logQ, or every item (small catalogues)"
    )
    activation: Literal["dice", "prelu"] = field("dice", "DIN activation")
    wide: bool = field(False, "DIN: add per-user, per-item and per-category biases (Wide & Deep)")
    grad_clip: float = field(1.0, "clip the gradient norm (0 = off)")
    ema_decay: float = field(
        0.0, "evaluate, keep and serve an EMA of the weights with this per-step decay (0 = off)"
    )
    amp: Literal["auto", "off", "bf16", "fp16"] = field("auto", "mixed precision policy")
    compile: bool = field(False, "torch.compile the training step")
    device: str = field("auto", "auto, cpu, cuda, cuda:N")
    threads: int = field(
        0, "CPU threads for torch (0 = torch's default; 1 is fastest on a busy machine)"
    )
    seed: int = field(0, "random seed")
    deterministic: bool = field(False, "forbid nondeterministic kernels")
    eval_every: int = field(5, "evaluate on the valid split every N epochs (and at the end)")
    eval_users: int = field(0, "evaluate on at most this many users (0 = all)")
    keep_last: int = field(2, "step checkpoints to keep")
    resume: bool = field(False, "continue the run in --out from its latest checkpoint")
    overwrite: bool = field(False, "replace the run already in --out instead of refusing")
    init_from: Path | None = field(
        None, "warm-start from this checkpoint (new data window; embedding tables grow for new ids)"
    )
    max_steps: int = field(0, "stop after this many optimizer steps (0 = no limit)")


@dataclass
class SynthConfig:
    users: int = field(3000, "number of users")
    items: int = field(3500, "number of items")
    topics: int = field(30, "latent topics (written as the item category)")
    mean_length: float = field(60.0, "mean interactions per user (log-normal)")
    min_length: int = field(5, "fewest interactions per user")
    max_length: int = field(400, "most interactions per user")
    interests: float = field(
        1.0, "mean number of extra interests per user beyond the first (Poisson)"
    )
    max_interests: int = field(4, "most interests per user")
    session_length: float = field(8.0, "mean items per session")
    zipf: float = field(0.7, "Zipf exponent of item popularity")
    neighbourhood: int = field(40, "how many next items along a topic a session step considers")
    drift: float = field(0.6, "chance that a session swaps one interest for a new topic")
    noise: float = field(0.35, "share of steps that jump to a globally popular item")
    days: int = field(365, "time span over which users start")
    seed: int = field(0, "random seed")
