"""One optimizer update, with AMP scaling, gradient accumulation and clipping, spelled out.

Usage (the loop stays yours)::

    for micro, (x, y) in enumerate(batches):
        update = is_update_step(micro, accumulate)
        with no_sync_unless(model, update):         # DDP: all-reduce on updates only
            with precision.autocast():
                loss = loss_fn(model(x), y) / accumulate
            backward(loss, scaler)
        if update:
            grad_norm = optimizer_step(optimizer, model, scaler=scaler, clip_norm=1.0)
            scheduler.step()
"""

from __future__ import annotations

import math

import torch


def is_update_step(micro_step: int, accumulate: int) -> bool:
    """True on the micro-step that completes an accumulation window (counting from 0)."""
    return (micro_step + 1) % accumulate == 0


def backward(loss: torch.Tensor, scaler: torch.amp.GradScaler | None = None) -> None:
    """loss.backward(), through the fp16 GradScaler when there is one."""
    if scaler is not None:
        scaler.scale(loss).backward()
    else:
        loss.backward()


def optimizer_step(optimizer: torch.optim.Optimizer, model: torch.nn.Module, *,
                   scaler: torch.amp.GradScaler | None = None,
                   clip_norm: float | None = None) -> float | None:
    """Unscale, clip to `clip_norm` (L2 over all parameters), step, zero grads.

    Returns the gradient norm before clipping (None when not clipping). With fp16 the scaler
    may skip the step when gradients overflowed; the norm is then inf.
    """
    grad_norm: float | None = None
    if clip_norm is not None and clip_norm > 0:
        if scaler is not None:
            scaler.unscale_(optimizer)
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        grad_norm = float(norm)
    if scaler is not None:
        scaler.step(optimizer)
        scaler.update()
    else:
        optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return grad_norm if grad_norm is None or math.isfinite(grad_norm) else float("inf")
