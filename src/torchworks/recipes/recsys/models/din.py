"""DIN (Zhou et al., 2018): click-through rate of a candidate item given the user's behaviours.

Each item is its id embedding concatenated with its category embedding. An attention unit
scores every history item h against the candidate c from [h, c, h - c, h * c]; the weights are
not softmax-normalized (DIN keeps the intensity of interest), padding gets weight 0. The
weighted sum, the candidate and the user embedding go through an MLP with Dice (or PReLU)
activations to one logit. Training impressions: each real next item is a click, and
`negatives` items sampled for the same moment are non-clicks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class DINConfig:
    num_users: int
    num_items: int
    num_categories: int
    dim: int = 32
    attention_hidden: int = 64
    hidden: tuple[int, ...] = (128, 64)
    activation: str = "dice"  # or "prelu"


class Dice(nn.Module):
    """Data-adaptive activation: p = sigmoid(standardized x) gates x against alpha * x.

    Standardization uses batch statistics over every dim but the last while training and
    running averages in eval (BatchNorm's rule, written out so it exports for any input rank).
    """

    def __init__(self, width: int, momentum: float = 0.1, eps: float = 1e-8) -> None:
        super().__init__()
        self.alpha = nn.Parameter(torch.zeros(width))
        self.register_buffer("running_mean", torch.zeros(width))
        self.register_buffer("running_var", torch.ones(width))
        self.momentum = momentum
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            dims = tuple(range(x.dim() - 1))
            mean, var = x.mean(dims), x.var(dims, unbiased=False)
            with torch.no_grad():
                self.running_mean.lerp_(mean.detach().float(), self.momentum)
                self.running_var.lerp_(var.detach().float(), self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        p = torch.sigmoid((x - mean) / torch.sqrt(var + self.eps))
        return p * x + (1 - p) * self.alpha * x


def _activation(kind: str, width: int) -> nn.Module:
    return Dice(width) if kind == "dice" else nn.PReLU(width)


def _mlp(widths: list[int], kind: str) -> nn.Sequential:
    layers: list[nn.Module] = []
    for inp, out in itertools.pairwise(widths):
        layers += [nn.Linear(inp, out), _activation(kind, out)]
    return nn.Sequential(*layers)


class DIN(nn.Module):
    def __init__(self, cfg: DINConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.user_emb = nn.Embedding(cfg.num_users, cfg.dim, padding_idx=0)
        self.item_emb = nn.Embedding(cfg.num_items, cfg.dim, padding_idx=0)
        self.category_emb = nn.Embedding(cfg.num_categories, cfg.dim, padding_idx=0)
        self.register_buffer("item_category", torch.zeros(cfg.num_items, dtype=torch.long))
        width = 2 * cfg.dim
        self.attention = nn.Sequential(
            _mlp([4 * width, cfg.attention_hidden], cfg.activation),
            nn.Linear(cfg.attention_hidden, 1),
        )
        self.head = nn.Sequential(
            _mlp([cfg.dim + 3 * width, *cfg.hidden], cfg.activation), nn.Linear(cfg.hidden[-1], 1)
        )

    def _embed(self, items: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.item_emb(items), self.category_emb(self.item_category[items])], -1)

    def forward(
        self, users: torch.Tensor, history: torch.Tensor, candidates: torch.Tensor
    ) -> torch.Tensor:
        """users [B], history [B, L] (left-padded), candidates [B] -> logits [B]."""
        h = self._embed(history)
        c = self._embed(candidates).unsqueeze(1).expand_as(h)
        weights = self.attention(torch.cat([h, c, h - c, h * c], -1)).squeeze(-1)
        weights = weights.masked_fill(history == 0, 0.0)
        interest = (weights.unsqueeze(-1) * h).sum(1)
        cand = c[:, 0]
        features = torch.cat([self.user_emb(users), interest, cand, interest * cand], -1)
        return self.head(features).squeeze(-1)

    def loss(
        self,
        users: torch.Tensor,
        history: torch.Tensor,
        candidates: torch.Tensor,
        labels: torch.Tensor,
    ) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(
            self.forward(users, history, candidates).float(), labels
        )
