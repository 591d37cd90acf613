"""Item-embedding index: exact top-K by inner product, FAISS when installed, batched matmul else.

Exact search is the right default up to a few million items: one [B, d] x [d, N] matmul per
batch of queries (100k items x 64 dims is 25 MB and ~13 MFLOP per query). Reserved ids
(padding, OOV) are never returned; `exclude` removes per-query items (what the user already has).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from torchworks.atomic import atomic_path
from torchworks.errors import DataError
from torchworks.recipes.recsys.vocab import NUM_RESERVED


class ItemIndex:
    def __init__(self, vectors: torch.Tensor, backend: str = "auto") -> None:
        """`vectors` [num_items, dim], row = item id (reserved rows are ignored)."""
        self.vectors = vectors.detach().float().contiguous()
        use_faiss = backend == "faiss" or (backend == "auto" and importlib.util.find_spec("faiss"))
        self.backend = "faiss" if use_faiss else "torch"
        self._faiss = None
        if self.backend == "faiss":
            import faiss

            self._faiss = faiss.IndexFlatIP(self.vectors.shape[1])
            self._faiss.add(self.vectors[NUM_RESERVED:].cpu().numpy())

    def __len__(self) -> int:
        return self.vectors.shape[0] - NUM_RESERVED

    def search(
        self, queries: torch.Tensor, k: int, exclude: Sequence[Sequence[int]] | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Top-`k` (scores, item ids) [B, k] per query row, best first."""
        queries = queries.detach().float().to(self.vectors.device)
        extra = max((len(e) for e in exclude), default=0) if exclude else 0
        want = min(k + extra, len(self))
        if self._faiss is not None:
            scores_np, ids_np = self._faiss.search(queries.cpu().numpy(), want)
            scores, ids = (
                torch.from_numpy(scores_np),
                torch.from_numpy(ids_np).long() + NUM_RESERVED,
            )
        else:
            all_scores = queries @ self.vectors[NUM_RESERVED:].T
            scores, ids = all_scores.topk(want, dim=1)
            ids = ids + NUM_RESERVED
        if not extra:
            return scores[:, :k].cpu(), ids[:, :k].cpu()
        return _drop_excluded(scores.cpu(), ids.cpu(), exclude, k)

    def save(self, path: str | os.PathLike[str]) -> None:
        with atomic_path(path) as tmp:
            torch.save({"format": "torchworks.item_index", "vectors": self.vectors.cpu()}, tmp)

    @classmethod
    def load(cls, path: str | os.PathLike[str], backend: str = "auto") -> ItemIndex:
        state = torch.load(Path(path), map_location="cpu", weights_only=True)
        if not isinstance(state, dict) or state.get("format") != "torchworks.item_index":
            raise DataError(
                f"{path} is not a torchworks item index",
                fix="export one with `torchworks rec export`",
            )
        return cls(state["vectors"], backend)


def _drop_excluded(
    scores: torch.Tensor, ids: torch.Tensor, exclude: Sequence[Sequence[int]], k: int
) -> tuple[torch.Tensor, torch.Tensor]:
    keep_scores, keep_ids = [], []
    for row, banned in enumerate(exclude):
        mask = ~np.isin(ids[row].numpy(), np.asarray(list(banned), dtype=np.int64))
        keep_scores.append(scores[row][torch.from_numpy(mask)][:k])
        keep_ids.append(ids[row][torch.from_numpy(mask)][:k])
    width = min(len(s) for s in keep_scores)
    return torch.stack([s[:width] for s in keep_scores]), torch.stack([i[:width] for i in keep_ids])
