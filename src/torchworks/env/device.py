"""Device choice, made in one place so recipes never probe hardware themselves."""

from __future__ import annotations

import torch

from torchworks.errors import ConfigError


def resolve_device(requested: str = "auto") -> torch.device:
    """Turn "auto" | "cpu" | "cuda" | "cuda:N" | "mps" into a usable device, or say why not."""
    name = requested.strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", torch.cuda.current_device())
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError as exc:
        raise ConfigError(f"unknown device '{requested}'",
                          fix="use auto, cpu, cuda or cuda:N") from exc
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(
                f"device '{requested}' asked for but CUDA is not available to torch",
                fix="run `torchworks doctor` to see why, or use --device cpu",
            )
        count = torch.cuda.device_count()
        if device.index is not None and device.index >= count:
            raise ConfigError(
                f"device '{requested}' does not exist: torch sees {count} GPU(s)",
                fix=f"use cuda:0 .. cuda:{count - 1}, or check CUDA_VISIBLE_DEVICES",
            )
        if device.index is None:
            device = torch.device("cuda", torch.cuda.current_device())
    elif device.type == "mps" and not torch.backends.mps.is_available():
        raise ConfigError("device 'mps' asked for but MPS is not available", fix="use --device cpu")
    return device


def bf16_supported(device: torch.device) -> bool:
    """bf16 autocast is worth using: Ampere+ GPUs, or a CPU (correct there, not always fast)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return device.type == "cpu"
