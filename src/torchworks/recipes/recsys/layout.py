"""Exact fp32 scoring in the faster of two layouts, chosen by measuring both on this machine.

The exact search's fp32 score matrix can be computed as `queries @ items.T` ([b, items],
"queries-major", index.grouped_topk reads it) or `items @ queries.T` ([items, b],
"items-major"). They are the same sums; only the BLAS kernel differs, and which is faster
depends on the library, the CPU and the batch. Measured with torch's MKL on a 2-core AMD EPYC
(Zen 1, AVX2 only; top-100 of 100k items, dim 64): at batch 32 the matmul items-major takes
15.8 vs 18.2 ms at 1 thread (busy machine), 8.4 vs 12.3 ms at 2 (quiet), but the whole search
items-major is 0.83-0.96x as fast at 4-16 queries; numpy's OpenBLAS was no faster than torch
in its best layout (15.3 ms), so there is one BLAS. On 2,048 users of rec_serve.py's catalogue
both layouts return bit-identical scores and the same top-100 sets; 3 rows swap two slots of
exactly equal score. Neither layout can go much further there: Zen 1 runs a 256-bit FMA as
two 128-bit halves (16 fp32 FLOP a cycle, 32 GFLOP/s at the nominal 2.0 GHz) and the matmul
already runs at ~26 GFLOP/s (~30 with its operands in cache): 12.8 MFLOP, ~0.5 ms of one core,
per top-100 over 100k items at dim 64. Nothing about the CPU is assumed:
`measured_items_major_from` times both on a small catalogue at a few batch sizes once per (dim,
torch threads), and the index scores each chunk of queries in the layout that won at its size;
tests fake only that answer.

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
import sys
import time

import torch

LAYOUTS = ("auto", "queries", "items")  # SearchOptions.layout
SUB = 8  # items per sub-group in the items-major top-K; GROUP (index.py) is a multiple of it
PROBE_ITEMS, PROBE_K, PROBE_REPEATS = 16_384, 100, 5
PROBE_BATCHES = (8, 16, 32, 64)  # chunk sizes measured (index.QUERY_CHUNK is the largest)
NEVER = sys.maxsize  # "no chunk is scored items-major"


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


def items_major_from(asked: str, dim: int, group: int) -> int:
    """The smallest chunk of queries an exact fp32 index scores items-major (NEVER: none):
    from `asked` ("items": every chunk, "queries": none), or for "auto" as measured here."""
    if asked != "auto":
        return 1 if asked == "items" else NEVER
    return measured_items_major_from(dim, torch.get_num_threads(), group)


@functools.cache
def measured_items_major_from(dim: int, threads: int, group: int) -> int:
    """The smallest of PROBE_BATCHES from which items-major scores and ranks a batch faster than
    queries-major at that size and every larger one (NEVER: at none), over PROBE_ITEMS random
    items: the best of PROBE_REPEATS interleaved runs each (~0.3 s, once per process and dim),
    so a burst of other work on the cores slows both alike. The answer depends on the batch:
    on the AMD EPYC above items-major loses 0.83-0.96x at 4-16 queries and wins 1.10-1.13x at
    32-64, and the server's batches at 32 concurrent clients are often that small. `threads`
    is the key only: torch's count in the calling thread is the one that runs."""
    gen = torch.Generator().manual_seed(0)
    vectors = torch.randn(PROBE_ITEMS, dim, generator=gen)
    wins = [_items_major_wins(vectors, torch.randn(b, dim, generator=gen), group)
            for b in PROBE_BATCHES]
    while wins and wins[-1]:
        wins.pop()
    return PROBE_BATCHES[len(wins)] if len(wins) < len(PROBE_BATCHES) else NEVER


def _items_major_wins(vectors: torch.Tensor, queries: torch.Tensor, group: int) -> bool:
    """Whether items-major scores and ranks `queries` faster, best of PROBE_REPEATS each."""
    from torchworks.recipes.recsys.index import grouped_topk

    out_q, out_i = torch.empty(len(queries), len(vectors)), torch.empty(len(vectors), len(queries))
    runs = (
        lambda: grouped_topk(torch.mm(queries, vectors.T, out=out_q), PROBE_K),
        lambda: items_major_topk(torch.mm(vectors, queries.T, out=out_i), PROBE_K, group),
    )
    best = [float("inf")] * 2
    for _ in range(PROBE_REPEATS + 1):  # the first round warms both up
        for at, run in enumerate(runs):
            started = time.perf_counter()
            run()
            best[at] = min(best[at], time.perf_counter() - started)
    return best[1] < best[0]
