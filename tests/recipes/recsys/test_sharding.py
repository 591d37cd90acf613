"""The TorchRec path: our tables listed for sharding; the TorchRec build only where installed."""

from __future__ import annotations

import importlib.util

import pytest

from torchworks.recipes.recsys.models.two_tower import TwoTower, TwoTowerConfig
from torchworks.recipes.recsys.sharding import embedding_tables, torchrec_collection


def _model() -> TwoTower:
    return TwoTower(TwoTowerConfig(num_users=1000, num_items=5000, num_categories=20, dim=16))


def test_tables_are_listed_once_largest_first() -> None:
    tables = embedding_tables(_model())
    assert [(t.rows, t.dim) for t in tables] == [
        (5000, 16),
        (1000, 16),
        (20, 16),
    ]  # item table shared


@pytest.mark.skipif(
    importlib.util.find_spec("torchrec") is None,
    reason="torchrec is not installed (optional: pip install torchrec matching your torch)",
)
def test_torchrec_collection_mirrors_the_tables() -> None:
    collection = torchrec_collection(_model())
    sizes = sorted((c.num_embeddings, c.embedding_dim) for c in collection.embedding_configs())
    assert sizes == [(20, 16), (1000, 16), (5000, 16)]
