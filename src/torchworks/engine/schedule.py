"""Learning-rate schedules as a LambdaLR: its state_dict holds numbers only (weights_only-safe).

Usage::

    scheduler = lr_schedule(optimizer, "cosine", total_steps=steps, warmup_steps=steps // 20)
    ... optimizer_step(...); scheduler.step()      # once per optimizer step, not per epoch
"""

from __future__ import annotations

import math
from typing import Literal

import torch

ScheduleKind = Literal["constant", "linear", "cosine"]


def lr_factor(step: int, kind: ScheduleKind, total_steps: int, warmup_steps: int = 0,
              min_factor: float = 0.0) -> float:
    """Multiplier of the base LR at `step`: linear warmup, then constant / linear / cosine decay."""
    if warmup_steps > 0 and step < warmup_steps:
        return (step + 1) / warmup_steps
    if kind == "constant":
        return 1.0
    span = max(1, total_steps - warmup_steps)
    progress = min(1.0, (step - warmup_steps) / span)
    if kind == "linear":
        decay = 1.0 - progress
    elif kind == "cosine":
        decay = 0.5 * (1.0 + math.cos(math.pi * progress))
    else:
        raise ValueError(f"unknown schedule '{kind}' (use constant, linear or cosine)")
    return min_factor + (1.0 - min_factor) * decay


def lr_schedule(optimizer: torch.optim.Optimizer, kind: ScheduleKind, *, total_steps: int,
                warmup_steps: int = 0,
                min_factor: float = 0.0) -> torch.optim.lr_scheduler.LambdaLR:
    """A per-step scheduler; `total_steps` counts optimizer steps (after accumulation)."""
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: lr_factor(step, kind, total_steps, warmup_steps, min_factor))
