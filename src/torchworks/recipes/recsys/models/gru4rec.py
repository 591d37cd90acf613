"""GRU4Rec (Hidasi et al. 2016): next-item prediction with a recurrent encoder.

Why a second sequential model: averaging SASRec seeds stops paying after five (a sixth seed
moved validation NDCG@10 by < 0.001, `benchmarks/rec_blend.py`), because seeds of one model
make the same mistakes; a model that reads the sequence another way errs differently, and
diversity is what score fusion feeds on. GRU4Rec with a full-softmax cross-entropy is a strong
baseline when trained like SASRec (Hidasi & Czapp 2023; Klenitskiy & Vasilev 2023), and here
it is: same windows, same losses (`next_item.py`), same scorer.

Input [B, L] item ids, left-padded with 0, newest last, as SASRec takes them. A GRU run over
left padding would start each user from a state the pads pushed it to, so a prediction would
depend on how much padding a batch had; each row is therefore rotated so its items come first,
the GRU runs from the zero state over them (trailing pads cannot reach earlier outputs), and the
outputs are rotated back. Dropout acts on the embeddings and the GRU's outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from torchworks.recipes.recsys.models.next_item import NextItemModel


@dataclass
class GRU4RecConfig:
    num_items: int
    dim: int = 64
    layers: int = 1
    dropout: float = 0.2


class GRU4Rec(NextItemModel):
    def __init__(self, cfg: GRU4RecConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.item_emb = nn.Embedding(cfg.num_items, cfg.dim, padding_idx=0)
        self.gru = nn.GRU(cfg.dim, cfg.dim, num_layers=cfg.layers, batch_first=True,
                          dropout=cfg.dropout if cfg.layers > 1 else 0.0)
        self.dropout = nn.Dropout(cfg.dropout)
        self.norm = nn.LayerNorm(cfg.dim)
        nn.init.normal_(self.item_emb.weight, std=cfg.dim**-0.5)

    def forward(self, seq: torch.Tensor) -> torch.Tensor:
        """[B, L] ids -> [B, L, dim] hidden states (pad positions: zeros)."""
        length = seq.shape[1]
        pads = (seq == 0).sum(1, keepdim=True)
        positions = torch.arange(length, device=seq.device)[None]
        items_first = seq.gather(1, (positions + pads) % length)
        x = self.dropout(self.item_emb(items_first) * self.cfg.dim**0.5)
        out, _ = self.gru(x)
        back = ((positions - pads) % length)[..., None].expand(-1, -1, out.shape[-1])
        out = self.norm(self.dropout(out.gather(1, back)))
        return out * (seq != 0).unsqueeze(-1)
