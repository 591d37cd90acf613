"""A rec bundle whose parts disagree is refused at load with the reason; the old one serves on."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from torchworks.errors import DataError
from torchworks.recipes.recsys.export import export_bundle
from torchworks.recipes.recsys.index import ItemIndex, save_index
from torchworks.recipes.recsys.service import RecPredictor, spec
from torchworks.recipes.recsys.vocab import Vocab


@pytest.fixture(scope="module")
def bundle(tiny_rec, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("checked") / "bundle"
    export_bundle(tiny_rec.checkpoints["two-tower"], tiny_rec.data, out, onnx=False)
    return out


def broken(bundle: Path, tmp_path: Path, how: str) -> Path:
    out = tmp_path / how
    shutil.copytree(bundle, out)
    if how == "cut-vocab":
        Vocab(Vocab.load(out / "items.vocab.json").keys[:5]).save(out / "items.vocab.json")
    elif how == "index-dim":
        vectors = ItemIndex.load(out / "item_index.pt").vectors
        save_index(out / "item_index.pt", torch.cat([vectors, vectors], 1))
    elif how == "history-ids":
        history = np.load(out / "user_history.npy")
        history[3, -1] = 10_000
        np.save(out / "user_history.npy", history)
    return out


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("cut-vocab", "items.vocab.json has 7 item ids but the retrieval model has"),
        ("index-dim", "item_index.pt vectors are 64-d, the model's are 32-d"),
        ("history-ids", "user_history.npy holds 1 item ids outside 2.."),
    ],
)
def test_each_disagreement_is_named(bundle: Path, tmp_path: Path, how: str, reason: str) -> None:
    RecPredictor(bundle)  # the untouched bundle loads
    with pytest.raises(DataError, match="inconsistent") as caught:
        RecPredictor(broken(bundle, tmp_path, how))
    assert reason in caught.value.message
    assert "torchworks rec export" in caught.value.fix


def test_server_refuses_a_cut_vocabulary_and_keeps_the_old_version(
    bundle: Path, tmp_path: Path, serve
) -> None:
    from torchworks.serving.registry import publish

    models = tmp_path / "models"
    publish(models, "rec-recommend", bundle, format="torchworks-rec-bundle", precision="fp32")
    client = serve([spec()], models_dir=models)
    user = Vocab.load(bundle / "users.vocab.json").keys[0]
    before = client.post("/v1/rec/recommend", json={"user_id": user, "k": 10})
    assert before.status_code == 200 and before.headers["X-Model-Version"] == "1"
    publish(
        models,
        "rec-recommend",
        broken(bundle, tmp_path, "cut-vocab"),
        format="torchworks-rec-bundle",
        precision="fp32",
    )
    refused = client.post("/v1/models/rec-recommend/load", json={"version": "2"})
    assert refused.status_code >= 400
    detail = refused.json()["detail"]
    assert "inconsistent" in detail and "items.vocab.json has 7 item ids" in detail, detail
    assert "version 1 keeps serving" in detail
    after = client.post("/v1/rec/recommend", json={"user_id": user, "k": 10})
    assert after.status_code == 200 and after.headers["X-Model-Version"] == "1"
    assert after.json() == before.json()
