"""Checkpoints record their vocabularies' fingerprints; `rec export` and bundle loading refuse a
checkpoint trained on other vocabularies even when the sizes match (a dataset whose item ids
name other items), naming the file, and so does `rec eval` when it fuses checkpoints; a checkpoint from before fingerprints is checked by size
only, with a warning that says so."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from torchworks.engine.checkpoint import load_checkpoint, save_checkpoint
from torchworks.errors import DataError
from torchworks.recipes.recsys.bundle import load_bundle
from torchworks.recipes.recsys.compare import compare
from torchworks.recipes.recsys.data import load_dataset
from torchworks.recipes.recsys.export import export_bundle
from torchworks.recipes.recsys.train import load_trained, train
from torchworks.recipes.recsys.vocab import Vocab, fingerprints


def test_the_fingerprint_tells_same_size_vocabularies_apart() -> None:
    assert Vocab(["a", "b"]).fingerprint() == Vocab(["a", "b"]).fingerprint()
    assert Vocab(["a", "b"]).fingerprint() != Vocab(["b", "a"]).fingerprint()  # ids swapped
    assert Vocab(["a,b"]).fingerprint() != Vocab(["a", "b"]).fingerprint()
    grown = Vocab(["a", "b"])
    before = grown.fingerprint()
    grown.grow(["c"])
    assert grown.fingerprint() == Vocab(["a", "b", "c"]).fingerprint() != before


def reordered_dataset(data: Path, out: Path, vocab: str = "items.vocab.json") -> Path:
    """A copy of the prepared dataset whose `vocab` lists the same keys in reverse: every size
    matches, every id names another key (as a dataset prepared from another log would)."""
    shutil.copytree(data, out)
    raw = json.loads((out / vocab).read_text(encoding="utf-8"))
    raw["keys"] = raw["keys"][::-1]
    (out / vocab).write_text(json.dumps(raw), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def reordered(tiny_rec, tmp_path_factory) -> Path:
    return reordered_dataset(tiny_rec.data, tmp_path_factory.mktemp("fp") / "data")


@pytest.fixture(scope="module")
def reordered_checkpoint(reordered: Path, tiny_train_config, tmp_path_factory) -> Path:
    """A real two-tower trained on the reordered dataset: the tiny model's sizes, other ids."""
    out = tmp_path_factory.mktemp("fp-run")
    return Path(train(tiny_train_config("two-tower", reordered, out, epochs=1)).checkpoint)


def without_fingerprints(checkpoint: Path, out: Path) -> Path:
    """The checkpoint as written before fingerprints existed (no `vocab_fingerprints` key)."""
    state = load_checkpoint(checkpoint)
    del state["extra"]["vocab_fingerprints"]
    return save_checkpoint(out, state)


def test_training_records_the_datasets_fingerprints(tiny_rec) -> None:
    ds = load_dataset(tiny_rec.data)
    trained = load_trained(tiny_rec.checkpoints["two-tower"])
    assert trained.vocab_fingerprints == fingerprints(ds.users, ds.items)


def test_export_refuses_a_checkpoint_of_a_same_size_other_vocabulary(
    tiny_rec, reordered: Path, reordered_checkpoint: Path, tmp_path: Path
) -> None:
    ckpt = tiny_rec.checkpoints["two-tower"]
    assert load_dataset(reordered).num_items == load_dataset(tiny_rec.data).num_items
    with pytest.raises(DataError, match="another vocabulary") as caught:
        export_bundle(ckpt, reordered, tmp_path / "one", onnx=False)
    assert f"{ckpt} was trained on another item vocabulary" in caught.value.message
    assert "user vocabulary" not in caught.value.message  # the users file is the same
    assert "--data" in caught.value.fix
    assert not (tmp_path / "one").exists()  # nothing written before every check passed
    with pytest.raises(DataError, match="another vocabulary") as caught:
        export_bundle([ckpt, reordered_checkpoint], tiny_rec.data, tmp_path / "mix", onnx=False)
    assert str(reordered_checkpoint) in caught.value.message
    assert f"{ckpt} " not in caught.value.message  # the member that matches is not named


def test_rec_eval_refuses_to_fuse_a_checkpoint_of_a_same_size_other_vocabulary(
    tiny_rec, reordered_checkpoint: Path
) -> None:
    ckpt = tiny_rec.checkpoints["two-tower"]
    with pytest.raises(DataError, match="another vocabulary") as caught:
        compare([ckpt, reordered_checkpoint], tiny_rec.data)
    assert f"{reordered_checkpoint} was trained on another item vocabulary" in caught.value.message
    assert f"{ckpt} " not in caught.value.message
    fused = compare([ckpt, ckpt], tiny_rec.data)  # members of the dataset's vocabulary fuse
    assert {fused.model, "two-tower-0", "two-tower-1"} <= set(fused.metrics)
    assert fused.metrics["two-tower-0"] == fused.metrics["two-tower-1"]  # one model twice


def test_bundle_load_refuses_a_member_of_a_same_size_other_vocabulary(
    tiny_rec, reordered: Path, reordered_checkpoint: Path, tmp_path: Path
) -> None:
    ckpt = tiny_rec.checkpoints["two-tower"]
    fused = tmp_path / "fused"
    export_bundle([ckpt, ckpt], tiny_rec.data, fused, onnx=False)
    assert load_bundle(fused).fusion is not None
    shutil.copy2(reordered_checkpoint, fused / "retrieval-1.pt")
    with pytest.raises(DataError, match="inconsistent") as caught:
        load_bundle(fused)
    assert "retrieval-1.pt was trained on another item vocabulary" in caught.value.message
    assert "retrieval.pt was" not in caught.value.message
    plain = tmp_path / "plain"
    export_bundle(ckpt, tiny_rec.data, plain, onnx=False)
    shutil.copy2(reordered / "items.vocab.json", plain / "items.vocab.json")
    with pytest.raises(DataError, match=r"retrieval\.pt was trained on another item vocabulary"):
        load_bundle(plain)


def test_a_checkpoint_from_before_fingerprints_is_checked_by_size_and_says_so(
    tiny_rec, reordered: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = without_fingerprints(tiny_rec.checkpoints["two-tower"], tmp_path / "old.pt")
    with caplog.at_level(logging.WARNING):
        export_bundle(old, reordered, tmp_path / "bundle", onnx=False)  # sizes match: accepted
    assert f"vocabularies of {old} are checked by size only" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        bundle = load_bundle(tmp_path / "bundle")
    assert bundle.retrieval.vocab_fingerprints is None
    assert "vocabularies of retrieval.pt are checked by size only" in caplog.text
    with pytest.raises(DataError, match="another vocabulary"):  # sizes are still compared
        export_bundle(old, _one_item_more(reordered, tmp_path / "grown"), tmp_path / "b2",
                      onnx=False)


def _one_item_more(data: Path, out: Path) -> Path:
    shutil.copytree(data, out)
    vocab = Vocab.load(out / "items.vocab.json")
    vocab.grow(["an item the checkpoint never saw"])
    vocab.save(out / "items.vocab.json")
    return out
