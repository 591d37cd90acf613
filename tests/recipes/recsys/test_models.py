"""Each model, trained for seconds on a tiny synthetic log, beats its baseline on the same split."""

from __future__ import annotations

import torch

from torchworks.recipes.recsys.compare import compare
from torchworks.recipes.recsys.models.gru4rec import GRU4Rec, GRU4RecConfig
from torchworks.recipes.recsys.models.sasrec import SASRec, SASRecConfig


def test_sasrec_beats_popularity_in_full_ranking(tiny_rec) -> None:
    result = compare(tiny_rec.checkpoints["sasrec"], tiny_rec.data)
    assert result.metrics["sasrec"]["NDCG@10"] > 1.5 * result.metrics["popularity"]["NDCG@10"]
    assert set(result.metrics) == {"sasrec", "popularity", "item-knn", "item-knn-recency(0.8)"}
    assert result.ratios["sasrec/popularity"] > 1.5


def test_gru4rec_beats_popularity_in_full_ranking(tiny_rec) -> None:
    result = compare(tiny_rec.checkpoints["gru4rec"], tiny_rec.data)
    assert result.metrics["gru4rec"]["NDCG@10"] > 1.5 * result.metrics["popularity"]["NDCG@10"]


def test_sasrec_and_gru4rec_fuse_in_rec_eval(tiny_rec) -> None:
    fused = compare([tiny_rec.checkpoints["sasrec"], tiny_rec.checkpoints["gru4rec"]],
                    tiny_rec.data)
    assert {"fused", "sasrec-0", "gru4rec-1"} <= set(fused.metrics)
    assert fused.metrics["fused"]["NDCG@10"] > fused.metrics["popularity"]["NDCG@10"]


def test_gru4rec_padding_does_not_change_the_prediction() -> None:
    """Left padding never reaches the GRU: every output equals a plain GRU run over the items."""
    torch.manual_seed(0)
    model = GRU4Rec(GRU4RecConfig(num_items=50, dim=16, dropout=0.0)).eval()
    items = torch.tensor([[7, 8, 9, 10]])
    padded = torch.tensor([[0, 0, 0, 7, 8, 9, 10], [0, 0, 0, 0, 0, 0, 5]])
    with torch.no_grad():
        plain, _ = model.gru(model.item_emb(items) * 16**0.5)
        out = model(padded)
        assert torch.allclose(out[0, 3:], model.norm(plain[0]), atol=1e-6)
        assert torch.allclose(model(items)[0], out[0, 3:], atol=1e-6)
        assert torch.equal(out[:, :3], torch.zeros_like(out[:, :3]))  # pads give zeros
        assert torch.isfinite(model(torch.zeros(2, 7, dtype=torch.long))).all()


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


def test_din_prelu_trains_on_its_3d_attention_input() -> None:
    """`activation: prelu` used to crash (nn.PReLU took the history axis as channels); its
    slopes act on the last dim, which on 2-D input is exactly nn.PReLU's channel rule."""
    from torchworks.recipes.recsys.models.din import DIN, DINConfig, PReLU

    torch.manual_seed(0)
    ours, reference = PReLU(6), torch.nn.PReLU(6)
    with torch.no_grad():
        ours.weight.uniform_(-1, 1)
        reference.weight.copy_(ours.weight)
    x = torch.randn(5, 6)
    assert torch.equal(ours(x), reference(x))
    model = DIN(DINConfig(num_users=10, num_items=40, num_categories=5, dim=8, activation="prelu"))
    users, history = torch.randint(2, 10, (32,)), torch.randint(0, 40, (32, 7))
    cands, labels = torch.randint(2, 40, (32,)), (torch.rand(32) < 0.5).float()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = float(model.loss(users, history, cands, labels).detach())
    for _ in range(30):
        loss = model.loss(users, history, cands, labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(loss.detach()) < 0.7 * first


def test_sasrec_mask_seen_leaves_earlier_window_items_out_of_each_softmax() -> None:
    """Against a per-position reference: the window's items up to t (not the target) get no
    probability mass; with no repeats the seen rule is the same as full-ranking evaluation's."""
    import torch.nn.functional as F

    torch.manual_seed(0)
    model = SASRec(SASRecConfig(num_items=20, dim=8, max_len=6, dropout=0.0)).eval()
    seq = torch.tensor([[0, 0, 5, 7, 5, 9, 11], [3, 4, 6, 8, 10, 4, 12]])
    inputs, targets = seq[:, :-1], seq[:, 1:]
    with torch.no_grad():
        got = model.loss(inputs, targets, mask_seen=True)
        hidden, table = model(inputs), model.item_emb.weight
        losses = []
        for b in range(2):
            for t in range(6):
                if targets[b, t] == 0:
                    continue
                logits = hidden[b, t] @ table[2:].T
                seen = {int(i) for i in inputs[b, : t + 1] if i > 0} - {int(targets[b, t])}
                logits[[i - 2 for i in seen]] = float("-inf")
                losses.append(F.cross_entropy(logits[None], targets[b, t, None] - 2))
        assert torch.allclose(got, torch.stack(losses).mean(), atol=1e-5)
        assert got < model.loss(inputs, targets)  # fewer competitors, lower loss


def test_din_wide_adds_the_logistic_biases_and_old_settings_load() -> None:
    from torchworks.recipes.recsys.models.din import DIN, DINConfig
    from torchworks.recipes.recsys.tasks import ModelSettings, build_model

    torch.manual_seed(0)
    model = DIN(DINConfig(num_users=10, num_items=40, num_categories=5, dim=8, wide=True)).eval()
    model.item_category.copy_(torch.arange(40) % 5)
    users, history = torch.randint(2, 10, (6,)), torch.randint(0, 40, (6, 7))
    cands = torch.arange(6)
    with torch.no_grad():
        deep = model(users, history, cands)
        for table in model.biases:
            table.weight.uniform_(-1, 1)
        user_b, item_b, cat_b = (t.weight[:, 0] for t in model.biases)
        expected = deep + user_b[users] + item_b[cands] + cat_b[cands % 5]
        assert torch.allclose(model(users, history, cands), expected, atol=1e-6)
    old = {"kind": "din", "dim": 8}  # a checkpoint's settings from before `wide` existed
    assert not hasattr(build_model(ModelSettings(**old), 10, 40, 5), "biases")


def test_cosine_schedule_warms_up_peaks_and_decays_to_zero() -> None:
    from torchworks.recipes.recsys.config import RecTrainConfig
    from torchworks.recipes.recsys.train import lr_at

    cfg = RecTrainConfig(lr=0.01, lr_schedule="cosine", warmup_steps=10)
    rates = [lr_at(cfg, step, 100) for step in range(100)]
    assert rates[:10] == sorted(rates[:10]) and rates[9] == 0.01
    assert rates[10:] == sorted(rates[10:], reverse=True) and rates[-1] < 1e-4
    flat = RecTrainConfig(lr=0.01)
    assert {lr_at(flat, step, 100) for step in range(100)} == {0.01}
