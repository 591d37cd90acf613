"""Every user's whole history as a compact set: what serving must never recommend again.

CSR layout: user u's seen item ids are `items[offsets[u]:offsets[u+1]]`, sorted and unique
(int32; ~4 bytes per interaction, 400 KB for MovieLens-1M). The window a model reads
(`user_history.npy`, the last `history_len` items) is not enough to mask with: a user with
272 ratings would be shown films rated long ago.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from torchworks.atomic import atomic_path
from torchworks.recipes.recsys.sequences import Sequences, group_offsets


@dataclass
class SeenSets:
    offsets: np.ndarray  # int64 [num_users + 1]
    items: np.ndarray  # int32, sorted unique within each user

    @property
    def num_users(self) -> int:
        return len(self.offsets) - 1

    def of(self, user: int) -> np.ndarray:
        return self.items[self.offsets[user] : self.offsets[user + 1]]

    @classmethod
    def from_sequences(cls, seqs: Sequences) -> SeenSets:
        """Dedupe and sort each user's items, all users at once (one lexsort, no Python loop)."""
        users = np.repeat(np.arange(len(seqs.offsets) - 1), seqs.lengths())
        pairs = np.unique(np.stack([users, seqs.items.astype(np.int64)], 1), axis=0)
        return cls(group_offsets(pairs[:, 0], len(seqs.offsets) - 1), pairs[:, 1].astype(np.int32))

    def pairs(self, users: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, item) for every seen item of `users` (row = position in `users`), vectorized."""
        users = np.asarray(users, dtype=np.int64)
        starts, ends = self.offsets[users], self.offsets[users + 1]
        counts = ends - starts
        rows = np.repeat(np.arange(len(users)), counts)
        first = np.repeat(np.cumsum(counts) - counts, counts)
        cols = self.items[np.repeat(starts, counts) + np.arange(counts.sum()) - first]
        return rows, cols.astype(np.int64)

    def save(self, path: str | os.PathLike[str]) -> None:
        with atomic_path(path) as tmp, tmp.open("wb") as handle:
            np.savez(handle, offsets=self.offsets, items=self.items)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SeenSets:
        with np.load(path) as data:
            return cls(data["offsets"].astype(np.int64), data["items"].astype(np.int32))
