"""A serving bundle read back from disk, and refused whole when its parts disagree.

Every file of a bundle indexes the same id spaces: the item vocabulary, the index rows, the
model's item table, the ids in the histories and seen sets must all describe one catalogue (the
same for users). A bundle edited by hand or assembled from two exports would otherwise load,
pass its warm-up and answer wrong (a vocabulary cut to 5 items over a 400-row index served 3
items for k=10 and nothing for known users). `load_bundle` checks sizes, ids and shapes and
raises one DataError listing every disagreement, so the server keeps the previous version.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from torchworks.errors import DataError
from torchworks.recipes.recsys.index import ItemIndex, SearchOptions
from torchworks.recipes.recsys.seen import SeenSets
from torchworks.recipes.recsys.sequences import Sequences
from torchworks.recipes.recsys.train import TrainedModel, load_trained
from torchworks.recipes.recsys.vocab import NUM_RESERVED, Vocab

REQUIRED = (
    "retrieval.pt",
    "users.vocab.json",
    "items.vocab.json",
    "item_index.pt",
    "user_history.npy",
)


@dataclass
class RecBundle:
    retrieval: TrainedModel
    ranker: TrainedModel | None
    users: Vocab
    items: Vocab
    index: ItemIndex
    user_history: np.ndarray  # [num_users, history_len] int64, left-padded windows
    seen: SeenSets


def load_bundle(directory: Path, options: SearchOptions | None = None) -> RecBundle:
    """Read every part of the bundle in `directory`; raise DataError if they disagree."""
    missing = [
        name
        for name in REQUIRED
        if not (directory / name).is_file()
    ]
    if missing:
        raise DataError(
            f"bundle {directory} lacks {', '.join(missing)}",
            fix="export it again with `torchworks rec export`",
        )
    history = np.load(directory / "user_history.npy").astype(np.int64)
    ranker_path = directory / "ranker.pt"
    bundle = RecBundle(
        retrieval=load_trained(directory / "retrieval.pt"),
        ranker=load_trained(ranker_path) if ranker_path.is_file() else None,
        users=Vocab.load(directory / "users.vocab.json"),
        items=Vocab.load(directory / "items.vocab.json"),
        index=ItemIndex.load(directory / "item_index.pt", options),
        user_history=history,
        seen=_seen(directory, history),
    )
    problems = consistency_problems(bundle)
    if problems:
        raise DataError(
            f"bundle {directory} is inconsistent: " + "; ".join(problems),
            fix="export the bundle again with `torchworks rec export` from the checkpoint and "
            "the dataset it was trained on; do not mix files of different exports",
        )
    return bundle


def _seen(directory: Path, history: np.ndarray) -> SeenSets:
    """The bundle's seen sets; a bundle from before they existed falls back to its windows."""
    if (directory / "seen.npz").is_file():
        return SeenSets.load(directory / "seen.npz")
    lengths = (history > 0).sum(1)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return SeenSets.from_sequences(Sequences(offsets, history[history > 0]))


def consistency_problems(b: RecBundle) -> list[str]:
    """Every way the parts of `b` disagree on the item and user id spaces (empty: consistent)."""
    num_items, num_users = b.retrieval.num_items, b.retrieval.num_users
    problems = []

    def same(what: str, got: int, want: int, of: str) -> None:
        if got != want:
            problems.append(f"{what} has {got} {of} but the retrieval model has {want}")

    same("items.vocab.json", len(b.items), num_items, "item ids")
    same("item_index.pt", b.index.vectors.shape[0], num_items, "item rows")
    same("users.vocab.json", len(b.users), num_users, "user ids")
    same("user_history.npy", b.user_history.shape[0], num_users, "user rows")
    same("seen.npz", b.seen.num_users, num_users, "user rows")
    dim = b.retrieval.settings.dim
    if b.index.dim != dim:
        problems.append(f"item_index.pt vectors are {b.index.dim}-d, the model's are {dim}-d")
    if b.user_history.ndim != 2 or b.user_history.shape[1] != b.retrieval.history_len:
        problems.append(
            f"user_history.npy is {b.user_history.shape}, not [users, "
            f"{b.retrieval.history_len}] windows"
        )
    for what, ids in (("user_history.npy", b.user_history), ("seen.npz", b.seen.items)):
        bad = ids[(ids >= num_items) | (ids < 0) | ((ids > 0) & (ids < NUM_RESERVED))]
        if bad.size:
            problems.append(f"{what} holds {bad.size} item ids outside 2..{num_items - 1}")
    if b.ranker is not None:
        same("ranker.pt", b.ranker.num_items, num_items, "item ids")
        same("ranker.pt", b.ranker.num_users, num_users, "user ids")
    return problems
