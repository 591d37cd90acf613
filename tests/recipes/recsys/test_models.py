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


def test_din_attention_equals_the_concatenated_form() -> None:
    """The split first layer computes exactly W [h, c, h - c, h * c] + b, in train mode too."""
    from torchworks.recipes.recsys.models.din import DIN, DINConfig

    torch.manual_seed(0)
    model = DIN(DINConfig(num_users=10, num_items=40, num_categories=5, dim=8)).train()
    history = torch.randint(0, 40, (6, 7))
    h, cand = model._embed(history), model._embed(torch.randint(2, 40, (6,)))
    c = cand.unsqueeze(1).expand_as(h)
    concatenated = model.attention(torch.cat([h, c, h - c, h * c], -1)).squeeze(-1)
    assert torch.allclose(model._attention_weights(h, cand), concatenated, atol=1e-6)


def test_two_tower_catalogue_softmax_trains() -> None:
    from torchworks.recipes.recsys.models.two_tower import TwoTower, TwoTowerConfig

    torch.manual_seed(0)
    model = TwoTower(TwoTowerConfig(num_users=20, num_items=30, num_categories=4, dim=16))
    users, history = torch.randint(2, 20, (64,)), torch.randint(0, 30, (64, 5))
    items = (users % 28) + 2  # each user has one item to learn
    optimizer = torch.optim.Adam(model.parameters(), 1e-2)
    losses = []
    for _ in range(60):
        loss = model.loss(users, history, items, softmax="catalogue")
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    with torch.no_grad():  # padding and OOV ids are never ranked as a positive's rivals
        top = (model.user_tower(users, history) @ model.item_vectors()[2:].T).argmax(1) + 2
    assert (top == items).float().mean() > 0.8
