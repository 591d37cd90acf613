"""Each model, trained for seconds on a tiny synthetic log, beats its baseline on the same split."""

from __future__ import annotations

import torch

from torchworks.recipes.recsys.compare import compare
from torchworks.recipes.recsys.models.sasrec import SASRec, SASRecConfig


def test_sasrec_beats_popularity_in_full_ranking(tiny_rec) -> None:
    result = compare(tiny_rec.checkpoints["sasrec"], tiny_rec.data)
    assert result.metrics["sasrec"]["NDCG@10"] > 1.5 * result.metrics["popularity"]["NDCG@10"]
    assert set(result.metrics) == {"sasrec", "popularity", "item-knn", "item-knn-recency(0.8)"}
    assert result.ratios["sasrec/popularity"] > 1.5


def test_two_tower_beats_popularity_in_full_ranking(tiny_rec) -> None:
    result = compare(tiny_rec.checkpoints["two-tower"], tiny_rec.data)
    assert result.metrics["two-tower"]["NDCG@10"] > 1.5 * result.metrics["popularity"]["NDCG@10"]


def test_din_auc_beats_logistic_regression(tiny_rec) -> None:
    result = compare(tiny_rec.checkpoints["din"], tiny_rec.data)
    assert result.metrics["din"]["auc"] > result.metrics["logistic-regression"]["auc"]
    assert 0.5 < result.metrics["din"]["gauc"] <= 1.0


def test_sasrec_padding_does_not_change_the_prediction() -> None:
    torch.manual_seed(0)
    model = SASRec(SASRecConfig(num_items=50, dim=16, max_len=12, dropout=0.0)).eval()
    short = torch.tensor([[0, 0, 0, 0, 0, 0, 0, 0, 7, 8, 9, 10]])
    with torch.no_grad():
        full = model.user_vector(short)
        other_pad = model(short)[:, -1]
    assert torch.allclose(full, other_pad)
    assert torch.isfinite(
        model(torch.zeros(2, 12, dtype=torch.long))
    ).all()  # all-pad rows stay finite


def test_sasrec_gbce_loss_trains() -> None:
    torch.manual_seed(0)
    model = SASRec(SASRecConfig(num_items=30, dim=16, max_len=8, dropout=0.0))
    seq = torch.randint(2, 30, (16, 9))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = None
    for _ in range(30):
        loss = model.loss(seq[:, :-1], seq[:, 1:], loss="gbce", negatives=8)
        first = first if first is not None else float(loss.detach())
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(loss.detach()) < 0.7 * first
