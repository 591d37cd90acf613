"""A fused bundle serves `rec eval`'s fused ranking: tiny real models, files, the real predictor."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from torchworks.errors import ConfigError, DataError
from torchworks.recipes.recsys import fused_query
from torchworks.recipes.recsys.baselines import EASE
from torchworks.recipes.recsys.data import build_dataset, load_dataset, save_dataset
from torchworks.recipes.recsys.export import export_bundle
from torchworks.recipes.recsys.fusion import FusedScorer, blend_weights
from torchworks.recipes.recsys.index import SearchOptions
from torchworks.recipes.recsys.readers import read_log
from torchworks.recipes.recsys.service import RecommendRequest, RecPredictor, spec
from torchworks.recipes.recsys.split import TEST, TRAIN
from torchworks.recipes.recsys.tasks import ModelScorer
from torchworks.recipes.recsys.train import load_trained, train
from torchworks.recipes.recsys.vocab import NUM_RESERVED

MEMBERS = ("sasrec", "two-tower", "gru4rec")  # three kinds: one vocabulary, different towers
EASE_WEIGHT = 0.2
FP32 = SearchOptions(precision="fp32")  # the reference ranking is fp32; int8/bf16 may swap ties


def _export(tiny_rec, out: Path, kinds=MEMBERS, **options) -> Path:
    paths = [tiny_rec.checkpoints[k] for k in kinds]
    export_bundle(paths, tiny_rec.data, out, onnx=False, index=FP32, **options)
    return out


@pytest.fixture(scope="module")
def fused(tiny_rec, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _export(tiny_rec, tmp_path_factory.mktemp("fused") / "bundle", ease_weight=EASE_WEIGHT)


def _reference(tiny_rec, kinds, ease_weight: float, split: int = TEST):
    """FusedScorer over the same checkpoints and histories: what `rec eval` ranks."""
    ds = load_dataset(tiny_rec.data)
    history = ds.sequences(split)
    members = []
    for kind in kinds:
        m = load_trained(tiny_rec.checkpoints[kind])
        members.append(ModelScorer(m.model, m.settings.kind, m.history_len, torch.device("cpu")))
    extras = [ease_weight] if ease_weight > 0 else []
    if extras:
        members.append(EASE(history, ds.num_items))
    return FusedScorer(members, blend_weights(len(kinds), *extras)), history


def _served(predictor: RecPredictor, k: int, **request) -> tuple[np.ndarray, list, list]:
    """Every known user's answer: (user ids, item id rows, score rows), batches of 64."""
    keys = predictor.users.keys
    users = predictor.users.encode(keys)
    ids, scores = [], []
    for start in range(0, len(keys), 64):
        batch = [RecommendRequest(user_id=u, k=k, **request) for u in keys[start : start + 64]]
        for answer in predictor.predict(batch):
            ids.append(predictor.items.encode([i["item_id"] for i in answer.items]))
            scores.append([i["score"] for i in answer.items])
    return users, ids, scores


def test_served_top_k_is_the_fused_scorers_top_k_for_every_user(tiny_rec, fused: Path) -> None:
    scorer, history = _reference(tiny_rec, MEMBERS, EASE_WEIGHT)
    users, ids, scores = _served(RecPredictor(fused), k=10)
    expected = scorer.score(users, history)  # history and reserved ids already -inf
    top, top_ids = expected.topk(10, dim=1)
    for row in range(len(users)):
        got = torch.tensor(ids[row])
        # the same scores at every rank and the served items carry them in the reference
        # (near-ties may trade places between two float orders of summation)
        torch.testing.assert_close(torch.tensor(scores[row]), top[row], atol=1e-4, rtol=0)
        torch.testing.assert_close(expected[row, got], top[row], atol=1e-4, rtol=0)
    exact = sum(ids[row].tolist() == top_ids[row].tolist() for row in range(len(users)))
    assert exact >= 0.95 * len(users), f"only {exact} of {len(users)} rows in the same order"


def test_fused_bundle_files_and_encoders(fused: Path) -> None:
    spec_ = json.loads((fused / "fusion.json").read_text())
    assert spec_["members"] == ["retrieval.pt", "retrieval-1.pt", "retrieval-2.pt"]
    assert sum(spec_["weights"]) + spec_["ease_weight"] == pytest.approx(1.0)
    parity = json.loads((fused / "parity.json").read_text())
    assert [p["file"] for p in parity] == [
        "user_encoder.ts", "user_encoder-1.ts", "user_encoder-2.ts"
    ]
    assert all(p["ok"] for p in parity)


