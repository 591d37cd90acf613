"""WeightEMA: the averaged copy follows decay * average + (1 - decay) * weights each update."""

from __future__ import annotations

import pytest
import torch

from torchworks.engine.ema import WeightEMA
from torchworks.errors import ConfigError


def test_update_moves_the_average_by_one_minus_decay_and_copies_buffers() -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    ema = WeightEMA(model, decay=0.75)
    before = [p.detach().clone() for p in model.parameters()]
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    model.train()(torch.randn(8, 3))  # moves the batch-norm running statistics
    ema.update(model)
    for start, averaged, now in zip(before, ema.module.parameters(), model.parameters(),
                                    strict=True):
        assert torch.allclose(averaged, 0.75 * start + 0.25 * now)
    assert torch.equal(ema.module[1].running_mean, model[1].running_mean)
    assert not any(p.requires_grad for p in ema.module.parameters())


def test_decay_outside_the_open_unit_interval_is_refused() -> None:
    with pytest.raises(ConfigError, match="decay"):
        WeightEMA(torch.nn.Linear(2, 2), decay=1.0)
