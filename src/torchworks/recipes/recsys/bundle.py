"""A serving bundle read back from disk, and refused whole when its parts disagree.

Every file of a bundle indexes the same id spaces: the item vocabulary, the index rows, the
model's item table, the ids in the histories and seen sets must all describe one catalogue (the
same for users). A bundle edited by hand or assembled from two exports would otherwise load,
pass its warm-up and answer wrong (a vocabulary cut to 5 items over a 400-row index served 3
items for k=10 and nothing for known users). `load_bundle` checks sizes, ids and shapes and
raises one DataError listing every disagreement, so the server keeps the previous version.
Each checkpoint's recorded vocabulary fingerprints (vocab.py) must match the bundle's vocabulary
files, which also catches two vocabularies of one size; a checkpoint from before fingerprints is
checked by size only, and the load says so (a warning naming it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from torchworks.errors import DataError
from torchworks.recipes.recsys.fused_query import EASE_FILE, EASE_MAX_ITEMS, FusionSpec
from torchworks.recipes.recsys.index import ItemIndex, SearchOptions
from torchworks.recipes.recsys.seen import SeenSets
from torchworks.recipes.recsys.sequences import Sequences
from torchworks.recipes.recsys.train import TrainedModel, load_trained
from torchworks.recipes.recsys.vocab import NUM_RESERVED, Vocab, fingerprint_problems

log = logging.getLogger(__name__)

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
    fusion: FusionSpec | None = None  # fused bundle (fusion.json): members, weights, EASE
    members: list[TrainedModel] = field(default_factory=list)  # fused: all, retrieval first
    ease: torch.Tensor | None = None  # [num_items, num_items] EASE B, when fused with EASE


def load_bundle(directory: Path, options: SearchOptions | None = None) -> RecBundle:
    """Read every part of the bundle in `directory`; raise DataError if they disagree."""
    fusion = FusionSpec.load(directory)
    fused_files = [] if fusion is None else fusion.members[1:]
    if fusion is not None and fusion.ease_weight > 0:
        fused_files.append(EASE_FILE)
    missing = [
        name
        for name in [*REQUIRED, *fused_files]
        if not (directory / name).is_file()
    ]
    if missing:
        raise DataError(
            f"bundle {directory} lacks {', '.join(missing)}",
            fix="export it again with `torchworks rec export`",
        )
    history = np.load(directory / "user_history.npy").astype(np.int64)
    ranker_path = directory / "ranker.pt"
    retrieval = load_trained(directory / "retrieval.pt")
    bundle = RecBundle(
        retrieval=retrieval,
        ranker=load_trained(ranker_path) if ranker_path.is_file() else None,
        users=Vocab.load(directory / "users.vocab.json"),
        items=Vocab.load(directory / "items.vocab.json"),
        index=ItemIndex.load(directory / "item_index.pt", options),
        user_history=history,
        seen=_seen(directory, history),
        fusion=fusion,
        members=[] if fusion is None else
        [retrieval, *(load_trained(directory / name) for name in fusion.members[1:])],
        ease=torch.from_numpy(np.load(directory / EASE_FILE)) if EASE_FILE in fused_files
        else None,
    )
    problems = consistency_problems(bundle)
    unchecked = [name for name, model in _models(bundle) if not model.vocab_fingerprints]
    if unchecked and not problems:
        log.warning("torchworks: bundle %s: the vocabularies of %s are checked by size only "
                    "(checkpoints from before vocabulary fingerprints; export from retrained "
                    "ones to check ids)", directory, ", ".join(unchecked))
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
    models = b.members or [b.retrieval]
    if b.fusion is not None:
        problems += _fusion_problems(b, num_items, num_users)
    dim = sum(m.settings.dim for m in models)
    what = "the model's" if len(models) == 1 else "the members' together"
    if b.index.dim != dim:
        problems.append(f"item_index.pt vectors are {b.index.dim}-d, {what} are {dim}-d")
    history_len = max(m.history_len for m in models)
    if b.user_history.ndim != 2 or b.user_history.shape[1] != history_len:
        problems.append(
            f"user_history.npy is {b.user_history.shape}, not [users, {history_len}] windows"
        )
    for what, ids in (("user_history.npy", b.user_history), ("seen.npz", b.seen.items)):
        bad = ids[(ids >= num_items) | (ids < 0) | ((ids > 0) & (ids < NUM_RESERVED))]
        if bad.size:
            problems.append(f"{what} holds {bad.size} item ids outside 2..{num_items - 1}")
    if b.ranker is not None:
        same("ranker.pt", b.ranker.num_items, num_items, "item ids")
        same("ranker.pt", b.ranker.num_users, num_users, "user ids")
    for name, model in _models(b):
        problems += fingerprint_problems(name, model.vocab_fingerprints, b.users, b.items) or []
    return problems


def _models(b: RecBundle) -> list[tuple[str, TrainedModel]]:
    """Every checkpoint of the bundle by file name: retrieval (or each fused member), ranker."""
    names = ["retrieval.pt"] if b.fusion is None else b.fusion.members
    models = list(zip(names, b.members or [b.retrieval], strict=True))
    return models + ([("ranker.pt", b.ranker)] if b.ranker is not None else [])


def _fusion_problems(b: RecBundle, num_items: int, num_users: int) -> list[str]:
    """A fused bundle's members must share the retrieval model's id spaces (one vocabulary)."""
    assert b.fusion is not None
    problems = []
    for name, member in zip(b.fusion.members[1:], b.members[1:], strict=True):
        if (member.num_items, member.num_users) != (num_items, num_users):
            problems.append(
                f"{name} has {member.num_items} item ids and {member.num_users} user ids but "
                f"the retrieval model has {num_items} and {num_users} (another vocabulary)"
            )
        if member.settings.kind == "din":
            problems.append(f"{name} is a DIN ranker, not a retrieval model")
    if b.fusion.how != "z" or len(b.fusion.weights) != len(b.fusion.members):
        problems.append(f"fusion.json ({b.fusion.how}, {len(b.fusion.weights)} weights for "
                        f"{len(b.fusion.members)} members) is not a servable z-fusion")
    if b.ease is not None:
        if tuple(b.ease.shape) != (num_items, num_items):
            problems.append(f"{EASE_FILE} is {tuple(b.ease.shape)}, not [{num_items}, {num_items}]")
        if num_items > EASE_MAX_ITEMS:
            problems.append(f"{EASE_FILE} covers {num_items} items, past EASE_MAX_ITEMS "
                            f"{EASE_MAX_ITEMS:,}")
        if b.index.options.kind != "exact":
            problems.append(f"EASE needs an exact item index, not {b.index.options.kind}")
    return problems
