"""ID vocabularies: raw string IDs -> dense integers, with padding and OOV ids that never move.

Id 0 is padding (sequences are left-padded with it), id 1 is out-of-vocabulary; known keys get
2, 3, ... in order of first appearance. `grow` appends new keys after the existing ones, so a
model trained on an older vocabulary keeps every learned embedding row at the same index.

A vocabulary's `fingerprint` (sha256 of its keys in id order) is what checkpoints record and
exports and bundles compare: two vocabularies of the same size can still give the same id to
different users or items (two logs, or one log prepared twice with other filters), and a
model served through the wrong one answers confidently and wrongly. Comparing sizes cannot
tell them apart; `fingerprint_problems` can.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from torchworks.atomic import write_json
from torchworks.errors import DataError

PAD_ID = 0
OOV_ID = 1
NUM_RESERVED = 2


class Vocab:
    """An append-only mapping key -> id; `len(vocab)` counts the reserved ids too."""

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._keys: list[str] = []
        self._index: dict[str, int] = {}
        self._fingerprint: str | None = None  # computed once per content (grow resets it)
        self.grow(keys)

    def __len__(self) -> int:
        return NUM_RESERVED + len(self._keys)

    @property
    def keys(self) -> list[str]:
        """Known keys; `keys[i]` has id `i + NUM_RESERVED`."""
        return list(self._keys)

    def grow(self, keys: Iterable[str]) -> int:
        """Add unseen keys (first appearance order) after the existing ones; return how many."""
        added = 0
        for key in keys:
            key = str(key)
            if key not in self._index:
                self._index[key] = NUM_RESERVED + len(self._keys)
                self._keys.append(key)
                added += 1
        if added:
            self._fingerprint = None
        return added

    def encode(self, keys: Iterable[str]) -> np.ndarray:
        """int64 ids; unknown keys map to OOV_ID."""
        get = self._index.get
        return np.fromiter((get(str(k), OOV_ID) for k in keys), dtype=np.int64)

    def decode(self, ids: Iterable[int]) -> list[str | None]:
        """Keys for ids; padding and OOV decode to None."""
        out: list[str | None] = []
        for i in ids:
            i = int(i)
            out.append(self._keys[i - NUM_RESERVED] if NUM_RESERVED <= i < len(self) else None)
        return out

    def fingerprint(self) -> str:
        """'sha256:<hex>' of the keys in id order (JSON, so no two key lists hash alike)."""
        if self._fingerprint is None:
            text = json.dumps(self._keys, ensure_ascii=False, separators=(",", ":"))
            self._fingerprint = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
        return self._fingerprint

    def save(self, path: str | os.PathLike[str]) -> None:
        write_json(
            path,
            {"format": "torchworks.vocab", "pad_id": PAD_ID, "oov_id": OOV_ID, "keys": self._keys},
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Vocab:
        source = Path(path)
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataError(
                f"cannot read vocabulary {source}: {exc}",
                fix="run `torchworks rec prepare` to write it",
            ) from exc
        if data.get("format") != "torchworks.vocab":
            raise DataError(f"{source} is not a torchworks vocabulary file")
        return cls(data["keys"])


def fingerprints(users: Vocab, items: Vocab) -> dict[str, str]:
    """What a checkpoint records of the vocabularies it was trained on."""
    return {"users": users.fingerprint(), "items": items.fingerprint()}


def fingerprint_problems(
    name: str, recorded: dict[str, str] | None, users: Vocab, items: Vocab
) -> list[str] | None:
    """How the vocabularies `name` recorded differ from `users` / `items` (empty: the same);
    None when `name` recorded none (a checkpoint from before fingerprints: only sizes can be
    compared)."""
    if not recorded:
        return None
    return [
        f"{name} was trained on another {kind[:-1]} vocabulary than {kind}.vocab.json (its "
        f"ids name other {kind} even where the sizes match: fingerprint "
        f"{str(recorded.get(kind))[:19]}... recorded, {vocab.fingerprint()[:19]}... here)"
        for kind, vocab in (("users", users), ("items", items))
        if recorded.get(kind) != vocab.fingerprint()
    ]
