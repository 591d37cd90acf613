"""Export parity (TorchScript, ONNX) and the `rec-recommend` service, in-process and over HTTP."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from pydantic import ValidationError

from torchworks.engine.checkpoint import load_checkpoint, save_checkpoint
from torchworks.recipes.recsys.export import export_bundle
from torchworks.recipes.recsys.index import SearchOptions
from torchworks.recipes.recsys.service import (
    RecommendRequest,
    RecommendResponse,
    RecPredictor,
    spec,
)
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


@pytest.fixture(scope="module")
def numeric_bundle(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same bundle as a log with integer ids would give it ("u12" -> "12", "i7" -> "7")."""
    out = tmp_path_factory.mktemp("numeric") / "bundle"
    shutil.copytree(bundle, out)
    for name, prefix in (("users.vocab.json", "u"), ("items.vocab.json", "i")):
        keys = Vocab.load(out / name).keys
        assert all(k.startswith(prefix) for k in keys)
        relabel(out, name.split(".")[0], Vocab(k[1:] for k in keys))
    return out


def relabel(bundle: Path, kind: str, vocab: Vocab) -> None:
    """Give the bundle's `kind` ("users" / "items") these keys, as a log with them would: the
    vocabulary file, and the fingerprint its checkpoints recorded when trained on it."""
    vocab.save(bundle / f"{kind}.vocab.json")
    for name in ("retrieval.pt", "ranker.pt"):
        state = load_checkpoint(bundle / name)
        state["extra"]["vocab_fingerprints"][kind] = vocab.fingerprint()
        save_checkpoint(bundle / name, state)


def test_exports_match_pytorch(bundle: Path) -> None:
    parity = json.loads((bundle / "parity.json").read_text())
    assert all(p["ok"] and p["max_abs_diff"] < 1e-4 for p in parity)
    encoder = torch.jit.load(str(bundle / "user_encoder.ts"))
    vectors = encoder(torch.tensor([2, 3]), torch.randint(2, 100, (2, 20)))
    assert vectors.shape == (2, 32)


@pytest.mark.parametrize("kind", ["sasrec", "gru4rec"])
def test_sequential_export_parity(tiny_rec, tmp_path: Path, kind: str) -> None:
    results = export_bundle(tiny_rec.checkpoints[kind], tiny_rec.data, tmp_path)
    assert [r.ok for r in results] == [True, True]


def test_predictor_recommends_unseen_items_and_reranks(bundle: Path) -> None:
    predictor = RecPredictor(bundle)
    users = Vocab.load(bundle / "users.vocab.json")
    user = users.keys[0]
    known, cold, reranked = predictor.predict(
        [
            RecommendRequest(user_id=user, k=10),
            RecommendRequest(user_id="someone-new", recent_items=predictor.items.keys[:3], k=5),
            RecommendRequest(user_id=user, k=10, rerank=True),
        ]
    )
    assert known.known_user and len(known.items) == 10
    scores = [i["score"] for i in known.items]
    assert scores == sorted(scores, reverse=True)
    assert not cold.known_user and len(cold.items) == 5
    assert not set(predictor.items.keys[:3]) & {i["item_id"] for i in cold.items}
    assert reranked.reranked and len(reranked.items) == 10
    with pytest.raises(ValidationError):
        RecommendRequest(k=3)


@pytest.mark.parametrize(
    "options",
    [SearchOptions(precision="fp32"), SearchOptions(precision="bf16"), SearchOptions(kind="ivf")],
    ids=["exact-fp32", "exact-bf16", "ivf"],
)
def test_served_items_are_never_in_the_users_whole_history(
    tiny_rec, bundle: Path, options: SearchOptions
) -> None:
    """Every user, top-50: no item the dataset has for that user (any split), however old."""
    from torchworks.recipes.recsys.data import load_dataset
    from torchworks.recipes.recsys.split import TEST

    if options.kind == "ivf":
        pytest.importorskip("faiss")
    ds = load_dataset(tiny_rec.data)
    everything = ds.sequences(TEST)
    predictor = RecPredictor(bundle, options)
    names = ds.users.keys
    answers = predictor.predict([RecommendRequest(user_id=u, k=50) for u in names])
    window = predictor.user_history.shape[1]
    older_than_window = 0
    for user, answer in zip(names, answers, strict=True):
        seen = set(ds.items.decode(everything.of(int(ds.users.encode([user])[0]))))
        served = {i["item_id"] for i in answer.items}
        assert len(served) == min(50, len(ds.items.keys) - len(seen))
        assert not served & seen, user
        older_than_window += len(seen) > window
    assert older_than_window > 0  # some histories are longer than the model's window


def test_served_json_encodes_exactly_the_predicted_answers(bundle: Path, tmp_path: Path) -> None:
    """`predict_json` (what the server sends) against `predict` serialized by pydantic: known,
    cold, reranked and short answers, item names that need JSON escapes."""
    odd = tmp_path / "bundle"
    shutil.copytree(bundle, odd)
    keys = Vocab.load(odd / "items.vocab.json").keys
    relabel(odd, "items", Vocab(f'{k} "q" \\ é\t' if n % 2 else k for n, k in enumerate(keys)))
    predictor = RecPredictor(odd)
    user = predictor.users.keys[0]
    batch = [
        RecommendRequest(user_id=user, k=10),
        RecommendRequest(user_id="someone-new", recent_items=predictor.items.keys[:3], k=5),
        RecommendRequest(user_id=user, k=10, rerank=True),
        RecommendRequest(user_id=user, k=1000),  # more than the unseen items left
    ]
    answers, bodies = predictor.predict(batch), predictor.predict_json(batch)
    assert len(answers[3].items) < 1000
    assert any('"' in i["item_id"] for a in answers for i in a.items)
    for answer, body in zip(answers, bodies, strict=True):
        assert json.loads(body) == json.loads(answer.model_dump_json())
        assert RecommendResponse.model_validate_json(body) == answer


def test_numeric_user_and_item_ids_mean_what_the_log_had(numeric_bundle: Path) -> None:
    predictor = RecPredictor(numeric_bundle)
    user, items = predictor.users.keys[3], predictor.items.keys[:2]
    numeric = RecommendRequest.model_validate(
        {"user_id": int(user), "recent_items": [int(items[0]), items[1]], "k": 5}
    )
    assert numeric.user_id == int(user)
    as_string = RecommendRequest(user_id=user, recent_items=items, k=5)
    a, b = predictor.predict([numeric, as_string])
    assert a.known_user and a.items == b.items and len(a.items) == 5
    assert not set(items) & {i["item_id"] for i in a.items}
    for bad in (7.5, True, [7]):
        with pytest.raises(ValidationError):
            RecommendRequest.model_validate({"user_id": bad})


def test_recommend_endpoint_through_the_real_server(numeric_bundle: Path, tmp_path: Path,
                                                    serve) -> None:
    bundle = numeric_bundle
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
    numeric = client.post("/v1/rec/recommend", json={"user_id": int(user), "k": 7})
    assert numeric.status_code == 200, numeric.text
    assert numeric.json()["known_user"] and len(numeric.json()["items"]) == 7
