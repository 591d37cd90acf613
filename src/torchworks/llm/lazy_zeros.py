"""Zero tensors whose memory is taken only where it is written: for the static KV cache.

A static cache is sized for the worst case (every slot at the full context: 755 MB for
SmolLM2-135M at 16 slots x 1024 positions in fp32), but a server mostly holds a few short
sequences. `torch.zeros` writes every byte, so the process owned the worst case from the
first second. An anonymous `mmap` is zero-filled by the kernel page by page on first touch:
the cache costs the pages the running sequences have touched (decode reads each slot only up
to the longest live sequence), and the whole mapping goes back to the OS when the tensor is
freed. The compiled decode step reads the whole cache every step, so it owns all of it.
"""

from __future__ import annotations

import mmap

import torch


def lazy_zeros(shape: tuple[int, ...], dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """`torch.zeros(shape, dtype=dtype, device=device)`, with pages taken on first write on
    CPU (other devices allocate as usual)."""
    nbytes = torch.Size(shape).numel() * torch.empty((), dtype=dtype).element_size()
    if torch.device(device).type != "cpu" or nbytes < mmap.PAGESIZE:
        return torch.zeros(shape, dtype=dtype, device=device)
    buffer = mmap.mmap(-1, nbytes)
    if hasattr(mmap, "MADV_NOHUGEPAGE"):  # with THP "always" one write would take 2 MB
        buffer.madvise(mmap.MADV_NOHUGEPAGE)
    return torch.frombuffer(buffer, dtype=dtype).view(shape)  # the tensor keeps `buffer`
