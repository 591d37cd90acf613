"""SASRec's training windows: each train item but a user's first is a target exactly once per
epoch whatever the stride, and overlapping windows give every later target a long context."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import torch

from torchworks.errors import ConfigError
from torchworks.recipes.recsys.data import load_dataset
from torchworks.recipes.recsys.split import TRAIN
from torchworks.recipes.recsys.tasks import SequenceExamples
from torchworks.recipes.recsys.vocab import PAD_ID

MAX_LEN = 12


@pytest.mark.parametrize("stride", [MAX_LEN, 6, 1])
def test_every_target_once_and_short_contexts_only_at_a_sequence_start(tiny_rec,
                                                                       stride: int) -> None:
    ds = load_dataset(tiny_rec.data)
    examples = SequenceExamples(ds, MAX_LEN, stride)
    inputs, targets = examples.batch(torch.arange(examples.num_examples), torch.device("cpu"))
    train = ds.sequences(TRAIN)
    expected = Counter()
    for user in range(len(train.lengths())):
        expected.update((user, int(item)) for item in train.of(user)[1:])
    got = Counter()
    firsts = {u: int(train.of(u)[0]) for u in range(len(train.lengths())) if train.lengths()[u]}
    for row, user in enumerate(examples.users.tolist()):
        counted = np.flatnonzero(targets[row].numpy() != PAD_ID)
        got.update((user, int(targets[row, col])) for col in counted)
        real = inputs[row][inputs[row] != PAD_ID]
        context = (inputs[row] != PAD_ID).cumsum(0)[counted]
        if (context < MAX_LEN - stride + 1).any():  # a short context: the user's oldest window
            assert int(real[0]) == firsts[user]
    assert got == expected
    assert examples.num_examples == sum(-(-(n - 1) // stride) for n in train.lengths() if n >= 2)


def test_a_stride_beyond_the_window_is_refused(tiny_rec) -> None:
    with pytest.raises(ConfigError, match="stride"):
        SequenceExamples(load_dataset(tiny_rec.data), MAX_LEN, MAX_LEN + 1)
