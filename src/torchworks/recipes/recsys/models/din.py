"""DIN (Zhou et al., 2018): click-through rate of a candidate item given the user's behaviours.

Each item is its id embedding concatenated with its category embedding. An attention unit
scores every history item h against the candidate c from [h, c, h - c, h * c]; the weights are
not softmax-normalized (DIN keeps the intensity of interest), padding gets weight 0. The
weighted sum, the candidate and the user embedding go through an MLP with Dice (or PReLU)
activations to one logit; with `wide`, per-user, per-item and per-category biases are added to
it (Wide & Deep's linear part: exactly logistic regression's one-hot model, so DIN starts from
the CTR baseline and its deep part only has to add what the history says). Training
impressions: each real next item is a click, and `negatives` items sampled for the same moment
are non-clicks.
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
    wide: bool = False


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


class PReLU(nn.Module):
    """PReLU with one slope per feature of the *last* dim. `nn.PReLU(width)` takes dim 1 as the
    channels, so on the attention unit's [B, L, hidden] input it wanted L slopes and crashed;
    this one works for any rank. The parameter keeps nn.PReLU's name and init (0.25)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.full((width,), 0.25))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.where(x >= 0, x, self.weight * x)


def _activation(kind: str, width: int) -> nn.Module:
    return Dice(width) if kind == "dice" else PReLU(width)


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
        if cfg.wide:
            self.biases = nn.ModuleList(
                nn.Embedding(n, 1) for n in (cfg.num_users, cfg.num_items, cfg.num_categories)
            )
            for bias in self.biases:
                nn.init.zeros_(bias.weight)

    def _embed(self, items: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.item_emb(items), self.category_emb(self.item_category[items])], -1)

    def forward(
        self, users: torch.Tensor, history: torch.Tensor, candidates: torch.Tensor
    ) -> torch.Tensor:
        """users [B], history [B, L] (left-padded), candidates [B] -> logits [B]."""
        h = self._embed(history)
        cand = self._embed(candidates)
        weights = self._attention_weights(h, cand).masked_fill(history == 0, 0.0)
        interest = (weights.unsqueeze(-1) * h).sum(1)
        features = torch.cat([self.user_emb(users), interest, cand, interest * cand], -1)
        logit = self.head(features).squeeze(-1)
        if self.cfg.wide:
            ids = (users, candidates, self.item_category[candidates])
            for bias, i in zip(self.biases, ids, strict=True):
                logit = logit + bias(i).squeeze(-1)
        return logit

    def _attention_weights(self, h: torch.Tensor, cand: torch.Tensor) -> torch.Tensor:
        """The attention unit on [h, c, h - c, h * c] without building that 4x-wide tensor:
        its first layer is linear, so W [h, c, h-c, h*c] = (W_h + W_d) h + (W_c - W_d) c +
        W_p (h * c), and the candidate's part is computed once per row, not once per history
        item. Same weights (and checkpoints) as the concatenated form; a third of its memory
        traffic, which is what bounded DIN's training step on CPU."""
        first, activation = self.attention[0][0], self.attention[0][1]
        w_h, w_c, w_d, w_p = first.weight.split(h.shape[-1], dim=1)
        pre = F.linear(h, w_h + w_d) + F.linear(h * cand.unsqueeze(1), w_p)
        pre = pre + F.linear(cand, w_c - w_d, first.bias).unsqueeze(1)
        return self.attention[1](activation(pre)).squeeze(-1)

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
