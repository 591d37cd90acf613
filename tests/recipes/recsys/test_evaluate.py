"""Full-ranking metrics and AUC on cases small enough to check by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from torchworks.recipes.recsys.data import EvalView
from torchworks.recipes.recsys.evaluate import auc, full_ranking, gauc
from torchworks.recipes.recsys.sequences import Sequences


class FixedScores:
    name = "fixed"

    def __init__(self, scores: list[list[float]]) -> None:
        self.scores = torch.tensor(scores)

    def score(self, users: np.ndarray, history: Sequences) -> torch.Tensor:
        return self.scores[users]


def _seqs(per_user: list[list[int]]) -> Sequences:
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in per_user])])
    return Sequences(offsets, np.array([i for s in per_user for i in s], dtype=np.int64))


def test_history_items_are_excluded_and_ranks_give_textbook_ndcg() -> None:
    # items 0,1 are reserved; user 0 scores item 6 highest but has seen it, so its target 5
    # sits at rank 1 behind item 3 (0-based): NDCG = 1/log2(3). User 1's target is ranked first.
    scores = [[0, 0, 0.1, 0.85, 0.2, 0.8, 0.9], [0, 0, 0.9, 0.1, 0.1, 0.1, 0.1]]
    view = EvalView(users=np.array([0, 1]), history=_seqs([[6], [3]]), targets=_seqs([[5], [2]]))
    result = full_ranking(FixedScores(scores), view, ks=(1, 2))
    assert result.metrics["HR@1"] == pytest.approx(0.5)
    assert result.metrics["HR@2"] == pytest.approx(1.0)
    assert result.metrics["NDCG@2"] == pytest.approx((1 / math.log2(3) + 1) / 2)
    assert result.metrics["Recall@2"] == pytest.approx(1.0)


def test_several_targets_use_ideal_dcg_and_recall_fraction() -> None:
    scores = [[0, 0, 0.9, 0.8, 0.7, 0.6]]
    view = EvalView(np.array([0]), _seqs([[]]), _seqs([[2, 4, 5]]))
    m = full_ranking(FixedScores(scores), view, ks=(2,)).metrics
    assert m["Recall@2"] == pytest.approx(1 / 3)
    assert m["NDCG@2"] == pytest.approx(1.0 / (1 + 1 / math.log2(3)))


def test_auc_and_gauc() -> None:
    assert auc(np.array([1, 0, 1, 0]), np.array([0.9, 0.1, 0.8, 0.85])) == pytest.approx(0.75)
    assert auc(np.array([1, 0]), np.array([0.5, 0.5])) == pytest.approx(0.5)
    groups = np.array([0, 0, 1, 1, 1, 2])
    labels = np.array([1, 0, 1, 0, 0, 1])  # group 2 has no negative: left out
    scores = np.array([0.9, 0.1, 0.2, 0.5, 0.1, 0.3])
    assert gauc(groups, labels, scores) == pytest.approx((1.0 * 2 + 0.5 * 3) / 5)
