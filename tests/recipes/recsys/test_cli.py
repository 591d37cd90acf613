"""The recipe through the real CLI: MovieLens file -> prepare -> train -> eval JSON; resume."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import torch

from torchworks.cli import main
from torchworks.config import load_yaml
from torchworks.engine.checkpoint import load_checkpoint
from torchworks.recipes.recsys.config import RecTrainConfig
from torchworks.recipes.recsys.tasks import MODELS

CONFIGS = sorted(
    (Path(__file__).resolve().parents[3] / "src/torchworks/recipes/recsys/configs").glob("*.yaml")
)


def _movielens(tmp_path: Path, tiny_log_writer) -> Path:
    """The synthetic log in ratings.dat layout (user::item::rating::ts), plus 2 bad lines."""
    log = pd.read_csv(tiny_log_writer(tmp_path / "log.csv"))
    rows = zip(log["user"], log["item"], log["timestamp"], strict=True)
    lines = [f"{u[1:]}::{i[1:]}::4::{t}" for u, i, t in rows]
    lines[5:5] = ["17::99::5", "x::1::3::notatime"]
    path = tmp_path / "ratings.dat"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_movielens_prepare_train_eval(tmp_path: Path, tiny_log_writer, capsys) -> None:
    ratings = _movielens(tmp_path, tiny_log_writer)
    assert main(["rec", "prepare", str(ratings), "--out", str(tmp_path / "data")]) == 0
    out = capsys.readouterr().out
    assert "2 bad" in out and "too few fields" in out and "timestamp is not a number" in out
    assert (
        main(
            [
                "train",
                "rec",
                "--model",
                "sasrec",
                "--data",
                str(tmp_path / "data"),
                "--out",
                str(tmp_path / "run"),
                "epochs=2",
                "batch_size=64",
                "max_len=20",
                "dim=16",
                "threads=1",
                "amp=off",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert (
        main(
            [
                "rec",
                "eval",
                str(tmp_path / "run/checkpoints/best.pt"),
                "--data",
                str(tmp_path / "data"),
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert set(report["metrics"]) == {"sasrec", "popularity", "item-knn", "item-knn-recency(0.8)"}
    assert set(report["metrics"]["sasrec"]) == {
        f"{m}@{k}" for m in ("HR", "NDCG", "Recall") for k in (10, 20)
    }
    assert report["users"] == 200 and "sasrec/item-knn-recency(0.8)" in report["ratios"]
    assert (tmp_path / "run/curves.png").stat().st_size > 0


@pytest.mark.parametrize("ema", [[], ["ema_decay=0.9"]], ids=["raw", "ema"])
def test_stopped_and_resumed_run_ends_where_the_uninterrupted_one_does(
    tmp_path: Path, tiny_rec, ema: list[str]
) -> None:
    settings = [
        *ema,  # with an EMA, "model" is the averaged weights and "train_model" the raw ones
        "epochs=2",
        "batch_size=512",
        "dim=16",
        "history_len=10",
        "threads=1",
        "amp=off",
        "eval_every=10",
        "lr_schedule=cosine",  # the rate is a function of the step: resume needs no state
        "warmup_steps=2",
    ]
    common = ["train", "rec", "--model", "two-tower", "--data", str(tiny_rec.data)]
    assert main([*common, "--out", str(tmp_path / "straight"), *settings]) == 0
    assert main([*common, "--out", str(tmp_path / "resumed"), "--max-steps", "3", *settings]) == 0
    assert main([*common, "--out", str(tmp_path / "resumed"), "--resume", *settings]) == 0
    straight = load_checkpoint(sorted((tmp_path / "straight/checkpoints").glob("step-*.pt"))[-1])
    resumed = load_checkpoint(sorted((tmp_path / "resumed/checkpoints").glob("step-*.pt"))[-1])
    assert straight["position"] == resumed["position"]
    for key in ("model", "train_model") if ema else ("model",):
        for name, tensor in straight[key].items():
            assert torch.equal(tensor, resumed[key][name]), (key, name)


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_shipped_configs_load_and_say_how_to_run(path: Path) -> None:
    assert path.read_text().startswith("# torchworks train rec --config")
    cfg = load_yaml(RecTrainConfig, path)
    assert cfg.model in MODELS


def test_bad_input_is_one_clean_error(tmp_path: Path, capsys) -> None:
    assert (
        main(["rec", "prepare", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "d")]) == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("torchworks: error:") and "Traceback" not in err
