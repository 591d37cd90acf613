"""Score fusion: tiny real SASRec models and a real item-kNN, blended scores checked by hand."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from torchworks.errors import ConfigError
from torchworks.recipes.recsys.baselines import EASE, ItemKNN
from torchworks.recipes.recsys.compare import compare
from torchworks.recipes.recsys.data import EvalView
from torchworks.recipes.recsys.evaluate import full_ranking
from torchworks.recipes.recsys.fusion import RRF_K, FusedScorer, blend_weights
from torchworks.recipes.recsys.models.sasrec import SASRec, SASRecConfig
from torchworks.recipes.recsys.sequences import Sequences
from torchworks.recipes.recsys.tasks import ModelScorer

NUM_ITEMS = 14  # ids 0 (PAD) and 1 (OOV) are reserved
HISTORIES = [[2, 5, 7], [3, 4, 8, 9, 12], [2, 13], [6, 10, 11, 5]]


def _seqs(per_user: list[list[int]]) -> Sequences:
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in per_user])])
    return Sequences(offsets, np.array([i for s in per_user for i in s], dtype=np.int64))


def _sasrec(seed: int) -> ModelScorer:
    torch.manual_seed(seed)
    model = SASRec(SASRecConfig(NUM_ITEMS, dim=8, blocks=1, heads=1, max_len=6, dropout=0.0))
    return ModelScorer(model, "sasrec", 6, torch.device("cpu"), name=f"sasrec-{seed}")


def _by_hand(rows: np.ndarray, seen: list[int], how: str) -> np.ndarray:
    """One user's normalised row over candidates (real, unseen items); NaN elsewhere."""
    out = np.full(NUM_ITEMS, np.nan)
    cand = [i for i in range(2, NUM_ITEMS) if i not in seen]
    values = rows[cand].astype(np.float64)
    if how == "z":
        std = values.std()  # a constant row (a kNN user with no neighbours) says nothing: 0
        out[cand] = (values - values.mean()) / std if std > 0 else 0.0
    else:
        order = np.argsort(-values, kind="stable")
        ranks = np.empty(len(values))
        ranks[order] = np.arange(1, len(values) + 1)
        out[cand] = 1 / (RRF_K + ranks)
    return out


@pytest.mark.parametrize("how", ["z", "rrf"])
def test_fused_scores_equal_the_hand_computed_blend_and_mask_the_history(how: str) -> None:
    history = _seqs(HISTORIES)
    users = np.arange(len(HISTORIES))
    knn = ItemKNN(history, NUM_ITEMS, neighbours=5, recency_decay=0.8)
    members = [_sasrec(0), _sasrec(1), knn, EASE(history, NUM_ITEMS, lam=2.0)]
    weights = blend_weights(2, 0.3, 0.2)
    assert weights == pytest.approx([0.25, 0.25, 0.3, 0.2])
    fused = FusedScorer(members, weights, how).score(users, history).numpy()
    with torch.no_grad():
        raw = [m.score(users, history).float().numpy() for m in members]
    for u, seen in enumerate(HISTORIES):
        expected = sum(w * _by_hand(r[u], seen, how) for w, r in zip(weights, raw, strict=True))
        cand = ~np.isnan(expected)
        np.testing.assert_allclose(fused[u, cand], expected[cand], rtol=1e-5, atol=1e-6)
        assert np.isneginf(fused[u, ~cand]).all()  # reserved ids and every history item
        assert set(np.flatnonzero(~cand)) == {0, 1, *seen}


def test_one_member_ranks_as_that_model_and_the_kNN_weight_moves_the_ranking() -> None:
    history = _seqs(HISTORIES)
    view = EvalView(np.arange(4), history, _seqs([[3], [2], [4], [7]]))
    model = _sasrec(0)
    alone = full_ranking(model, view, ks=(1, 3, 5)).metrics
    assert full_ranking(FusedScorer([model]), view, ks=(1, 3, 5)).metrics == alone
    knn = ItemKNN(history, NUM_ITEMS, neighbours=5, recency_decay=0.8)
    zero = FusedScorer([model, knn], blend_weights(1, 0.0)).score(view.users, history)
    assert torch.equal(zero, FusedScorer([model]).score(view.users, history))


def test_fusing_a_checkpoint_with_itself_reproduces_it_in_rec_eval(tiny_rec) -> None:
    ckpt = tiny_rec.checkpoints["sasrec"]
    single = compare(ckpt, tiny_rec.data)
    twice = compare([ckpt, ckpt], tiny_rec.data)
    assert twice.model == "fused"
    assert twice.metrics["fused"]["NDCG@10"] == pytest.approx(single.metrics["sasrec"]["NDCG@10"])
    assert twice.metrics["sasrec-0"] == single.metrics["sasrec"]
    blended = compare(ckpt, tiny_rec.data, knn_weight=0.2, ease_weight=0.3, fusion="rrf")
    assert set(blended.metrics) >= {"fused", "sasrec", "item-knn-recency(0.8)", "ease"}
    assert "fused/sasrec" in blended.ratios


def test_ease_solves_its_regression_with_a_zero_diagonal() -> None:
    # EASE's B minimises |X - XB|^2 + lam |B|^2 with diag(B) = 0: for every column j the
    # gradient (X'X + lam I) B - X'X vanishes at every row i != j (row j carries the constraint)
    history = _seqs(HISTORIES)
    lam = 2.0
    ease = EASE(history, NUM_ITEMS, lam=lam)
    x = np.zeros((len(HISTORIES), NUM_ITEMS))
    for u, seen in enumerate(HISTORIES):
        x[u, seen] = 1
    b = ease.weights.double().numpy()
    assert np.all(np.diag(b) == 0)
    gradient = (x.T @ x + lam * np.eye(NUM_ITEMS)) @ b - x.T @ x
    np.fill_diagonal(gradient, 0.0)
    np.testing.assert_allclose(gradient, 0.0, atol=1e-4)
    np.testing.assert_allclose(ease.score(np.array([1, 3]), history).numpy(), x[[1, 3]] @ b,
                               rtol=1e-5, atol=1e-6)


def test_bad_fusion_requests_are_refused(tiny_rec) -> None:
    with pytest.raises(ConfigError, match="DIN"):
        compare([tiny_rec.checkpoints["din"]] * 2, tiny_rec.data)
    with pytest.raises(ConfigError, match="normalisation"):
        FusedScorer([_sasrec(0)], how="mean")
    with pytest.raises(ConfigError, match="weight"):
        blend_weights(2, 1.0)


def test_negative_or_nan_blend_weights_are_refused_not_ignored(tiny_rec) -> None:
    for bad in ({"ease_weight": -1.0}, {"knn_weight": float("nan")}):
        with pytest.raises(ConfigError, match="not fractions"):
            compare(tiny_rec.checkpoints["sasrec"], tiny_rec.data, **bad)
