"""LR schedules: warmup ramps, decays end where asked, state is weights_only-safe."""

from __future__ import annotations

import io
import itertools

import pytest
import torch

from torchworks.engine.schedule import lr_factor, lr_schedule


def test_warmup_then_cosine_reaches_min() -> None:
    factors = [lr_factor(s, "cosine", total_steps=100, warmup_steps=10, min_factor=0.1)
               for s in range(101)]
    assert factors[0] == pytest.approx(0.1) and factors[9] == pytest.approx(1.0)
    assert factors[10] == pytest.approx(1.0) and factors[100] == pytest.approx(0.1)
    assert all(a >= b for a, b in itertools.pairwise(factors[10:]))


def test_linear_and_constant() -> None:
    assert lr_factor(50, "linear", total_steps=100) == pytest.approx(0.5)
    assert lr_factor(50, "constant", total_steps=100) == 1.0


def test_scheduler_state_loads_with_weights_only() -> None:
    optimizer = torch.optim.SGD(torch.nn.Linear(2, 2).parameters(), lr=1.0)
    scheduler = lr_schedule(optimizer, "cosine", total_steps=10, warmup_steps=2)
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    buffer = io.BytesIO()
    torch.save(scheduler.state_dict(), buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)
    fresh = lr_schedule(torch.optim.SGD(torch.nn.Linear(2, 2).parameters(), lr=1.0), "cosine",
                        total_steps=10, warmup_steps=2)
    fresh.load_state_dict(state)
    assert fresh.get_last_lr() == scheduler.get_last_lr()
