"""DDP from torchrun's environment variables: the same script runs with and without torchrun.

`torchrun --nproc-per-node N script ...` sets RANK, LOCAL_RANK and WORLD_SIZE (and the
rendezvous address); without them this is a single process and every helper is a no-op.
Backend: NCCL when training on CUDA, gloo on CPU.

Usage::

    dist_info = init_distributed(device_request="auto")   # picks cuda:LOCAL_RANK under torchrun
    model = wrap_ddp(model.to(dist_info.device), dist_info)
    if dist_info.is_main: save/log/plot
    totals = all_reduce_sum(torch.tensor([loss_sum, correct, count]), dist_info)
    cleanup_distributed(dist_info)
"""

from __future__ import annotations

import contextlib
import datetime
import os
from collections.abc import Iterator
from dataclasses import dataclass

import torch
import torch.distributed as dist

from torchworks.env.device import resolve_device
from torchworks.errors import ConfigError


@dataclass(frozen=True)
class DistInfo:
    """This process's place in the job; world_size 1 means no process group."""

    rank: int
    local_rank: int
    world_size: int
    device: torch.device

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that logs, plots and writes checkpoints."""
        return self.rank == 0


def init_distributed(device_request: str = "auto", timeout_s: float = 300.0) -> DistInfo:
    """Read torchrun's variables, pick this rank's device, and join the process group."""
    world_size = _env_int("WORLD_SIZE", 1)
    rank = _env_int("RANK", 0)
    local_rank = _env_int("LOCAL_RANK", 0)
    device = resolve_device(device_request)
    if world_size <= 1:
        return DistInfo(0, 0, 1, device)
    if device.type == "cuda":
        if local_rank >= torch.cuda.device_count():
            raise ConfigError(
                f"LOCAL_RANK {local_rank} has no GPU: {torch.cuda.device_count()} visible",
                fix="set --nproc-per-node to at most the number of GPUs")
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    backend = "nccl" if device.type == "cuda" else "gloo"
    if not dist.is_initialized():
        dist.init_process_group(backend=backend, rank=rank, world_size=world_size,
                                timeout=datetime.timedelta(seconds=timeout_s))
    return DistInfo(rank, local_rank, world_size, device)


def wrap_ddp(model: torch.nn.Module, info: DistInfo) -> torch.nn.Module:
    """DistributedDataParallel around `model` (already on `info.device`) when world_size > 1."""
    if not info.enabled:
        return model
    device_ids = [info.device.index] if info.device.type == "cuda" else None
    return torch.nn.parallel.DistributedDataParallel(model, device_ids=device_ids)


@contextlib.contextmanager
def no_sync_unless(model: torch.nn.Module, sync: bool) -> Iterator[None]:
    """Skip DDP's gradient all-reduce on accumulation micro-steps (`sync=False`)."""
    if sync or not isinstance(model, torch.nn.parallel.DistributedDataParallel):
        yield
        return
    with model.no_sync():
        yield


def all_reduce_sum(values: torch.Tensor, info: DistInfo) -> torch.Tensor:
    """Sum `values` over ranks (a copy; float64 on the wire so counts stay exact)."""
    if not info.enabled:
        return values.clone()
    backend_device = info.device if info.device.type == "cuda" else torch.device("cpu")
    buffer = values.detach().to(backend_device, torch.float64).clone()
    dist.all_reduce(buffer, op=dist.ReduceOp.SUM)
    return buffer.to(values.device)


def barrier(info: DistInfo) -> None:
    if info.enabled:
        dist.barrier()


def cleanup_distributed(info: DistInfo, timeout_s: float = 120.0) -> None:
    """Leave the process group together.

    A rank that tears gloo down while rank 0 is still checkpointing or plotting can abort its
    peers ("terminate called without an active exception"), so ranks meet at a barrier first.
    If a peer already died the barrier fails fast (gloo's monitored barrier) and we leave anyway.
    """
    if not (info.enabled and dist.is_initialized()):
        return
    try:
        if dist.get_backend() == "gloo":
            dist.monitored_barrier(timeout=datetime.timedelta(seconds=timeout_s))
        else:
            dist.barrier()
    except RuntimeError:
        pass  # a peer is gone: there is nobody left to wait for
    dist.destroy_process_group()


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"environment variable {name}={raw!r} is not an integer",
                          fix="launch with torchrun, which sets it, or unset it") from None
