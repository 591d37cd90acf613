"""The prepared dataset: integer IDs, vocabularies, a split, and the views models and metrics read.

On disk (`torchworks rec prepare` writes it, atomically, file by file)::

    DIR/interactions.parquet   user, item, category, timestamp, event, split  (sorted by user, time)
    DIR/users.vocab.json  DIR/items.vocab.json  DIR/categories.vocab.json
    DIR/report.json            rows read, bad rows by reason, repeats merged, split sizes

`--vocab-from OLD_DIR` grows the old vocabularies instead of starting fresh, so ids learned on
an earlier data window keep their meaning (incremental training relies on this).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from torchworks.atomic import atomic_path, write_json
from torchworks.errors import DataError
from torchworks.recipes.recsys.readers import LogTable
from torchworks.recipes.recsys.sequences import Sequences, group_offsets
from torchworks.recipes.recsys.split import TEST, TRAIN, make_split
from torchworks.recipes.recsys.vocab import NUM_RESERVED, Vocab


@dataclass
class PrepareReport:
    source: str
    layout: str
    rows_read: int
    bad_rows: int
    bad_by_reason: dict[str, int]
    bad_examples: list[str]
    repeats_merged: int
    users: int
    items: int
    new_users: int
    new_items: int
    split: str
    split_sizes: dict[str, int] = field(default_factory=dict)


@dataclass
class RecDataset:
    """Interactions sorted by (user, time) with integer ids (vocab sizes include PAD and OOV)."""

    user: np.ndarray
    item: np.ndarray
    timestamp: np.ndarray
    split: np.ndarray  # int8: 0 train, 1 valid, 2 test
    item_category: np.ndarray  # [num_items] category id of each item (0 for reserved ids)
    users: Vocab
    items: Vocab
    categories: Vocab

    @property
    def num_users(self) -> int:
        return len(self.users)

    @property
    def num_items(self) -> int:
        return len(self.items)

    @property
    def num_categories(self) -> int:
        return len(self.categories)

    def sequences(self, max_split: int) -> Sequences:
        """Every user's items from splits <= max_split, oldest first."""
        keep = self.split <= max_split
        return Sequences.from_rows(self.user[keep], self.item[keep], self.num_users)


@dataclass
class EvalView:
    """Users to evaluate on one split: history (inputs, excluded from ranking) and targets."""

    users: np.ndarray
    history: Sequences  # indexed by user id, like the dataset
    targets: Sequences


def eval_view(ds: RecDataset, target_split: int = TEST) -> EvalView:
    """Users with at least one interaction in `target_split`; history is every earlier split."""
    history = ds.sequences(target_split - 1)
    is_target = ds.split == target_split
    targets = Sequences.from_rows(ds.user[is_target], ds.item[is_target], ds.num_users)
    users = np.flatnonzero(targets.lengths() > 0)
    return EvalView(users=users, history=history, targets=targets)


def build_dataset(
    log: LogTable,
    split: str = "leave-last-out",
    vocab_from: RecDataset | None = None,
    dedupe: bool = True,
) -> tuple[RecDataset, PrepareReport]:
    """Encode, sort, merge repeated (user, item) pairs (first kept), and split."""
    frame = log.frame
    if frame.empty:
        raise DataError(
            f"{log.source} has no usable rows ({log.bad.total} bad)",
            fix="check the --format; `torchworks rec prepare` reports bad rows by reason",
        )
    frame = frame.assign(_order=np.arange(len(frame))).sort_values(
        ["user", "timestamp", "_order"], kind="stable"
    )
    repeats = 0
    if dedupe:
        first = ~frame.duplicated(["user", "item"], keep="first")
        repeats = int((~first).sum())
        frame = frame[first]
    users = Vocab(vocab_from.users.keys) if vocab_from else Vocab()
    items = Vocab(vocab_from.items.keys) if vocab_from else Vocab()
    categories = Vocab(vocab_from.categories.keys) if vocab_from else Vocab()
    new_users = users.grow(pd.unique(frame["user"]))
    new_items = items.grow(pd.unique(frame["item"]))
    categories.grow(c for c in pd.unique(frame["category"]) if c)
    user_ids = users.encode(frame["user"])
    order = np.lexsort((np.arange(len(frame)), frame["timestamp"].to_numpy(), user_ids))
    user_ids = user_ids[order]
    item_ids = items.encode(frame["item"])[order]
    cat_ids = categories.encode(frame["category"])[order]
    stamps = frame["timestamp"].to_numpy(np.int64)[order]
    item_category = np.zeros(len(items), dtype=np.int64)
    if vocab_from is not None:
        item_category[: len(vocab_from.item_category)] = vocab_from.item_category
    has_cat = frame["category"].to_numpy()[order] != ""
    item_category[item_ids[has_cat]] = cat_ids[has_cat]
    labels = make_split(split, group_offsets(user_ids, len(users)), stamps)
    ds = RecDataset(user_ids, item_ids, stamps, labels, item_category, users, items, categories)
    report = PrepareReport(
        source=log.source,
        layout=log.layout,
        rows_read=len(log.frame) + log.bad.total,
        bad_rows=log.bad.total,
        bad_by_reason=dict(log.bad.counts),
        bad_examples=list(log.bad.examples),
        repeats_merged=repeats,
        users=len(users) - NUM_RESERVED,
        items=len(items) - NUM_RESERVED,
        new_users=new_users,
        new_items=new_items,
        split=split,
        split_sizes={
            name: int((labels == i).sum()) for i, name in enumerate(("train", "valid", "test"))
        },
    )
    return ds, report


def save_dataset(ds: RecDataset, report: PrepareReport, out_dir: str | os.PathLike[str]) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(
        {
            "user": ds.user,
            "item": ds.item,
            "category": ds.item_category[ds.item],
            "timestamp": ds.timestamp,
            "split": ds.split,
        }
    )
    with atomic_path(out / "interactions.parquet") as tmp:
        frame.to_parquet(tmp, index=False)
    with atomic_path(out / "item_category.npy") as tmp, tmp.open("wb") as handle:
        np.save(handle, ds.item_category)
    ds.users.save(out / "users.vocab.json")
    ds.items.save(out / "items.vocab.json")
    ds.categories.save(out / "categories.vocab.json")
    write_json(out / "report.json", asdict(report))
    return out


def load_dataset(data_dir: str | os.PathLike[str]) -> RecDataset:
    src = Path(data_dir)
    if not (src / "interactions.parquet").is_file():
        raise DataError(
            f"{src} is not a prepared recommendation dataset (no interactions.parquet)",
            fix=f"run `torchworks rec prepare LOG --out {src}` first",
        )
    frame = pd.read_parquet(src / "interactions.parquet")
    item_category = np.load(src / "item_category.npy", allow_pickle=False)
    return RecDataset(
        user=frame["user"].to_numpy(np.int64),
        item=frame["item"].to_numpy(np.int64),
        timestamp=frame["timestamp"].to_numpy(np.int64),
        split=frame["split"].to_numpy(np.int8),
        item_category=item_category,
        users=Vocab.load(src / "users.vocab.json"),
        items=Vocab.load(src / "items.vocab.json"),
        categories=Vocab.load(src / "categories.vocab.json"),
    )


def train_items(ds: RecDataset) -> np.ndarray:
    """Item ids of train interactions (for popularity counts and logQ)."""
    return ds.item[ds.split == TRAIN]
