"""The validation hold-out: disjoint, complete, seeded, stratified."""

from __future__ import annotations

import pytest
import torch

from torchworks.engine.splits import holdout_split
from torchworks.errors import ConfigError


def test_split_is_disjoint_complete_and_repeatable() -> None:
    train, val = holdout_split(1000, 0.1, seed=3)
    assert len(val) == 100 and len(train) == 900
    assert sorted(torch.cat([train, val]).tolist()) == list(range(1000))
    again_train, again_val = holdout_split(1000, 0.1, seed=3)
    assert torch.equal(val, again_val) and torch.equal(train, again_train)
    assert not torch.equal(val, holdout_split(1000, 0.1, seed=4)[1])


def test_stratified_split_takes_each_class_in_proportion() -> None:
    labels = torch.tensor([0] * 400 + [1] * 100 + [2] * 10)
    _, val = holdout_split(len(labels), 0.1, labels=labels)
    assert torch.bincount(labels[val]).tolist() == [40, 10, 1]


def test_zero_fraction_and_bad_fractions() -> None:
    train, val = holdout_split(10, 0.0)
    assert len(train) == 10 and len(val) == 0
    assert len(holdout_split(3, 0.01)[1]) == 1  # never an empty validation split when asked
    with pytest.raises(ConfigError, match="in \\[0, 1\\)"):
        holdout_split(10, 1.0)
