"""Device and precision policy, decided once so training code stays plain.

`--amp auto|off|bf16|fp16`:
- auto: bf16 autocast on a GPU that supports it, fp16 + GradScaler on an older GPU, fp32 on every
  CPU. Deliberately not CPU-dependent: the same command gives the same numbers on an AVX2 laptop
  and an AMX server (with bf16, a 2-rank DDP run and its 1-process twin already drift apart by
  1%). `torchworks doctor` says when a CPU would gain from `--amp bf16` (AMX-BF16: env.cpu).
- off: fp32 everywhere.
- bf16 / fp16: as asked; fp16 gets a GradScaler on CUDA (its small range underflows gradients).

Usage::

    policy = resolve_precision("auto", resolve_device("auto"))
    scaler = policy.grad_scaler()          # None unless fp16 on CUDA
    with policy.autocast():
        loss = loss_fn(model(x), y)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import torch

from torchworks.env.device import bf16_supported
from torchworks.errors import ConfigError

AmpMode = Literal["auto", "off", "bf16", "fp16"]
AMP_CHOICES: tuple[str, ...] = ("auto", "off", "bf16", "fp16")


@dataclass(frozen=True)
class Precision:
    """The resolved policy: `name` is what metrics report ("fp32", "bf16" or "fp16")."""

    device: torch.device
    name: Literal["fp32", "bf16", "fp16"]

    @property
    def dtype(self) -> torch.dtype:
        return {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[self.name]

    @property
    def uses_scaler(self) -> bool:
        return self.name == "fp16" and self.device.type == "cuda"

    @contextlib.contextmanager
    def autocast(self) -> Iterator[None]:
        """Autocast for the forward pass and loss; a no-op for fp32."""
        if self.name == "fp32":
            yield
            return
        with torch.autocast(device_type=self.device.type, dtype=self.dtype):
            yield

    def grad_scaler(self) -> torch.amp.GradScaler | None:
        """A GradScaler for fp16 on CUDA, else None (bf16 and fp32 need none)."""
        if not self.uses_scaler:
            return None
        return torch.amp.GradScaler(self.device.type)


def resolve_precision(amp: str, device: torch.device) -> Precision:
    """Turn `--amp` into a Precision for `device`, or say why that combination cannot work."""
    mode = amp.strip().lower()
    if mode not in AMP_CHOICES:
        raise ConfigError(f"unknown --amp '{amp}'", fix=f"use one of: {', '.join(AMP_CHOICES)}")
    if mode == "off":
        return Precision(device, "fp32")
    if mode == "auto":
        if device.type != "cuda":
            return Precision(device, "fp32")
        return Precision(device, "bf16" if bf16_supported(device) else "fp16")
    if mode == "bf16" and not bf16_supported(device):
        raise ConfigError(f"--amp bf16 asked for but {device} does not support bf16",
                          fix="use --amp fp16 (or --amp auto to pick for you)")
    if mode == "fp16" and device.type == "cpu" and not _cpu_fp16_autocast():
        raise ConfigError("--amp fp16 is not supported on CPU by this torch build",
                          fix="use --amp bf16 or --amp off on CPU")
    return Precision(device, "bf16" if mode == "bf16" else "fp16")


def _cpu_fp16_autocast() -> bool:
    try:
        with torch.autocast(device_type="cpu", dtype=torch.float16):
            pass
    except RuntimeError:
        return False
    return True
