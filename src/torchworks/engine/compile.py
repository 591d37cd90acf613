"""The `torch.compile` switch, with the checks that turn obscure compiler failures into advice.

Usage::

    model = maybe_compile(model, enabled=cfg.compile, mode=None)   # "reduce-overhead" = CUDA graphs
    unwrap_model(model).state_dict()                               # keys without _orig_mod./module.

Compiling pays off for large batches and long runs; it costs seconds to minutes up front.
"""

from __future__ import annotations

import shutil

import torch

from torchworks.errors import ConfigError, DependencyError


def maybe_compile(model: torch.nn.Module, *, enabled: bool, device: torch.device,
                  mode: str | None = None) -> torch.nn.Module:
    """Return `torch.compile(model)` when enabled and possible here, else `model` unchanged."""
    if not enabled:
        return model
    if device.type == "cuda":
        major, minor = torch.cuda.get_device_capability(device)
        if major < 7:
            raise ConfigError(
                f"torch.compile needs compute capability >= 7.0; {device} is {major}.{minor}",
                fix="drop --compile")
    elif device.type == "cpu" and not any(shutil.which(c) for c in ("g++", "c++", "clang++")):
        raise DependencyError("torch.compile on CPU needs a C++ compiler, and none is on PATH",
                              fix="install g++ (apt-get install g++) or drop --compile")
    return torch.compile(model, mode=mode)


def unwrap_model(model: torch.nn.Module) -> torch.nn.Module:
    """The plain module under DDP (`.module`) and torch.compile (`._orig_mod`) wrappers."""
    while True:
        if isinstance(model, torch.nn.parallel.DistributedDataParallel):
            model = model.module
        elif hasattr(model, "_orig_mod") and isinstance(model._orig_mod, torch.nn.Module):
            model = model._orig_mod
        else:
            return model


def is_compiled(model: torch.nn.Module) -> bool:
    return hasattr(model, "_orig_mod") or (
        isinstance(model, torch.nn.parallel.DistributedDataParallel) and is_compiled(model.module))
