"""Item-embedding index: exact top-K by inner product, or approximate (faiss IVF) for millions.

Exact search is the default and right up to a few million items: one [B, d] x [d, N] matmul
per chunk of queries, the banned (row, item) pairs set to -inf inside that score matrix, then
one top-K. Nothing per row runs in Python. Where the CPU multiplies bf16 natively the matmul
runs in bf16 (half the memory traffic, 2-3x faster): scores then carry 3 significant digits,
so near-ties may swap (the benchmark prints recall@K against fp32). Reserved ids (padding,
OOV) are never returned; a slot with nothing left to return has score -inf.

The approximate index (`kind="ivf"`, faiss-cpu) scans `nprobe` of `nlist` k-means cells per
query; it over-fetches by the largest banned set in the batch and drops banned items with one
sorted-key lookup. `benchmarks/rec_serve.py` prints its recall@K against exact search.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from torchworks.atomic import atomic_path
from torchworks.errors import ConfigError, DataError, require
from torchworks.recipes.recsys.vocab import NUM_RESERVED

KINDS = ("exact", "ivf")
PRECISIONS = ("auto", "fp32", "bf16")
QUERY_CHUNK = 64  # rows of the score matrix alive at once: 64 x 100k fp32 = 25 MB
NEG_INF = float("-inf")


def fast_bf16() -> bool:
    """Whether this CPU has native bf16 dot products (AVX512-BF16, AMX, Arm BF16): the
    environment's one CPU probe answers (tests fake its answer to run both index paths)."""
    from torchworks.env.cpu import cpu_features

    return bool(cpu_features().fast_bf16)


@dataclass
class SearchOptions:
    kind: str = "exact"
    precision: str = "auto"  # exact search: auto = bf16 where the CPU has fast bf16
    nlist: int = 0  # ivf cells; 0 = 4 * sqrt(items)
    nprobe: int = 32

    def __post_init__(self) -> None:
        if self.kind not in KINDS or self.precision not in PRECISIONS:
            raise ConfigError(
                f"unknown index options kind={self.kind!r} precision={self.precision!r}",
                fix=f"kind is one of {KINDS}, precision one of {PRECISIONS}",
            )


class ItemIndex:
    def __init__(self, vectors: torch.Tensor, options: SearchOptions | None = None) -> None:
        """`vectors` [num_items, dim], row = item id (reserved rows are never returned)."""
        self.options = options or SearchOptions()
        self.vectors = vectors.detach().float().cpu().contiguous()
        bf16 = self.options.precision == "bf16" or (
            self.options.precision == "auto" and fast_bf16()
        )
        self.precision = "bf16" if bf16 else "fp32"
        self._scoring = self.vectors.bfloat16() if bf16 else self.vectors
        self._faiss = self._build_ivf() if self.options.kind == "ivf" else None

    def __len__(self) -> int:
        return self.vectors.shape[0] - NUM_RESERVED

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    def describe(self) -> str:
        if self._faiss is not None:
            return f"faiss IVF (nlist {self._faiss.nlist}, nprobe {self._faiss.nprobe})"
        return f"exact ({self.precision} matmul)"

    def search(
        self,
        queries: torch.Tensor,
        k: int,
        banned: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Top-`k` (scores fp32, item ids int64), each [B, k], best first.

        `banned` = (rows, items): item `items[j]` must not be returned for query `rows[j]`
        (rows ascending). Slots beyond the items left have score -inf.
        """
        queries = queries.detach().float().cpu()
        k = min(k, len(self))
        rows, cols = banned if banned is not None else (np.zeros(0, np.int64),) * 2
        if self._faiss is not None:
            return self._search_ivf(queries, k, rows, cols)
        out_scores, out_ids = [], []
        for start in range(0, len(queries), QUERY_CHUNK):
            chunk = queries[start : start + QUERY_CHUNK]
            lo, hi = np.searchsorted(rows, [start, start + len(chunk)])
            scores = chunk.to(self._scoring.dtype) @ self._scoring.T
            scores[:, :NUM_RESERVED] = NEG_INF
            if hi > lo:  # index_fill_ on the flat view: ~200x faster than 2-D index_put_
                flat = (rows[lo:hi] - start) * scores.shape[1] + cols[lo:hi]
                scores.view(-1).index_fill_(0, torch.from_numpy(flat), NEG_INF)
            top, ids = scores.topk(k, dim=1)
            out_scores.append(top.float())
            out_ids.append(ids)
        return torch.cat(out_scores), torch.cat(out_ids)

    def _build_ivf(self) -> Any:  # a faiss.IndexIVFFlat; faiss is an optional dependency
        faiss = require("faiss", "rec-ann")
        faiss.omp_set_num_threads(torch.get_num_threads())
        items = self.vectors[NUM_RESERVED:].numpy()
        nlist = self.options.nlist or max(1, int(4 * len(items) ** 0.5))
        nlist = min(nlist, max(1, len(items) // 39))  # faiss wants >= 39 training points a cell
        quantizer = faiss.IndexFlatIP(items.shape[1])
        index = faiss.IndexIVFFlat(quantizer, items.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
        index.cp.seed = 0
        index.train(items)
        index.add(items)
        index.nprobe = min(self.options.nprobe, nlist)
        self._quantizer = quantizer  # the IVF index points into it: keep it alive
        return index

    def _search_ivf(
        self, queries: torch.Tensor, k: int, rows: np.ndarray, cols: np.ndarray
    ) -> tuple[torch.Tensor, torch.Tensor]:
        b = len(queries)
        extra = int(np.bincount(rows, minlength=b).max()) if len(rows) else 0
        want = min(k + extra, len(self))
        scores_np, ids_np = self._faiss.search(np.ascontiguousarray(queries.numpy()), want)
        ids_np = ids_np.astype(np.int64) + NUM_RESERVED
        scores_np[ids_np < NUM_RESERVED] = NEG_INF  # faiss pads short answers with id -1
        if len(rows):
            width = self.vectors.shape[0]
            keys = np.sort(rows * width + cols)
            cand = (np.arange(b)[:, None] * width + ids_np).ravel()
            at = np.minimum(np.searchsorted(keys, cand), len(keys) - 1)
            scores_np[(keys[at] == cand).reshape(b, want)] = NEG_INF
        top, pick = torch.from_numpy(scores_np).topk(k, dim=1)
        return top, torch.from_numpy(ids_np).gather(1, pick)

    def save(self, path: str | os.PathLike[str]) -> None:
        save_index(path, self.vectors, self.options)

    @classmethod
    def load(cls, path: str | os.PathLike[str], options: SearchOptions | None = None) -> ItemIndex:
        """The saved vectors, searched with the saved options unless `options` overrides them."""
        state = torch.load(Path(path), map_location="cpu", weights_only=True)
        if not isinstance(state, dict) or state.get("format") != "torchworks.item_index":
            raise DataError(
                f"{path} is not a torchworks item index",
                fix="export one with `torchworks rec export`",
            )
        return cls(state["vectors"], options or SearchOptions(**state.get("options", {})))


def save_index(
    path: str | os.PathLike[str], vectors: torch.Tensor, options: SearchOptions | None = None
) -> None:
    """Write item vectors and how to search them; an approximate index is built at load."""
    with atomic_path(path) as tmp:
        torch.save(
            {
                "format": "torchworks.item_index",
                "vectors": vectors.detach().float().cpu().contiguous(),
                "options": asdict(options or SearchOptions()),
            },
            tmp,
        )
