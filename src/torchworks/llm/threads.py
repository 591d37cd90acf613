"""How many threads LLM decoding uses, one number for every runtime (torch, ONNX Runtime).

Batch-1 decoding runs hundreds of small ops per token, each an OpenMP parallel region; when a
thread of the team is descheduled (more threads than free cores, e.g. 2 threads on a busy
2-core host), every region waits a scheduler slice for it and decoding collapses (0.3 tok/s at
2 threads against 3.3 at 1 on such a host). So the default is the cores this process may use
minus the load other processes already put on them, at least 1; an explicit count wins.
"""

from __future__ import annotations

import os

import torch

from torchworks.env.cpu import usable_cores


def default_threads() -> int:
    """Usable cores not already busy (1-minute load average), at least 1."""
    cores = usable_cores()
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):
        busy = 0.0
    return max(1, min(cores, round(cores - busy)))


def configure_threads(requested: int | None = None) -> int:
    """Set torch's intra-op threads to `requested` (None or 0: `default_threads()`); returns
    the count, which ONNX Runtime sessions built afterwards use too (`session_threads`)."""
    count = requested or default_threads()
    if count < 1:
        raise ValueError(f"threads must be at least 1, got {count}")
    torch.set_num_threads(count)
    return count


def session_threads() -> int:
    """The intra-op thread count for an ONNX Runtime session: torch's current setting, so one
    --threads governs both runtimes."""
    return torch.get_num_threads()
