"""`torchworks rec eval`: a trained model next to the baselines, on the same split and users.

Ranking models (SASRec, two-tower) get full-ranking HR/NDCG/Recall@10,20 beside popularity,
item-kNN and recency-weighted item-kNN, plus the ratio of the model's NDCG@10 to each
baseline's, so "is it better than the obvious thing" is visible in every run. DIN gets AUC and
GAUC on held-out impressions beside logistic regression trained on the same impressions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from torchworks.recipes.recsys.baselines import ItemKNN, Popularity, logistic_ctr
from torchworks.recipes.recsys.data import EvalView, RecDataset, eval_view, load_dataset
from torchworks.recipes.recsys.evaluate import Scorer, auc, full_ranking, gauc
from torchworks.recipes.recsys.sequences import Sequences
from torchworks.recipes.recsys.split import TEST
from torchworks.recipes.recsys.tasks import ModelScorer, PairExamples, din_scores, eval_impressions
from torchworks.recipes.recsys.train import load_trained

RECENCY_DECAY = 0.8


@dataclass
class Comparison:
    split: str
    users: int
    model: str
    metrics: dict[str, dict[str, float]]  # method name -> metric -> value (model first)
    ratios: dict[str, float] = field(default_factory=dict)  # "model/baseline" NDCG@10 or AUC


def compare(
    checkpoint: str | Path,
    data_dir: str | Path,
    split: int = TEST,
    max_users: int = 0,
    seed: int = 0,
    device: torch.device | None = None,
) -> Comparison:
    device = device or torch.device("cpu")
    ds = load_dataset(data_dir)
    trained = load_trained(checkpoint, device)
    view = eval_view(ds, split)
    if max_users and len(view.users) > max_users:
        view.users = np.sort(
            np.random.default_rng(seed).choice(view.users, max_users, replace=False)
        )
    name = trained.settings.kind
    if name == "din":
        metrics = _ctr(trained.model, ds, view, trained.history_len, seed, device)
        key = "auc"
    else:
        scorers = [
            ModelScorer(trained.model, name, trained.history_len, device),
            *ranking_baselines(view.history, ds.num_items),
        ]
        metrics = {s.name: full_ranking(s, view).metrics for s in scorers}
        key = "NDCG@10"
    ratios = {
        f"{name}/{other}": metrics[name][key] / values[key]
        for other, values in metrics.items()
        if other != name and values[key] > 0
    }
    return Comparison("test" if split == TEST else "valid", len(view.users), name, metrics, ratios)


def ranking_baselines(history: Sequences, num_items: int) -> list[Scorer]:
    """Popularity, item-kNN and recency-weighted item-kNN built from the evaluated history."""
    return [
        Popularity(history, num_items),
        ItemKNN(history, num_items),
        ItemKNN(history, num_items, recency_decay=RECENCY_DECAY),
    ]


def _ctr(
    model: torch.nn.Module,
    ds: RecDataset,
    view: EvalView,
    history_len: int,
    seed: int,
    device: torch.device,
) -> dict[str, dict[str, float]]:
    imp = eval_impressions(view, ds.num_items, history_len, negatives=4, seed=seed)
    model_scores = din_scores(model, imp, device)
    train = PairExamples(ds, history_len, negatives=4, seed=seed)
    users, _, cands, labels = train.arrays(np.arange(train.num_examples))
    cards = [ds.num_users, ds.num_items, ds.num_categories]
    lr_scores = logistic_ctr(
        np.stack([users, cands, ds.item_category[cands]], 1),
        labels,
        np.stack([imp.users, imp.candidates, ds.item_category[imp.candidates]], 1),
        cards,
    )
    return {
        name: {"auc": auc(imp.labels, s), "gauc": gauc(imp.users, imp.labels, s)}
        for name, s in (("din", model_scores), ("logistic-regression", lr_scores))
    }
