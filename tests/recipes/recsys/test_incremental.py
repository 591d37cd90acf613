"""Warm start on a new data window: vocabularies grow, learned embedding rows survive."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import torch

from torchworks.engine.checkpoint import load_checkpoint
from torchworks.recipes.recsys.data import build_dataset, load_dataset, save_dataset
from torchworks.recipes.recsys.readers import read_log
from torchworks.recipes.recsys.train import train


def test_init_from_grows_tables_and_keeps_learned_rows(
    tiny_rec, tiny_log_writer, tiny_train_config, tmp_path: Path
) -> None:
    old = load_dataset(tiny_rec.data)
    # the next window: some new users, a larger catalogue (items 150..199 are new)
    log = tiny_log_writer(tmp_path / "week2.csv", users=60, items=200, seed=7)
    frame = pd.read_csv(log)
    frame["user"] = frame["user"].where(
        frame["user"].str[1:].astype(int) < 30, "new-" + frame["user"]
    )
    frame.to_csv(log, index=False)  # users 0..29 return, 30..59 are new
    new, report = build_dataset(read_log(log), vocab_from=old)
    save_dataset(new, report, tmp_path / "week2")
    assert report.new_items > 0 and report.new_users > 0
    assert new.items.encode(old.items.keys).tolist() == old.items.encode(old.items.keys).tolist()

    ckpt = tiny_rec.checkpoints["two-tower"]
    cfg = tiny_train_config(
        "two-tower",
        tmp_path / "week2",
        tmp_path / "run",
        epochs=1,
        lr=0.0,
        init_from=ckpt,
        max_steps=1,
    )
    summary = train(cfg)
    assert summary.grown_rows["user_tower.item_emb.weight"] == new.num_items - old.num_items
    assert summary.grown_rows["user_tower.user_emb.weight"] == new.num_users - old.num_users
    before = load_checkpoint(ckpt)["model"]["user_tower.item_emb.weight"]
    after = load_checkpoint(summary.checkpoint)["model"]["user_tower.item_emb.weight"]
    assert after.shape[0] == new.num_items
    assert torch.equal(after[: old.num_items], before)  # lr 0: the learned rows are exactly kept
    assert not torch.equal(after[old.num_items :], torch.zeros_like(after[old.num_items :]))
