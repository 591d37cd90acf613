"""Load the checkpoints that will score together on one dataset, refusing any trained on another
vocabulary.

`rec export` and `rec eval` both fuse several checkpoints on one prepared dataset. An item id is
only an index into the vocabulary a model was trained on, so a member from another vocabulary
would score other items than it names, silently. Each checkpoint's recorded vocabulary
fingerprints (vocab.py) must match the dataset's, which also catches two vocabularies of one
size; a checkpoint from before fingerprints can only be compared by size, and a warning says so.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import torch

from torchworks.errors import DataError
from torchworks.recipes.recsys.data import RecDataset
from torchworks.recipes.recsys.train import TrainedModel, load_trained
from torchworks.recipes.recsys.vocab import fingerprint_problems

log = logging.getLogger(__name__)


def load_members(
    paths: Sequence[str | Path], ds: RecDataset, device: torch.device | None = None
) -> list[TrainedModel]:
    """Every checkpoint in `paths` as a trained model for `ds`; one DataError names every member
    of another vocabulary and how to fix it."""
    members = [load_trained(p, device) for p in paths]
    wrong = [
        f"{p} has {m.num_items} item ids and {m.num_users} user ids"
        for p, m in zip(paths, members, strict=True)
        if (m.num_items, m.num_users) != (ds.num_items, ds.num_users)
    ]
    for path, member in zip(paths, members, strict=True):
        found = fingerprint_problems(str(path), member.vocab_fingerprints, ds.users, ds.items)
        if found is None:
            log.warning("torchworks: the vocabularies of %s are checked by size only (a "
                        "checkpoint from before vocabulary fingerprints; retrain to record "
                        "them)", path)
        wrong += found or []
    if wrong:
        raise DataError(
            f"checkpoints of another vocabulary: {'; '.join(wrong)}; the dataset has "
            f"{ds.num_items} item ids and {ds.num_users} user ids",
            fix="pass --data the prepared dataset the checkpoints were trained on, and fuse "
            "only checkpoints trained on that one dataset (`torchworks rec prepare` output; "
            "grow an old one with --vocab-from and retrain or warm-start)",
        )
    return members
