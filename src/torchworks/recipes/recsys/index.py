"""Item-embedding index: exact top-K by inner product, or approximate (faiss IVF) for millions.

Exact search is the default and right up to a few million items: one [B, d] x [d, N] matmul
per chunk of queries, the banned (row, item) pairs set to the lowest score inside that score
matrix, then a two-stage top-K (below). Nothing per row runs in Python. The matmul runs in the
fastest precision the CPU has (env.cpu's probe decides, `precision="auto"`):
- int8 where the CPU has int8 dot products (VNNI, AMX, Arm dot): items quantized once with one
  scale per dimension, each query with one scale per row (a row's scale does not change its
  ranking); int32 accumulation; ~4x less work than bf16 and recall@100 vs fp32 ~0.99;
- bf16 where it multiplies bf16 natively (AVX512-BF16, AMX): 3 significant digits;
- fp32 otherwise. Near-ties may swap in int8/bf16 (the benchmark prints recall@K vs fp32).
  fp32 scores [b, items] (`queries @ items.T`) or [items, b] (`items @ queries.T`), whichever
  this machine's BLAS does faster for a chunk of that many queries (layout.py measures both
  once; `layout=` overrides): the same sums in another kernel, so the same top-K up to ties;
  items-major has its own top-K.
Top-K of 100k scores per row (torch.topk's partial sort) costs more than the matmul, so it
runs in two exact stages: the max of each group of GROUP items (one vectorized reduction), the
top-K groups, then the top-K of those groups' K * GROUP scores. The true top-K items lie in at
most K groups, each with a max >= the K-th score, so this is exact (up to ties). Each chunk's
score matrix is written into one per-thread buffer reused across chunks and calls (`_buffer`).
Reserved ids (padding, OOV) are never returned; a slot with nothing left to return has score
-inf.

The approximate index (`kind="ivf"`, faiss-cpu) scans `nprobe` of `nlist` k-means cells per
query; it over-fetches by the largest banned set in the batch and drops banned items with one
sorted-key lookup. `benchmarks/rec_serve.py` prints its recall@K against exact search.
"""

from __future__ import annotations

import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from torchworks.atomic import atomic_path
from torchworks.errors import ConfigError, DataError, require
from torchworks.recipes.recsys.layout import LAYOUTS, NEVER, items_major_from, items_major_topk
from torchworks.recipes.recsys.vocab import NUM_RESERVED

KINDS = ("exact", "ivf")
PRECISIONS = ("auto", "fp32", "bf16", "int8")
QUERY_CHUNK = 64  # rows of the score matrix alive at once: 64 x 100k fp32 = 25 MB
GROUP = 64  # items per group in the two-stage top-K (the catalogue is padded to a multiple)
NEG_INF = float("-inf")
INT_LOWEST = torch.iinfo(torch.int32).min


def fast_bf16() -> bool:
    """Whether this CPU has native bf16 dot products (AVX512-BF16, AMX, Arm BF16): the
    environment's one CPU probe answers (tests fake its answer to run both index paths)."""
    from torchworks.env.cpu import cpu_features

    return bool(cpu_features().fast_bf16)


def fast_int8() -> bool:
    """Whether this CPU has int8 dot products and torch runs its CPU int8 matmul here."""
    from torchworks.env.cpu import cpu_features

    return bool(cpu_features().fast_int8) and _int_mm_works()


def _int_mm_works() -> bool:
    try:
        one = torch.ones(1, 8, dtype=torch.int8)
        return int(torch._int_mm(one, one.T.contiguous())[0, 0]) == 8
    except (RuntimeError, AttributeError):  # a torch build without the CPU kernel
        return False


@dataclass
class SearchOptions:
    kind: str = "exact"
    precision: str = "auto"  # exact search: auto = int8, else bf16, where the CPU is fast at it
    nlist: int = 0  # ivf cells; 0 = 4 * sqrt(items)
    nprobe: int = 32
    layout: str = "auto"  # exact fp32: "queries" [b, items], "items" [items, b], auto = measured

    def __post_init__(self) -> None:
        if self.kind not in KINDS or self.precision not in PRECISIONS or self.layout not in LAYOUTS:
            raise ConfigError(
                f"unknown index options kind={self.kind!r} precision={self.precision!r} "
                f"layout={self.layout!r}",
                fix=f"kind is one of {KINDS}, precision one of {PRECISIONS}, layout one of "
                f"{LAYOUTS}",
            )


