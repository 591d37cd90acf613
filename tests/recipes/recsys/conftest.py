"""A tiny synthetic dataset and tiny trained models, built once per test session (about 30 s)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

TINY_SYNTH = dict(
    users=200, items=150, topics=6, mean_length=20, neighbourhood=6, noise=0.1, drift=0.3, seed=1
)
TINY_TRAIN = {
    "two-tower": dict(epochs=4, batch_size=256, dim=32, lr=5e-3, history_len=20),
    "sasrec": dict(epochs=5, batch_size=32, max_len=20, dim=32, lr=5e-3),
    "gru4rec": dict(epochs=5, batch_size=32, max_len=20, dim=32, lr=5e-3, blocks=1),
    "din": dict(epochs=1, batch_size=128, dim=16, lr=3e-3, history_len=10),
}


@dataclass
class TinyRec:
    data: Path
    checkpoints: dict[str, Path]  # model kind -> last checkpoint


def write_tiny_log(path: Path, **overrides: object) -> Path:
    from torchworks.recipes.recsys.config import SynthConfig
    from torchworks.recipes.recsys.synth import generate

    generate(SynthConfig(**{**TINY_SYNTH, **overrides})).to_csv(path, index=False)
    return path


def tiny_config(kind: str, data: Path, out: Path, **overrides: object):
    from torchworks.recipes.recsys.config import RecTrainConfig

    return RecTrainConfig(
        model=kind,
        data=data,
        out=out,
        threads=1,
        amp="off",
        eval_every=100,
        **{**TINY_TRAIN[kind], **overrides},
    )


@pytest.fixture(scope="session")
def tiny_rec(tmp_path_factory: pytest.TempPathFactory) -> TinyRec:
    from torchworks.recipes.recsys.data import build_dataset, save_dataset
    from torchworks.recipes.recsys.readers import read_log
    from torchworks.recipes.recsys.train import train

    root = tmp_path_factory.mktemp("rec")
    ds, report = build_dataset(read_log(write_tiny_log(root / "log.csv")))
    save_dataset(ds, report, root / "data")
    checkpoints = {
        kind: Path(train(tiny_config(kind, root / "data", root / kind)).checkpoint)
        for kind in TINY_TRAIN
    }
    return TinyRec(root / "data", checkpoints)


@pytest.fixture(scope="session")
def tiny_log_writer():
    """`write(path, **synth_overrides) -> path`: a tiny synthetic log as CSV."""
    return write_tiny_log


@pytest.fixture(scope="session")
def tiny_train_config():
    """`make(kind, data, out, **overrides) -> RecTrainConfig` with the tiny settings."""
    return tiny_config
