"""Seeds, the deterministic option, and RNG state capture for exact resume.

Usage::

    seed_everything(cfg.seed, deterministic=cfg.deterministic)
    state = capture_rng()          # goes into the checkpoint
    restore_rng(state)             # on resume: augmentation/dropout draws continue exactly

RNG states are stored as tensors, ints and strings only, so a checkpoint holding them loads with
`torch.load(weights_only=True)` (numpy's legacy tuple holds an ndarray, which would not).
"""

from __future__ import annotations

import os
import random
from typing import Any

import numpy as np
import torch


def seed_everything(seed: int, *, deterministic: bool = False) -> None:
    """Seed python, numpy and torch (all devices); `deterministic` forbids nondeterministic kernels.

    Deterministic mode makes a run bitwise repeatable on the same machine and thread count; it
    can be slower on GPU (cuDNN autotuning is off) and raises if an op has no deterministic kernel.
    """
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if deterministic:
        # cuBLAS needs this before the first matmul to be deterministic
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.benchmark = False
        torch.backends.cudnn.deterministic = True


def capture_rng() -> dict[str, Any]:
    """Every RNG state the training loop can draw from, in a weights_only-safe form."""
    np_state = np.random.get_state(legacy=False)
    state: dict[str, Any] = {
        "python": _python_state_to_safe(random.getstate()),
        "numpy": {
            "bit_generator": np_state["bit_generator"],
            "key": torch.from_numpy(np_state["state"]["key"].astype(np.int64)),
            "pos": int(np_state["state"]["pos"]),
            "has_gauss": int(np_state["has_gauss"]),
            "gauss": float(np_state["gauss"]),
        },
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: dict[str, Any]) -> None:
    """Inverse of `capture_rng`; CUDA states are restored only when as many GPUs are visible."""
    random.setstate(_python_state_from_safe(state["python"]))
    np_state = state["numpy"]
    np.random.set_state({
        "bit_generator": np_state["bit_generator"],
        "state": {"key": np_state["key"].numpy().astype(np.uint32), "pos": np_state["pos"]},
        "has_gauss": np_state["has_gauss"],
        "gauss": np_state["gauss"],
    })
    torch.set_rng_state(state["torch"])
    cuda_states = state.get("cuda")
    if cuda_states and torch.cuda.is_available() and torch.cuda.device_count() == len(cuda_states):
        torch.cuda.set_rng_state_all(cuda_states)


def _python_state_to_safe(state: tuple[Any, ...]) -> dict[str, Any]:
    version, internal, gauss = state
    return {"version": version, "internal": torch.tensor(internal, dtype=torch.int64),
            "gauss": gauss}


def _python_state_from_safe(state: dict[str, Any]) -> tuple[Any, ...]:
    return (state["version"], tuple(int(v) for v in state["internal"].tolist()), state["gauss"])
