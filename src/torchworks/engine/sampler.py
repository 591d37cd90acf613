"""A resumable, shardable sampler: the data position a checkpoint needs to continue exactly.

The order of epoch `e` is a permutation drawn from its own generator seeded with `seed + e`, so
it never depends on (or consumes) the global RNG, and a resumed run sees the same order. Under
DDP each rank takes every `world_size`-th index of that permutation (DistributedSampler's
layout), so the union of one step's per-rank batches is exactly the single-process batch of
`world_size` times the size: results match a single process with the same global batch.

Usage (tensors in memory, no DataLoader)::

    sampler = ResumableSampler(len(x), shuffle=True, seed=0, rank=d.rank, world_size=d.world_size)
    for epoch in range(start_epoch, epochs):
        sampler.set_epoch(epoch)
        for idx in sampler.batches(per_rank_batch):    # LongTensor of indices
            xb, yb = x[idx], y[idx]
            ...
    ckpt["sampler"] = sampler.state_dict()             # epoch + how many samples were consumed

or with a Dataset: `DataLoader(ds, batch_size=b, sampler=sampler, generator=seeded_generator(0))`
(a DataLoader without its own generator draws its worker seed from the global RNG, which would
shift every later random draw after a resume).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch
from torch.utils.data import Sampler


class ResumableSampler(Sampler[int]):
    """Indices for one rank; `state_dict()` / `load_state_dict()` carry epoch and position.

    `pad=True` (training) repeats a few indices so every rank gets the same count, as
    DistributedSampler does; `pad=False` (evaluation) leaves shards uneven so no sample is
    counted twice when metrics are summed across ranks.
    """

    def __init__(self, num_samples: int, *, shuffle: bool = True, seed: int = 0, rank: int = 0,
                 world_size: int = 1, pad: bool = True) -> None:
        if not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} is outside world size {world_size}")
        self.num_samples = num_samples
        self.shuffle = shuffle
        self.seed = seed
        self.rank = rank
        self.world_size = world_size
        self.pad = pad
        self.epoch = 0
        self.consumed = 0  # samples of this rank's shard already yielded in this epoch

    def set_epoch(self, epoch: int) -> None:
        """Start `epoch` from its first sample, unless a loaded state says where it stopped."""
        if epoch != self.epoch:
            self.epoch = epoch
            self.consumed = 0

    def shard(self) -> torch.Tensor:
        """This rank's full index list for the current epoch."""
        if self.shuffle:
            generator = seeded_generator(self.seed + self.epoch)
            order = torch.randperm(self.num_samples, generator=generator)
        else:
            order = torch.arange(self.num_samples)
        if self.pad and self.world_size > 1:
            per_rank = -(-self.num_samples // self.world_size)
            extra = per_rank * self.world_size - self.num_samples
            if extra:
                order = torch.cat([order, order[:extra]])
        return order[self.rank::self.world_size]

    def __len__(self) -> int:
        return len(self.shard())

    def __iter__(self) -> Iterator[int]:
        shard = self.shard()
        while self.consumed < len(shard):
            index = int(shard[self.consumed])
            self.consumed += 1
            yield index
        self._finish_epoch()

    def batches(self, batch_size: int, *, drop_last: bool = False) -> Iterator[torch.Tensor]:
        """Index tensors of `batch_size`, resuming mid-epoch; the position advances per batch."""
        shard = self.shard()
        while self.consumed < len(shard):
            idx = shard[self.consumed:self.consumed + batch_size]
            if drop_last and len(idx) < batch_size:
                break
            self.consumed += len(idx)
            yield idx
        self._finish_epoch()

    def num_batches(self, batch_size: int, *, drop_last: bool = False) -> int:
        n = len(self.shard())
        return n // batch_size if drop_last else -(-n // batch_size)

    def _finish_epoch(self) -> None:
        self.epoch += 1
        self.consumed = 0

    def state_dict(self) -> dict[str, Any]:
        return {"epoch": self.epoch, "consumed": self.consumed, "seed": self.seed,
                "num_samples": self.num_samples, "world_size": self.world_size}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if state["num_samples"] != self.num_samples:
            raise ValueError(f"checkpoint was taken on {state['num_samples']} samples, "
                             f"this run has {self.num_samples}")
        self.epoch = int(state["epoch"])
        self.consumed = int(state["consumed"])
        self.seed = int(state["seed"])


def seeded_generator(seed: int) -> torch.Generator:
    """A CPU generator with a fixed seed (for samplers, DataLoader worker seeds, splits)."""
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator
