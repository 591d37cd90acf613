"""Vocabularies grow without moving ids; splits and evaluation views cut where they should."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from torchworks.recipes.recsys.data import build_dataset, eval_view
from torchworks.recipes.recsys.readers import BadRows, LogTable
from torchworks.recipes.recsys.split import TEST, TRAIN, VALID, leave_last_out, time_split
from torchworks.recipes.recsys.vocab import OOV_ID, Vocab


def test_vocab_grows_keeping_ids_and_maps_unknowns_to_oov(tmp_path: Path) -> None:
    vocab = Vocab(["a", "b"])
    before = vocab.encode(["a", "b"]).tolist()
    assert vocab.grow(["c", "a", "d"]) == 2
    assert vocab.encode(["a", "b", "c", "d", "zzz"]).tolist() == [*before, 4, 5, OOV_ID]
    vocab.save(tmp_path / "v.json")
    assert Vocab.load(tmp_path / "v.json").encode(["d"]).tolist() == [5]
    assert vocab.decode([0, 1, 2]) == [None, None, "a"]


def test_leave_last_out_and_time_split() -> None:
    offsets = np.array([0, 4, 6, 9])  # users with 4, 2 and 3 interactions
    assert leave_last_out(offsets).tolist() == [0, 0, 1, 2, 0, 0, 0, 1, 2]
    labels = time_split(np.arange(100), valid_frac=0.1, test_frac=0.2)
    assert (
        (labels == TRAIN).sum() == 70
        and (labels == VALID).sum() == 10
        and (labels == TEST).sum() == 20
    )


def _log(rows: list[tuple[str, str, int]]) -> LogTable:
    frame = pd.DataFrame(rows, columns=["user", "item", "timestamp"]).assign(
        event="click", category=""
    )
    return LogTable(frame, BadRows(), "test", "csv")


def test_dataset_sorts_by_time_merges_repeats_and_builds_views() -> None:
    ds, report = build_dataset(
        _log([("u", "c", 3), ("u", "a", 1), ("u", "b", 2), ("u", "a", 4), ("v", "a", 1)])
    )
    assert report.repeats_merged == 1
    assert ds.items.decode(ds.item[ds.user == ds.users.encode(["u"])[0]]) == ["a", "b", "c"]
    view = eval_view(ds, TEST)
    u = ds.users.encode(["u"])[0]
    assert view.users.tolist() == [u]  # v has one interaction: train only
    assert ds.items.decode(view.history.of(u)) == ["a", "b"]
    assert ds.items.decode(view.targets.of(u)) == ["c"]


def test_vocab_from_keeps_old_ids_for_a_new_window() -> None:
    old, _ = build_dataset(_log([("u1", "a", 1), ("u1", "b", 2)]))
    new, report = build_dataset(_log([("u2", "c", 5), ("u1", "a", 6)]), vocab_from=old)
    assert new.items.encode(["a", "b"]).tolist() == old.items.encode(["a", "b"]).tolist()
    assert report.new_items == 1 and report.new_users == 1
    assert new.num_items == old.num_items + 1
