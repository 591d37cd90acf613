"""Per-user, time-ordered sequences in CSR layout, and the fixed-length windows models read.

A log sorted by (user, time) is grouped by `offsets` [num_users + 1]: user u's rows are
`offsets[u]:offsets[u+1]`. Windows are left-padded with PAD_ID (0), newest item last.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from torchworks.recipes.recsys.vocab import PAD_ID


def group_offsets(sorted_users: np.ndarray, num_users: int) -> np.ndarray:
    """CSR offsets for a user array sorted ascending."""
    counts = np.bincount(sorted_users, minlength=num_users)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


@dataclass
class Sequences:
    """Item sequences per user: `items[offsets[u]:offsets[u+1]]`, oldest first."""

    offsets: np.ndarray
    items: np.ndarray

    def of(self, user: int) -> np.ndarray:
        return self.items[self.offsets[user] : self.offsets[user + 1]]

    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    @classmethod
    def from_rows(cls, users: np.ndarray, items: np.ndarray, num_users: int) -> Sequences:
        """From rows already sorted by (user, time)."""
        return cls(group_offsets(users, num_users), items)


def left_pad(seq: np.ndarray, length: int) -> np.ndarray:
    """The last `length` items of `seq`, left-padded with PAD_ID."""
    out = np.full(length, PAD_ID, dtype=np.int64)
    tail = seq[-length:] if length else seq[:0]
    if len(tail):
        out[-len(tail) :] = tail
    return out


def windows(seqs: Sequences, users: np.ndarray, length: int) -> np.ndarray:
    """[len(users), length] left-padded recent histories."""
    return (
        np.stack([left_pad(seqs.of(int(u)), length) for u in users])
        if len(users)
        else np.zeros((0, length), dtype=np.int64)
    )
