"""The item index picks its matmul precision from the CPU probe (int8 where the CPU has int8
dot products, else bf16 where it multiplies bf16 natively, else fp32); every branch runs on any
machine by faking the probe's answer (the arithmetic itself is real). The two-stage top-K is
checked against torch.topk."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from torchworks.errors import ConfigError
from torchworks.recipes.recsys.index import GROUP, ItemIndex, SearchOptions, grouped_topk

BF16_NO_INT8 = ("avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_bf16")


def catalogue(items: int = 3000, dim: int = 16) -> torch.Tensor:
    gen = torch.Generator().manual_seed(0)
    centres = torch.randn(40, dim, generator=gen)
    return centres[torch.randint(0, 40, (items,), generator=gen)] + 0.5 * torch.randn(
        items, dim, generator=gen
    )


@pytest.mark.parametrize(("profile", "expected"), [
    ("avx2-only", "fp32"), (BF16_NO_INT8, "bf16"), ("avx512-no-bf16", "int8"),
    ("avx512-bf16", "int8"), ("amx", "int8")])
def test_auto_precision_follows_the_cpu_probe(fake_cpu, profile, expected: str) -> None:
    fake_cpu(profile)
    vectors = catalogue()
    index = ItemIndex(vectors, SearchOptions(precision="auto"))
    assert index.precision == expected
    exact = ItemIndex(vectors, SearchOptions(precision="fp32"))
    assert exact.precision == "fp32"
    query = torch.randn(3, 16, generator=torch.Generator().manual_seed(1))
    scores, ids = index.search(query, 10)
    exact_scores, exact_ids = exact.search(query, 10)
    assert torch.allclose(scores, exact_scores, rtol=0.05, atol=0.3)
    assert (ids[:, :3] == exact_ids[:, :3]).float().mean() >= 0.66  # near-ties may swap


@pytest.mark.parametrize("precision", ["bf16", "int8"])
def test_low_precision_keeps_recall_and_masks(precision: str) -> None:
    """recall@50 vs fp32 stays high, and banned items never come back in any precision."""
    vectors = catalogue(5000)
    query = torch.randn(40, 16, generator=torch.Generator().manual_seed(2))
    rng = np.random.default_rng(0)
    rows = np.repeat(np.arange(40), 30)
    cols = rng.integers(2, 5000, len(rows))
    exact = ItemIndex(vectors, SearchOptions(precision="fp32")).search(query, 50, (rows, cols))[1]
    got = ItemIndex(vectors, SearchOptions(precision=precision)).search(query, 50, (rows, cols))[1]
    hits = sum(len(set(g.tolist()) & set(e.tolist())) for g, e in zip(got, exact, strict=True))
    assert hits / exact.numel() >= 0.9
    for row in range(40):
        assert not set(got[row].tolist()) & set(cols[rows == row].tolist())
        assert got[row].min() >= 2  # reserved ids never returned


def test_grouped_topk_is_exact() -> None:
    gen = torch.Generator().manual_seed(3)
    scores = torch.randn(7, GROUP * 50, generator=gen)
    scores[0, : GROUP * 45] = float("-inf")  # fewer finite scores than asked in the top groups
    top, ids = grouped_topk(scores, 20)
    want_top, want_ids = scores.topk(20, dim=1)
    assert torch.equal(top, want_top) and torch.equal(ids, want_ids)
    small = torch.randn(2, GROUP * 3, generator=gen)  # fewer groups than k: one plain topk
    assert torch.equal(grouped_topk(small, 10)[1], small.topk(10, dim=1)[1])


def test_search_returns_fewer_than_k_real_items_as_minus_inf() -> None:
    vectors = catalogue(12)  # 10 real items after the 2 reserved rows
    for precision in ("fp32", "bf16", "int8"):
        scores, _ = ItemIndex(vectors, SearchOptions(precision=precision)).search(
            torch.randn(2, 16), 20, (np.array([0, 0]), np.array([5, 7]))
        )
        assert scores.shape == (2, 10)
        assert torch.isinf(scores[0, -2:]).all() and torch.isfinite(scores[0, :-2]).all()
        assert torch.isfinite(scores[1]).all()


@pytest.mark.parametrize("precision", ["fp32", "bf16", "int8"])
@pytest.mark.parametrize("k", [5, 200])  # the two-stage top-K; one plain top-K (11 groups)
def test_reused_score_buffer_leaves_earlier_answers_alone(precision: str, k: int) -> None:
    """The score matrix is a per-thread buffer reused by the next search (and the next chunk):
    what a search returned must not change when the buffer is written again."""
    index = ItemIndex(catalogue(700), SearchOptions(precision=precision))
    gen = torch.Generator().manual_seed(5)
    first, second = torch.randn(3, 16, generator=gen), torch.randn(90, 16, generator=gen)
    scores, ids = index.search(first, k)
    kept = scores.clone(), ids.clone()
    index.search(second, k)
    assert torch.equal(scores, kept[0]) and torch.equal(ids, kept[1])
    assert torch.equal(index.search(first, k)[1], ids)


@pytest.mark.parametrize("precision", ["fp32", "bf16", "int8"])
def test_a_dense_extra_score_is_added_before_the_top_k(precision: str) -> None:
    """`extra` (a fused bundle's EASE rows) joins the score in real units in every precision."""
    vectors = catalogue(2000)
    gen = torch.Generator().manual_seed(4)
    query = torch.randn(70, 16, generator=gen)  # past one QUERY_CHUNK: the extra rows follow
    extra = 3 * torch.randn(70, 2000, generator=gen)
    rows = np.repeat(np.arange(70), 5)
    cols = np.random.default_rng(1).integers(2, 2000, len(rows))
    expected = query @ vectors.T + extra
    expected[:, :2] = -torch.inf
    expected[torch.from_numpy(rows), torch.from_numpy(cols)] = -torch.inf
    top, top_ids = expected.topk(20, dim=1)
    scores, ids = ItemIndex(vectors, SearchOptions(precision=precision)).search(
        query, 20, (rows, cols), extra
    )
    if precision == "fp32":
        torch.testing.assert_close(scores, top, atol=1e-4, rtol=0)
        torch.testing.assert_close(expected.gather(1, ids), top, atol=1e-4, rtol=0)
    else:
        hits = sum(len(set(g.tolist()) & set(e.tolist())) for g, e in zip(ids, top_ids,
                                                                         strict=True))
        assert hits / top_ids.numel() >= 0.9
        torch.testing.assert_close(scores, expected.gather(1, ids), atol=0.3, rtol=0.05)
    for row in range(70):
        assert not set(ids[row].tolist()) & set(cols[rows == row].tolist())


def test_an_ivf_index_refuses_a_dense_extra_score() -> None:
    pytest.importorskip("faiss")
    index = ItemIndex(catalogue(2000), SearchOptions(kind="ivf"))
    with pytest.raises(ConfigError, match="exact index"):
        index.search(torch.randn(2, 16), 5, extra=torch.zeros(2, 2000))
