"""Two-tower retrieval: a user tower and an item tower whose dot product ranks the catalogue.

- User tower: user-id embedding + masked mean of the recent history's item embeddings -> MLP.
  New users map to the OOV id, so their history alone carries them.
- Item tower: item-id embedding + category embedding -> MLP. Both towers L2-normalize, so the
  score is a cosine divided by `temperature`.
- Loss: in-batch sampled softmax. Each row's positive competes with the other rows' items; as
  popular items appear as negatives more often, each logit gets `- log q(item)` (logQ
  correction, Yi et al. 2019), q = the item's share of training interactions. Off-diagonal
  entries holding the row's own positive item are masked (not negatives). Or, for catalogues
  small enough to encode whole every step (MovieLens' 1,682 items cost less than the batch),
  `softmax="catalogue"`: a full softmax over every real item, no sampling and no correction.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

NUM_RESERVED = 2  # vocab.py: ids 0 (padding) and 1 (OOV), never a positive


@dataclass
class TwoTowerConfig:
    num_users: int
    num_items: int
    num_categories: int
    dim: int = 64
    hidden: int = 128
    temperature: float = 0.05
    dropout: float = 0.1


def _mlp(inp: int, hidden: int, out: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(inp, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, out)
    )


class UserTower(nn.Module):
    def __init__(self, cfg: TwoTowerConfig, item_emb: nn.Embedding) -> None:
        super().__init__()
        self.user_emb = nn.Embedding(cfg.num_users, cfg.dim, padding_idx=0)
        self.item_emb = item_emb  # shared with the item tower
        self.mlp = _mlp(2 * cfg.dim, cfg.hidden, cfg.dim, cfg.dropout)

    def forward(self, users: torch.Tensor, history: torch.Tensor) -> torch.Tensor:
        """users [B], history [B, L] left-padded -> [B, dim] unit vectors."""
        mask = (history > 0).unsqueeze(-1).to(self.item_emb.weight.dtype)
        pooled = (self.item_emb(history) * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return F.normalize(self.mlp(torch.cat([self.user_emb(users), pooled], -1)), dim=-1)


class ItemTower(nn.Module):
    def __init__(self, cfg: TwoTowerConfig, item_emb: nn.Embedding) -> None:
        super().__init__()
        self.item_emb = item_emb
        self.category_emb = nn.Embedding(cfg.num_categories, cfg.dim, padding_idx=0)
        self.mlp = _mlp(2 * cfg.dim, cfg.hidden, cfg.dim, cfg.dropout)

    def forward(self, items: torch.Tensor, categories: torch.Tensor) -> torch.Tensor:
        """items [N], categories [N] -> [N, dim] unit vectors."""
        x = torch.cat([self.item_emb(items), self.category_emb(categories)], -1)
        return F.normalize(self.mlp(x), dim=-1)


class TwoTower(nn.Module):
    def __init__(self, cfg: TwoTowerConfig) -> None:
        super().__init__()
        self.cfg = cfg
        item_emb = nn.Embedding(cfg.num_items, cfg.dim, padding_idx=0)
        nn.init.normal_(item_emb.weight, std=0.1)
        self.user_tower = UserTower(cfg, item_emb)
        self.item_tower = ItemTower(cfg, item_emb)
        self.register_buffer("item_category", torch.zeros(cfg.num_items, dtype=torch.long))
        self.register_buffer("log_q", torch.zeros(cfg.num_items))

    def set_item_stats(self, item_category: torch.Tensor, item_counts: torch.Tensor) -> None:
        """Category of every item, and training counts for the logQ correction."""
        self.item_category.copy_(item_category)
        q = (item_counts.float() + 1.0) / (item_counts.sum() + len(item_counts))
        self.log_q.copy_(q.log())

    def item_vectors(self) -> torch.Tensor:
        """[num_items, dim] for every item id (the retrieval index)."""
        ids = torch.arange(self.cfg.num_items, device=self.item_category.device)
        return self.item_tower(ids, self.item_category)

    def loss(self, users: torch.Tensor, history: torch.Tensor, items: torch.Tensor,
             softmax: str = "in-batch") -> torch.Tensor:
        u = self.user_tower(users, history)
        if softmax == "catalogue":
            logits = (u @ self.item_vectors()[NUM_RESERVED:].T) / self.cfg.temperature
            return F.cross_entropy(logits.float(), items - NUM_RESERVED)
        v = self.item_tower(items, self.item_category[items])
        logits = (u @ v.T) / self.cfg.temperature - self.log_q[items][None, :]
        same = items[:, None] == items[None, :]
        logits = logits.masked_fill(
            same & ~torch.eye(len(items), dtype=torch.bool, device=items.device), -torch.inf
        )
        return F.cross_entropy(logits.float(), torch.arange(len(items), device=items.device))