class ItemIndex:
    def __init__(self, vectors: torch.Tensor, options: SearchOptions | None = None) -> None:
        """`vectors` [num_items, dim], row = item id (reserved rows are never returned)."""
        self.options = options or SearchOptions()
        self.vectors = vectors.detach().float().cpu().contiguous()
        self.precision = self._choose_precision(self.options.precision)
        pad = -self.vectors.shape[0] % GROUP  # zero rows, scored as banned
        padded = torch.cat([self.vectors, self.vectors.new_zeros(pad, self.dim)])
        self._dim_scale = torch.ones(self.dim)
        if self.precision == "int8":
            self._dim_scale = padded.abs().amax(0).clamp_min(1e-12) / 127
            self._scoring = (padded / self._dim_scale).round().to(torch.int8)
        else:
            dtype = torch.bfloat16 if self.precision == "bf16" else torch.float32
            self._scoring = padded.to(dtype)
        self._faiss = self._build_ivf() if self.options.kind == "ivf" else None
        self.items_major_from = NEVER  # chunks this large or larger: items-major (fp32 only)
        if self._faiss is None and self.precision == "fp32":
            self.items_major_from = items_major_from(self.options.layout, self.dim, GROUP)
        self._buffers = threading.local()  # per searching thread: score matrices (_buffer)

    @staticmethod
    def _choose_precision(asked: str) -> str:
        if asked == "int8" and not _int_mm_works():
            raise ConfigError(
                "this torch build has no CPU int8 matmul (torch._int_mm)",
                fix="use precision 'auto', 'bf16' or 'fp32'",
            )
        if asked != "auto":
            return asked
        return "int8" if fast_int8() else "bf16" if fast_bf16() else "fp32"

    def __len__(self) -> int:
        return self.vectors.shape[0] - NUM_RESERVED

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    def describe(self) -> str:
        if self._faiss is not None:
            return f"faiss IVF (nlist {self._faiss.nlist}, nprobe {self._faiss.nprobe})"
        if self.precision != "fp32":
            return f"exact ({self.precision} matmul)"
        start = self.items_major_from
        layout = ("queries-major" if start == NEVER else "items-major" if start == 1
                  else f"items-major from {start} queries")
        return f"exact (fp32 matmul, {layout})"

    def search(
        self,
        queries: torch.Tensor,
        k: int,
        banned: tuple[np.ndarray, np.ndarray] | None = None,
        extra: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Top-`k` (scores fp32, item ids int64), each [B, k], best first.

        `banned` = (rows, items): item `items[j]` must not be returned for query `rows[j]`
        (rows ascending). `extra` [B, num_items] (exact search only) is added to each query's
        scores before the top-K: a dense part of the score the vectors do not hold (a fused
        bundle's EASE rows). Slots beyond the items left have score -inf.
        """
        queries = queries.detach().float().cpu()
        k = min(k, len(self))
        rows, cols = banned if banned is not None else (np.zeros(0, np.int64),) * 2
        if self._faiss is not None:
            if extra is not None:
                raise ConfigError("an IVF index scores only its probed cells: a dense extra "
                                  "score cannot be added", fix="use an exact index")
            return self._search_ivf(queries, k, rows, cols)
        out_scores, out_ids = [], []
        n = self._scoring.shape[0]
        for start in range(0, len(queries), QUERY_CHUNK):
            chunk = queries[start : start + QUERY_CHUNK]
            lo, hi = np.searchsorted(rows, [start, start + len(chunk)])
            items_major = len(chunk) >= self.items_major_from
            scores, row_scale, lowest = self._score(chunk, items_major)
            if extra is not None:
                scores, row_scale, lowest = self._add(
                    scores, row_scale, extra[start : start + len(chunk)], items_major
                )
            by_item = scores.T if items_major else scores  # [b, padded items]
            by_item[:, :NUM_RESERVED] = lowest
            by_item[:, self.vectors.shape[0] :] = lowest  # the padding
            if hi > lo:  # index_fill_ on the flat view: ~200x faster than 2-D index_put_
                row, col = rows[lo:hi] - start, cols[lo:hi]
                flat = col * len(chunk) + row if items_major else row * n + col
                scores.view(-1).index_fill_(0, torch.from_numpy(flat), lowest)
            if items_major:
                top, ids = items_major_topk(scores, k, GROUP)
            else:
                top, ids = grouped_topk(scores, k)
            top_f = top.float().mul_(row_scale).masked_fill_(top == lowest, NEG_INF)
            out_scores.append(top_f)
            out_ids.append(ids)
        return torch.cat(out_scores), torch.cat(out_ids)

    def _score(
        self, chunk: torch.Tensor, items_major: bool
    ) -> tuple[torch.Tensor, torch.Tensor, float]:
        """[b, padded items] scores ([padded items, b] items-major), the per-row factor back
        to real scores, the lowest score. Written into this thread's reused buffer (`_buffer`)."""
        b = len(chunk)
        if self.precision == "int8":
            scaled = chunk * self._dim_scale
            row_scale = scaled.abs().amax(1, keepdim=True).clamp_min(1e-12) / 127
            quantized = (scaled / row_scale).round().to(torch.int8)
            # the [items, d] layout seen transposed: ~10x faster than a contiguous [d, items]
            out = self._buffer(torch.int32, b)
            return torch._int_mm(quantized, self._scoring.T, out=out), row_scale, INT_LOWEST
        scores = self._buffer(torch.float32, b)
        if self.precision == "bf16":
            # bf16 reductions are not vectorized on CPU: one cast, then fp32 max and top-K
            low = torch.mm(chunk.to(torch.bfloat16), self._scoring.T,
                           out=self._buffer(torch.bfloat16, b))
            return scores.copy_(low), torch.ones(b, 1), NEG_INF
        if items_major:
            scores = self._buffer(torch.float32, b, items_major=True)
            return torch.mm(self._scoring, chunk.T, out=scores), torch.ones(b, 1), NEG_INF
        return torch.mm(chunk, self._scoring.T, out=scores), torch.ones(b, 1), NEG_INF

    def _add(
        self, scores: torch.Tensor, row_scale: torch.Tensor, extra: torch.Tensor,
        items_major: bool,
    ) -> tuple[torch.Tensor, torch.Tensor, float]:
        """`_score`'s result plus `extra` on the real item columns, as fp32 real scores (an
        int8 matrix is rescaled first: the extra part is in real units)."""
        if scores.dtype == torch.int32:
            scores = torch.mul(scores, row_scale, out=self._buffer(torch.float32, len(scores)))
        by_item = scores.T if items_major else scores
        by_item[:, : extra.shape[1]].add_(extra)
        return scores, torch.ones(len(extra), 1), NEG_INF

    def _buffer(self, dtype: torch.dtype, rows: int, items_major: bool = False) -> torch.Tensor:
        """[rows, padded items] of `dtype` ([padded items, rows] items-major: the same memory),
        kept per thread and reused from chunk to chunk and call to call. A fresh score matrix
        of a 64-query chunk (25 MB at 100k items) lies past malloc's mmap threshold: the OS
        mapped and zeroed it anew every time, which made a 64-row chunk cost 2-2.5x a 32-row
        one per query (batches of 128-256 slower than 32).
        Costs QUERY_CHUNK x items x 4 bytes per searching thread (25 MB at 100k items)."""
        buffers, n = self._buffers.__dict__, self._scoring.shape[0]
        have = buffers.get(dtype)
        if have is None or len(have) < rows * n:
            have = buffers[dtype] = torch.empty(max(rows, QUERY_CHUNK) * n, dtype=dtype)
        return have[: rows * n].view((n, rows) if items_major else (rows, n))

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


def grouped_topk(scores: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """torch.topk(scores, k, dim=1) in two stages (see the module docstring); the number of
    columns is a multiple of GROUP."""
    b, n = scores.shape
    groups = scores.view(b, n // GROUP, GROUP)
    if n // GROUP <= k:
        return scores.topk(k, dim=1)
    best = groups.amax(2).topk(k, dim=1).indices  # [b, k] group numbers
    flat = (best + torch.arange(b).unsqueeze(1) * (n // GROUP)).view(-1)
    members = groups.reshape(-1, GROUP).index_select(0, flat).view(b, k * GROUP)  # row copies
    top, at = members.topk(k, dim=1)
    return top, best.gather(1, at // GROUP) * GROUP + at % GROUP


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
