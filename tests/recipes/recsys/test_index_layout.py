"""Exact fp32 search scores each chunk of queries queries-major or items-major, whichever
layout.py measured faster at that chunk size; every branch runs here by faking only the
measurement's answer, and each must return what a plain masked torch.topk over the full score
matrix returns."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from torchworks.errors import ConfigError
from torchworks.recipes.recsys import layout
from torchworks.recipes.recsys.index import GROUP, QUERY_CHUNK, ItemIndex, SearchOptions
from torchworks.recipes.recsys.layout import NEVER, PROBE_BATCHES, SUB, items_major_topk
from torchworks.recipes.recsys.vocab import NUM_RESERVED


def catalogue(items: int, dim: int = 16) -> torch.Tensor:
    gen = torch.Generator().manual_seed(0)
    centres = torch.randn(40, dim, generator=gen)
    return centres[torch.randint(0, 40, (items,), generator=gen)] + 0.5 * torch.randn(
        items, dim, generator=gen
    )


def reference(vectors, queries, k, rows, cols, extra=None):
    """The definition: every real, unbanned item's score, one torch.topk."""
    scores = queries @ vectors.T
    if extra is not None:
        scores += extra
    scores[:, :NUM_RESERVED] = float("-inf")
    scores[torch.from_numpy(rows), torch.from_numpy(cols)] = float("-inf")
    return scores.topk(k, dim=1)


MIXED = 40  # 150 queries: chunks of 64 and 64 items-major, the last 22 queries-major
MEASURED = {"queries-major": NEVER, "items-major": 1, f"items-major from {MIXED} queries": MIXED}


@pytest.fixture(params=sorted(MEASURED))
def measured(request, monkeypatch: pytest.MonkeyPatch) -> str:
    """Pretend the measurement found items-major faster from this chunk size (the measuring is
    not faked anywhere else: it is the probe)."""
    monkeypatch.setattr(layout, "measured_items_major_from", lambda *_: MEASURED[request.param])
    return request.param


def test_auto_layout_follows_the_measurement(measured: str) -> None:
    index = ItemIndex(catalogue(500), SearchOptions(precision="fp32"))
    assert index.items_major_from == MEASURED[measured]
    assert index.describe() == f"exact (fp32 matmul, {measured})"
    assert QUERY_CHUNK > MIXED and 150 % QUERY_CHUNK < MIXED  # the mixed case mixes


@pytest.mark.parametrize("items", [70, 3000])  # fewer groups than k; many chunks of groups
def test_both_layouts_return_the_masked_exact_top_k(measured: str, items: int) -> None:
    vectors = catalogue(items)
    gen = torch.Generator().manual_seed(1)
    queries = torch.randn(150, 16, generator=gen)  # > QUERY_CHUNK: several chunks
    rng = np.random.default_rng(0)
    rows = np.sort(rng.integers(0, 150, 2000))
    cols = rng.integers(NUM_RESERVED, items, 2000)
    extra = torch.randn(150, items, generator=gen)
    index = ItemIndex(vectors, SearchOptions(precision="fp32"))
    for with_extra in (None, extra):
        scores, ids = index.search(queries, 30, (rows, cols), with_extra)
        want_scores, want_ids = reference(vectors, queries, 30, rows, cols, with_extra)
        assert torch.allclose(scores, want_scores, atol=1e-4)
        assert (ids == want_ids).float().mean() > 0.99  # ties / last-bit near-ties aside
        for row in range(150):
            assert not set(ids[row].tolist()) & set(cols[rows == row].tolist())


def test_items_major_topk_is_exact_when_top_items_crowd_one_group() -> None:
    """The stages' argument holds when all top items sit in one sub-group or one group."""
    gen = torch.Generator().manual_seed(2)
    scores = torch.randn(GROUP * 40, 5, generator=gen)
    scores[3 * GROUP : 3 * GROUP + SUB, 0] += 100  # row 0: its best 8 in one sub-group
    scores[7 * GROUP : 8 * GROUP, 1] += 100  # row 1: its best 64 in one group
    scores[:, 2] = float("-inf")  # row 2: nothing left to return
    top, ids = items_major_topk(scores.contiguous(), 20, GROUP)
    want_top, want_ids = scores.T.topk(20, dim=1)
    assert torch.equal(top, want_top)
    assert torch.equal(ids[[0, 1, 3, 4]], want_ids[[0, 1, 3, 4]])


def test_layout_can_be_forced_and_is_checked() -> None:
    vectors = catalogue(800)
    queries = torch.randn(4, 16, generator=torch.Generator().manual_seed(3))
    forced = {
        name: ItemIndex(vectors, SearchOptions(precision="fp32", layout=name)).search(queries, 10)
        for name in ("queries", "items")
    }
    assert torch.equal(forced["queries"][1], forced["items"][1])
    with pytest.raises(ConfigError, match="layout"):
        SearchOptions(layout="columns")


def test_the_measurement_answers_a_probed_chunk_size_or_never() -> None:
    """The real probe runs (no timing is asserted: only that its answer is one it can give)."""
    found = layout.measured_items_major_from(16, torch.get_num_threads(), GROUP)
    assert found in (*PROBE_BATCHES, NEVER)


def test_items_major_returns_fewer_than_k_real_items_as_minus_inf() -> None:
    index = ItemIndex(catalogue(12), SearchOptions(precision="fp32", layout="items"))
    scores, ids = index.search(torch.randn(2, 16), 20, (np.array([0, 0]), np.array([5, 7])))
    assert scores.shape == (2, 10)  # 10 real items after the 2 reserved rows
    assert torch.isinf(scores[0, -2:]).all() and torch.isfinite(scores[0, :-2]).all()
    assert not {5, 7} & set(ids[0, :-2].tolist()) and torch.isfinite(scores[1]).all()
