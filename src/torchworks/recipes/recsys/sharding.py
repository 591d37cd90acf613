"""Past one GPU's memory: the embedding tables as TorchRec tables, ready to shard.

The dense parts of these models are small; the id tables grow with users and items (100M items
x 64 dims x fp32 = 25.6 GB). TorchRec (optional, `pip install torchrec` matching your torch)
shards tables across GPUs: `EmbeddingCollection` + `DistributedModelParallel` with a planner
that picks table-wise, row-wise or column-wise sharding per table. This module maps our tables
to TorchRec configs with the same names, sizes and learned rows; the dense towers stay
data-parallel (DDP), which is TorchRec's standard hybrid layout.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from torchworks.errors import require


@dataclass(frozen=True)
class Table:
    name: str  # parameter path in our model, e.g. "user_tower.user_emb.weight"
    rows: int
    dim: int


def embedding_tables(model: torch.nn.Module) -> list[Table]:
    """Every nn.Embedding of `model` (shared tables once), largest first."""
    seen: set[int] = set()
    tables = []
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.Embedding) and id(module.weight) not in seen:
            seen.add(id(module.weight))
            tables.append(Table(f"{name}.weight", module.num_embeddings, module.embedding_dim))
    return sorted(tables, key=lambda t: t.rows * t.dim, reverse=True)


def torchrec_collection(model: torch.nn.Module, device: str = "meta"):
    """A torchrec `EmbeddingCollection` mirroring `model`'s tables (one feature per table).

    Built on the meta device by default, as DistributedModelParallel expects before it shards;
    copy the learned rows in from our checkpoint (same names, "." written as "__") after sharding.
    """
    modules = require("torchrec", "rec")
    configs = [
        modules.EmbeddingConfig(
            name=t.name.replace(".", "__"),
            embedding_dim=t.dim,
            num_embeddings=t.rows,
            feature_names=[t.name.replace(".", "__")],
        )
        for t in embedding_tables(model)
    ]
    return modules.EmbeddingCollection(tables=configs, device=torch.device(device))
