"""Score-level fusion: several scorers' full-catalogue scores averaged per user, after normalising.

Why: on MovieLens-100K single-model SASRec changes (heads, lengths, extra targets) moved
validation NDCG@10 by less than the spread between seeds, so the seed-to-seed variance is
what is left to remove; averaging independently trained models removes part of it, and a
model of another kind adds what SASRec misses: EASE (order-free, what the user likes overall)
more than the recency item-kNN (`benchmarks/rec_blend.py`: 5 seeds 0.1417, + EASE at 0.1
0.1544 validation NDCG@10).

Raw scores do not mix: SASRec's are dot products whose scale differs between seeds, the kNN's
are sums of cosine similarities. Each member's row is therefore normalised first, over the
items that can still be recommended to that user (real items outside the whole history, the
rule `evaluate.full_ranking` applies), so history items with odd scores do not move the
statistics:
- "z": (score - mean) / std over the candidates (a constant row, a kNN user without
  neighbours, gives 0: it prefers nothing);
- "rrf": reciprocal rank fusion, 1 / (60 + rank) with rank 1 the best candidate (Cormack,
  Clarke & Buettcher 2009): only the order counts, the top of each list most.
The fused row is the weighted mean of the members' normalised rows; reserved ids and the
history come back as -inf, so any consumer that forgets to mask still cannot recommend them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from torchworks.errors import ConfigError
from torchworks.recipes.recsys.evaluate import Scorer, user_item_pairs
from torchworks.recipes.recsys.sequences import Sequences
from torchworks.recipes.recsys.vocab import NUM_RESERVED

NORMALISERS = ("z", "rrf")
RRF_K = 60.0


def candidate_mask(users: np.ndarray, history: Sequences, num_items: int) -> torch.Tensor:
    """bool [len(users), num_items]: real items outside each user's whole history."""
    mask = torch.ones(len(users), num_items, dtype=torch.bool)
    mask[:, :NUM_RESERVED] = False
    rows, cols = user_item_pairs(users, history)
    mask[rows, cols] = False
    return mask


def normalise(scores: torch.Tensor, mask: torch.Tensor, how: str = "z") -> torch.Tensor:
    """Each row of `scores` normalised over its `mask`ed-in columns; other columns become 0."""
    scores = torch.where(mask, scores.float(), 0.0)  # a member's own -inf must not make NaN
    if how == "z":
        count = mask.sum(1, keepdim=True).clamp(min=1)
        mean = scores.sum(1, keepdim=True) / count
        centred = torch.where(mask, scores - mean, 0.0)
        std = (centred.square().sum(1, keepdim=True) / count).sqrt()
        return centred / std.clamp(min=1e-12)
    if how == "rrf":
        order = scores.masked_fill(~mask, -torch.inf).argsort(dim=1, descending=True, stable=True)
        rank = torch.empty_like(order)
        rank.scatter_(1, order, torch.arange(1, scores.shape[1] + 1).expand_as(order))
        return torch.where(mask, 1.0 / (RRF_K + rank.float()), 0.0)
    raise _unknown(how)


def _unknown(how: str) -> ConfigError:
    return ConfigError(f"unknown score normalisation {how!r}", fix=f"use one of {NORMALISERS}")


class FusedScorer:
    """The weighted mean of `members`' normalised scores (a `Scorer`, so `rec eval` ranks it)."""

    def __init__(
        self,
        members: Sequence[Scorer],
        weights: Sequence[float] | None = None,
        how: str = "z",
        name: str = "fused",
    ) -> None:
        if not members:
            raise ConfigError("score fusion needs at least one member", fix="pass checkpoints")
        weights = [1.0] * len(members) if weights is None else list(weights)
        if len(weights) != len(members) or min(weights) < 0 or sum(weights) <= 0:
            raise ConfigError(
                f"fusion weights {weights} do not fit {len(members)} members",
                fix="give one non-negative weight per member, not all zero",
            )
        if how not in NORMALISERS:
            raise _unknown(how)
        self.members = list(members)
        self.weights = [w / sum(weights) for w in weights]
        self.how = how
        self.name = name

    @torch.no_grad()
    def score(self, users: np.ndarray, history: Sequences) -> torch.Tensor:
        fused, mask = None, None
        for member, weight in zip(self.members, self.weights, strict=True):
            if weight == 0:
                continue
            scores = member.score(users, history).float().cpu()
            if mask is None:
                mask = candidate_mask(users, history, scores.shape[1])
            part = weight * normalise(scores, mask, self.how)
            fused = part if fused is None else fused + part
        return fused.masked_fill(~mask, -torch.inf)


def blend_weights(models: int, *extra: float) -> list[float]:
    """`models` equal model weights, then one weight per extra member (the kNN, EASE, ...).

    The extras are fractions of the whole; the models share what is left."""
    if not all(math.isfinite(w) and w >= 0 for w in extra) or sum(extra) >= 1:
        raise ConfigError(f"blend weights {list(extra)} are not fractions summing below 1",
                          fix="pick them on the validation item, e.g. 0.1 each")
    return [(1 - sum(extra)) / models] * models + list(extra)