def test_a_one_member_bundle_ranks_as_the_single_model(tiny_rec, tmp_path: Path) -> None:
    _export(tiny_rec, tmp_path / "one", ease_weight=EASE_WEIGHT)  # a fused export there first
    bundle = _export(tiny_rec, tmp_path / "one", kinds=("sasrec",))
    left = {p.name for p in bundle.iterdir()} & {"fusion.json", "ease.npy", "retrieval-1.pt",
                                                   "user_encoder-1.ts"}
    assert not left, f"the fused export's {left} would still load"
    m = load_trained(tiny_rec.checkpoints["sasrec"])
    scorer = ModelScorer(m.model, "sasrec", m.history_len, torch.device("cpu"))
    history = load_dataset(tiny_rec.data).sequences(TEST)
    users, ids, scores = _served(RecPredictor(bundle), k=10)
    expected = scorer.score(users, history)
    expected[:, :NUM_RESERVED] = -torch.inf
    for row, user in enumerate(users):
        expected[row, history.of(int(user))] = -torch.inf
    top, top_ids = expected.topk(10, dim=1)
    torch.testing.assert_close(torch.tensor(scores), top, atol=1e-4, rtol=0)
    assert sum(ids[r].tolist() == top_ids[r].tolist() for r in range(len(users))) >= 0.95 * len(
        users
    )


def test_served_items_are_never_in_the_history_or_the_recent_items(fused: Path) -> None:
    predictor = RecPredictor(fused)
    recent = predictor.items.keys[:5]
    users, ids, _ = _served(predictor, k=60, recent_items=recent)
    recent_ids = predictor.items.encode(recent)
    for user, row in zip(users, ids, strict=True):
        assert len(row) == 60
        assert not np.isin(row, predictor.seen.of(int(user))).any()
        assert not np.isin(row, recent_ids).any()
    request = [RecommendRequest(user_id=predictor.users.keys[0], k=10, recent_items=recent)]
    body = json.loads(predictor.predict_json(request)[0])
    assert body["items"] == predictor.predict(request)[0].items


def test_a_validation_bundle_serves_the_validation_ranking(tiny_rec, tmp_path: Path) -> None:
    bundle = _export(tiny_rec, tmp_path / "valid", ease_weight=EASE_WEIGHT, history_split=TRAIN)
    scorer, history = _reference(tiny_rec, MEMBERS, EASE_WEIGHT, split=TRAIN)
    users, _, scores = _served(RecPredictor(bundle), k=10)
    top = scorer.score(users, history).topk(10, dim=1).values
    torch.testing.assert_close(torch.tensor(scores), top, atol=1e-4, rtol=0)


@pytest.fixture(scope="module")
def other_vocab_checkpoint(tiny_rec, tiny_log_writer, tiny_train_config, tmp_path_factory):
    root = tmp_path_factory.mktemp("other")
    ds, report = build_dataset(read_log(tiny_log_writer(root / "log.csv", items=120)))
    save_dataset(ds, report, root / "data")
    assert ds.num_items != load_dataset(tiny_rec.data).num_items
    summary = train(tiny_train_config("sasrec", root / "data", root / "run", epochs=1))
    return Path(summary.checkpoint)


def test_a_mix_of_vocabularies_is_refused_at_export_and_at_load(
    tiny_rec, fused: Path, other_vocab_checkpoint: Path, tmp_path: Path
) -> None:
    paths = [tiny_rec.checkpoints["sasrec"], other_vocab_checkpoint]
    with pytest.raises(DataError, match="another vocabulary") as caught:
        export_bundle(paths, tiny_rec.data, tmp_path / "mixed", onnx=False)
    assert str(other_vocab_checkpoint) in caught.value.message
    assert "rec prepare" in caught.value.fix
    assembled = tmp_path / "assembled"
    shutil.copytree(fused, assembled)
    shutil.copy2(other_vocab_checkpoint, assembled / "retrieval-1.pt")
    with pytest.raises(DataError, match="inconsistent") as caught:
        RecPredictor(assembled)
    assert "retrieval-1.pt has" in caught.value.message
    assert "another vocabulary" in caught.value.message


