"""Exact fp32 scoring in the faster of two layouts, chosen by measuring both on this machine.

The exact search's fp32 score matrix can be computed as `queries @ items.T` ([b, items],
"queries-major", index.grouped_topk reads it) or `items @ queries.T` ([items, b],
"items-major"). They are the same sums; only the BLAS kernel differs, and which is faster
depends on the library and the CPU. Measured with torch's MKL on a 2-core AMD EPYC (AVX2 only,
top-100 of 100k items, dim 64, batch 32): items-major 1.15x at 1 thread and 1.46x at 2 (8.4 vs
12.3 ms, quiet); numpy's OpenBLAS in the same layout was no faster than torch, so there is one
BLAS. Nothing about the CPU is assumed: `measured_layout` times both on a small catalogue once
per (dim, torch threads) and the index takes the winner; tests fake only that answer.

The items-major top-K (`items_major_topk`) cannot gather a whole group of a row as one
contiguous run the way grouped_topk does (a row's scores are a column, one cache line per item),
so it works in three exact stages: the max of each SUB items (one pass over the matrix), the max
of each GROUP (from those), the top-K groups; then the top-K sub-groups among the chosen groups'
sub-maxima; then the top-K items among those sub-groups' K * SUB scores. Each stage keeps every
true top-K item for the reason grouped_topk's does: K units whose maxima are >= the K-th unit
maximum hold K distinct items >= it, so the K-th item score is >= it, and every unit holding a
top-K item is kept (up to ties). It gathers 2 x K x SUB scores per row, not K x GROUP.
"""

from __future__ import annotations

import functools
import time

import torch

LAYOUTS = ("auto", "queries", "items")
SUB = 8  # items per sub-group in the items-major top-K; GROUP (index.py) is a multiple of it
PROBE_ITEMS, PROBE_QUERIES, PROBE_K, PROBE_REPEATS = 16_384, 32, 100, 5


def items_major_topk(scores: torch.Tensor, k: int, group: int) -> tuple[torch.Tensor, torch.Tensor]:
    """torch.topk(scores.T, k, dim=1) for `scores` [items, b] (contiguous, items a multiple of
    `group`, itself a multiple of SUB): [b, k] values and item numbers, best first."""
    n, b = scores.shape
    groups, per = n // group, group // SUB
    if groups <= k:
        return scores.T.topk(k, dim=1)
    subs = scores.view(n // SUB, SUB, b)
    sub_max = subs.amax(1)  # [n / SUB, b]
    by_group = sub_max.view(groups, per, b)
    best = by_group.amax(1).T.topk(k, dim=1).indices  # [b, k] group numbers
    row = torch.arange(b).unsqueeze(1)
    candidates = by_group[best, :, row].reshape(b, k * per)  # the chosen groups' sub-maxima
    at = candidates.topk(k, dim=1).indices
    chosen = best.gather(1, at // per) * per + at % per  # [b, k] sub-group numbers
    top, at = subs[chosen, :, row].reshape(b, k * SUB).topk(k, dim=1)
    return top, chosen.gather(1, at // SUB) * SUB + at % SUB


def fp32_layout(asked: str, dim: int, group: int) -> str:
    """The layout an exact fp32 index scores in: `asked`, or for "auto" the measured winner."""
    return measured_layout(dim, torch.get_num_threads(), group) if asked == "auto" else asked


@functools.cache
def measured_layout(dim: int, threads: int, group: int) -> str:
    """Whichever layout scores and ranks a PROBE_QUERIES batch over PROBE_ITEMS random items
    faster here: the best of PROBE_REPEATS interleaved runs each (~60 ms, once per process and
    dim), so a burst of other work on the cores slows both alike. `threads` is the key only:
    torch's count in the calling thread is the one that runs."""
    from torchworks.recipes.recsys.index import grouped_topk

    gen = torch.Generator().manual_seed(0)
    vectors = torch.randn(PROBE_ITEMS, dim, generator=gen)
    queries = torch.randn(PROBE_QUERIES, dim, generator=gen)
    out_q = torch.empty(PROBE_QUERIES, PROBE_ITEMS)
    out_i = torch.empty(PROBE_ITEMS, PROBE_QUERIES)
    runs = {
        "queries": lambda: grouped_topk(torch.mm(queries, vectors.T, out=out_q), PROBE_K),
        "items": lambda: items_major_topk(torch.mm(vectors, queries.T, out=out_i), PROBE_K, group),
    }
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(PROBE_REPEATS + 1):  # the first round warms both up
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
    return min(best, key=best.__getitem__)
