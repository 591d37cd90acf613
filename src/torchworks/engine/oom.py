"""Out-of-memory turned into advice: what ran out, at what batch size, and what to lower.

Usage::

    with explain_oom(batch_size=cfg.batch_size, device=device):
        train_one_epoch(...)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from torchworks.errors import TorchworksError


class OutOfMemory(TorchworksError):
    """The device or host ran out of memory; the fix says which knob to turn."""


def is_oom(exc: BaseException) -> bool:
    """CUDA's OutOfMemoryError, or the CPU allocator's "can't allocate memory" RuntimeError."""
    if isinstance(exc, torch.cuda.OutOfMemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and (
        "out of memory" in text or "can't allocate memory" in text)


@contextlib.contextmanager
def explain_oom(*, batch_size: int, device: torch.device, accumulate: int = 1) -> Iterator[None]:
    """Re-raise an OOM inside the block as `OutOfMemory` with what to lower."""
    try:
        yield
    except (RuntimeError, MemoryError) as exc:
        if not (isinstance(exc, MemoryError) or is_oom(exc)):
            raise
        if device.type == "cuda":
            torch.cuda.empty_cache()
        smaller = max(1, batch_size // 2)
        where = "GPU" if device.type == "cuda" else "host (CPU) memory"
        raise OutOfMemory(
            f"out of memory on {device} ({where}) at batch size {batch_size}: "
            f"{str(exc).splitlines()[0][:200]}",
            fix=(f"lower --batch-size to {smaller} and raise --grad-accum to {accumulate * 2} "
                 "to keep the same effective batch; or use --amp bf16/fp16 on GPU; "
                 "or a smaller model"),
        ) from exc