def test_ease_past_its_size_limit_is_refused_with_the_limit(
    tiny_rec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    num_items = load_dataset(tiny_rec.data).num_items
    monkeypatch.setattr(fused_query, "EASE_MAX_ITEMS", num_items - 1)
    with pytest.raises(ConfigError, match=f"up to {num_items - 1:,} items") as caught:
        _export(tiny_rec, tmp_path / "big", ease_weight=EASE_WEIGHT)
    assert "drop --ease-weight" in caught.value.fix
    assert not (tmp_path / "big").exists()  # refused before writing anything
    _export(tiny_rec, tmp_path / "neural", ease_weight=0.0)  # the neural members have no limit


@pytest.mark.parametrize(
    ("options", "reason"),
    [({"fusion": "rrf"}, "only z-fusion is affine"),
     ({"ease_weight": 0.1, "index": SearchOptions(kind="ivf")}, "EASE's dense part")],
)
def test_fusions_the_search_cannot_reproduce_are_refused(
    tiny_rec, tmp_path: Path, options: dict, reason: str
) -> None:
    paths = [tiny_rec.checkpoints[k] for k in MEMBERS]
    with pytest.raises(ConfigError, match=reason):
        export_bundle(paths, tiny_rec.data, tmp_path / "no", onnx=False, **options)


@pytest.mark.parametrize("weight", [-0.1, float("nan"), 1.0])
def test_a_bad_ease_weight_is_refused_even_for_one_checkpoint(
    tiny_rec, tmp_path: Path, weight: float
) -> None:
    """One checkpoint with --ease-weight -0.1 or nan must not quietly write a plain bundle."""
    with pytest.raises(ConfigError, match="not fractions summing below 1"):
        _export(tiny_rec, tmp_path / "bad", kinds=MEMBERS[:1], ease_weight=weight)
    assert not (tmp_path / "bad").exists()


def test_the_server_serves_a_fused_bundle(fused: Path, tmp_path: Path, serve) -> None:
    from torchworks.serving.registry import publish

    models = tmp_path / "models"
    publish(models, "rec-recommend", fused, format="torchworks-rec-bundle", precision="fp32")
    client = serve([spec()], models_dir=models)
    predictor = RecPredictor(fused)
    user = predictor.users.keys[3]
    answer = client.post("/v1/rec/recommend", json={"user_id": user, "k": 10})
    assert answer.status_code == 200, answer.text
    expected = predictor.predict([RecommendRequest(user_id=user, k=10)])[0].items
    assert [i["item_id"] for i in answer.json()["items"]] == [i["item_id"] for i in expected]


@pytest.mark.parametrize("dims", [[8, 8], [8, 12, 4]])
def test_moments_give_each_members_candidate_mean_and_std(dims: list[int]) -> None:
    gen = torch.Generator().manual_seed(0)
    vectors = torch.randn(40, sum(dims), generator=gen)
    queries = torch.randn(3, sum(dims), generator=gen)
    banned = {0: [2, 5, 9], 1: [], 2: list(range(2, 30))}
    rows = torch.tensor([r for r, items in banned.items() for _ in items])
    cols = torch.tensor([i for items in banned.values() for i in items], dtype=torch.int64)
    moments = fused_query.Moments(vectors, dims)
    mean, std = moments.mean_std(queries, rows, moments.banned_scores(queries, rows, cols))
    bounds = np.cumsum([0, *dims])
    for r, items in banned.items():
        keep = [i for i in range(NUM_RESERVED, 40) if i not in items]
        for m, (lo, hi) in enumerate(itertools.pairwise(bounds)):
            scores = (vectors[keep, lo:hi].double() @ queries[r, lo:hi].double()).numpy()
            assert mean[r, m].item() == pytest.approx(scores.mean(), abs=1e-5)
            assert std[r, m].item() == pytest.approx(scores.std(), abs=1e-5)


def test_rec_export_cli_writes_a_fused_bundle_and_refuses_rank_fusion(tiny_rec, tmp_path, capsys):
    from torchworks.cli import main

    paths = [str(tiny_rec.checkpoints[k]) for k in ("sasrec", "gru4rec")]
    out = tmp_path / "cli"
    args = ["rec", "export", *paths, "--data", str(tiny_rec.data), "--out", str(out), "--no-onnx"]
    assert main([*args, "--ease-weight", "0.1"]) == 0
    assert "user_encoder-1.ts" in capsys.readouterr().out
    spec_ = json.loads((out / "fusion.json").read_text())
    assert spec_["ease_weight"] == 0.1 and spec_["weights"] == pytest.approx([0.45, 0.45])
    assert RecPredictor(out).fused is not None
    assert main([*args, "--fusion", "rrf"]) != 0
    assert "only z-fusion is affine" in capsys.readouterr().err
