"""SASRec (Kang & McAuley, 2018): next-item prediction with causal self-attention.

Input [B, L] item ids, left-padded with 0, newest last. Position embeddings count back from the
newest item (index 0 = newest), as a fixed-length left-padded window does, so a batch can be
trimmed to its longest sequence without changing any prediction. Each position attends to
itself and earlier non-pad positions (causal + key-padding mask, diagonal always allowed so a
pad row never has an empty softmax); dropout acts on embeddings and residual branches, not on
attention weights (that dropout cost an eighth of a training step and forces SDPA's slow
path). The hidden state at position t scores every item by a dot product with
the (shared) item embedding table: the prediction of item t+1.

Losses ("full" softmax or gSASRec's "gbce"): `next_item.py`, shared with GRU4Rec.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from torchworks.recipes.recsys.models.next_item import NextItemModel


@dataclass
class SASRecConfig:
    num_items: int
    dim: int = 64
    blocks: int = 2
    heads: int = 1
    max_len: int = 200
    dropout: float = 0.2


class _Block(nn.Module):
    def __init__(self, dim: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.ffn = nn.Sequential(
            nn.Linear(dim, dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(dim, dim)
        )
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
        b, length, dim = x.shape
        q, k, v = (
            self.qkv(self.norm1(x))
            .view(b, length, 3, self.heads, dim // self.heads)
            .permute(2, 0, 3, 1, 4)
        )
        attn = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
        x = x + self.dropout(self.proj(attn.transpose(1, 2).reshape(b, length, dim)))
        return x + self.dropout(self.ffn(self.norm2(x)))


class SASRec(NextItemModel):
    def __init__(self, cfg: SASRecConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.item_emb = nn.Embedding(cfg.num_items, cfg.dim, padding_idx=0)
        self.pos_emb = nn.Embedding(cfg.max_len, cfg.dim)
        self.dropout = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(
            _Block(cfg.dim, cfg.heads, cfg.dropout) for _ in range(cfg.blocks)
        )
        self.norm = nn.LayerNorm(cfg.dim)
        nn.init.normal_(self.item_emb.weight, std=cfg.dim**-0.5)

    def forward(self, seq: torch.Tensor) -> torch.Tensor:
        """[B, L] ids -> [B, L, dim] hidden states (L <= max_len)."""
        length = seq.shape[1]
        pad = seq == 0
        positions = torch.arange(length, device=seq.device)
        back = (length - 1) - positions  # 0 = newest item
        x = self.item_emb(seq) * self.cfg.dim**0.5 + self.pos_emb(back)[None]
        x = self.dropout(x) * (~pad).unsqueeze(-1)
        causal = positions[None, :] <= positions[:, None]  # [query, key]
        eye = positions[None, :] == positions[:, None]
        allowed = ((causal & ~pad[:, None, :]) | eye)[:, None]  # [B, 1, L, L]
        for block in self.blocks:
            x = block(x, allowed)
        return self.norm(x)
