"""Past one GPU's memory: the embedding tables as TorchRec tables, sharded across processes.

The dense parts of these models are small; the id tables grow with users and items (100M items
x 64 dims x fp32 = 25.6 GB). TorchRec shards tables across processes: `DistributedModelParallel`
with a plan that puts each table row-wise, table-wise or column-wise. This module maps our
tables to TorchRec configs with the same names and sizes, shards them (`shard_tables`: the
largest table row-wise over every rank, the others table-wise, round robin) and copies our
learned rows into each rank's shards; the dense towers stay data-parallel (DDP), TorchRec's
standard hybrid layout.

Optional, and its wheels must match torch exactly. For torch 2.13.0+cpu,
`requirements/torchrec-cpu-py3.11-x86_64.lock` pins a set that works (torchrec 1.8.0,
fbgemm-gpu-cpu 1.8.0 and five small pure-Python packages, installed `--no-deps`: torchrec
declares `fbgemm-gpu`, the CUDA build); scripts/bootstrap.sh installs it where that torch is
installed, so CI runs the two-process test. torchrec 1.9.2 + fbgemm-gpu-cpu 1.9.0 do not load
on torch 2.13: fbgemm's `fbgemm_gpu_tbe_index_select.so` has an undefined symbol
`torch::autograd::_wrap_outputs`. `torchrec_unavailable()` says why a given environment cannot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from torchworks.errors import require


def torchrec_unavailable() -> str | None:
    """Why TorchRec cannot be used here (not installed, or its native ops do not load into
    this torch), or None when it can."""
    try:
        import fbgemm_gpu  # noqa: F401  (the native ops: where a mismatched build fails)
        import torchrec  # noqa: F401
    except ImportError as exc:
        return (f"torchrec is not usable with torch {torch.__version__}: {exc} (for torch "
                "2.13.0+cpu scripts/bootstrap.sh installs the set in requirements/torchrec-*.lock)")
    except (OSError, RuntimeError) as exc:  # an .so built for another torch
        return f"torchrec's native ops do not load into torch {torch.__version__}: {exc}"
    return None


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


def _feature(table: Table) -> str:
    return table.name.replace(".", "__")


@dataclass
class ShardedTables:
    module: Any  # torchrec DistributedModelParallel over an EmbeddingBagCollection
    tables: list[str]  # our parameter names, in the collection's feature order


def shard_tables(model: torch.nn.Module, world_size: int) -> ShardedTables:
    """`model`'s tables as one TorchRec EmbeddingBagCollection sharded over the process group.

    Call on every rank (after `init_process_group`, gloo on CPU). The largest table is split
    row-wise over all ranks, the others go whole to one rank each, round robin. Each rank holds
    only its shards, filled from `model`'s rows; one id per bag, so a bag's sum is the row.
    """
    torchrec = require("torchrec", "rec")
    from torchrec.distributed.embeddingbag import EmbeddingBagCollectionSharder
    from torchrec.distributed.model_parallel import DistributedModelParallel
    from torchrec.distributed.sharding_plan import (
        construct_module_sharding_plan,
        row_wise,
        table_wise,
    )
    from torchrec.distributed.types import ShardingEnv, ShardingPlan

    tables = embedding_tables(model)
    configs = [
        torchrec.EmbeddingBagConfig(
            name=_feature(t),
            embedding_dim=t.dim,
            num_embeddings=t.rows,
            feature_names=[_feature(t)],
            pooling=torchrec.PoolingType.SUM,
        )
        for t in tables
    ]
    collection = torchrec.EmbeddingBagCollection(tables=configs, device=torch.device("meta"))
    per_table = {
        _feature(t): row_wise() if i == 0 else table_wise(rank=(i - 1) % world_size)
        for i, t in enumerate(tables)
    }
    plan = ShardingPlan(
        {
            "": construct_module_sharding_plan(
                collection, per_table, local_size=world_size, world_size=world_size,
                device_type="cpu",
            )
        }
    )
    sharders = [EmbeddingBagCollectionSharder()]
    sharded = DistributedModelParallel(
        collection,
        device=torch.device("cpu"),
        plan=plan,
        env=ShardingEnv.from_process_group(torch.distributed.group.WORLD),
        sharders=sharders,
    )
    rows = dict(model.named_parameters(remove_duplicate=False))
    with torch.no_grad():
        for key, value in sharded.state_dict().items():
            full = rows[key.split(".")[-2].replace("__", ".")]
            for shard in value.local_shards():
                (r, c), (h, w) = shard.metadata.shard_offsets, shard.metadata.shard_sizes
                shard.tensor.copy_(full[r : r + h, c : c + w])
    return ShardedTables(sharded, [t.name for t in tables])


def sharded_lookup(
    sharded: ShardedTables, ids: dict[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """Rows for `ids` (table name -> 1-D ids, all of one length) from the sharded tables.

    Every rank calls it with its own batch (the lookups are collective); tables not asked for
    get empty bags.
    """
    torchrec = require("torchrec", "rec")
    batch = len(next(iter(ids.values())))
    empty = torch.zeros(0, dtype=torch.int64)
    kjt = torchrec.KeyedJaggedTensor.from_lengths_sync(
        keys=[n.replace(".", "__") for n in sharded.tables],
        values=torch.cat([ids.get(n, empty) for n in sharded.tables]),
        lengths=torch.cat(
            [torch.full((batch,), int(n in ids), dtype=torch.int32) for n in sharded.tables]
        ),
    )
    out = sharded.module(kjt)
    out = out.wait() if hasattr(out, "wait") else out
    return {n: out[n.replace(".", "__")] for n in ids}
