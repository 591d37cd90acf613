"""Full-ranking metrics (every item is a candidate; no sampled negatives) and AUC / GAUC for CTR.

Full ranking: for each evaluated user, score all items, remove PAD/OOV and the items in the
user's history (they cannot be recommended again), take the top K and compare with the user's
target items. With T targets and hits at 0-based ranks r:
    HR@K = 1 if any hit;  Recall@K = hits / T;
    NDCG@K = sum 1/log2(r+2) / sum_{i<min(T,K)} 1/log2(i+2)
Sampled-negative metrics overstate models and reorder them (Krichene & Rendle, 2020), hence this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch

from torchworks.recipes.recsys.data import EvalView
from torchworks.recipes.recsys.sequences import Sequences
from torchworks.recipes.recsys.vocab import NUM_RESERVED


class Scorer(Protocol):
    """Anything that scores all items for a batch of users given their histories."""

    name: str

    def score(self, users: np.ndarray, history: Sequences) -> torch.Tensor:
        """float [len(users), num_items]; columns are item ids."""
        ...


@dataclass
class RankingResult:
    name: str
    metrics: dict[str, float]  # "HR@10", "NDCG@10", "Recall@10", ...
    users: int


def full_ranking(
    scorer: Scorer, view: EvalView, ks: Sequence[int] = (10, 20), batch_size: int = 512
) -> RankingResult:
    """Mean HR/NDCG/Recall@K over `view.users`, ranking every item outside the user's history."""
    max_k = max(ks)
    sums = {f"{m}@{k}": 0.0 for k in ks for m in ("HR", "NDCG", "Recall")}
    discounts = 1.0 / torch.log2(torch.arange(max_k, dtype=torch.float64) + 2)
    ideal = torch.cumsum(discounts, 0)
    for start in range(0, len(view.users), batch_size):
        users = view.users[start : start + batch_size]
        with torch.no_grad():
            scores = scorer.score(users, view.history).float().cpu().clone()
        scores[:, :NUM_RESERVED] = -torch.inf
        rows, cols = user_item_pairs(users, view.history)
        scores[rows, cols] = -torch.inf
        top = scores.topk(max_k, dim=1).indices
        is_target = torch.zeros_like(scores, dtype=torch.bool)
        t_rows, t_cols = user_item_pairs(users, view.targets)
        is_target[t_rows, t_cols] = True
        hits = is_target.gather(1, top).double()
        n_targets = torch.from_numpy(view.targets.lengths()[users]).double()
        for k in ks:
            hit_k = hits[:, :k]
            sums[f"HR@{k}"] += float((hit_k.sum(1) > 0).sum())
            sums[f"Recall@{k}"] += float((hit_k.sum(1) / n_targets).sum())
            idcg = ideal[(n_targets.clamp(max=k) - 1).long()]
            sums[f"NDCG@{k}"] += float(((hit_k * discounts[:k]).sum(1) / idcg).sum())
    n = max(len(view.users), 1)
    return RankingResult(
        scorer.name, {key: value / n for key, value in sums.items()}, len(view.users)
    )


def user_item_pairs(users: np.ndarray, seqs: Sequences) -> tuple[torch.Tensor, torch.Tensor]:
    """(row in batch, item id) for every item of each user's sequence."""
    starts, ends = seqs.offsets[users], seqs.offsets[users + 1]
    lengths = ends - starts
    rows = np.repeat(np.arange(len(users)), lengths)
    index = (
        np.concatenate([np.arange(s, e) for s, e in zip(starts, ends, strict=True)])
        if len(users)
        else np.zeros(0, dtype=np.int64)
    )
    return torch.from_numpy(rows), torch.from_numpy(seqs.items[index.astype(np.int64)])


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC via the rank-sum statistic (ties count half); nan when one class is absent."""
    from scipy.stats import rankdata

    labels = np.asarray(labels).astype(bool)
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def gauc(groups: np.ndarray, labels: np.ndarray, scores: np.ndarray) -> float:
    """Impression-weighted mean of per-user AUC over users that have both clicks and non-clicks."""
    order = np.argsort(groups, kind="stable")
    groups, labels, scores = groups[order], labels[order], scores[order]
    bounds = np.flatnonzero(np.diff(groups)) + 1
    total, weight = 0.0, 0
    for lab, sc in zip(np.split(labels, bounds), np.split(scores, bounds), strict=True):
        value = auc(lab, sc)
        if not np.isnan(value):
            total += value * len(lab)
            weight += len(lab)
    return total / weight if weight else float("nan")
