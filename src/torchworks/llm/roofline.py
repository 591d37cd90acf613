"""What bounds batch-1 decoding: the weight bytes one step must read, and how fast memory
delivers them. At batch 1 every weight is read once per token, so bytes / bandwidth is the
floor a step cannot beat; the benchmarks print both, measured in the same run."""

from __future__ import annotations

import time

import torch
from torch import nn


def tensor_bytes(t: torch.Tensor) -> int:
    """Storage bytes, looking inside tensor subclasses (torchao's int8 weights + scales)."""
    if hasattr(t, "__tensor_flatten__") and type(t) is not torch.Tensor:
        names, _ = t.__tensor_flatten__()
        return sum(tensor_bytes(getattr(t, n)) for n in names)
    return t.numel() * t.element_size()


def decode_weight_bytes(model: nn.Module) -> int:
    """Bytes of weights one decode step reads: parameters and buffers (packed int8/int4 weights
    are buffers), except the embedding table, of which a step reads one row. A tied output
    head is counted once, through the module that holds it."""
    seen: set[int] = set()
    total = 0
    for module_name, module in model.named_modules():
        if isinstance(module, nn.Embedding) or "tok_embeddings" in module_name:
            for t in module.parameters(recurse=False):
                seen.add(id(t))
            continue
        if hasattr(module, "decode_bytes"):  # reads only part of what it holds (the head)
            if not any(id(t) in seen for t in module.buffers()):
                total += module.decode_bytes()
            seen.update(id(t) for t in [*module.parameters(), *module.buffers()])
            continue
        tensors = [*module.parameters(recurse=False), *module.buffers(recurse=False)]
        for t in tensors:
            if id(t) in seen or (not t.is_floating_point() and t.dtype not in (
                    torch.int8, torch.uint8, torch.int32)):
                continue
            seen.add(id(t))
            total += tensor_bytes(t)
    return total


def copy_bandwidth_gbs(mb: int = 256, trials: int = 5) -> float:
    """Best read+write bandwidth of a large tensor copy (what weight streaming can reach)."""
    src = torch.ones(mb * 2**20 // 4)
    dst = torch.empty_like(src)
    best = float("inf")
    for _ in range(trials):
        started = time.perf_counter()
        dst.copy_(src)
        best = min(best, time.perf_counter() - started)
    return 2 * src.numel() * 4 / best / 1e9
