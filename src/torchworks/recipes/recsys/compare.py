"""`torchworks rec eval`: a trained model next to the baselines, on the same split and users.

Ranking models (SASRec, two-tower) get full-ranking HR/NDCG/Recall@10,20 beside popularity,
item-kNN and recency-weighted item-kNN, plus the ratio of the model's NDCG@10 to each
baseline's, so "is it better than the obvious thing" is visible in every run. DIN gets AUC and
GAUC on held-out impressions beside logistic regression trained on the same impressions.

Several ranking checkpoints (or a blend weight > 0) are scored as one `fusion.FusedScorer`, the
row named "fused", with each member's own row beside it: the members' normalised scores
averaged, the recency item-kNN's blended in at `knn_weight` and EASE's at `ease_weight` (EASE
inverts a [num_items, num_items] matrix, so it is built only when asked for).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from torchworks.errors import ConfigError
from torchworks.recipes.recsys.baselines import EASE, ItemKNN, Popularity, logistic_ctr
from torchworks.recipes.recsys.data import EvalView, RecDataset, eval_view, load_dataset
from torchworks.recipes.recsys.evaluate import Scorer, auc, full_ranking, gauc
from torchworks.recipes.recsys.fusion import FusedScorer, blend_weights
from torchworks.recipes.recsys.members import load_members
from torchworks.recipes.recsys.sequences import Sequences
from torchworks.recipes.recsys.split import TEST
from torchworks.recipes.recsys.tasks import ModelScorer, PairExamples, din_scores, eval_impressions

RECENCY_DECAY = 0.8


@dataclass
class Comparison:
    split: str
    users: int
    model: str
    metrics: dict[str, dict[str, float]]  # method name -> metric -> value (model first)
    ratios: dict[str, float] = field(default_factory=dict)  # "model/baseline" NDCG@10 or AUC


def compare(
    checkpoint: str | Path | Sequence[str | Path],
    data_dir: str | Path,
    split: int = TEST,
    max_users: int = 0,
    seed: int = 0,
    device: torch.device | None = None,
    knn_weight: float = 0.0,
    ease_weight: float = 0.0,
    fusion: str = "z",
) -> Comparison:
    device = device or torch.device("cpu")
    paths = [checkpoint] if isinstance(checkpoint, (str, Path)) else list(checkpoint)
    ds = load_dataset(data_dir)
    models = load_members(paths, ds, device)  # refuses checkpoints of another vocabulary
    view = eval_view(ds, split)
    if max_users and len(view.users) > max_users:
        view.users = np.sort(
            np.random.default_rng(seed).choice(view.users, max_users, replace=False)
        )
    kinds = {m.settings.kind for m in models}
    blend_weights(1, knn_weight, ease_weight)  # a negative or NaN weight is refused, not ignored
    fused = len(models) > 1 or knn_weight > 0 or ease_weight > 0
    if "din" in kinds:
        if fused:
            raise ConfigError("DIN checkpoints cannot be fused (they score impressions, not "
                              "the catalogue)", fix="fuse SASRec or two-tower checkpoints")
        name = "din"
        metrics = _ctr(models[0].model, ds, view, models[0].history_len, seed, device)
        key = "auc"
    else:
        scorers = [
            ModelScorer(m.model, m.settings.kind, m.history_len, device,
                        name=m.settings.kind if len(models) == 1 else f"{m.settings.kind}-{i}")
            for i, m in enumerate(models)
        ]
        baselines = ranking_baselines(view.history, ds.num_items)
        extras = [(baselines[-1], knn_weight)]  # the recency kNN, weight 0 unless asked
        if ease_weight > 0:
            baselines.append(EASE(view.history, ds.num_items))
            extras.append((baselines[-1], ease_weight))
        if fused:
            members = [*scorers, *(member for member, _ in extras)]
            weights = blend_weights(len(scorers), *(weight for _, weight in extras))
            scorers = [FusedScorer(members, weights, fusion), *scorers]
        name = scorers[0].name
        metrics = {s.name: full_ranking(s, view).metrics for s in [*scorers, *baselines]}
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
