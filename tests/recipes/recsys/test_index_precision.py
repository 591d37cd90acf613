"""The item index scores in bf16 only where the CPU probe says bf16 is native; both branches
run on any machine by faking the probe's answer (the arithmetic itself is real)."""

from __future__ import annotations

import pytest
import torch

from torchworks.recipes.recsys.index import ItemIndex, SearchOptions


@pytest.mark.parametrize(("profile", "expected"), [
    ("avx2-only", "fp32"), ("avx512-no-bf16", "fp32"), ("avx512-bf16", "bf16"), ("amx", "bf16")])
def test_auto_precision_follows_the_cpu_probe(fake_cpu, profile: str, expected: str) -> None:
    fake_cpu(profile)
    vectors = torch.randn(500, 16, generator=torch.Generator().manual_seed(0))
    index = ItemIndex(vectors, SearchOptions(precision="auto"))
    assert index.precision == expected
    exact = ItemIndex(vectors, SearchOptions(precision="fp32"))
    assert exact.precision == "fp32"
    query = torch.randn(3, 16, generator=torch.Generator().manual_seed(1))
    scores, ids = index.search(query, 10)
    exact_scores, exact_ids = exact.search(query, 10)
    assert torch.allclose(scores, exact_scores, atol=0.1)
    assert (ids[:, :3] == exact_ids[:, :3]).float().mean() >= 0.66  # bf16 may swap near-ties
