"""The TorchRec path: our tables listed for sharding, then sharded over two gloo processes.

scripts/bootstrap.sh installs TorchRec where its wheels load (torch 2.13.0+cpu); elsewhere the
TorchRec tests skip, saying why (`torchrec_unavailable`)."""

from __future__ import annotations

import pytest
import torch

from torchworks.recipes.recsys.models.two_tower import TwoTower, TwoTowerConfig
from torchworks.recipes.recsys.sharding import (
    embedding_tables,
    torchrec_collection,
    torchrec_unavailable,
)


@pytest.fixture(scope="module")
def torchrec_ready() -> None:
    reason = torchrec_unavailable()
    if reason is not None:
        pytest.skip(reason)


def _model() -> TwoTower:
    return TwoTower(TwoTowerConfig(num_users=1000, num_items=5000, num_categories=20, dim=16))


def test_tables_are_listed_once_largest_first() -> None:
    tables = embedding_tables(_model())
    assert [(t.rows, t.dim) for t in tables] == [
        (5000, 16),
        (1000, 16),
        (20, 16),
    ]  # item table shared


def test_torchrec_collection_mirrors_the_tables(torchrec_ready: None) -> None:
    collection = torchrec_collection(_model())
    sizes = sorted((c.num_embeddings, c.embedding_dim) for c in collection.embedding_configs())
    assert sizes == [(20, 16), (1000, 16), (5000, 16)]


def _sharded_rank(rank: int, init: str, out: str) -> None:
    """One of 2 gloo processes: shard the tables, look rows up, score pairs, save the result."""
    import torch.distributed as dist

    from torchworks.recipes.recsys.sharding import shard_tables, sharded_lookup

    dist.init_process_group("gloo", init_method=init, rank=rank, world_size=2)
    try:
        torch.manual_seed(0)  # the same model on both ranks, as a checkpoint load would give
        model = _model()
        sharded = shard_tables(model, world_size=2)
        gen = torch.Generator().manual_seed(rank)  # each rank looks up its own batch
        users = torch.randint(0, 1000, (64,), generator=gen)
        items = torch.randint(0, 5000, (64,), generator=gen)
        rows = sharded_lookup(
            sharded,
            {"user_tower.user_emb.weight": users, "user_tower.item_emb.weight": items},
        )
        shards = {
            k: [tuple(s.metadata.shard_sizes) for s in v.local_shards()]
            for k, v in sharded.module.state_dict().items()
        }
        scores = (rows["user_tower.user_emb.weight"] * rows["user_tower.item_emb.weight"]).sum(1)
        torch.save({"users": users, "items": items, "scores": scores, "shards": shards}, out)
    finally:
        dist.barrier()
        dist.destroy_process_group()


# Two spawned processes that import torchrec: ~27 s on a 2-core machine at load 13.
def test_tables_sharded_over_two_gloo_processes_score_like_the_unsharded_model(
    torchrec_ready: None, tmp_path
) -> None:
    import torch.multiprocessing as mp

    outs = [str(tmp_path / f"rank{r}.pt") for r in range(2)]
    init = f"file://{tmp_path / 'init'}"
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_sharded_rank, args=(r, init, outs[r])) for r in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
    assert [p.exitcode for p in procs] == [0, 0]
    torch.manual_seed(0)
    model = _model()
    user_emb, item_emb = model.user_tower.user_emb.weight, model.user_tower.item_emb.weight
    results = [torch.load(o) for o in outs]
    items_key = "embedding_bags.user_tower__item_emb__weight.weight"
    users_key = "embedding_bags.user_tower__user_emb__weight.weight"
    assert results[0]["shards"][items_key] == [(2500, 16)]  # items row-wise: half on each rank
    assert results[1]["shards"][items_key] == [(2500, 16)]
    assert [len(r["shards"][users_key]) for r in results] == [1, 0]  # users whole on rank 0
    for r in results:
        expected = (user_emb[r["users"]] * item_emb[r["items"]]).sum(1)
        torch.testing.assert_close(r["scores"], expected.detach())
