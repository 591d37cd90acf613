"""Seeds and RNG capture: the draws after a restore are the draws that would have come."""

from __future__ import annotations

import io
import random

import numpy as np
import torch

from torchworks.engine.seed import capture_rng, restore_rng, seed_everything


def _draws() -> tuple[float, float, list[float]]:
    return random.random(), float(np.random.rand()), torch.rand(3).tolist()


def test_restore_replays_python_numpy_and_torch_draws() -> None:
    seed_everything(123)
    _draws()
    state = capture_rng()
    expected = _draws()
    _draws()
    restore_rng(state)
    assert _draws() == expected


def test_rng_state_survives_weights_only_load() -> None:
    seed_everything(7)
    buffer = io.BytesIO()
    torch.save(capture_rng(), buffer)
    expected = _draws()
    buffer.seek(0)
    restore_rng(torch.load(buffer, weights_only=True))
    assert _draws() == expected


def test_same_seed_same_initialisation() -> None:
    seed_everything(5)
    first = torch.nn.Linear(8, 8).weight.clone()
    seed_everything(5)
    assert torch.equal(first, torch.nn.Linear(8, 8).weight)
