"""Export parity (TorchScript, ONNX) and the `rec-recommend` service, in-process and over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from pydantic import ValidationError

from torchworks.recipes.recsys.export import export_bundle
from torchworks.recipes.recsys.service import RecommendRequest, RecPredictor, spec
from torchworks.recipes.recsys.vocab import Vocab


@pytest.fixture(scope="module")
def bundle(tiny_rec, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    results = export_bundle(
        tiny_rec.checkpoints["two-tower"],
        tiny_rec.data,
        out,
        ranker_ckpt=tiny_rec.checkpoints["din"],
    )
    assert {r.file for r in results} == {
        "user_encoder.ts",
        "user_encoder.onnx",
        "ranker.ts",
        "ranker.onnx",
    }
    return out


def test_exports_match_pytorch(bundle: Path) -> None:
    parity = json.loads((bundle / "parity.json").read_text())
    assert all(p["ok"] and p["max_abs_diff"] < 1e-4 for p in parity)
    encoder = torch.jit.load(str(bundle / "user_encoder.ts"))
    vectors = encoder(torch.tensor([2, 3]), torch.randint(2, 100, (2, 20)))
    assert vectors.shape == (2, 32)


def test_sasrec_export_parity(tiny_rec, tmp_path: Path) -> None:
    results = export_bundle(tiny_rec.checkpoints["sasrec"], tiny_rec.data, tmp_path)
    assert [r.ok for r in results] == [True, True]


def test_predictor_recommends_unseen_items_and_reranks(bundle: Path) -> None:
    predictor = RecPredictor(bundle)
    users = Vocab.load(bundle / "users.vocab.json")
    user = users.keys[0]
    history = set(predictor.items.decode(predictor.user_history[users.encode([user])[0]]))
    known, cold, reranked = predictor.predict(
        [
            RecommendRequest(user_id=user, k=10),
            RecommendRequest(user_id="someone-new", recent_items=predictor.items.keys[:3], k=5),
            RecommendRequest(user_id=user, k=10, rerank=True),
        ]
    )
    assert known.known_user and len(known.items) == 10
    assert not history & {i.item_id for i in known.items}
    scores = [i.score for i in known.items]
    assert scores == sorted(scores, reverse=True)
    assert not cold.known_user and len(cold.items) == 5
    assert not set(predictor.items.keys[:3]) & {i.item_id for i in cold.items}
    assert reranked.reranked and len(reranked.items) == 10
    with pytest.raises(ValidationError):
        RecommendRequest(k=3)


def test_recommend_endpoint_through_the_real_server(bundle: Path, tmp_path: Path,
                                                    serve) -> None:
    from torchworks.serving.registry import publish

    publish(
        tmp_path / "models",
        "rec-recommend",
        bundle,
        format="torchworks-rec-bundle",
        precision="fp32",
    )
    client = serve([spec()], models_dir=tmp_path / "models")
    user = Vocab.load(bundle / "users.vocab.json").keys[1]
    reply = client.post("/v1/rec/recommend", json={"user_id": user, "k": 7, "rerank": True})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert len(body["items"]) == 7 and body["reranked"] and body["known_user"]
    assert client.post("/v1/rec/recommend", json={"k": 7}).status_code == 422
    burst = [
        client.post("/v1/rec/recommend", json={"user_id": user, "k": 3}) for _ in range(5)
    ]
    assert {len(r.json()["items"]) for r in burst} == {3}
    assert np.isfinite([i["score"] for i in body["items"]]).all()
